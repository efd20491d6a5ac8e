// Where outgoing mail goes: SMTP_URL, or .eml files in <dataDir>/outbox/ so that nothing needs a
// mail server (development, tests, or inspecting what would be sent).

import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { OutgoingMail } from './message.ts';

export interface MailTransport {
  /** Sends one message; resolves with its Message-ID, rejects when the server refused it. */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

function toNodemailer(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: mail.headers,
    // Our own domain, not the host name: Message-IDs are how replies and bounces are threaded.
    messageId: `<${randomUUID()}@${mail.from.address.split('@')[1]}>`,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    envelope: { from: mail.returnPath ?? false, to: mail.to },
  } as const;
}

export function createMailTransport(config: { smtpUrl?: string; dataDir: string }): MailTransport {
  if (config.smtpUrl) {
    const smtp = nodemailer.createTransport(config.smtpUrl);
    return {
      async send(mail) {
        const info = await smtp.sendMail(toNodemailer(mail));
        return info.messageId;
      },
      close: () => smtp.close(),
    };
  }
  const outbox = join(config.dataDir, 'outbox');
  mkdirSync(outbox, { recursive: true });
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async send(mail) {
      const info = await stream.sendMail(toNodemailer(mail));
      // The envelope is not part of the message; keep it visible the way an MTA would.
      const eml = Buffer.concat([
        Buffer.from(`Return-Path: <${mail.returnPath ?? ''}>\r\n`),
        info.message as Buffer,
      ]);
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
      // Written aside and renamed, so a reader of the outbox never sees half a message.
      writeFileSync(join(outbox, `.${name}`), eml);
      renameSync(join(outbox, `.${name}`), join(outbox, name));
      return info.messageId;
    },
    close: () => stream.close(),
  };
}
