// A private redis-server for installations without REDIS_URL: data under <dataDir>/redis
// (appendonly, noeviction, as BullMQ needs), reached over a Unix socket there, so no port is taken
// and every bulletin process of the installation finds the same server. The first process starts
// it; each process releases it on exit, and the last one out shuts it down.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { fail } from '../problems.ts';

/** Where Redis is: BullMQ's `connection` option accepts either form. */
export type RedisConnection = { url: string } | { path: string };

export interface RedisService {
  connection: RedisConnection;
  /** Lets go of the server: shuts a private one down when no other process uses it. */
  release(): Promise<void>;
}

const MAX_SOCKET_PATH = 100; // sun_path is 108 bytes on Linux, 104 on macOS

export async function useRedis(config: { redisUrl?: string; dataDir: string }): Promise<RedisService> {
  if (config.redisUrl) return { connection: { url: config.redisUrl }, release: async () => {} };
  const dir = join(config.dataDir, 'redis');
  const socket = join(dir, 'redis.sock');
  if (socket.length > MAX_SOCKET_PATH) {
    fail(
      'data-dir-too-long',
      `The Redis socket path ${socket} is too long for a Unix socket.`,
      'Use a shorter --data-dir, or set REDIS_URL.',
    );
  }
  mkdirSync(dir, { recursive: true });
  const connection = { path: socket };
  let child: ChildProcess | undefined;
  if (!(await answers(connection))) {
    child = startServer(dir, socket);
    await waitUntilAnswering(connection, child);
  }
  return {
    connection,
    async release() {
      const control = oneShotClient(connection);
      let shutDown = false;
      try {
        await control.connect();
        // Our own queues and workers are closed by now; this client is the only one left if no
        // other bulletin process is using the server.
        const clients = String(await control.call('CLIENT', 'LIST', 'TYPE', 'normal'))
          .trim()
          .split('\n');
        if (clients.length <= 1) {
          shutDown = true;
          await control.call('SHUTDOWN').catch(() => {}); // the answer is the connection closing
        }
      } catch {
        // Already gone.
      } finally {
        control.disconnect();
      }
      if (shutDown && child && child.exitCode === null)
        await new Promise((resolve) => child?.once('exit', resolve));
    },
  };
}

function startServer(dir: string, socket: string): ChildProcess {
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  child.once('error', () => {}); // reported by waitUntilAnswering
  return child;
}

/** A client that tries once and never reconnects: for probing and controlling the server. */
function oneShotClient(connection: { path: string }): Redis {
  const client = new Redis({
    ...connection,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

/** Whether a Redis server answers PING on the socket. */
export async function answers(connection: { path: string }): Promise<boolean> {
  if (!existsSync(connection.path)) return false;
  const probe = oneShotClient(connection);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function waitUntilAnswering(connection: { path: string }, child: ChildProcess): Promise<void> {
  const spawnError = new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
  for (let attempt = 0; attempt < 100; attempt++) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 50))]);
    if (failed?.code === 'ENOENT') {
      fail(
        'no-redis-server',
        'redis-server is not installed, and REDIS_URL is not set.',
        'Install it (apt-get install redis-server, or brew install redis) or set REDIS_URL=redis://…',
      );
    }
    if (failed) throw failed;
    if (child.exitCode !== null) {
      fail(
        'redis-failed',
        `redis-server exited with code ${child.exitCode}.`,
        `See ${join(connection.path, '..', 'redis.log')}.`,
      );
    }
    if (await answers(connection)) return;
  }
  child.kill();
  fail(
    'redis-timeout',
    'redis-server did not answer within 5 seconds.',
    `See ${join(connection.path, '..', 'redis.log')}.`,
  );
}
