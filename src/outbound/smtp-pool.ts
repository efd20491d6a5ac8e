// The SMTP side of a Sender: a nodemailer pool over SMTP_URL that sends finished messages as they
// are (DKIM-signed when a key is given) and says what happened in delivery terms: sent, rejected
// for good (5xx), or deferred (4xx, connection trouble: try again later).

import nodemailer from 'nodemailer';
import type { Sender, SendResult } from './sender.ts';

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
