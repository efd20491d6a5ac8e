// Scheduled campaigns on a real PostgreSQL and Redis, delivered by real workers to an SMTP sink:
// recorded with their wake-up job, moved and cancelled; readers taken at their time; editions
// online only then; a Redis that lost the wake-up refilled from the rows; a sending window that
// holds the batches until it opens.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignInput, publishIssue } from '../../src/campaigns/publish.ts';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import {
  cancelScheduled,
  listScheduled,
  moveScheduled,
  scheduleCampaign,
} from '../../src/campaigns/schedule.ts';
import { type Campaign, getCampaign } from '../../src/campaigns/store.ts';
import { parseWindow } from '../../src/campaigns/window.ts';
import { type Clock, systemClock, testClock } from '../../src/clock.ts';
import { type Delivery, openDelivery } from '../../src/delivery/runtime.ts';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { BulletinError } from '../../src/problems.ts';
import { DELIVERY_QUEUE, SCHEDULE_QUEUE } from '../../src/queue/index.ts';
import { wakeJobId } from '../../src/queue/schedule-queue.ts';
import { type Editions, renderEditions } from '../../src/render/editions.ts';
import { unsubscribe } from '../../src/subscribers/store.ts';
import {
  PUBLIC_URL,
  type RedisProcess,
  seedSubscribers,
  silentLogger,
  startRedisProcess,
  subscriberIds,
  TEST_SETTINGS,
  testConfig,
} from '../delivery/harness.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';

const DAY = 86_400_000;
let redis: RedisProcess;
let postgres: PostgresServer;
let sink: FaultySink;
let issue: Issue;
let editions: Editions;

beforeAll(async () => {
  [redis, postgres, sink] = await Promise.all([startRedisProcess(), startPostgres(), startFaultySink()]);
  const loaded = loadIssue('issues/global-eye/005.md');
  if (!loaded.issue) throw new Error('issue 005 does not load');
  issue = loaded.issue;
  editions = await renderEditions(issue, { publicUrl: PUBLIC_URL });
}, 120_000);
afterAll(async () => {
  await Promise.all([sink?.close(), redis?.stop(), postgres?.stop()]);
});

/** A fresh installation on the shared Redis (emptied) and a database of its own. */
async function installation(clock: Clock = systemClock) {
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
  sink.received.length = 0;
  const config = testConfig({
    redisUrl: redis.url,
    smtpUrl: sink.url,
    databaseUrl: await postgres.createDatabase(),
  });
  const open = () => openDelivery(config, { ...TEST_SETTINGS, batchSize: 2 }, silentLogger, clock);
  return { config, open, clock };
}

const input = (window?: string) =>
  campaignInput([issue], new Map([[issue.language, editions]]), {
    publicUrl: PUBLIC_URL,
    batchSize: 2,
    window: window
      ? { ...(parseWindow(window) as { startMinute: number; endMinute: number }), timeZone: 'Europe/Zurich' }
      : undefined,
  });

/** The default language's edition files, as a scheduled campaign keeps them. */
const defaultFiles = () => [{ files: editions.files }];

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const done = (delivery: Delivery, id: number) =>
  until(`campaign ${id} done`, async () => {
    const campaign = await getCampaign(delivery.db, id);
    return campaign?.status === 'done' ? campaign : undefined;
  });

async function count(delivery: Delivery, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await delivery.db.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n);
}

