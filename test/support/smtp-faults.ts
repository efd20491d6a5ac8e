// An in-process SMTP sink that misbehaves on purpose: it answers 451 to a share of messages, 550 to
// chosen recipients, and drops the connection in the middle of some messages. Which recipients are
// hit is decided by a hash of the address, so a run is reproducible; each fault happens on a
// recipient's first attempt(s) only, so a correct sender delivers everything eventually.

import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface Faults {
  /** Share (0–1) of recipients whose first `deferAttempts` messages get "451 try again later". */
  deferShare: number;
  deferAttempts: number;
  /** Share of recipients whose first message is cut off by closing the connection mid-DATA. */
  dropShare: number;
  /** Recipients refused with "550 5.1.1 no such user" at RCPT TO, every time. */
  rejectRecipients: Set<string>;
  /** Answer 451 to everything (a server in trouble), for the circuit breaker. */
  deferAll: boolean;
  /** Milliseconds before answering each message: a slower server, so a campaign takes a while. */
  latencyMs: number;
}

export interface ReceivedMessage {
  mailFrom: string;
  to: string;
  raw: Buffer;
}

export interface FaultySink {
  url: string;
  port: number;
  faults: Faults;
  received: ReceivedMessage[];
  /** Attempts per recipient, accepted or not. */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

function hashShare(address: string, salt: string): number {
  return createHash('sha1').update(`${salt}:${address}`).digest().readUInt32BE(0) / 2 ** 32;
}

export async function startFaultySink(faults: Partial<Faults> = {}): Promise<FaultySink> {
  const state: Faults = {
    deferShare: 0,
    deferAttempts: 1,
    dropShare: 0,
    rejectRecipients: new Set(),
    deferAll: false,
    latencyMs: 0,
    ...faults,
  };
  const received: ReceivedMessage[] = [];
  const attempts = new Map<string, number>();

  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 20 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (state.rejectRecipients.has(address.address)) {
        const err = Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      const to = session.envelope.rcptTo[0]?.address ?? '';
      const attempt = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, attempt);
      if (attempt === 1 && hashShare(to, 'drop') < state.dropShare) {
        // Cut the connection before answering: the client cannot know whether it was accepted.
        stream.resume();
        connectionOf(server, session)?.destroy();
        return;
      }
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (state.latencyMs) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
        if (state.deferAll || (attempt <= state.deferAttempts && hashShare(to, 'defer') < state.deferShare)) {
          return callback(Object.assign(new Error('4.7.1 Try again later'), { responseCode: 451 }));
        }
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to,
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  // A client that dies mid-session (a killed worker) resets its connection: expected here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    faults: state,
    received,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** smtp-server keeps its connections in a Set; the session id names ours. */
function connectionOf(server: SMTPServer, session: SMTPServerSession): { destroy(): void } | undefined {
  const connections = (
    server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }
  ).connections;
  for (const connection of connections) if (connection.id === session.id) return connection._socket;
  return undefined;
}
