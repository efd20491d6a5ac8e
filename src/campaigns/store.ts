// Campaign persistence: the plan (recipients in batches) is written before sending, and what the
// operator and the queue do to a whole campaign (status, progress, resend, cancel, open batches).
// What the delivery of one batch does (claim, results, release, finish) is the ledger's: ledger.ts.

import { fail, InternalError } from '../problems.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { SendingWindow } from './window.ts';

/** `scheduled`: waiting for its time (schedule.ts), with no recipients yet. */
export type CampaignStatus = 'scheduled' | 'sending' | 'paused' | 'cancelled' | 'done';
export type DeliveryStatus = 'queued' | 'sent' | 'failed' | 'bounced' | 'skipped';

export interface Campaign {
  id: number;
  publication: string;
  issueNumber: number;
  issueCode: string;
  subject: string;
  html: string;
  text: string;
  listName: string;
  listAddress: string;
  publicUrl: string;
  /** The PDF edition, for the readers it is attached for. */
  attachment?: { filename: string; content: Buffer };
  /** Whether readers who chose nothing get the PDF attached (the publication's pdf.attach). */
  attachByDefault: boolean;
  batchSize: number;
  status: CampaignStatus;
  statusReason: string | null;
  round: number;
  recipients: number;
  createdAt: Date;
  finishedAt: Date | null;
  /** The language of this (the default) edition, a code (en); null for a campaign from before 270. */
  language: string | null;
  /** When a scheduled campaign starts (or started) sending; null when published at once. */
  scheduledAt: Date | null;
  /** The zone its time was given in, and its window's; null when neither was given. */
  timeZone: string | null;
  /** Batches are claimed only inside this window; null: any time. */
  window: SendingWindow | null;
}

/** A campaign's edition in one of its issue's translations: each reader is sent their language's. */
export interface CampaignEdition {
  /** A code: fr. */
  language: string;
  subject: string;
  html: string;
  text: string;
  /** That language's PDF edition. */
  attachment?: { filename: string; content: Buffer };
}

/** A campaign with its editions in every language, as its messages are composed. */
export interface CampaignSnapshot extends Campaign {
  /** The translations' editions (the default language's is the campaign's own), in language order. */
  translations: readonly CampaignEdition[];
}

export type NewCampaign = Omit<
  Campaign,
  | 'id'
  | 'status'
  | 'statusReason'
  | 'round'
  | 'recipients'
  | 'createdAt'
  | 'finishedAt'
  | 'scheduledAt'
  | 'timeZone'
  | 'window'
  | 'attachByDefault'
  | 'language'
> & {
  window?: SendingWindow;
  /** The default edition's language code (the campaign's own). */
  language?: string;
  /** The editions of the issue's translations, sent to the readers of their language. */
  translations?: readonly CampaignEdition[];
  /** Unset: attached for everyone when there is an attachment, as before readers chose. */
  attachByDefault?: boolean;
};

const SCHEDULE_COLUMNS = 'scheduled_at, time_zone, window_start, window_end';

const COLUMNS = `id, publication, issue_number, issue_code, subject, html, text, list_name, list_address,
  public_url, attachment_name, attachment, attach_by_default, batch_size, status, status_reason, round,
  recipients, created_at, finished_at, language, ${SCHEDULE_COLUMNS}`;

/** Without the snapshot, for listings. */
export const SUMMARY_COLUMNS = `id, publication, issue_number, issue_code, subject, '' AS html, '' AS text, list_name,
  list_address, public_url, NULL AS attachment_name, NULL AS attachment, attach_by_default, batch_size, status,
  status_reason, round, recipients, created_at, finished_at, language, ${SCHEDULE_COLUMNS}`;

export interface CampaignRow {
  id: number;
  publication: string;
  issue_number: number;
  issue_code: string;
  subject: string;
  html: string;
  text: string;
  list_name: string;
  list_address: string;
  public_url: string;
  attachment_name: string | null;
  attachment: Uint8Array | null;
  attach_by_default: boolean;
  batch_size: number;
  status: CampaignStatus;
  status_reason: string | null;
  round: number;
  recipients: number;
  created_at: Date;
  finished_at: Date | null;
  scheduled_at: Date | null;
  time_zone: string | null;
  window_start: number | null;
  window_end: number | null;
  language: string | null;
}

