// Campaign persistence: the plan (recipients in batches) is written before sending; batches move
// pending → submitting → done under a row lock with a lease; per-recipient results are written a
// few dozen at a time, each write also moving the per-status counters.

import { InternalError } from '../problems.ts';
import type { Db, Queryable } from '../store/db.ts';

export type CampaignStatus = 'sending' | 'paused' | 'cancelled' | 'done';
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
  attachment?: { filename: string; content: Buffer };
  batchSize: number;
  status: CampaignStatus;
  statusReason: string | null;
  round: number;
  recipients: number;
  createdAt: Date;
  finishedAt: Date | null;
}

export type NewCampaign = Omit<
  Campaign,
  'id' | 'status' | 'statusReason' | 'round' | 'recipients' | 'createdAt' | 'finishedAt'
>;

const COLUMNS = `id, publication, issue_number, issue_code, subject, html, text, list_name, list_address,
  public_url, attachment_name, attachment, batch_size, status, status_reason, round, recipients,
  created_at, finished_at`;

/** Without the snapshot, for listings. */
const SUMMARY_COLUMNS = `id, publication, issue_number, issue_code, subject, '' AS html, '' AS text, list_name,
  list_address, public_url, NULL AS attachment_name, NULL AS attachment, batch_size, status, status_reason,
  round, recipients, created_at, finished_at`;

interface CampaignRow {
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
  batch_size: number;
  status: CampaignStatus;
  status_reason: string | null;
  round: number;
  recipients: number;
  created_at: Date;
  finished_at: Date | null;
}

