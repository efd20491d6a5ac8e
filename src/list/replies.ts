// The list's automatic replies (confirmations, welcomes, acknowledgements, help): rendered from
// templates/list (templates.ts), marked as automatic (RFC 3834, headers.ts), capped per address,
// and handed to the outbound queue through `ListMailer` (mail.ts). Every automatic mail goes through
// `sendReply`, so the caps below are the one place that decides how much mail a stranger can make
// us send to anyone.

import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/db.ts';
import { listAddress } from './addresses.ts';
import { automaticReplyHeaders } from './headers.ts';
import { type List, readerLanguage } from './list.ts';
import type { ListMailer, OutgoingMail } from './mail.ts';
import type { ListTemplate, ListTemplates } from './templates.ts';

/** How much automatic mail one address can receive (README, "Safety"). */
export const AUTOMATIC_MAIL_LIMITS = {
  /** Per address, all lists and kinds together, in any 24 hours. */
  perAddressPerDay: 10,
  /** Per address, list and kind in any 24 hours: a confirmation request is re-sent once a day at most. */
  perKindPerDay: new Map<ListTemplate, number>([
    ['confirm-subscribe', 1],
    ['confirm-unsubscribe', 1],
    ['confirm-change', 1],
    ['address-changed', 1],
    ['welcome', 1],
    ['goodbye', 1],
    ['help', 1],
    ['acknowledgement', 10],
  ]),
  /** Per address and incoming message, whatever the number of our addresses it was sent to. */
  perMessage: 1,
} as const;

const DAY_MS = 86_400_000;

export interface Reply {
  list: List;
  to: string;
  template: ListTemplate;
  values: Record<string, unknown>;
  /** The reader's language (one of the list's, as a subscriber stores it); absent: the list's. */
  language?: string | null;
  replyTo?: string;
  /** Message-ID of the mail we answer, so clients thread the reply. */
  inReplyTo?: string;
  /** Addresses already answered for the incoming message this replies to (one reply each). */
  answered?: Set<string>;
  /**
   * The address's owner asked for this on the web form: it may go to an address that complained
   * or bounced on this list, which otherwise gets no automatic mail at all.
   */
  ownerAsked?: boolean;
}

/** An automatic reply: list mail from the null sender `<>`, so nothing answers it and no loop starts. */
export type AutomaticMail = OutgoingMail & {
  returnPath: null;
  html: string;
  headers: Record<string, string>;
};

export interface ReplyDeps {
  db: Db;
  mailer: ListMailer;
  templates: ListTemplates;
  clock: Clock;
  log: Pick<Logger, 'info'>;
}

/**
 * Why `reply` must not be sent now, or undefined when it may. Counts and records in one
 * transaction, locked per mailbox, so concurrent requests cannot both pass a cap.
 */
async function capReason(
  deps: ReplyDeps,
  reply: Reply,
  send: () => Promise<void>,
): Promise<string | undefined> {
  const mailbox = reply.to.toLowerCase();
  if (reply.answered?.has(mailbox)) return 'already answered this message';
  reply.answered?.add(mailbox);
  return deps.db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(4242110, hashtext($1))', [mailbox]);
    if (!reply.ownerAsked) {
      const { rows } = await tx.query<{ status: string }>(
        `SELECT status FROM subscribers WHERE publication = $1 AND lower(email) = $2
           AND status IN ('complained', 'bounced')`,
        [reply.list.slug, mailbox],
      );
      if (rows[0]) return `the address ${rows[0].status}`;
    }
    const now = deps.clock.date();
    const since = new Date(now.getTime() - DAY_MS);
    const { rows } = await tx.query<{ total: number; kind: number }>(
      `SELECT count(*)::int AS total,
         (count(*) FILTER (WHERE publication = $3 AND kind = $4))::int AS kind
       FROM automatic_mail WHERE mailbox = $1 AND sent_at > $2`,
      [mailbox, since, reply.list.slug, reply.template],
    );
    const counts = rows[0] ?? { total: 0, kind: 0 };
    if (counts.total >= AUTOMATIC_MAIL_LIMITS.perAddressPerDay) return 'daily limit per address';
    if (counts.kind >= (AUTOMATIC_MAIL_LIMITS.perKindPerDay.get(reply.template) ?? 1))
      return `daily limit of ${reply.template} mail per address`;
    // Only the last day counts: older rows, for any address, go.
    await tx.query('DELETE FROM automatic_mail WHERE sent_at <= $1', [since]);
    await tx.query(
      'INSERT INTO automatic_mail (mailbox, publication, kind, sent_at) VALUES ($1, $2, $3, $4)',
      [mailbox, reply.list.slug, reply.template, now],
    );
    // Queued inside the transaction: a failure leaves no record, so the sender's retry may send.
    await send();
    return undefined;
  });
}

/** Renders, caps and queues an automatic reply; false when a cap held it back (logged). */
export async function sendReply(deps: ReplyDeps, reply: Reply): Promise<boolean> {
  const reason = await capReason(deps, reply, () => queueReply(deps, reply));
  if (reason) {
    deps.log.info(
      { list: reply.list.slug, to: reply.to, template: reply.template, reason },
      'automatic mail not sent',
    );
    return false;
  }
  return true;
}

async function queueReply({ mailer, templates }: ReplyDeps, reply: Reply): Promise<void> {
  const { list } = reply;
  const rendered = await templates.render(reply.template, {
    list: {
      name: list.name,
      address: list.address,
      language: readerLanguage(list, reply.language),
      colors: list.colors,
    },
    requestAddress: listAddress(list.address, { kind: 'request' }),
    subscribeAddress: listAddress(list.address, { kind: 'subscribe' }),
    ...reply.values,
  });
  await mailer.enqueue({
    from: { name: list.name, address: list.address },
    to: reply.to,
    replyTo: reply.replyTo,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    inReplyTo: reply.inReplyTo,
    references: reply.inReplyTo,
    headers: automaticReplyHeaders(list),
    returnPath: null,
  });
}
