// An in-process SMTP server that accepts every message and keeps it, parsed, for assertions: the
// "real SMTP server" that outgoing mail is sent to in tests.
//
//   const sink = await startSmtpSink();                     // beforeAll
//   … SMTP_URL = sink.url …
//   const mail = await sink.next((m) => m.to === 'ann@example.org');
//   await sink.stop();                                       // afterAll

import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  /** Envelope sender; '' for the null sender. */
  mailFrom: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: SunkMail[];
  /** The first message (already received or still to come) matching `match` that no earlier call returned. */
  next(match?: (mail: SunkMail) => boolean, timeoutMs?: number): Promise<SunkMail>;
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMail[] = [];
  const taken = new Set<SunkMail>();
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom;
        messages.push({
          mailFrom: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    next(match = () => true, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => !taken.has(m) && match(m));
          if (!found) return;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
