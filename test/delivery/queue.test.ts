import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchJobId,
  checkRedisEviction,
  enqueueBatches,
  openDeliveryQueue,
  reconcile,
} from '../../src/campaigns/queue.ts';
import { createCampaign } from '../../src/campaigns/store.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type RedisProcess, seedSubscribers, startRedisProcess } from './harness.ts';

let redis: RedisProcess;
let postgres: PostgresServer;
let db: Db;
let connection: Redis;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisProcess(), startPostgres()]);
  db = openPostgres(await postgres.createDatabase());
  await migrate(db);
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  connection?.disconnect();
  await db?.close();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

describe('the delivery queue', () => {
  it('holds one job per batch, ids only, and enqueueing again adds nothing', async () => {
    await seedSubscribers(db, 'global-eye', 1001);
    const { campaign } = await createCampaign(
      db,
      {
        publication: 'global-eye',
        issueNumber: 5,
        issueCode: '005',
        subject: 's',
        html: '<p>h</p>',
        text: 't',
        listName: 'The Global Eye',
        listAddress: 'globaleye@example.org',
        publicUrl: 'https://bulletin.example.org',
        batchSize: 100,
      },
      new Date(),
    );
    expect(campaign.recipients).toBe(1001);
    const queue = openDeliveryQueue(connection, { attempts: 3, backoffMs: 1000 });
    try {
      expect(await enqueueBatches(db, queue, campaign, 4)).toBe(11);
      expect(await enqueueBatches(db, queue, campaign, 4)).toBe(11);
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs).toHaveLength(11);
      expect(jobs.map((j) => j.id).sort()).toEqual(
        Array.from({ length: 11 }, (_, batch) => batchJobId(campaign, batch)).sort(),
      );
      expect(jobs[0]?.data).toEqual({ campaignId: campaign.id, batch: expect.any(Number) });
      expect(batchJobId({ id: 12, round: 0 }, 7)).toBe('campaign-12-batch-7');
      expect(batchJobId({ id: 12, round: 2 }, 7)).toBe('campaign-12-batch-7-round-2');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('offers again a batch left submitting with an expired lease whose job is gone, even with a busy queue', async () => {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM campaigns ORDER BY id LIMIT 1');
    const campaign = { id: rows[0]?.id as number, round: 0 };
    const queue = openDeliveryQueue(connection, { attempts: 3, backoffMs: 1000 });
    try {
      // Batch 3's worker died and its job vanished (Redis lost it, or it ran out of attempts while
      // the database was down); batch 4 is held by a live worker; other work is waiting.
      await db.query(
        `UPDATE campaign_batches SET status = 'submitting', lease_until = now() - interval '1 minute'
         WHERE campaign_id = $1 AND batch = 3`,
        [campaign.id],
      );
      await db.query(
        `UPDATE campaign_batches SET status = 'submitting', lease_until = now() + interval '1 minute'
         WHERE campaign_id = $1 AND batch = 4`,
        [campaign.id],
      );
      await queue.add('batch', { campaignId: campaign.id, batch: 0 }, { jobId: batchJobId(campaign, 0) });
      await reconcile(db, queue);
      const ids = (await queue.getJobs(['waiting'])).map((j) => j.id).sort();
      expect(ids).toEqual([batchJobId(campaign, 0), batchJobId(campaign, 3)].sort());
      // Offered again, nothing more: the job is there once.
      await reconcile(db, queue);
      expect(await queue.getJobs(['waiting'])).toHaveLength(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('warns when Redis may evict keys', async () => {
    expect(await checkRedisEviction(connection)).toBeUndefined();
    await connection.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await checkRedisEviction(connection)).toMatchObject({
        code: 'redis-eviction',
        severity: 'warning',
      });
    } finally {
      await connection.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
