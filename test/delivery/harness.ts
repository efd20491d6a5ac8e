// What the delivery and worker tests share: a redis-server of their own (no persistence, so a
// restart really loses the queue), subscribers seeded in bulk, and the configuration to reach them.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { type Config, loadConfig } from '../../src/config.ts';
import { DEFAULT_SETTINGS, type DeliverySettings } from '../../src/delivery/runtime.ts';
import type { Queryable } from '../../src/store/db.ts';
import { freePort } from '../support/ports.ts';

export const SECRET = 'test-secret-test-secret-test-secret-0123';
export const PUBLIC_URL = 'https://bulletin.example.org';
export const silentLogger = pino({ level: 'silent' });

export interface RedisProcess {
  url: string;
  /** SIGKILL, as a crash: everything in memory is gone. */
  kill(): Promise<void>;
  /** A fresh, empty server on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
    throw new Error('redis-server did not start');
  };
  const kill = async () => {
    const dying = child;
    if (!dying || dying.exitCode !== null) return;
    const exited = new Promise((resolve) => dying.once('exit', resolve));
    dying.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url, kill, start, stop: kill };
}

export function testConfig(env: { redisUrl: string; smtpUrl: string; databaseUrl?: string }): Config {
  return loadConfig({
    BULLETIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'bulletin-delivery-')),
    PUBLIC_URL,
    REDIS_URL: env.redisUrl,
    SMTP_URL: env.smtpUrl,
    DATABASE_URL: env.databaseUrl,
    BULLETIN_SECRET: SECRET,
    LOG_LEVEL: 'silent',
  });
}

/** Fast retries and short leases, so faults resolve within a test's time. */
export const TEST_SETTINGS: DeliverySettings = {
  ...DEFAULT_SETTINGS,
  batchSize: 25,
  workerConcurrency: 2,
  connections: 4,
  backoffMs: 100,
  attempts: 10,
  lockDurationMs: 2000,
  reconcileIntervalMs: 1000,
  flushEvery: 10,
  flushIntervalMs: 200,
};

/** `n` confirmed subscribers r0001@example.net … of `publication`, in one statement. */
export async function seedSubscribers(db: Queryable, publication: string, n: number): Promise<void> {
  await db.query(
    `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
     SELECT $1, 'r' || lpad(i::text, 6, '0') || '@example.net', 'confirmed', 'import', now(), now(), now(), 'cli'
     FROM generate_series(1, $2) AS i`,
    [publication, n],
  );
}

export async function subscriberIds(db: Queryable, publication: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; email: string }>(
    'SELECT id, email FROM subscribers WHERE publication = $1',
    [publication],
  );
  return new Map(rows.map((r) => [r.email, Number(r.id)]));
}

export async function deliveryCounts(db: Queryable, campaignId: number): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM deliveries WHERE campaign_id = $1 GROUP BY status',
    [campaignId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
