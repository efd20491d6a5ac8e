// The editors' view of a list (the admin's subscriber pages): readers found by any part of their
// address and by status, a page at a time, newest first; and one reader's whole record: consent,
// what happened to them and who did it.
//
// Every page reads through an index bound to the publication (and the status), and a search
// through the trigram index on the mailbox (migration 230), so a page costs the same among a
// million readers. Pages are keyset pages (`before` an id), never OFFSET.

import type { Queryable } from '../store/db.ts';
import type { Status, Subscriber } from './model.ts';
import { getSubscriber, SUBSCRIBER_COLUMNS, type SubscriberRow, toSubscriber } from './store.ts';

/** Fewer characters than a trigram match nothing an index can find: the search asks for more. */
export const MIN_SEARCH_LENGTH = 3;

export const PAGE_SIZE = 50;

export interface SubscriberQuery {
  status?: Status;
  /** Part of the address (any part where pg_trgm is installed, else its start), case-blind. */
  search?: string;
  /** Only readers with a smaller id than this (the next page's cursor). */
  before?: number;
  limit?: number;
}

export interface SubscriberPage {
  subscribers: Subscriber[];
  /** The cursor of the next (older) page, when there is one. */
  next?: number;
  /** How the search matched: anywhere in the address, or its start (no pg_trgm on the server). */
  matching: 'anywhere' | 'start';
  /** Set when the search was too short to run: nothing was searched. */
  tooShort?: boolean;
}

/** Whether this database has the trigram index (pg_trgm), asked once per connection pool. */
const trigramIndex = new WeakMap<Queryable, Promise<boolean>>();

function hasTrigramIndex(db: Queryable): Promise<boolean> {
  let known = trigramIndex.get(db);
  if (!known) {
    known = db
      .query<{ present: boolean }>(
        "SELECT to_regclass('subscribers_mailbox_trigrams') IS NOT NULL AS present",
      )
      .then(({ rows }) => rows[0]?.present === true);
    known.catch(() => trigramIndex.delete(db));
    trigramIndex.set(db, known);
  }
  return known;
}

/** `text` for LIKE, its wildcards and escape character taken literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function findSubscribers(
  db: Queryable,
  publication: string,
  query: SubscriberQuery = {},
): Promise<SubscriberPage> {
  const limit = Math.min(Math.max(query.limit ?? PAGE_SIZE, 1), 500);
  const search = query.search?.trim().toLowerCase().slice(0, 254) ?? '';
  const matching = (await hasTrigramIndex(db)) ? 'anywhere' : 'start';
  if (search && search.length < MIN_SEARCH_LENGTH) return { subscribers: [], matching, tooShort: true };
  const pattern = search
    ? matching === 'anywhere'
      ? `%${likeLiteral(search)}%`
      : `${likeLiteral(search)}%`
    : null;
  const { rows } = await db.query<SubscriberRow>(
    `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers
     WHERE publication = $1 AND ($2::text IS NULL OR status = $2)
       AND ($3::bigint IS NULL OR id < $3) AND ($4::text IS NULL OR lower(email) LIKE $4)
     ORDER BY id DESC LIMIT $5`,
    [publication, query.status ?? null, query.before ?? null, pattern, limit + 1],
  );
  const subscribers = rows.slice(0, limit).map(toSubscriber);
  const next = rows.length > limit ? subscribers.at(-1)?.id : undefined;
  return { subscribers, next, matching };
}

/** One thing that happened to a reader, for their history. */
export interface HistoryEntry {
  at: Date;
  what: string;
  /** Who did it, when an editor or operator did (the account name, "command line"). */
  by?: string;
  detail?: string;
}

export interface SubscriberRecord {
  subscriber: Subscriber;
  /** The consent evidence an import carried, as its file wrote it (migration 120). */
  importedConsent: unknown;
  /** Oldest first. */
  history: HistoryEntry[];
}

const JOINED: Record<Subscriber['source'], string> = {
  email: 'asked to join by mail',
  web: 'asked to join on the web form',
  import: 'imported',
  admin: 'added by an editor',
};

/** How many of each kind of entry (mail, campaigns) the record shows, newest kept. */
const HISTORY_LIMIT = 100;

