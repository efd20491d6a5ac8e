// Whether the SMTP server at SMTP_URL lets us send, asked once when a process that sends mail
// starts (`worker`, `publish`, `serve`): a refused login or a server that is not there is one
// line at start, not minutes of deferred messages. Later trouble (4xx, a server that goes away)
// is a deferral like any other and shows on the campaign's progress.

import nodemailer from 'nodemailer';
import { fail } from '../problems.ts';
import { DEPENDENCY_ANSWER_TIMEOUT_MS } from '../start-timeout.ts';

/** Host and port of an SMTP URL, for messages: never the user's password. */
export function smtpWhere(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? '465' : '587')}`;
}

/** Connects, says EHLO, starts TLS when offered and logs in, as sending will; fails with one line. */
export async function reachSmtp(url: string, timeoutMs = DEPENDENCY_ANSWER_TIMEOUT_MS): Promise<void> {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.verify();
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
    const where = smtpWhere(url);
    const user = decodeURIComponent(new URL(url).username) || undefined;
    const answer = (e.response ?? '').replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    if (e.code === 'EAUTH' || (e.responseCode !== undefined && e.responseCode >= 400)) {
      fail('smtp-refused', {
        where,
        user: e.code === 'EAUTH' ? user : undefined,
        reason: answer || (e.message ?? 'refused'),
      });
    }
    const system = /\b(E[A-Z]{3,})\b/.exec(e.message ?? '')?.[1];
    fail('smtp-unreachable', {
      where,
      reason:
        system ??
        (e.code === 'ETIMEDOUT' ? `no answer within ${timeoutMs / 1000} s` : (e.message ?? 'error')),
    });
  } finally {
    transport.close();
  }
}
