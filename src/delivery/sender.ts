// Sends finished messages and says what happened in delivery terms: sent, rejected for good (5xx),
// or deferred (4xx, connection trouble: try again later). Callers never inspect SMTP errors.

import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface Envelope {
  /** The VERP return path: bounces come back to it. */
  from: string;
  to: string;
}

export type SendResult =
  | { kind: 'sent' }
  /** Permanent: do not retry. `stage: 'recipient'` means this address was refused (a hard bounce). */
  | { kind: 'rejected'; stage: 'recipient' | 'message'; code: number; reason: string }
  /** Temporary: the message may go through later. */
  | { kind: 'deferred'; code?: number; reason: string };

export interface Sender {
  send(envelope: Envelope, raw: Buffer): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SmtpPoolOptions {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  /** Parallel SMTP connections. */
  connections: number;
  /** Messages per connection before it is recycled (providers limit this). */
  messagesPerConnection: number;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

/** A nodemailer SMTP pool. Messages are sent as given (`raw`), so nothing is re-encoded here. */
export function smtpPoolSender(options: SmtpPoolOptions): Sender {
  const transporter = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.connections,
    maxMessages: options.messagesPerConnection,
    dkim: options.dkim,
    // A stuck server must not hold a batch forever; a timeout is a deferral like any other.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return transporterSender(transporter);
}

function transporterSender(transporter: Transporter): Sender {
  return {
    async send(envelope, raw) {
      try {
        await transporter.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
        return { kind: 'sent' };
      } catch (err) {
        return classifySendError(err);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** 5xx is permanent (RFC 5321 §4.2.1); everything else, including no answer at all, is temporary. */
export function classifySendError(err: unknown): SendResult {
  const e = (err ?? {}) as SmtpError;
  const reason = (e.response ?? e.message ?? String(err)).slice(0, 300);
  const code = e.responseCode;
  // A refused login is 5xx too, but it is our configuration, not the recipient: defer, and let
  // the circuit breaker pause the campaign.
  if (code && code >= 500 && code < 600 && e.code !== 'EAUTH') {
    return { kind: 'rejected', stage: e.code === 'EENVELOPE' ? 'recipient' : 'message', code, reason };
  }
  return code ? { kind: 'deferred', code, reason } : { kind: 'deferred', reason };
}

/** Without an SMTP server: each message becomes a .eml file in `dir`, envelope sender as Return-Path. */
export function outboxSender(dir: string): Sender {
  mkdirSync(dir, { recursive: true });
  let sequence = 0;
  return {
    async send(envelope, raw) {
      const name = `${Date.now()}-${process.pid}-${++sequence}-${envelope.to.replace(/[^\w.@-]/g, '_')}.eml`;
      // Written aside and renamed, so a reader of the outbox never sees half a message.
      await writeFile(join(dir, `.${name}`), raw);
      await rename(join(dir, `.${name}`), join(dir, name));
      return { kind: 'sent' };
    },
    async close() {},
  };
}
