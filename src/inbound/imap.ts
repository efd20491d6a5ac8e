// IMAP mode, for a list address that is a mailbox at a provider: poll the mailbox, feed each
// message to the same handler as the SMTP server, and move it to a "processed" folder once the
// handler has stored what matters. A message the handler failed on stays and is tried again.

import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { InboundHandler } from './handler.ts';

export interface ImapSource {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  processedFolder: string;
}

/** imaps://user:password@imap.example.org/INBOX (user and password URL-encoded; default INBOX). */
export function parseImapUrl(url: string, processedFolder = 'Processed'): ImapSource {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: Number(u.port) || (secure ? 993 : 143),
    secure,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    mailbox: decodeURIComponent(u.pathname.slice(1)) || 'INBOX',
    processedFolder,
  };
}

/** The header block, unfolded. */
function headerBlock(raw: Buffer): string {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

function headerValues(headers: string, name: string): string[] {
  return [...headers.matchAll(new RegExp(`^${name}:(.*)$`, 'gim'))].map((m) => (m[1] ?? '').trim());
}

/**
 * The envelope the delivering server recorded: Return-Path (`<>` is the null sender) and the
 * recipients it names (Delivered-To, X-Original-To, then To and Cc) that are ours.
 */
export function envelopeOf(raw: Buffer, accepts: (address: string) => boolean, fallbackRecipient?: string) {
  const headers = headerBlock(raw);
  const returnPath = headerValues(headers, 'Return-Path')[0];
  const from = /<([^<>\s]+@[^<>\s]+)>|([^\s<>,"]+@[^\s<>,"]+)/.exec(headerValues(headers, 'From')[0] ?? '');
  const envelopeFrom =
    returnPath !== undefined
      ? /<?([^<>\s]*)>?/.exec(returnPath)?.[1] || null
      : (from?.[1] ?? from?.[2] ?? null);
  const candidates = ['Delivered-To', 'X-Original-To', 'To', 'Cc']
    .flatMap((name) => headerValues(headers, name))
    .flatMap((value) => value.match(/[^\s<>,;:"]+@[^\s<>,;:"]+/g) ?? []);
  const recipients = [...new Set(candidates.map((a) => a.toLowerCase()).filter(accepts))];
  if (!recipients.length && fallbackRecipient) recipients.push(fallbackRecipient);
  return { envelopeFrom, recipients };
}

/** Handles every message in the mailbox once. Returns how many were handled and moved. */
export async function pollMailbox(
  source: ImapSource,
  handler: InboundHandler,
  options: { log: Pick<Logger, 'info' | 'warn' | 'error'>; fallbackRecipient?: string },
): Promise<number> {
  const client = new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.secure,
    auth: { user: source.user, pass: source.password },
    logger: false,
  });
  client.on('error', (err) => options.log.warn({ err }, 'IMAP connection error'));
  await client.connect();
  let handled = 0;
  try {
    if (!(await client.list()).some((box) => box.path === source.processedFolder)) {
      await client.mailboxCreate(source.processedFolder);
    }
    const lock = await client.getMailboxLock(source.mailbox);
    try {
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      for (const uid of uids) {
        const fetched = await client.fetchOne(String(uid), { source: true }, { uid: true });
        const raw = fetched ? fetched.source : undefined;
        if (!raw) continue;
        const envelope = envelopeOf(raw, handler.accepts, options.fallbackRecipient);
        if (!envelope.recipients.length) {
          options.log.warn({ uid }, 'IMAP message for none of our list addresses; moved aside unhandled');
        } else {
          try {
            await handler.handle({ raw, ...envelope });
          } catch (err) {
            options.log.error({ err, uid }, 'IMAP message not handled; it stays for the next poll');
            continue;
          }
        }
        await client.messageMove(String(uid), source.processedFolder, { uid: true });
        handled++;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return handled;
}

/** Polls every `intervalMs` until stopped; a failed poll is logged and retried at the next one. */
export function startImapPolling(
  source: ImapSource,
  handler: InboundHandler,
  options: { intervalMs: number; log: Pick<Logger, 'info' | 'warn' | 'error'>; fallbackRecipient?: string },
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = pollMailbox(source, handler, options)
      .catch((err: unknown) => options.log.warn({ err, host: source.host }, 'IMAP poll failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
