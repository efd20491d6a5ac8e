// src/subscribers: the readers of each list, their states and consent records (this file),
// the changes a reader's proof allows (actions.ts), imports and exports.
//
// Subscriber queries. Every state change is one UPDATE guarded by the current status, so two
// processes acting at once cannot undo each other (e.g. a late confirm after an unsubscribe), and
// bumps the row's generation, which retires every subscribe token issued before it.
//
// One mailbox, one reader: addresses are looked up case-blind (lower(email), unique per list);
// the address is kept as first written, for sending.

import { createHash } from 'node:crypto';
import { DEFAULT_CHOICE } from '../list/list.ts';
import { InternalError } from '../problems.ts';
import type { Db, Queryable } from '../store/db.ts';
import { TOKEN_LIFETIME_SECONDS } from '../tokens.ts';
import type { Choices, ConsentMethod, Format, PdfChoice, Source, Status, Subscriber } from './model.ts';

export const SUBSCRIBER_COLUMNS = `id, publication, email, name, status, source, created_at, updated_at, confirmed_at,
  consent_method, consent_evidence, unsubscribed_at, bounce_score, generation, language, format, pdf`;

export interface SubscriberRow {
  id: number;
  publication: string;
  email: string;
  name: string | null;
  status: Status;
  source: Source;
  created_at: Date;
  updated_at: Date;
  confirmed_at: Date | null;
  consent_method: ConsentMethod | null;
  consent_evidence: string | null;
  unsubscribed_at: Date | null;
  bounce_score: number;
  generation: number;
  language: string | null;
  format: Format;
  pdf: PdfChoice | null;
}

export function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    id: Number(r.id),
    publication: r.publication,
    email: r.email,
    name: r.name,
    status: r.status,
    source: r.source,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    confirmedAt: r.confirmed_at,
    consentMethod: r.consent_method,
    consentEvidence: r.consent_evidence,
    unsubscribedAt: r.unsubscribed_at,
    bounceScore: Number(r.bounce_score),
    generation: Number(r.generation),
    language: r.language,
    format: r.format,
    pdf: r.pdf,
  };
}

async function one(db: Queryable, sql: string, params: unknown[]): Promise<Subscriber | undefined> {
  const { rows } = await db.query<SubscriberRow>(sql, params);
  return rows[0] && toSubscriber(rows[0]);
}

export function findSubscriber(db: Queryable, publication: string, email: string) {
  return one(
    db,
    `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE publication = $1 AND lower(email) = lower($2)`,
    [publication, email],
  );
}

export function getSubscriber(db: Queryable, id: number) {
  return one(db, `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1`, [id]);
}