/** A stored PDF attachment, if the row has one. */
function attachmentOf(r: { attachment_name: string | null; attachment: Uint8Array | null }) {
  return r.attachment_name && r.attachment
    ? { filename: r.attachment_name, content: Buffer.from(r.attachment) }
    : undefined;
}

export function toCampaign(r: CampaignRow): Campaign {
  return {
    id: Number(r.id),
    publication: r.publication,
    issueNumber: r.issue_number,
    issueCode: r.issue_code,
    subject: r.subject,
    html: r.html,
    text: r.text,
    listName: r.list_name,
    listAddress: r.list_address,
    publicUrl: r.public_url,
    attachment: attachmentOf(r),
    attachByDefault: r.attach_by_default,
    batchSize: r.batch_size,
    status: r.status,
    statusReason: r.status_reason,
    round: r.round,
    recipients: r.recipients,
    createdAt: new Date(r.created_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    language: r.language,
    scheduledAt: r.scheduled_at ? new Date(r.scheduled_at) : null,
    timeZone: r.time_zone,
    window:
      r.window_start !== null && r.window_end !== null && r.time_zone
        ? { startMinute: r.window_start, endMinute: r.window_end, timeZone: r.time_zone }
        : null,
  };
}

/**
 * Records the campaign and snapshots its recipients (the publication's confirmed subscribers now)
 * into numbered batches, in one transaction and entirely inside the database: the list never
 * passes through this process. An existing campaign for the same issue is returned untouched.
 *
 * Then the snapshot's tables are analysed: nothing guarantees an autovacuum soon after a bulk
 * insert, and the statistics of earlier campaigns say nothing about this one's size. (The delivery
 * statements stay index-bound without statistics too; `analyze: false` is how tests show that.)
 */
export async function createCampaign(
  db: Db,
  input: NewCampaign,
  now: Date,
  options: { analyze?: boolean } = {},
): Promise<{ campaign: Campaign; created: boolean }> {
  const result = await snapshotCampaign(db, input, now);
  if (result.created && (options.analyze ?? true)) await db.query('ANALYZE deliveries, campaign_batches');
  return result;
}

function snapshotCampaign(
  db: Db,
  input: NewCampaign,
  now: Date,
): Promise<{ campaign: Campaign; created: boolean }> {
  return db.transaction(async (tx) => {
    const id = await insertCampaign(tx, input, now, { status: 'sending' });
    if (id === undefined) {
      const existing = await findCampaign(tx, input.publication, input.issueNumber);
      if (!existing) throw new InternalError('campaign conflict without a campaign');
      return { campaign: existing, created: false };
    }
    await snapshotRecipients(tx, id, input.publication, input.batchSize);
    const campaign = await getCampaign(tx, id);
    if (!campaign) throw new InternalError('campaign vanished inside its transaction');
    return { campaign, created: true };
  });
}

/**
 * Inserts the campaign row; undefined when the issue has a campaign already. A campaign that was
 * cancelled before it had any recipient (a scheduled one, or one whose list was empty at its
 * time) gives way: nobody was sent anything, so the issue may still be sent.
 */
export async function insertCampaign(
  tx: Queryable,
  input: NewCampaign,
  now: Date,
  schedule: { status: 'sending' } | { status: 'scheduled'; at: Date; timeZone: string },
): Promise<number | undefined> {
  await tx.query(
    `DELETE FROM campaigns WHERE publication = $1 AND issue_number = $2 AND status = 'cancelled' AND recipients = 0`,
    [input.publication, input.issueNumber],
  );
  const scheduled = schedule.status === 'scheduled' ? schedule : undefined;
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO campaigns (publication, issue_number, issue_code, subject, html, text, list_name,
       list_address, public_url, attachment_name, attachment, batch_size, status, recipients, created_at,
       scheduled_at, time_zone, window_start, window_end, attach_by_default, language)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, 0, $13, $15, $16, $17, $18, $19, $20)
     ON CONFLICT (publication, issue_number) DO NOTHING RETURNING id`,
    [
      input.publication,
      input.issueNumber,
      input.issueCode,
      input.subject,
      input.html,
      input.text,
      input.listName,
      input.listAddress,
      input.publicUrl,
      input.attachment?.filename ?? null,
      input.attachment?.content ?? null,
      input.batchSize,
      now,
      schedule.status,
      scheduled?.at ?? null,
      scheduled?.timeZone ?? input.window?.timeZone ?? null,
      input.window?.startMinute ?? null,
      input.window?.endMinute ?? null,
      input.attachByDefault ?? input.attachment !== undefined,
      input.language ?? null,
    ],
  );
  const id = inserted.rows[0]?.id;
  if (id === undefined) return undefined;
  for (const edition of input.translations ?? [])
    await tx.query(
      `INSERT INTO campaign_editions (campaign_id, language, subject, html, text, attachment_name, attachment)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        edition.language,
        edition.subject,
        edition.html,
        edition.text,
        edition.attachment?.filename ?? null,
        edition.attachment?.content ?? null,
      ],
    );
  return Number(id);
}