function toCampaign(r: CampaignRow): Campaign {
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
    attachment:
      r.attachment_name && r.attachment
        ? { filename: r.attachment_name, content: Buffer.from(r.attachment) }
        : undefined,
    batchSize: r.batch_size,
    status: r.status,
    statusReason: r.status_reason,
    round: r.round,
    recipients: r.recipients,
    createdAt: new Date(r.created_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
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
    const inserted = await tx.query<{ id: number }>(
      `INSERT INTO campaigns (publication, issue_number, issue_code, subject, html, text, list_name,
         list_address, public_url, attachment_name, attachment, batch_size, status, recipients, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'sending', 0, $13)
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
      ],
    );
    const id = inserted.rows[0]?.id;
    if (id === undefined) {
      const existing = await findCampaign(tx, input.publication, input.issueNumber);
      if (!existing) throw new InternalError('campaign conflict without a campaign');
      return { campaign: existing, created: false };
    }
    const { affectedRows: recipients } = await tx.query(
      `INSERT INTO deliveries (campaign_id, subscriber_id, email, batch)
       SELECT $1, id, email, ((row_number() OVER (ORDER BY id)) - 1) / $3
       FROM subscribers WHERE publication = $2 AND status = 'confirmed'`,
      [id, input.publication, input.batchSize],
    );
    await tx.query(
      `INSERT INTO campaign_batches (campaign_id, batch)
       SELECT $1, generate_series(0, ceil($2::numeric / $3)::int - 1)`,
      [id, recipients, input.batchSize],
    );
    await tx.query(
      `UPDATE campaigns SET recipients = $2, open_batches = $4,
         status = CASE WHEN $2 = 0 THEN 'done' ELSE status END,
         finished_at = CASE WHEN $2 = 0 THEN $3::timestamptz END WHERE id = $1`,
      [id, recipients, now, Math.ceil(recipients / input.batchSize)],
    );
    const campaign = await getCampaign(tx, Number(id));
    if (!campaign) throw new InternalError('campaign vanished inside its transaction');
    return { campaign, created: true };
  });
}

export async function getCampaign(db: Queryable, id: number): Promise<Campaign | undefined> {
  const { rows } = await db.query<CampaignRow>(`SELECT ${COLUMNS} FROM campaigns WHERE id = $1`, [id]);
  return rows[0] && toCampaign(rows[0]);
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

export type Claim = { kind: 'claimed' } | { kind: 'done' } | { kind: 'held'; retryInMs: number };

/**
 * Takes the batch for this worker until `leaseMs` from now. A batch another live worker holds is
 * left alone (SKIP LOCKED, unexpired lease): BullMQ hands a job to a second worker only when it
 * believes the first one stalled, and the lease makes sure it really has.
 */
export async function claimBatch(db: Db, campaignId: number, batch: number, leaseMs: number): Promise<Claim> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ status: string; held_ms: number | null }>(
      `SELECT status, GREATEST(0, EXTRACT(EPOCH FROM lease_until - now()) * 1000)::int AS held_ms
       FROM campaign_batches WHERE campaign_id = $1 AND batch = $2 FOR UPDATE SKIP LOCKED`,
      [campaignId, batch],
    );
    const row = rows[0];
    if (!row) {
      const exists = await tx.query('SELECT 1 FROM campaign_batches WHERE campaign_id = $1 AND batch = $2', [
        campaignId,
        batch,
      ]);
      return exists.rows.length ? { kind: 'held', retryInMs: 1000 } : { kind: 'done' };
    }
    if (row.status === 'done') return { kind: 'done' };
    if (row.status === 'submitting' && (row.held_ms ?? 0) > 0)
      return { kind: 'held', retryInMs: row.held_ms ?? 0 };
    await tx.query(
      `UPDATE campaign_batches SET status = 'submitting', attempts = attempts + 1,
         lease_until = now() + $3 * interval '1 millisecond'
       WHERE campaign_id = $1 AND batch = $2`,
      [campaignId, batch, leaseMs],
    );
    return { kind: 'claimed' };
  });
}

export interface QueuedRecipient {
  subscriberId: number;
  email: string;
  /** The subscriber's status now; null when erased since the snapshot. */
  subscriberStatus: string | null;
}

export async function queuedRecipients(
  db: Queryable,
  campaignId: number,
  batch: number,
): Promise<QueuedRecipient[]> {
  const { rows } = await db.query<{ subscriber_id: number; email: string; status: string | null }>(
    `SELECT d.subscriber_id, d.email, s.status FROM deliveries d
     LEFT JOIN subscribers s ON s.id = d.subscriber_id
     WHERE d.campaign_id = $1 AND d.batch = $2 AND d.status = 'queued' ORDER BY d.subscriber_id`,
    [campaignId, batch],
  );
  return rows.map((r) => ({
    subscriberId: Number(r.subscriber_id),
    email: r.email,
    subscriberStatus: r.status,
  }));
}

export interface DeliveryResult {
  subscriberId: number;
  /** `queued`: a temporary failure, tried again with the next attempt of the batch. */
  status: DeliveryStatus;
  detail?: string;
}

/**
 * Writes results and extends the lease in one statement (with no results, only the lease: a slow
 * batch stays ours). Only rows still queued change, so a result written twice is counted once.
 * The batch bounds the search (deliveries_queued holds only its queued rows), so a flush costs
 * the same at any list size.
 */
export async function recordResults(
  db: Queryable,
  campaignId: number,
  batch: number,
  results: readonly DeliveryResult[],
  leaseMs: number,
): Promise<void> {
  await db.query(
    `WITH changed AS (
       UPDATE deliveries d SET status = r.status, detail = r.detail, attempts = d.attempts + 1, updated_at = now()
       FROM unnest($2::bigint[], $3::text[], $4::text[]) AS r(subscriber_id, status, detail)
       WHERE d.campaign_id = $1 AND d.batch = $5 AND d.status = 'queued' AND d.subscriber_id = r.subscriber_id
       RETURNING d.status
     ), lease AS (
       UPDATE campaign_batches SET lease_until = now() + $6 * interval '1 millisecond'
       WHERE campaign_id = $1 AND batch = $5 AND status = 'submitting'
     )
     INSERT INTO campaign_counts (campaign_id, status, n)
     SELECT $1, status, count(*) FROM changed WHERE status <> 'queued' GROUP BY status
     ON CONFLICT (campaign_id, status) DO UPDATE SET n = campaign_counts.n + excluded.n`,
    [
      campaignId,
      results.map((r) => r.subscriberId),
      results.map((r) => r.status),
      results.map((r) => r.detail ?? null),
      batch,
      leaseMs,
    ],
  );
}

/** Hands an unfinished batch back (paused campaign, worker shutting down). */
export async function releaseBatch(db: Queryable, campaignId: number, batch: number): Promise<void> {
  await db.query(
    `UPDATE campaign_batches SET status = 'pending', lease_until = NULL
     WHERE campaign_id = $1 AND batch = $2 AND status = 'submitting'`,
    [campaignId, batch],
  );
}

/**
 * Marks the batch done; when it was the last one of a sending campaign, the campaign too. Returns
 * whether this call finished the campaign. The campaign counts its open batches, so this reads
 * two rows whatever the campaign's size; a batch finished twice is counted once (the batch row's
 * lock orders the two, and the second changes nothing).
 */
export async function finishBatch(
  db: Queryable,
  campaignId: number,
  batch: number,
  now: Date,
): Promise<boolean> {
  const { rows } = await db.query<{ finished: boolean }>(
    `WITH finished AS (
       UPDATE campaign_batches SET status = 'done', lease_until = NULL
       WHERE campaign_id = $1 AND batch = $2 AND status <> 'done' RETURNING 1
     )
     UPDATE campaigns SET open_batches = open_batches - 1,
       status = CASE WHEN open_batches = 1 AND status = 'sending' THEN 'done' ELSE status END,
       finished_at = CASE WHEN open_batches = 1 AND status = 'sending' THEN $3 ELSE finished_at END
     WHERE id = $1 AND EXISTS (SELECT 1 FROM finished)
     RETURNING open_batches = 0 AND status = 'done' AS finished`,
    [campaignId, batch, now],
  );
  return rows[0]?.finished ?? false;
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
  return { recipients: campaign.recipients, counts };
}
