// Crash safety with real processes: `bulletin worker` killed with SIGKILL mid-campaign and started
// again, and Redis killed and restarted empty mid-campaign. Nobody may be missed; duplicates are
// bounded by what the workers had in hand (README: concurrency × batch size per crashed worker).

import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishIssue } from '../../src/campaigns/publish.ts';
import { campaignProgress, getCampaign } from '../../src/campaigns/store.ts';
import type { Config } from '../../src/config.ts';
import { openDelivery } from '../../src/delivery/runtime.ts';
import { loadIssue } from '../../src/issue/load.ts';
import type { Db } from '../../src/store/db.ts';
import { BIN } from '../support/cli.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';
import {
  deliveryCounts,
  PUBLIC_URL,
  type RedisProcess,
  seedSubscribers,
  silentLogger,
  startRedisProcess,
  TEST_SETTINGS,
  testConfig,
} from './harness.ts';

const SUBSCRIBERS = 600;
const CONCURRENCY = 2;
const BATCH_SIZE = 25;
/** What one crashed worker may send twice: every batch in hand, sent but not yet recorded. */
const DUPLICATE_BOUND = CONCURRENCY * BATCH_SIZE;

let postgres: PostgresServer;
let redis: RedisProcess;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisProcess(), startPostgres()]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** The workers' logs (they expect errors while Redis is down), shown only when a wait times out. */
const workerLogs: string[] = [];

/** `bulletin worker` as operators run it, with short leases so a dead worker's batches come back fast. */
function startWorker(config: Config): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--concurrency',
      String(CONCURRENCY),
      '--connections',
      '4',
      '--lock-ms',
      '1500',
      '--backoff-ms',
      '100',
      '--reconcile-ms',
      '1000',
    ],
    {
      env: {
        ...process.env,
        BULLETIN_DATA_DIR: config.dataDir,
        DATABASE_URL: config.databaseUrl,
        REDIS_URL: config.redisUrl,
        SMTP_URL: config.smtpUrl,
        BULLETIN_SECRET: config.secret,
        PUBLIC_URL: config.publicUrl,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk) => workerLogs.push(String(chunk)));
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; worker logs:\n${workerLogs.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Publishes issue 005 to SUBSCRIBERS readers without running a worker (`publish --detach`). */
async function detachedCampaign(sink: FaultySink) {
  const config = testConfig({
    redisUrl: redis.url,
    smtpUrl: sink.url,
    databaseUrl: await postgres.createDatabase(),
  });
  const delivery = await openDelivery(config, { ...TEST_SETTINGS, batchSize: BATCH_SIZE }, silentLogger);
  await seedSubscribers(delivery.db, 'global-eye', SUBSCRIBERS);
  const { issue } = loadIssue('issues/global-eye/005.md');
  if (!issue) throw new Error('issue 005 does not load');
  const { campaign } = await publishIssue(delivery, issue, {
    dataDir: config.dataDir,
    publicUrl: PUBLIC_URL,
    batchSize: BATCH_SIZE,
    resendFailed: false,
    now: new Date(),
  });
  return { config, delivery, campaign };
}

const sentSoFar = async (db: Db, campaignId: number) => {
  const campaign = await getCampaign(db, campaignId);
  return campaign ? (await campaignProgress(db, campaign)).counts.sent : 0;
};

/** Everyone received the issue at least once; returns how many copies were extra. */
function duplicates(sink: FaultySink): number {
  const copies = new Map<string, number>();
  for (const m of sink.received) copies.set(m.to, (copies.get(m.to) ?? 0) + 1);
  expect(copies.size).toBe(SUBSCRIBERS);
  return sink.received.length - copies.size;
}

describe('crash safety', () => {
  it('a worker killed with SIGKILL mid-campaign: its replacement finishes, nobody is missed', {
    timeout: 90_000,
  }, async () => {
    const sink = await startFaultySink({ latencyMs: 15 });
    const { config, delivery, campaign } = await detachedCampaign(sink);
    let worker = startWorker(config);
    try {
      await waitFor(
        'a third of the campaign',
        async () => (await sentSoFar(delivery.db, campaign.id)) >= SUBSCRIBERS / 3,
      );
      await kill(worker, 'SIGKILL');
      const sentAtCrash = sink.received.length;
      worker = startWorker(config);
      await waitFor(
        'the campaign to finish',
        async () => (await getCampaign(delivery.db, campaign.id))?.status === 'done',
      );
      expect(sentAtCrash).toBeLessThan(SUBSCRIBERS);
      const extra = duplicates(sink);
      expect(extra).toBeLessThanOrEqual(DUPLICATE_BOUND);
      expect(await deliveryCounts(delivery.db, campaign.id)).toEqual({ sent: SUBSCRIBERS });
      // Drains on SIGTERM: exits cleanly.
      await kill(worker, 'SIGTERM');
      expect(worker.exitCode).toBe(0);
    } finally {
      await kill(worker, 'SIGKILL');
      await delivery.close();
      await sink.close();
    }
  });

  it('Redis killed and restarted empty mid-campaign: the queue is rebuilt from the database', {
    timeout: 90_000,
  }, async () => {
    const sink = await startFaultySink({ latencyMs: 15 });
    const { config, delivery, campaign } = await detachedCampaign(sink);
    const worker = startWorker(config);
    try {
      await waitFor(
        'a third of the campaign',
        async () => (await sentSoFar(delivery.db, campaign.id)) >= SUBSCRIBERS / 3,
      );
      await redis.kill();
      await new Promise((r) => setTimeout(r, 500));
      await redis.start();
      await waitFor(
        'the campaign to finish',
        async () => (await getCampaign(delivery.db, campaign.id))?.status === 'done',
      );
      const extra = duplicates(sink);
      expect(extra).toBeLessThanOrEqual(DUPLICATE_BOUND);
      expect(await deliveryCounts(delivery.db, campaign.id)).toEqual({ sent: SUBSCRIBERS });
    } finally {
      await kill(worker, 'SIGKILL');
      await delivery.close();
      await sink.close();
    }
  });
});