/**
 * Copies the publication's confirmed subscribers now into the campaign's numbered batches and
 * counts them on the campaign; with nobody to send to, fails with `no-readers` (the caller's
 * transaction then records nothing). Returns the number of recipients.
 */
export async function snapshotRecipients(
  tx: Queryable,
  id: number,
  publication: string,
  batchSize: number,
): Promise<number> {
  const { affectedRows: recipients } = await tx.query(
    `INSERT INTO deliveries (campaign_id, subscriber_id, email, batch)
     SELECT $1, id, email, ((row_number() OVER (ORDER BY id)) - 1) / $3
     FROM subscribers WHERE publication = $2 AND status = 'confirmed'`,
    [id, publication, batchSize],
  );
  // A campaign to nobody would stand for good as "done", and the issue could never be sent.
  if (recipients === 0) fail('no-readers', { publication });
  await tx.query(
    `INSERT INTO campaign_batches (campaign_id, batch)
     SELECT $1, generate_series(0, ceil($2::numeric / $3)::int - 1)`,
    [id, recipients, batchSize],
  );
  await tx.query('UPDATE campaigns SET recipients = $2, open_batches = $3 WHERE id = $1', [
    id,
    recipients,
    Math.ceil(recipients / batchSize),
  ]);
  return recipients;
}

export async function getCampaign(db: Queryable, id: number): Promise<Campaign | undefined> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns WHERE id = $1`, [id]);
  return rows[0] && toCampaign(rows[0]);
}

/** The campaign with its translations' editions: what a worker composes its messages from. */
export async function getCampaignSnapshot(db: Queryable, id: number): Promise<CampaignSnapshot | undefined> {
  const campaign = await getCampaign(db, id);
  if (!campaign) return undefined;
  const { rows } = await db.query<{
    language: string;
    subject: string;
    html: string;
    text: string;
    attachment_name: string | null;
    attachment: Uint8Array | null;
  }>(
    `SELECT language, subject, html, text, attachment_name, attachment FROM campaign_editions
     WHERE campaign_id = $1 ORDER BY language`,
    [id],
  );
  const translations = rows.map((r) => ({
    language: r.language,
    subject: r.subject,
    html: r.html,
    text: r.text,
    attachment: attachmentOf(r),
  }));
  return { ...campaign, translations };
}

export async function findCampaign(
  db: Queryable,
  publication: string,
  issueNumber: number,
): Promise<Campaign | undefined> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${COLUMNS} FROM campaigns WHERE publication = $1 AND issue_number = $2`,
    [publication, issueNumber],
  );
  return rows[0] && toCampaign(rows[0]);
}

/** Newest first, without the rendered snapshot. */
export async function listCampaigns(db: Queryable, limit = 20): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM campaigns ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toCampaign);
}

