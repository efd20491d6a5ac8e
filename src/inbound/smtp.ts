// The SMTP side of `bulletin serve`: accepts mail for our list addresses only (550 at RCPT for any
// other: no open relay), within a size limit, rate limits per client IP and per sender, and
// timeouts; answers 250 only after the handler has stored what matters, 451 if it failed.

import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { InboundHandler } from './handler.ts';
import { RateLimiter } from './rate-limit.ts';

export interface SmtpLimits {
  /** Largest message accepted (announced in EHLO SIZE; bigger ones get 552). */
  maxMessageBytes: number;
  /** Recipients per message. */
  maxRecipients: number;
  /** Messages per client IP per hour, and per envelope sender per hour. */
  perIpPerHour: number;
  perSenderPerHour: number;
  /** An idle connection is closed after this long. */
  socketTimeoutMs: number;
}

export const DEFAULT_SMTP_LIMITS: SmtpLimits = {
  maxMessageBytes: 10 * 1024 * 1024,
  maxRecipients: 20,
  perIpPerHour: 300,
  perSenderPerHour: 30,
  socketTimeoutMs: 60_000,
};

const smtpError = (responseCode: number, message: string) =>
  Object.assign(new Error(message), { responseCode });

export interface ListSmtpServer {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createListSmtpServer(
  handler: InboundHandler,
  options: {
    limits?: Partial<SmtpLimits>;
    hostname?: string;
    /** PEM certificate and key for STARTTLS. */
    tls?: { cert: Buffer; key: Buffer };
    log: Pick<Logger, 'info' | 'warn' | 'error'>;
    now?: () => number;
  },
): ListSmtpServer {
  const limits = { ...DEFAULT_SMTP_LIMITS, ...options.limits };
  const { log } = options;
  const perIp = new RateLimiter(limits.perIpPerHour, 3_600_000, options.now);
  const perSender = new RateLimiter(limits.perSenderPerHour, 3_600_000, options.now);

  const server = new SMTPServer({
    name: options.hostname,
    banner: 'bulletin list server',
    // We receive, never relay: no AUTH. STARTTLS when given a certificate (as the MX); behind an
    // MTA on the same host or network, plain SMTP.
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...options.tls,
    authOptional: true,
    size: limits.maxMessageBytes,
    socketTimeout: limits.socketTimeoutMs,
    closeTimeout: 10_000,
    // Messages are held in memory until stored: clients × size bounds the memory used.
    maxClients: 20,
    logger: false,
    onMailFrom(address, session, callback) {
      if (!perIp.allow(session.remoteAddress)) {
        log.warn({ ip: session.remoteAddress }, 'rate limit per IP');
        return callback(smtpError(421, 'Too many messages from your address, try again later'));
      }
      // The null sender (bounces) is not rate limited per sender: one MTA sends them for everyone.
      if (address.address && !perSender.allow(address.address.toLowerCase())) {
        log.warn({ sender: address.address }, 'rate limit per sender');
        return callback(smtpError(450, 'Too many messages from this sender, try again later'));
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      if (!handler.accepts(address.address)) return callback(smtpError(550, 'No such list address here'));
      if (session.envelope.rcptTo.length >= limits.maxRecipients)
        return callback(smtpError(452, 'Too many recipients'));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded)
          return callback(smtpError(552, `Message larger than ${limits.maxMessageBytes} bytes`));
        const mailFrom = session.envelope.mailFrom;
        handler
          .handle({
            raw: Buffer.concat(chunks),
            envelopeFrom: mailFrom ? mailFrom.address || null : null, // "" is the null sender <>
            recipients: session.envelope.rcptTo.map((r) => r.address),
            remoteAddress: session.remoteAddress,
          })
          .then(
            () => callback(),
            (err: unknown) => {
              log.error({ err, ip: session.remoteAddress }, 'message not handled; asked the sender to retry');
              callback(smtpError(451, 'Temporary failure, please try again later'));
            },
          );
      });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'SMTP connection error'));

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => {
          server.server.off('error', reject);
          resolve((server.server.address() as AddressInfo).port);
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
