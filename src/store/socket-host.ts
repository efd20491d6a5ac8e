// Serves an open PGlite to other processes over a Unix socket, speaking the PostgreSQL wire
// protocol, so node-postgres in `bulletin subscribers …` can use the database that
// `bulletin serve` has open. PGlite has one backend, so one client session runs at a time: a
// connected client holds PGlite exclusively, and others wait (clients keep connections short).
// Same idea as @electric-sql/pglite-socket, which pins an older PGlite as an exact peer dependency.

import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Splits a byte stream into whole protocol messages (a startup packet first, then typed ones). */
class MessageFramer {
  private pending = Buffer.alloc(0);
  started = false;

  push(chunk: Buffer): Buffer[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      const header = this.started ? 5 : 4;
      if (this.pending.length < header) break;
      const length = this.started ? this.pending.readInt32BE(1) + 1 : this.pending.readInt32BE(0);
      if (this.pending.length < length) break;
      messages.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
      if (!this.started && !isEncryptionRequest(messages.at(-1) as Buffer)) this.started = true;
    }
    return messages;
  }
}

function isEncryptionRequest(message: Buffer): boolean {
  if (message.length !== 8) return false;
  const code = message.readInt32BE(4);
  return code === SSL_REQUEST || code === GSSENC_REQUEST;
}

/** A simple-protocol Query message. */
function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`);
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0);
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}

export interface SocketHost {
  close(): Promise<void>;
}

export async function hostOverSocket(pglite: PGlite, path: string): Promise<SocketHost> {
  const sockets = new Set<Socket>();

  const serve = (socket: Socket) => {
    sockets.add(socket);
    socket.pause();
    // Hold PGlite for the whole session; resolved when the client goes away.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let attached = false;
    socket.once('close', async () => {
      sockets.delete(socket);
      // A client that vanished mid-transaction must not leave it open for the next one.
      if (attached) await pglite.execProtocolRaw(queryMessage('ROLLBACK')).catch(() => {});
      release();
    });
    socket.on('error', () => socket.destroy());
    void pglite.runExclusive(async () => {
      if (socket.destroyed) return;
      attached = true;
      const framer = new MessageFramer();
      let work = Promise.resolve();
      socket.on('data', (chunk: Buffer) => {
        const messages = framer.push(chunk);
        if (!messages.length) return;
        work = work
          .then(async () => {
            for (const message of messages) {
              // We speak neither SSL nor GSS over a local socket: "N" tells the client to go on without.
              const reply = isEncryptionRequest(message)
                ? Buffer.from('N')
                : await pglite.execProtocolRaw(message);
              if (reply.length && !socket.destroyed) socket.write(reply);
            }
          })
          .catch(() => {
            socket.destroy();
          });
      });
      socket.resume();
      await released;
    });
  };

  const server: Server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
