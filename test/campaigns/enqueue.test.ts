import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueBatches, reconcile } from '../../src/campaigns/enqueue.ts';
import { createCampaign } from '../../src/campaigns/store.ts';
import { batchJobId, type DeliveryQueue, openDeliveryQueue } from '../../src/queue/delivery-queue.ts';
import { DELIVERY_QUEUE } from '../../src/queue/index.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { type RedisProcess, seedSubscribers, startRedisProcess } from '../delivery/harness.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';

let redis: RedisProcess;
let postgres: PostgresServer;
let db: Db;
let connection: Redis;
/** BullMQ's own view of the queue, to see what the adapter put there. */
let inspect: Queue;
let queue: DeliveryQueue;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisProcess(), startPostgres()]);
  db = openPostgres(await postgres.createDatabase());
  await migrate(db);
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  inspect = new Queue(DELIVERY_QUEUE, { connection });
  queue = openDeliveryQueue(connection, { attempts: 3, backoffMs: 1000 });
});
afterAll(async () => {
  await queue?.close();
  await inspect?.close();
  connection?.disconnect();
  await db?.close();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

describe('enqueueing a campaign', () => {
  it('offers one job per batch, a page at a time, and offering again adds nothing', async () => {
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
    try {
      expect(await enqueueBatches(db, queue, campaign, 4)).toBe(11);
      expect(await enqueueBatches(db, queue, campaign, 4)).toBe(11);
      const jobs = await inspect.getJobs(['waiting']);
      expect(jobs).toHaveLength(11);
      expect(jobs.map((j) => j.id).sort()).toEqual(
        Array.from({ length: 11 }, (_, batch) =>
          batchJobId({ campaignId: campaign.id, batch, round: 0 }),
        ).sort(),
      );
      expect(jobs[0]?.data).toEqual({ campaignId: campaign.id, batch: expect.any(Number) });
    } finally {
      await inspect.obliterate({ force: true });
    }
  });

  it('reconcile offers again a batch left submitting with an expired lease whose job is gone, even with a busy queue', async () => {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM campaigns ORDER BY id LIMIT 1');
    const campaignId = rows[0]?.id as number;
    const job = (batch: number) => batchJobId({ campaignId, batch, round: 0 });
    try {
      // Batch 3's worker died and its job vanished (Redis lost it, or it ran out of attempts while
      // the database was down); batch 4 is held by a live worker; other work is waiting.
      await db.query(
        `UPDATE campaign_batches SET status = 'submitting', lease_until = now() - interval '1 minute'
         WHERE campaign_id = $1 AND batch = 3`,
        [campaignId],
      );
      await db.query(
        `UPDATE campaign_batches SET status = 'submitting', lease_until = now() + interval '1 minute'
         WHERE campaign_id = $1 AND batch = 4`,
        [campaignId],
      );
      await queue.add([{ campaignId, batch: 0, round: 0 }]);
      expect(await reconcile(db, queue)).toBe(0);
      const ids = (await inspect.getJobs(['waiting'])).map((j) => j.id).sort();
      expect(ids).toEqual([job(0), job(3)].sort());
      // Offered again, nothing more: the job is there once.
      await reconcile(db, queue);
      expect(await inspect.getJobs(['waiting'])).toHaveLength(2);
    } finally {
      await inspect.obliterate({ force: true });
    }
  });

  it('reconcile refills a queue that Redis lost while the campaign is sending', async () => {
    // The queue is empty (obliterated above, as a Redis restarted without its data would be), and
    // batch 3 has a live worker again.
    await db.query(`UPDATE campaign_batches SET lease_until = now() + interval '1 minute' WHERE batch = 3`);
    expect(await queue.hasJobs()).toBe(false);
    const offered = await reconcile(db, queue);
    // Every batch not yet done: 11 batches, of which 3 and 4 are submitting (still unfinished).
    expect(offered).toBe(11);
    expect(await queue.hasJobs()).toBe(true);
    await inspect.obliterate({ force: true });
  });
});
