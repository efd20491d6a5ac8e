// The SMTP side of `bulletin serve`: accepts mail for our list addresses only (550 at RCPT for any
// other: no open relay), within a size limit, rate limits per client IP and per sender, and
// timeouts; answers 250 only after the handler has stored what matters, 451 if it failed.
//
// No client can take the server from others: connections are limited per client network, and a
// connection that sends commands without ever completing a message is closed. Rate limits count
// accepted messages, not MAIL FROM commands, and the (unverified) sender is counted per client
// network, so nobody can lock an address out by naming it in envelopes of their own.

import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { ClientRateLimiter } from '../client-rate-limiter.ts';
import type { Clock } from '../clock.ts';
import { countInbound } from '../metrics.ts';
import type { InboundHandler } from './handler.ts';

export interface SmtpLimits {
  /** Largest message accepted (announced in EHLO SIZE; bigger ones get 552). */
  maxMessageBytes: number;
  /** Recipients per message. */
  maxRecipients: number;
  /** Accepted messages per client network per hour, and per envelope sender and network per hour. */
  perIpPerHour: number;
  perSenderPerHour: number;
  /** An idle connection is closed after this long. */
  socketTimeoutMs: number;
  /** Connections at once, in all and per client network (an IPv4 address, an IPv6 /64). */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Commands a connection may send without completing a message (NOOP, RSET, HELO, refused ones…). */
  maxCommandsWithoutMessage: number;
}

export const DEFAULT_SMTP_LIMITS: SmtpLimits = {
  maxMessageBytes: 10 * 1024 * 1024,
  maxRecipients: 20,
  perIpPerHour: 300,
  perSenderPerHour: 30,
  socketTimeoutMs: 60_000,
  maxConnections: 20,
  maxConnectionsPerIp: 4,
  maxCommandsWithoutMessage: 50,
};

/** Where a client connects from, as limits count it: an IPv4 address, or an IPv6 /64. */
export function clientNetwork(remoteAddress: string | undefined): string {
  const address = (remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!address.includes(':')) return address;
  // Expand "::" so the first four groups are the /64, whatever the spelling.
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

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
    clock?: Clock;
  },
): ListSmtpServer {
  const limits = { ...DEFAULT_SMTP_LIMITS, ...options.limits };
  const { log } = options;
  const perIp = new ClientRateLimiter(limits.perIpPerHour, 3_600_000, options.clock);
  const perSender = new ClientRateLimiter(limits.perSenderPerHour, 3_600_000, options.clock);
  /** Open connections per client network, and the sessions counted there. */
  const connectionsPerIp = new Map<string, number>();
  const counted = new Set<string>();
  /** Replies sent per session since its last accepted message. */
  const withoutMessage = new Map<string, number>();
  const senderKey = (sender: string, remoteAddress: string) =>
    `${sender.toLowerCase()} ${clientNetwork(remoteAddress)}`;

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
    maxClients: limits.maxConnections,
    logger: false,
    onConnect(session, callback) {
      const network = clientNetwork(session.remoteAddress);
      const open = connectionsPerIp.get(network) ?? 0;
      if (open >= limits.maxConnectionsPerIp) {
        log.warn({ ip: session.remoteAddress }, 'connection limit per IP');
        return callback(smtpError(421, 'Too many connections from your address, try again later'));
      }
      connectionsPerIp.set(network, open + 1);
      counted.add(session.id);
      watchCommands(session.id);
      callback();
    },
    onClose(session) {
      withoutMessage.delete(session.id);
      if (!counted.delete(session.id)) return;
      const network = clientNetwork(session.remoteAddress);
      const open = (connectionsPerIp.get(network) ?? 1) - 1;
      if (open > 0) connectionsPerIp.set(network, open);
      else connectionsPerIp.delete(network);
    },
    onMailFrom(address, session, callback) {
      // Checked here, counted when a message is accepted: an envelope without DATA costs nothing.
      if (!perIp.check(clientNetwork(session.remoteAddress))) {
        log.warn({ ip: session.remoteAddress }, 'rate limit per IP');
        countInbound('rejected');
        return callback(smtpError(421, 'Too many messages from your address, try again later'));
      }
      // The null sender (bounces) is not rate limited per sender: one MTA sends them for everyone.
      if (address.address && !perSender.check(senderKey(address.address, session.remoteAddress))) {
        log.warn({ sender: address.address, ip: session.remoteAddress }, 'rate limit per sender');
        countInbound('rejected');
        return callback(smtpError(450, 'Too many messages from this sender, try again later'));
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      if (!handler.accepts(address.address)) {
        countInbound('rejected');
        return callback(smtpError(550, 'No such list address here'));
      }
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
        if (stream.sizeExceeded) {
          countInbound('rejected');
          return callback(smtpError(552, `Message larger than ${limits.maxMessageBytes} bytes`));
        }
        const mailFrom = session.envelope.mailFrom;
        const envelopeFrom = mailFrom ? mailFrom.address || null : null; // "" is the null sender <>
        handler
          .handle({
            raw: Buffer.concat(chunks),
            envelopeFrom,
            recipients: session.envelope.rcptTo.map((r) => r.address),
            remoteAddress: session.remoteAddress,
          })
          .then(
            () => {
              perIp.record(clientNetwork(session.remoteAddress));
              if (envelopeFrom) perSender.record(senderKey(envelopeFrom, session.remoteAddress));
              withoutMessage.set(session.id, 0);
              callback();
            },
            (err: unknown) => {
              log.error({ err, ip: session.remoteAddress }, 'message not handled; asked the sender to retry');
              callback(smtpError(451, 'Temporary failure, please try again later'));
            },
          );
      });
    },
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    // A port that cannot be listened on is the caller's one-line error (listen below), not a log line.
    if (err.syscall !== 'listen') log.warn({ err }, 'SMTP connection error');
  });

  /**
   * Closes a connection that keeps talking without completing a message (NOOP, RSET, refused
   * commands…): every command gets one reply, so replies are what is counted.
   */
  function watchCommands(sessionId: string): void {
    const connection = [...server.connections].find((c) => c.id === sessionId);
    if (!connection) return;
    const send = connection.send.bind(connection);
    withoutMessage.set(sessionId, 0);
    connection.send = (code, data, context) => {
      const replies = (withoutMessage.get(sessionId) ?? 0) + 1;
      withoutMessage.set(sessionId, replies);
      if (replies > limits.maxCommandsWithoutMessage && code !== 221 && code !== 421) {
        log.warn({ ip: connection.remoteAddress }, 'too many commands without a message; closing');
        send(421, 'Too many commands without a message, closing connection');
        connection.close();
        return;
      }
      send(code, data, context);
    };
  }

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