/**
 * A reader's record: the consent (how, when, the evidence), the changes asked and confirmed, what
 * editors did, the issues sent and the automatic mail. Undefined when no such reader is on the
 * publication's list.
 */
export async function subscriberRecord(
  db: Queryable,
  publication: string,
  id: number,
): Promise<SubscriberRecord | undefined> {
  const subscriber = await getSubscriber(db, id);
  if (subscriber?.publication !== publication) return undefined;
  const history: HistoryEntry[] = [{ at: subscriber.createdAt, what: JOINED[subscriber.source] }];
  if (subscriber.confirmedAt) {
    history.push({
      at: subscriber.confirmedAt,
      what: 'confirmed',
      detail: [subscriber.consentMethod, subscriber.consentEvidence].filter(Boolean).join(': '),
    });
  }
  if (subscriber.unsubscribedAt) history.push({ at: subscriber.unsubscribedAt, what: 'unsubscribed' });
  const [extra, changes, events, deliveries, mail] = await Promise.all([
    db.query<{ imported_consent: unknown; last_bounce_at: Date | null }>(
      'SELECT imported_consent, last_bounce_at FROM subscribers WHERE id = $1',
      [id],
    ),
    db.query<{
      requested_at: Date;
      requested_by: string;
      name: string | null;
      confirmed_at: Date | null;
      consent_evidence: string | null;
    }>(
      `SELECT requested_at, requested_by, name, confirmed_at, consent_evidence FROM subscriber_changes
       WHERE subscriber_id = $1 ORDER BY id DESC LIMIT ${HISTORY_LIMIT}`,
      [id],
    ),
    db.query<{ at: Date; actor: string; action: string; detail: string | null }>(
      `SELECT at, actor, action, detail FROM subscriber_events WHERE subscriber_id = $1
       ORDER BY id DESC LIMIT ${HISTORY_LIMIT}`,
      [id],
    ),
    // One primary-key lookup per campaign of the publication.
    db.query<{
      issue_code: string;
      created_at: Date;
      status: string;
      detail: string | null;
      updated_at: Date | null;
    }>(
      `SELECT c.issue_code, c.created_at, d.status, d.detail, d.updated_at
       FROM campaigns c JOIN deliveries d ON d.campaign_id = c.id AND d.subscriber_id = $2
       WHERE c.publication = $1 ORDER BY c.id DESC LIMIT ${HISTORY_LIMIT}`,
      [publication, id],
    ),
    db.query<{ kind: string; sent_at: Date }>(
      `SELECT kind, sent_at FROM automatic_mail WHERE mailbox = lower($1) AND publication = $2
       ORDER BY sent_at DESC LIMIT ${HISTORY_LIMIT}`,
      [subscriber.email, publication],
    ),
  ]);
  const lastBounce = extra.rows[0]?.last_bounce_at;
  if (lastBounce) {
    history.push({
      at: lastBounce,
      what: subscriber.status === 'bounced' ? 'bounced' : 'a delivery bounced',
      detail: `bounce score ${subscriber.bounceScore}`,
    });
  }
  if (subscriber.status === 'complained') history.push({ at: subscriber.updatedAt, what: 'reported spam' });
  for (const c of changes.rows) {
    history.push({ at: c.requested_at, what: `name change to "${c.name ?? ''}" asked (${c.requested_by})` });
    if (c.confirmed_at) {
      history.push({
        at: c.confirmed_at,
        what: 'name change confirmed',
        detail: c.consent_evidence ?? undefined,
      });
    }
  }
  for (const e of events.rows) {
    history.push({ at: e.at, what: e.action, by: e.actor, detail: e.detail ?? undefined });
  }
  for (const d of deliveries.rows) {
    history.push({
      at: d.updated_at ?? d.created_at,
      what: `issue ${d.issue_code}: ${d.status}`,
      detail: d.detail ?? undefined,
    });
  }
  for (const m of mail.rows) history.push({ at: m.sent_at, what: `automatic mail: ${m.kind}` });
  history.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { subscriber, importedConsent: extra.rows[0]?.imported_consent ?? null, history };
}
