// The outbox: without an SMTP server, each message becomes a file in <data dir>/outbox/, so nothing
// needs a mail server (development, tests, `npm start`, inspecting what would be sent). One format
// for everything sent: `<ms>-<pid>-<seq>-<recipient>.eml` (sorted by time, unique across processes),
// holding the message as the recipient's mailbox would: the envelope sender as a Return-Path header
// first (replacing any the message carries, as the delivering MTA does), then the bytes as sent.

import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sender } from './sender.ts';

/** <data dir>/outbox: where messages go without SMTP_URL. */
export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

export function outboxSender(dir: string): Sender {
  mkdirSync(dir, { recursive: true });
  let sequence = 0;
  return {
    async send(envelope, raw) {
      // The time only orders the files in a listing; it decides nothing.
      const name = `${Date.now()}-${process.pid}-${++sequence}-${envelope.to.replace(/[^\w.@-]/g, '_')}.eml`;
      // Written aside and renamed, so a reader of the outbox never sees half a message.
      await writeFile(join(dir, `.${name}`), withReturnPath(raw, envelope.from));
      await rename(join(dir, `.${name}`), join(dir, name));
      return { kind: 'sent' };
    },
    async close() {},
  };
}

/** `raw` with one Return-Path header, the envelope sender's, on top. */
export function withReturnPath(raw: Buffer, from: string): Buffer {
  // latin1 maps every byte to one character and back, so 8-bit content survives untouched.
  const text = raw.toString('latin1');
  const blank = /\r?\n(?=\r?\n)/.exec(text);
  // The header with its last line break; the rest starts at the blank line.
  const end = blank ? blank.index + blank[0].length : text.length;
  const header = text.slice(0, end).replace(/^Return-Path:[^\n]*(?:\n[ \t][^\n]*)*(?:\n|$)/gim, '');
  return Buffer.from(`Return-Path: <${from}>\r\n${header}${text.slice(end)}`, 'latin1');
}
