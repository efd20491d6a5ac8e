// What the delivery and worker tests share: a redis-server of their own (no persistence, so a
// restart really loses the queue), subscribers seeded in bulk or with their choices, the
// configuration to reach them, and the copies a sink received, parsed.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type ParsedMail, simpleParser } from 'mailparser';
import pino from 'pino';
import { publishIssue } from '../../src/campaigns/publish.ts';
import { watchCampaign } from '../../src/campaigns/watch.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { DEFAULT_SETTINGS, type DeliverySettings, openDelivery } from '../../src/delivery/runtime.ts';
import type { Issue } from '../../src/issue/model.ts';
import type { Queryable } from '../../src/store/db.ts';
import { freePort } from '../support/ports.ts';
import { startFaultySink } from '../support/smtp-faults.ts';

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

type Language = string | null;
type Format = 'html' | 'text' | 'notice';
type Pdf = 'attach' | 'link' | null;
/** What a reader chose: [language, format, pdf] (null: the publication's default). */
export type ReaderChoices = readonly [Language, Format, Pdf];

/**
 * Confirmed readers of global-eye who chose as given (address → choices) in a database of their
 * own; issue 005 (and its `translations`) published to them and delivered over real SMTP to a sink
 * by a worker in this process until done. The delivery stays open for the test to inspect.
 */
export async function deliverToReaders(
  services: { redisUrl: string; databaseUrl: string },
  /** Address → choices, and anything the test adds after them. */
  readers: Readonly<Record<string, readonly [Language, Format, Pdf, ...unknown[]]>>,
  issue: Issue,
  translations: readonly Issue[] = [],
) {
  const sink = await startFaultySink({});
  const config = testConfig({ ...services, smtpUrl: sink.url });
  const delivery = await openDelivery(config, TEST_SETTINGS, silentLogger);
  const close = async () => {
    await delivery.close();
    await sink.close();
  };
  try {
    for (const [email, [language, format, pdf]] of Object.entries(readers))
      await delivery.db.query(
        `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at,
           consent_method, language, format, pdf)
         VALUES ('global-eye', $1, 'confirmed', 'import', now(), now(), now(), 'cli', $2, $3, $4)`,
        [email, language, format, pdf],
      );
    const { campaign } = await publishIssue(delivery, issue, {
      dataDir: config.dataDir,
      publicUrl: PUBLIC_URL,
      batchSize: 3,
      resendFailed: false,
      now: new Date(),
      translations,
    });
    delivery.startWorker();
    const finished = await watchCampaign(delivery.db, campaign.id, () => {}, 100);
    if (finished.status !== 'done') throw new Error(`campaign ${campaign.id} ended ${finished.status}`);
    return { delivery, campaign, received: sink.received, copies: await parsedCopies(sink.received), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Every message a sink received, parsed, by recipient. */
export async function parsedCopies(
  received: ReadonlyArray<{ to: string; raw: Buffer }>,
): Promise<Map<string, { raw: Buffer; parsed: ParsedMail }>> {
  return new Map(
    await Promise.all(
      received.map(async (m) => [m.to, { raw: m.raw, parsed: await simpleParser(m.raw) }] as const),
    ),
  );
}
