// List mail (an OutgoingMail: fields, not bytes) made into the bytes and envelope a Sender takes,
// so confirmations and welcomes leave the way campaigns do. nodemailer composes, nothing is sent.

import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { OutgoingMail } from '../list/mail.ts';
import type { Envelope } from './sender.ts';

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

export async function composeMail(mail: OutgoingMail): Promise<{ envelope: Envelope; raw: Buffer }> {
  const info = await composer.sendMail({
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
  });
  // A null return path (automatic replies, RFC 3834 §3.3) is the empty envelope sender `<>`.
  return { envelope: { from: mail.returnPath ?? '', to: mail.to }, raw: info.message as Buffer };
}