export async function campaignsWithStatus(db: Queryable, status: CampaignStatus): Promise<Campaign[]> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM campaigns WHERE status = $1 ORDER BY id`,
    [status],
  );
  return rows.map(toCampaign);
}

/** Batches not yet done, in pages (keyset on the batch number). */
export async function openBatches(
  db: Queryable,
  campaignId: number,
  afterBatch: number,
  limit: number,
): Promise<number[]> {
  const { rows } = await db.query<{ batch: number }>(
    `SELECT batch FROM campaign_batches WHERE campaign_id = $1 AND batch > $2 AND status <> 'done'
     ORDER BY batch LIMIT $3`,
    [campaignId, afterBatch, limit],
  );
  return rows.map((r) => r.batch);
}

/**
 * Batches of sending campaigns whose lease ran out: their worker died (or lost the database for
 * longer than the lease). They are offered again, so none stays `submitting` for good.
 */
export async function expiredBatches(
  db: Queryable,
): Promise<{ campaign: Pick<Campaign, 'id' | 'round'>; batch: number }[]> {
  const { rows } = await db.query<{ id: number; round: number; batch: number }>(
    `SELECT c.id, c.round, b.batch FROM campaign_batches b JOIN campaigns c ON c.id = b.campaign_id
     WHERE c.status = 'sending' AND b.status = 'submitting' AND b.lease_until < now()
     ORDER BY c.id, b.batch LIMIT 10000`,
  );
  return rows.map((r) => ({ campaign: { id: r.id, round: r.round }, batch: r.batch }));
}

/** Changes the campaign's status if it is in one of `from`; returns whether it did. */
export async function setCampaignStatus(
  db: Queryable,
  id: number,
  from: readonly CampaignStatus[],
  to: CampaignStatus,
  reason: string | null,
): Promise<boolean> {
  const { affectedRows } = await db.query(
    'UPDATE campaigns SET status = $3, status_reason = $4 WHERE id = $1 AND status = ANY($2::text[])',
    [id, from, to, reason],
  );
  return affectedRows > 0;
}

/** Everyone not yet sent is skipped; the campaign ends. */
export async function cancelCampaign(db: Db, id: number, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await setCampaignStatus(tx, id, ['sending', 'paused'], 'cancelled', 'cancelled by an operator'))) {
      return false;
    }
    await tx.query(
      `WITH changed AS (
         UPDATE deliveries SET status = 'skipped', detail = 'campaign cancelled', updated_at = $2
         WHERE campaign_id = $1 AND status = 'queued' RETURNING 1)
       INSERT INTO campaign_counts (campaign_id, status, n) SELECT $1, 'skipped', count(*) FROM changed
       ON CONFLICT (campaign_id, status) DO UPDATE SET n = campaign_counts.n + excluded.n`,
      [id, now],
    );
    await tx.query(
      `UPDATE campaign_batches SET status = 'done' WHERE campaign_id = $1 AND status <> 'done'`,
      [id],
    );
    await tx.query('UPDATE campaigns SET finished_at = $2, open_batches = 0 WHERE id = $1', [id, now]);
    return true;
  });
}

/** `publish --resend-failed`: failed recipients queued again in a new round. Returns how many. */
export async function requeueFailed(db: Db, id: number): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ batch: number }>(
      `UPDATE deliveries SET status = 'queued', detail = NULL WHERE campaign_id = $1 AND status = 'failed'
       RETURNING batch`,
      [id],
    );
    if (!rows.length) return 0;
    await tx.query(`UPDATE campaign_counts SET n = n - $2 WHERE campaign_id = $1 AND status = 'failed'`, [
      id,
      rows.length,
    ]);
    // Done batches reopen (and are counted open again); a held one is handed back.
    const reopened = await tx.query<{ was: string }>(
      `WITH before AS (
         SELECT batch, status FROM campaign_batches WHERE campaign_id = $1 AND batch = ANY($2::int[]) FOR UPDATE
       )
       UPDATE campaign_batches b SET status = 'pending', lease_until = NULL FROM before
       WHERE b.campaign_id = $1 AND b.batch = before.batch RETURNING before.status AS was`,
      [id, [...new Set(rows.map((r) => r.batch))]],
    );
    await tx.query(
      `UPDATE campaigns SET status = 'sending', status_reason = NULL, finished_at = NULL, round = round + 1,
         open_batches = open_batches + $2
       WHERE id = $1`,
      [id, reopened.rows.filter((r) => r.was === 'done').length],
    );
    return rows.length;
  });
}

export interface Progress {
  recipients: number;
  counts: Record<DeliveryStatus, number>;
  /** Recipients still queued whose last attempt was deferred (4xx, no connection), and why. */
  deferred: number;
  lastError?: string;
}

export async function campaignProgress(
  db: Queryable,
  campaign: Pick<Campaign, 'id' | 'recipients'>,
): Promise<Progress> {
  const counts: Record<DeliveryStatus, number> = { queued: 0, sent: 0, failed: 0, bounced: 0, skipped: 0 };
  const { rows } = await db.query<{ status: DeliveryStatus; n: number }>(
    'SELECT status, n FROM campaign_counts WHERE campaign_id = $1',
    [campaign.id],
  );
  for (const r of rows) counts[r.status] = r.n;
  counts.queued = campaign.recipients - counts.sent - counts.failed - counts.bounced - counts.skipped;
  const { rows: deferrals } = await db.query<{ deferred: number; last_error: string | null }>(
    'SELECT deferred, last_error FROM campaign_deferrals WHERE campaign_id = $1',
    [campaign.id],
  );
  const deferral = deferrals[0];
  return {
    recipients: campaign.recipients,
    counts,
    deferred: Math.max(0, deferral?.deferred ?? 0),
    ...(deferral?.last_error ? { lastError: deferral.last_error } : {}),
  };
}

/**
 * Recipients still queued after a temporary failure (a 4xx, a refused connection), per campaign:
 * they wait for a retry. Read through the queued-rows index, so it costs what is left to send.
 */
export async function deferredCounts(
  db: Queryable,
  campaignIds: readonly number[],
): Promise<Map<number, number>> {
  const { rows } = await db.query<{ campaign_id: string; n: number }>(
    `SELECT campaign_id, count(*)::int AS n FROM deliveries
     WHERE campaign_id = ANY($1::bigint[]) AND status = 'queued' AND attempts > 0 GROUP BY campaign_id`,
    [campaignIds],
  );
  return new Map(rows.map((r) => [Number(r.campaign_id), r.n]));
}

/** Why recipients failed, bounced or wait for a retry: the most frequent answers first. */
export async function deliveryProblems(
  db: Queryable,
  campaignId: number,
  limit = 10,
): Promise<{ status: 'failed' | 'bounced' | 'deferred'; detail: string; recipients: number }[]> {
  const { rows } = await db.query<{ status: 'failed' | 'bounced' | 'deferred'; detail: string; n: number }>(
    `SELECT CASE WHEN status = 'queued' THEN 'deferred' ELSE status END AS status,
       coalesce(detail, '(no answer recorded)') AS detail, count(*)::int AS n
     FROM deliveries
     WHERE campaign_id = $1 AND (status IN ('failed', 'bounced') OR (status = 'queued' AND attempts > 0))
     GROUP BY 1, 2 ORDER BY n DESC, 2 LIMIT $2`,
    [campaignId, limit],
  );
  return rows.map((r) => ({ status: r.status, detail: r.detail, recipients: r.n }));
}

/**
 * A campaign's recipients by what they chose (issue 15): by language (null: the default) and by
 * format, the PDF attached counted apart; and by the edition they are sent (their language's, or
 * the default's when the issue has no translation into it). Choices as they stand now, which is
 * what a batch still queued will be sent by.
 */
export async function campaignChoices(
  db: Queryable,
  campaignId: number,
): Promise<{
  languages: Map<string | null, number>;
  editions: Map<string, number>;
  formats: Map<string, number>;
  pdfAttached: number;
}> {
  const { rows } = await db.query<{
    language: string | null;
    edition: string;
    format: string | null;
    pdf: string | null;
    n: number;
  }>(
    `SELECT s.language, coalesce(e.language, c.language, 'default') AS edition, s.format, s.pdf,
       count(*)::int AS n
     FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
     LEFT JOIN subscribers s ON s.id = d.subscriber_id
     LEFT JOIN campaign_editions e ON e.campaign_id = d.campaign_id AND e.language = s.language
     WHERE d.campaign_id = $1 GROUP BY 1, 2, 3, 4`,
    [campaignId],
  );
  const languages = new Map<string | null, number>();
  const editions = new Map<string, number>();
  const formats = new Map<string, number>();
  let pdfAttached = 0;
  for (const r of rows) {
    languages.set(r.language, (languages.get(r.language) ?? 0) + r.n);
    editions.set(r.edition, (editions.get(r.edition) ?? 0) + r.n);
    const format = r.format ?? 'erased';
    formats.set(format, (formats.get(format) ?? 0) + r.n);
    if (r.pdf === 'attach') pdfAttached += r.n;
  }
  return { languages, editions, formats, pdfAttached };
}
