// A private redis-server for installations without REDIS_URL: data under <dataDir>/redis
// (appendonly, noeviction, as BullMQ needs), reached over a Unix socket there, so no port is taken
// and every bulletin process of the installation finds the same server. Whoever needs it and finds
// it down starts it, under a machine-wide lock (two servers on one socket would split the queue),
// in its own session so it outlives its starter; every process using it checks each second that
// it still answers and starts it again if not (from its AOF). The last one out shuts it down.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { fail } from '../problems.ts';
import { DEPENDENCY_ANSWER_TIMEOUT_MS } from '../start-timeout.ts';
import { withMachineLock } from './lock.ts';

/** Where Redis is: BullMQ's `connection` option accepts either form. */
export type RedisConnection = { url: string } | { path: string };

export interface RedisService {
  connection: RedisConnection;
  /** Lets go of the server: shuts a private one down when no other process uses it. */
  release(): Promise<void>;
}

const MAX_SOCKET_PATH = 100; // sun_path is 108 bytes on Linux, 104 on macOS

/** How often a process using the private server checks that it still answers. */
const WATCH_INTERVAL_MS = 1000;

export async function useRedis(
  config: { redisUrl?: string; dataDir: string },
  options: { onRestart?: () => void } = {},
): Promise<RedisService> {
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
  const lockKey = `redis:${socket}`;
  const pidFile = join(dir, 'redis.pid');
  const ensureRunning = () =>
    withMachineLock(lockKey, async () => {
      if (await answers(connection)) return false;
      // A second server on the same socket would split the queue in two: one that is alive but
      // not answering (loading its AOF, or swamped) is given time, and only replaced if it hangs.
      const running = redisPid(pidFile);
      if (running) {
        for (let i = 0; i < 60 && redisPid(pidFile) === running; i++) {
          if (await answers(connection)) return false;
          await sleep(500);
        }
        if (redisPid(pidFile) === running) {
          process.kill(running, 'SIGKILL');
          for (let i = 0; i < 50 && redisPid(pidFile) === running; i++) await sleep(100);
        }
      }
      await waitUntilAnswering(connection, startServer(dir, socket, pidFile));
      return true;
    });
  if (!(await answers(connection))) await ensureRunning();
  let checking = false;
  const watchdog = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      if (!(await answers(connection)) && (await ensureRunning())) options.onRestart?.();
    } catch {
      // Tried again on the next tick.
    } finally {
      checking = false;
    }
  }, WATCH_INTERVAL_MS);
  watchdog.unref();
  return {
    connection,
    async release() {
      clearInterval(watchdog);
      // Under the lock, so of several processes leaving at once the last one sees the others gone.
      await withMachineLock(lockKey, async () => {
        const control = oneShotClient(connection);
        try {
          await control.connect();
          // Our own queues and workers are closed by now; this client is the only one left if no
          // other bulletin process is using the server. A client that just left can linger a moment.
          const others = async () =>
            String(await control.call('CLIENT', 'LIST', 'TYPE', 'normal'))
              .trim()
              .split('\n').length - 1;
          if ((await others()) > 0 && (await new Promise((r) => setTimeout(r, 300)).then(others)) > 0) return;
          await control.call('SHUTDOWN').catch(() => {}); // the answer is the connection closing
          for (let i = 0; i < 100 && (await answers(connection)); i++)
            await new Promise((r) => setTimeout(r, 50));
        } catch {
          // Already gone.
        } finally {
          control.disconnect();
        }
      }).catch(() => {});
    },
  };
}

/** Where Redis is, for messages: host:port, or the private server's socket; never a password. */
export function redisWhere(connection: RedisConnection): string {
  if ('path' in connection) return connection.path;
  const url = new URL(connection.url);
  return `${url.hostname}:${url.port || '6379'}`;
}

/** Replies that say Redis answered and refused us: waiting will not change them. */
export const REDIS_REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b/;

/**
 * Asks Redis for a PING with clients that do not retry by themselves: an answer, or one line
 * within DEPENDENCY_ANSWER_TIMEOUT_MS saying where Redis was looked for and why it did not do
 * (refused or no answer).
 */
export async function reachRedis(connection: RedisConnection): Promise<void> {
  const { url, ...options } = connection as { url?: string; path?: string };
  const deadline = performance.now() + DEPENDENCY_ANSWER_TIMEOUT_MS;
  let failure: Error | undefined;
  // A server restarting is waited for until the deadline; one that refuses us is not.
  while (performance.now() < deadline) {
    const oneShot = {
      ...options,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: Math.max(250, Math.ceil(deadline - performance.now())),
    };
    const probe = url ? new Redis(url, oneShot) : new Redis(oneShot);
    let emitted: Error | undefined; // the cause; connect() itself only says "Connection is closed."
    probe.on('error', (err) => {
      emitted ??= err;
    });
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      failure = REDIS_REFUSED.test((err as Error).message) ? (err as Error) : (emitted ?? (err as Error));
      if (REDIS_REFUSED.test(failure.message)) redisStartupFailure(connection, failure);
    } finally {
      probe.disconnect();
    }
    await sleep(250);
  }
  redisStartupFailure(connection, failure);
}

/** Redis did not answer at start, or refused us: one line saying where and why. */
export function redisStartupFailure(connection: RedisConnection, err: Error | undefined): never {
  const where = redisWhere(connection);
  if (err && REDIS_REFUSED.test(err.message))
    fail('redis-refused', { where, reason: err.message.replace(/\s+/g, ' ').replace(/\.$/, '') });
  fail('redis-unreachable', {
    where,
    reason: err ? (/\b(E[A-Z]{3,})\b/.exec(err.message)?.[1] ?? err.message) : 'no answer',
    private: 'path' in connection,
  });
}

/** The pid of the live redis-server named in its pid file, if any. */
function redisPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (!pid) return undefined;
    process.kill(pid, 0);
    if (process.platform === 'linux') {
      // Not a zombie, and not another program that got the pid since.
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return undefined;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')) return undefined;
    }
    return pid;
  } catch {
    return undefined;
  }
}

function startServer(dir: string, socket: string, pidFile: string): ChildProcess {
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
      '--pidfile',
      pidFile,
    ],
    // Its own session: it outlives its starter and ignores signals sent to the starter's group.
    { stdio: 'ignore', detached: true },
  );
  child.once('error', () => {}); // reported by waitUntilAnswering
  child.unref();
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
  for (let attempt = 0; attempt < 600; attempt++) {
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
    'redis-server did not answer within 30 seconds.',
    `See ${join(connection.path, '..', 'redis.log')}.`,
  );
}
