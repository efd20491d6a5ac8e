// What an editor (or the operator at the command line) does to a list: invite, add with consent
// given elsewhere, unsubscribe, erase, import; each recorded with who did it (subscriber_events,
// erased_mailboxes, the import's consent evidence), each under the same rules as everyone else. An editor never makes a confirmed
// reader without proof: an invitation is a confirmation mail the address's owner must answer, and
// adding someone confirmed needs where and how they gave consent, kept as the consent record.

import type { Readable } from 'node:stream';
import type { List } from '../list/list.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { ListActions } from './actions.ts';
import { type ImportReport, importSubscribers } from './import.ts';
import type { Status, Subscriber } from './model.ts';
import {
  type AddResult,
  addConfirmed,
  erasedAt,
  findSubscriber,
  getSubscriber,
  unsubscribe,
} from './store.ts';

/** Who acts, and when: the admin account's name (or "command line") and the clock's now. */
export interface Acting {
  actor: string;
  now: Date;
}

export async function recordEvent(
  db: Queryable,
  subscriberId: number,
  by: Acting,
  event: { action: string; detail?: string },
): Promise<void> {
  await db.query(
    'INSERT INTO subscriber_events (subscriber_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)',
    [subscriberId, by.now, by.actor.slice(0, 200), event.action, event.detail?.slice(0, 500) ?? null],
  );
}

export type InviteResult =
  /** A new pending reader; the confirmation mail is on its way (within the caps on automatic mail). */
  | { result: 'invited'; subscriber: Subscriber }
  /** Still waiting for their confirmation: it is mailed again (within the caps on automatic mail). */
  | { result: 'reminded'; subscriber: Subscriber }
  /** Already on the list otherwise: nothing changed and nothing was mailed. */
  | { result: 'present'; subscriber: Subscriber }
  /** Erased at the owner's request: only they can subscribe again. */
  | { result: 'erased'; erasedAt: Date };

/**
 * Double opt-in on the reader's behalf: a new address becomes pending and is mailed the same
 * confirmation a sign-up gets, as is one still pending (again). Any other address already on the
 * list is left alone and not mailed; an erased one is refused.
 */
export async function inviteSubscriber(
  db: Db,
  actions: ListActions,
  list: List,
  who: { address: string; name?: string },
  by: Acting,
): Promise<InviteResult> {
  const existing = await findSubscriber(db, list.slug, who.address);
  if (existing?.status === 'pending') {
    await actions.requestSubscription(list, { address: existing.email }, { source: 'admin' });
    await recordEvent(db, existing.id, by, { action: 'confirmation mailed again' });
    return { result: 'reminded', subscriber: existing };
  }
  if (existing) return { result: 'present', subscriber: existing };
  const erased = await erasedAt(db, list.slug, who.address);
  if (erased) return { result: 'erased', erasedAt: erased };
  await actions.requestSubscription(list, who, { source: 'admin' });
  const subscriber = await findSubscriber(db, list.slug, who.address);
  // Gone already: erased between the request and now.
  if (!subscriber)
    return { result: 'erased', erasedAt: (await erasedAt(db, list.slug, who.address)) ?? by.now };
  await recordEvent(db, subscriber.id, by, { action: 'invited (confirmation mailed)' });
  return { result: 'invited', subscriber };
}

/**
 * Someone who gave consent elsewhere (a paper form, a conference sign-up sheet), with where and
 * how: a confirmed reader whose consent record is that statement and the editor's name. Never
 * someone who unsubscribed, bounced, complained or was erased.
 */
export async function addWithConsent(
  db: Db,
  input: { publication: string; email: string; name?: string; consent: string },
  by: Acting,
): Promise<{ result: AddResult; subscriber?: Subscriber }> {
  return db.transaction(async (tx) => {
    const added = await addConfirmed(tx, {
      publication: input.publication,
      email: input.email,
      name: input.name,
      evidence: `${by.actor}: ${input.consent}`,
      now: by.now,
      method: 'admin',
    });
    if (added.subscriber && (added.result === 'added' || added.result === 'confirmed')) {
      await recordEvent(tx, added.subscriber.id, by, { action: 'added as confirmed', detail: input.consent });
    }
    return added;
  });
}

/** Unsubscribes (the row and its history stay); undefined when the reader was not subscribed. */
export async function unsubscribeBy(
  db: Db,
  publication: string,
  id: number,
  by: Acting,
): Promise<Subscriber | undefined> {
  return db.transaction(async (tx) => {
    const current = await getSubscriber(tx, id);
    if (current?.publication !== publication) return undefined;
    const left = await unsubscribe(tx, id, by.now);
    if (left) await recordEvent(tx, id, by, { action: 'unsubscribed' });
    return left;
  });
}

/** A CSV upload, read as `bulletin subscribers import` reads a file: the same consent rules. */
export function importBy(
  db: Db,
  input: Readable,
  options: {
    publication: string;
    filename: string;
    defaultStatus?: Status;
    /** The publication's languages: a row choosing another is skipped, as by the CLI. */
    languages?: readonly string[];
  },
  by: Acting,
): Promise<ImportReport> {
  return importSubscribers(db, input, {
    publication: options.publication,
    source: options.filename,
    languages: options.languages,
    uploadedBy: by.actor,
    defaultStatus: options.defaultStatus,
    now: by.now,
  });
}