describe('a scheduled campaign', () => {
  it('is recorded with its editions and a delayed wake-up, and can be listed, moved and cancelled', {
    timeout: 60_000,
  }, async () => {
    const { config, open } = await installation();
    const delivery = await open();
    const inspect = new Queue(SCHEDULE_QUEUE, { connection: { url: redis.url } });
    try {
      const deps = { db: delivery.db, schedule: delivery.schedule };
      const now = new Date();
      const at = new Date(now.getTime() + DAY);
      const { campaign, created } = await scheduleCampaign(deps, input(), defaultFiles(), {
        at,
        timeZone: 'Europe/Zurich',
        now,
      });
      expect(created).toBe(true);
      expect(campaign).toMatchObject({
        status: 'scheduled',
        scheduledAt: at,
        timeZone: 'Europe/Zurich',
        recipients: 0,
      });
      expect(await count(delivery, 'SELECT count(*) AS n FROM deliveries', [])).toBe(0);
      expect(
        await count(delivery, 'SELECT count(*) AS n FROM campaign_files WHERE campaign_id = $1', [
          campaign.id,
        ]),
      ).toBe(editions.files.length);
      // Not online before its time: nothing under the site's editions.
      expect(existsSync(join(editionsRoot(config.dataDir), 'global-eye', '005'))).toBe(false);
      const job = await inspect.getJob(wakeJobId({ campaignId: campaign.id, at }));
      expect(await job?.getState()).toBe('delayed');
      expect(job?.opts.delay).toBeGreaterThan(DAY - 60_000);

      expect((await listScheduled(delivery.db)).map((c) => c.id)).toEqual([campaign.id]);
      const again = await scheduleCampaign(deps, input(), defaultFiles(), { at, timeZone: 'UTC', now });
      expect(again).toMatchObject({ created: false, campaign: { id: campaign.id, status: 'scheduled' } });

      const later = new Date(at.getTime() + DAY);
      const moved = await moveScheduled(deps, campaign.id, { at: later, timeZone: 'America/New_York', now });
      expect(moved).toMatchObject({ scheduledAt: later, timeZone: 'America/New_York' });
      expect(await inspect.getJob(wakeJobId({ campaignId: campaign.id, at }))).toBeUndefined();
      expect(
        await (await inspect.getJob(wakeJobId({ campaignId: campaign.id, at: later })))?.getState(),
      ).toBe('delayed');

      const past = moveScheduled(deps, campaign.id, { at: new Date(now.getTime() - 60_000), now });
      await expect(past).rejects.toBeInstanceOf(BulletinError);
      await expect(past).rejects.toMatchObject({ problems: [{ code: 'schedule-in-past' }] });

      const cancelled = await cancelScheduled(deps, campaign.id, now);
      expect(cancelled).toMatchObject({ status: 'cancelled', statusReason: 'cancelled before its time' });
      expect(await inspect.getJob(wakeJobId({ campaignId: campaign.id, at: later }))).toBeUndefined();
      expect(await count(delivery, 'SELECT count(*) AS n FROM campaign_files', [])).toBe(0);
      expect(await listScheduled(delivery.db)).toEqual([]);
      await expect(cancelScheduled(deps, campaign.id, now)).rejects.toMatchObject({
        problems: [{ code: 'not-scheduled' }],
      });
      // Nothing was sent: the issue can be scheduled again.
      const rescheduled = await scheduleCampaign(deps, input(), defaultFiles(), { at, timeZone: 'UTC', now });
      expect(rescheduled.created).toBe(true);
      expect(rescheduled.campaign.id).not.toBe(campaign.id);
    } finally {
      await inspect.close();
      await delivery.close();
    }
  });

  it('takes its readers at its time: one confirmed since receives it, one who left does not; its editions go online then', {
    timeout: 90_000,
  }, async () => {
    const { config, open } = await installation();
    const delivery = await open();
    try {
      await seedSubscribers(delivery.db, 'global-eye', 3);
      const ids = await subscriberIds(delivery.db, 'global-eye');
      const now = new Date();
      // With a translation's files, which go online under its language's folder.
      const { campaign } = await scheduleCampaign(
        { db: delivery.db, schedule: delivery.schedule },
        input(),
        [
          ...defaultFiles(),
          { translation: 'fr', files: [{ name: 'index.html', contents: '<h1>Cinq</h1>', ms: 0 }] },
        ],
        { at: new Date(now.getTime() + 3000), timeZone: 'UTC', now },
      );
      // After scheduling, before its time: one reader leaves, another is confirmed.
      await unsubscribe(delivery.db, ids.get('r000002@example.net') as number, new Date());
      await delivery.db.query(
        `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at, confirmed_at, consent_method)
         VALUES ('global-eye', 'late@example.org', 'confirmed', 'web', now(), now(), now(), 'web')`,
      );
      delivery.startWorker();
      delivery.startScheduler();
      const folder = join(editionsRoot(config.dataDir), 'global-eye', '005');
      expect(existsSync(folder)).toBe(false);
      const finished = await done(delivery, campaign.id);
      expect(finished.recipients).toBe(3);
      expect(sink.received.map((m) => m.to).sort()).toEqual([
        'late@example.org',
        'r000001@example.net',
        'r000003@example.net',
      ]);
      expect(existsSync(join(folder, 'index.html'))).toBe(true);
      expect(existsSync(join(folder, 'global-eye-005.pdf'))).toBe(true);
      expect(
        readFileSync(join(editionsRoot(config.dataDir), 'global-eye', 'fr', '005', 'index.html'), 'utf8'),
      ).toBe('<h1>Cinq</h1>');
      expect(
        await count(delivery, `SELECT count(*) AS n FROM edition_files WHERE issue = 'fr/005'`, []),
      ).toBe(1);
      // The site's feeds date it from when it came online, not from when it was rendered.
      const record = JSON.parse(readFileSync(join(folder, 'site.json'), 'utf8')) as { renderedAt: string };
      expect(Date.parse(record.renderedAt)).toBeGreaterThanOrEqual(now.getTime() + 3000);
      expect(await count(delivery, 'SELECT count(*) AS n FROM campaign_files', [])).toBe(0);
    } finally {
      await delivery.close();
    }
  });

  it('is sent even when Redis lost its wake-up: a restarted worker re-creates it from the row', {
    timeout: 90_000,
  }, async () => {
    const { open } = await installation();
    let delivery = await open();
    let campaign: Campaign;
    try {
      await seedSubscribers(delivery.db, 'global-eye', 5);
      const now = new Date();
      ({ campaign } = await scheduleCampaign(
        { db: delivery.db, schedule: delivery.schedule },
        input(),
        defaultFiles(),
        { at: new Date(now.getTime() + 1500), timeZone: 'UTC', now },
      ));
    } finally {
      await delivery.close();
    }
    // Redis dies and comes back empty (no persistence), and the time passes with no worker running.
    await redis.kill();
    await redis.start();
    await new Promise((r) => setTimeout(r, 2000));
    const client = new Redis(redis.url);
    expect(await client.dbsize()).toBe(0);
    client.disconnect();

    delivery = await open();
    try {
      delivery.startWorker();
      delivery.startScheduler();
      expect((await done(delivery, campaign.id)).recipients).toBe(5);
      expect(sink.received).toHaveLength(5);
    } finally {
      await delivery.close();
    }
  });

  it('with a sending window closed now sends nothing; once the window opens, everything is sent', {
    timeout: 90_000,
  }, async () => {
    // 03:00 in Zurich, the window 08:00-18:00 there.
    const clock = testClock(new Date('2026-12-01T02:00:00Z'));
    const { config, open } = await installation(clock);
    const delivery = await open();
    const inspect = new Queue(DELIVERY_QUEUE, { connection: { url: redis.url } });
    try {
      await seedSubscribers(delivery.db, 'global-eye', 6);
      const { campaign } = await publishIssue(delivery, issue, {
        dataDir: config.dataDir,
        publicUrl: PUBLIC_URL,
        batchSize: 2,
        resendFailed: false,
        now: clock.date(),
        editions: new Map([[issue.language, editions]]),
        window: {
          ...(parseWindow('08:00-18:00') as { startMinute: number; endMinute: number }),
          timeZone: 'Europe/Zurich',
        },
      });
      delivery.startWorker();
      // Every batch is put off until the window opens, five hours on, and none is claimed.
      const delayed = await until('3 delayed batches', async () => {
        const jobs = await inspect.getJobs(['delayed']);
        return jobs.length === 3 ? jobs : undefined;
      });
      expect(delayed.map((job) => job.data.batch).sort()).toEqual([0, 1, 2]);
      // Two seconds on, they still wait: the worker does not poll them in and out.
      await new Promise((r) => setTimeout(r, 2000));
      expect(await inspect.getJobs(['delayed'])).toHaveLength(3);
      expect(sink.received).toHaveLength(0);
      expect(await count(delivery, `SELECT count(*) AS n FROM campaign_batches WHERE attempts > 0`, [])).toBe(
        0,
      );

      // 09:00 in Zurich: the window is open, and the delayed batches fall due.
      clock.set(new Date('2026-12-01T08:00:00Z'));
      await inspect.promoteJobs();
      expect((await done(delivery, campaign.id)).recipients).toBe(6);
      expect(sink.received).toHaveLength(6);
    } finally {
      await inspect.close();
      await delivery.close();
    }
  });
});