/** A row merged into another by migration 110: what it was, and the row it became part of. */
export async function getMergedSubscriber(
  db: Queryable,
  id: number,
): Promise<{ absorbed: { id: number; publication: string; email: string }; into: Subscriber } | undefined> {
  const { rows } = await db.query<{ into_id: number; publication: string; email: string }>(
    `SELECT into_id, absorbed->>'publication' AS publication, absorbed->>'email' AS email
     FROM merged_subscribers WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  const into = row && (await getSubscriber(db, Number(row.into_id)));
  return row && into && { absorbed: { id, publication: row.publication, email: row.email }, into };
}

/**
 * Someone asked to join: a new address becomes pending; an existing row is left exactly as it is,
 * status and name, until its owner acts on a token (so a stranger's request changes nothing).
 */
export async function requestSubscription(
  db: Queryable,
  input: {
    publication: string;
    email: string;
    name?: string;
    /** The language asked for on the form or inferred from the request; only a new row takes it. */
    language?: string;
    source: Source;
    now: Date;
  },
): Promise<Subscriber> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await one(
      db,
      `INSERT INTO subscribers (publication, email, name, status, source, created_at, updated_at, language)
       VALUES ($1, $2, $3, 'pending', $4, $5, $5, $6)
       ON CONFLICT (publication, lower(email)) DO NOTHING RETURNING ${SUBSCRIBER_COLUMNS}`,
      [input.publication, input.email, input.name ?? null, input.source, input.now, input.language ?? null],
    );
    const row = inserted ?? (await findSubscriber(db, input.publication, input.email));
    if (row) return row;
    // Erased between the INSERT and the SELECT: try again.
  }
  throw new InternalError(`no subscriber row for ${input.email} after three attempts`);
}

/**
 * The token came back: confirmed, with the consent record. Undefined when already confirmed, or
 * when the row changed since `generation` (the state the token was issued for) if one is given.
 */
export function confirmSubscription(
  db: Queryable,
  id: number,
  consent: { method: ConsentMethod; evidence: string; now: Date; generation?: number },
) {
  return one(
    db,
    `UPDATE subscribers SET status = 'confirmed', confirmed_at = $2, consent_method = $3,
       consent_evidence = $4, unsubscribed_at = NULL, bounce_score = 0, updated_at = $2,
       generation = generation + 1
     WHERE id = $1 AND status <> 'confirmed' AND ($5::int IS NULL OR generation = $5) RETURNING ${SUBSCRIBER_COLUMNS}`,
    [id, consent.now, consent.method, consent.evidence.slice(0, 500), consent.generation ?? null],
  );
}

/** Undefined when the subscriber was not pending or confirmed (nothing to do). */
export function unsubscribe(db: Queryable, id: number, now: Date) {
  return one(
    db,
    `UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = $2, updated_at = $2,
       generation = generation + 1
     WHERE id = $1 AND status IN ('pending', 'confirmed') RETURNING ${SUBSCRIBER_COLUMNS}`,
    [id, now],
  );
}

export type AddResult = 'added' | 'confirmed' | 'unchanged' | 'opted-out' | 'erased';

/**
 * An operator or editor adds someone who gave consent elsewhere, recorded as `evidence`. Never
 * re-subscribes an address that unsubscribed, bounced, complained or was erased: only its owner
 * can, by confirming.
 */
export async function addConfirmed(
  db: Queryable,
  input: {
    publication: string;
    email: string;
    name?: string;
    evidence: string;
    now: Date;
    /** Who vouches: the command line (default) or an editor in the admin. */
    method?: 'cli' | 'admin';
  },
): Promise<{ result: AddResult; subscriber?: Subscriber }> {
  const method = input.method ?? 'cli';
  const existing = await findSubscriber(db, input.publication, input.email);
  if (!existing) {
    if (await erasedAt(db, input.publication, input.email)) return { result: 'erased' };
    const added = await one(
      db,
      `INSERT INTO subscribers (publication, email, name, status, source, created_at, updated_at,
         confirmed_at, consent_method, consent_evidence)
       VALUES ($1, $2, $3, 'confirmed', $6, $4, $4, $4, $7, $5) RETURNING ${SUBSCRIBER_COLUMNS}`,
      [
        input.publication,
        input.email,
        input.name ?? null,
        input.now,
        input.evidence.slice(0, 500),
        method === 'admin' ? 'admin' : 'import',
        method,
      ],
    );
    if (!added) throw new InternalError('INSERT … RETURNING returned no row');
    return { result: 'added', subscriber: added };
  }
  if (existing.status === 'confirmed') return { result: 'unchanged', subscriber: existing };
  if (existing.status !== 'pending') return { result: 'opted-out', subscriber: existing };
  // Asked for again after an erasure, but not by a confirmed owner: still only theirs to confirm.
  if (await erasedAt(db, input.publication, input.email)) return { result: 'erased', subscriber: existing };
  const confirmed = await confirmSubscription(db, existing.id, {
    method,
    evidence: input.evidence,
    now: input.now,
  });
  return { result: 'confirmed', subscriber: confirmed ?? existing };
}

/**
 * How an erased mailbox is remembered: the SHA-256 of the lower-cased address, never the address.
 * Enough to recognise the address when someone tries to add it again, not to read it back.
 */
export function mailboxDigest(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('hex');
}

/** When the address was last erased from the publication, if ever. */
export async function erasedAt(db: Queryable, publication: string, email: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ erased_at: Date }>(
    'SELECT erased_at FROM erased_mailboxes WHERE publication = $1 AND mailbox_sha256 = $2',
    [publication, mailboxDigest(email)],
  );
  return rows[0]?.erased_at;
}

/**
 * GDPR erasure: the row and its consent record are gone, with rows merged into it, the changes
 * asked for it, what editors did to it, the log of automatic mail to the address, and the address
 * in the records of campaigns sent to it. What stays is the mailbox's digest (`mailboxDigest`),
 * so that no import or editor adds the person again, with who erased it and when. Returns whether
 * there was a subscriber.
 */
export async function eraseSubscriber(
  db: Db,
  publication: string,
  email: string,
  by: { actor: string; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number }>(
      'SELECT id FROM subscribers WHERE publication = $1 AND lower(email) = lower($2) FOR UPDATE',
      [publication, email],
    );
    const { affectedRows: merged } = await tx.query(
      `DELETE FROM merged_subscribers WHERE lower(absorbed->>'email') = lower($2) AND absorbed->>'publication' = $1`,
      [publication, email],
    );
    if (!rows.length && !merged) return false;
    const ids = rows.map((r) => r.id);
    await tx.query('DELETE FROM automatic_mail WHERE mailbox = lower($1) AND publication = $2', [
      email,
      publication,
    ]);
    await tx.query('DELETE FROM subscriber_changes WHERE subscriber_id = ANY($1::bigint[])', [ids]);
    await tx.query('DELETE FROM subscriber_events WHERE subscriber_id = ANY($1::bigint[])', [ids]);
    // One primary-key lookup per campaign of the publication: the deliveries stay (the campaign's
    // counts are made of them), without the address. A queued one is skipped as erased.
    await tx.query(
      `UPDATE deliveries SET email = '(erased)'
       WHERE campaign_id IN (SELECT id FROM campaigns WHERE publication = $1) AND subscriber_id = ANY($2::bigint[])`,
      [publication, ids],
    );
    await tx.query('DELETE FROM subscribers WHERE id = ANY($1::bigint[])', [ids]);
    await tx.query(
      `INSERT INTO erased_mailboxes (publication, mailbox_sha256, erased_at, erased_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (publication, mailbox_sha256) DO UPDATE SET erased_at = $3, erased_by = $4`,
      [publication, mailboxDigest(email), by.now, by.actor],
    );
    return true;
  });
}

/**
 * Every subscriber of a publication (optionally of one status) in id order, fetched a page at a
 * time by keyset, so memory stays flat for any list size and rows added meanwhile are not skipped.
 */
export async function* streamSubscribers(
  db: Queryable,
  publication: string,
  options: { status?: Status; pageSize?: number; afterId?: number } = {},
): AsyncGenerator<Subscriber> {
  let after = options.afterId ?? 0;
  const pageSize = options.pageSize ?? 1000;
  for (;;) {
    const { rows } = await db.query<SubscriberRow>(
      `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE publication = $1 AND id > $2
         AND ($3::text IS NULL OR status = $3) ORDER BY id LIMIT $4`,
      [publication, after, options.status ?? null, pageSize],
    );
    for (const row of rows) yield toSubscriber(row);
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = Number(last.id);
  }
}

export async function countByStatus(db: Queryable, publication: string): Promise<Record<Status, number>> {
  const counts: Record<Status, number> = {
    pending: 0,
    confirmed: 0,
    unsubscribed: 0,
    bounced: 0,
    complained: 0,
  };
  const { rows } = await db.query<{ status: Status; n: number }>(
    'SELECT status, count(*)::int AS n FROM subscribers WHERE publication = $1 GROUP BY status',
    [publication],
  );
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/**
 * A bounce for this subscriber: a hard one marks them bounced at once; soft ones add up and mark
 * them bounced at `threshold`. Returns the subscriber after the change, if any.
 */
export function recordBounce(
  db: Queryable,
  id: number,
  bounce: { hard: boolean; now: Date; softWeight?: number; threshold?: number },
) {
  const weight = bounce.hard ? (bounce.threshold ?? 5) : (bounce.softWeight ?? 1);
  return one(
    db,
    `UPDATE subscribers SET bounce_score = bounce_score + $2, last_bounce_at = $3, updated_at = $3,
       status = CASE WHEN bounce_score + $2 >= $4 THEN 'bounced' ELSE status END,
       generation = generation + CASE WHEN bounce_score + $2 >= $4 THEN 1 ELSE 0 END
     WHERE id = $1 AND status IN ('pending', 'confirmed') RETURNING ${SUBSCRIBER_COLUMNS}`,
    [id, weight, bounce.now, bounce.threshold ?? 5],
  );
}

/** A spam complaint (feedback loop): the subscriber is marked complained, whatever their status. */
export function markComplained(db: Queryable, id: number, now: Date) {
  return one(
    db,
    `UPDATE subscribers SET status = 'complained', updated_at = $2, generation = generation + 1
     WHERE id = $1 AND status <> 'complained' RETURNING ${SUBSCRIBER_COLUMNS}`,
    [id, now],
  );
}

/**
 * What a change waiting for its owner sets: its non-null fields (migrations 150, 260). A language
 * or PDF of `default` (DEFAULT_CHOICE) sets it back to the publication's default: NULL on the reader.
 */
export interface ChangeFields {
  name?: string | null;
  language?: string | null;
  format?: Format | null;
  pdf?: PdfChoice | typeof DEFAULT_CHOICE | null;
  /** A new address: confirmed at that address before it takes effect. */
  email?: string | null;
}

/** A change to a subscriber waiting for its owner's confirmation (migrations 150, 260). */
export interface PendingChange extends Required<ChangeFields> {
  id: number;
  subscriberId: number;
  generation: number;
  confirmedAt: Date | null;
}

/** Records a requested change; nothing changes on the subscriber until `applyChange`. */
export async function requestChange(
  db: Queryable,
  subscriber: Subscriber,
  change: ChangeFields & { requestedBy: Source | 'preferences'; now: Date },
): Promise<PendingChange> {
  // Unconfirmed changes whose links have expired can never apply: they go, so strangers' requests
  // do not pile up. Confirmed ones stay, as the owner's proof.
  await db.query('DELETE FROM subscriber_changes WHERE confirmed_at IS NULL AND requested_at < $1', [
    new Date(change.now.getTime() - TOKEN_LIFETIME_SECONDS.change * 1000),
  ]);
  const fields = {
    name: change.name ?? null,
    language: change.language ?? null,
    format: change.format ?? null,
    pdf: change.pdf ?? null,
    email: change.email ?? null,
  };
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO subscriber_changes (subscriber_id, generation, name, language, format, pdf, email,
       requested_at, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      subscriber.id,
      subscriber.generation,
      fields.name,
      fields.language,
      fields.format,
      fields.pdf,
      fields.email,
      change.now,
      change.requestedBy,
    ],
  );
  return {
    id: Number(rows[0]?.id),
    subscriberId: subscriber.id,
    generation: subscriber.generation,
    ...fields,
    confirmedAt: null,
  };
}

interface ChangeRow {
  id: number;
  subscriber_id: number;
  generation: number;
  name: string | null;
  language: string | null;
  format: Format | null;
  pdf: PdfChoice | typeof DEFAULT_CHOICE | null;
  email: string | null;
  confirmed_at: Date | null;
}

export async function getChange(db: Queryable, id: number): Promise<PendingChange | undefined> {
  const { rows } = await db.query<ChangeRow>(
    `SELECT id, subscriber_id, generation, name, language, format, pdf, email, confirmed_at
     FROM subscriber_changes WHERE id = $1`,
    [id],
  );
  const r = rows[0];
  return (
    r && {
      id: Number(r.id),
      subscriberId: Number(r.subscriber_id),
      generation: Number(r.generation),
      name: r.name,
      language: r.language,
      format: r.format,
      pdf: r.pdf,
      email: r.email,
      confirmedAt: r.confirmed_at,
    }
  );
}

/**
 * The owner confirmed: the change applies once, and only to a subscriber still confirmed and in
 * the generation it was requested in. Undefined (nothing changed) otherwise, and when a new
 * address is already another subscriber's on this list.
 */
export async function applyChange(
  db: Db,
  id: number,
  consent: { evidence: string; now: Date },
): Promise<Subscriber | undefined> {
  return db
    .transaction(async (tx) => {
      const { rows } = await tx.query<ChangeRow>(
        `UPDATE subscriber_changes SET confirmed_at = $2, consent_evidence = $3
       WHERE id = $1 AND confirmed_at IS NULL
       RETURNING subscriber_id, generation, name, language, format, pdf, email`,
        [id, consent.now, consent.evidence.slice(0, 500)],
      );
      const change = rows[0];
      if (!change) return undefined;
      // A new address retires every token of the old one (generation): links in old issues named it.
      const changed = await one(
        tx,
        `UPDATE subscribers SET name = COALESCE($3, name),
           language = CASE WHEN $4 = '${DEFAULT_CHOICE}' THEN NULL ELSE COALESCE($4, language) END,
           format = COALESCE($5, format),
           pdf = CASE WHEN $6 = '${DEFAULT_CHOICE}' THEN NULL ELSE COALESCE($6, pdf) END,
           email = COALESCE($7, email),
           generation = generation + CASE WHEN $7::text IS NULL THEN 0 ELSE 1 END, updated_at = $8
         WHERE id = $1 AND generation = $2 AND status = 'confirmed'
           AND ($7::text IS NULL OR NOT EXISTS (SELECT 1 FROM subscribers o
             WHERE o.publication = subscribers.publication AND lower(o.email) = lower($7) AND o.id <> $1))
         RETURNING ${SUBSCRIBER_COLUMNS}`,
        [
          change.subscriber_id,
          change.generation,
          change.name,
          change.language,
          change.format,
          change.pdf,
          change.email,
          consent.now,
        ],
      );
      // Not applicable any more: the change stays unconfirmed (rolled back), and refused.
      if (!changed) throw new StaleChange();
      return changed;
    })
    .catch((err: unknown) => {
      if (err instanceof StaleChange) return undefined;
      // The new address became another subscriber's meanwhile (unique mailbox per list).
      if ((err as { code?: string }).code === '23505') return undefined;
      throw err;
    });
}

class StaleChange extends Error {}

/**
 * The reader's own choices, from the preference page (whose signed link is the owner's proof).
 * Undefined when the row is gone.
 */
export function setChoices(db: Queryable, id: number, choices: Partial<Choices>, now: Date) {
  return one(
    db,
    `UPDATE subscribers SET
       language = CASE WHEN $2 THEN $3 ELSE language END,
       format = COALESCE($4, format),
       pdf = CASE WHEN $5 THEN $6 ELSE pdf END,
       updated_at = $7
     WHERE id = $1 RETURNING ${SUBSCRIBER_COLUMNS}`,
    [
      id,
      choices.language !== undefined,
      choices.language ?? null,
      choices.format ?? null,
      choices.pdf !== undefined,
      choices.pdf ?? null,
      now,
    ],
  );
}
