import { describe, expect, it } from 'vitest';
import { batchJobId, openDeliveryQueue } from '../../src/queue/delivery-queue.ts';
import { checkRedisEviction } from '../../src/queue/index.ts';
import { queueRedis } from '../support/queue-redis.ts';

const redis = queueRedis();

describe('the delivery queue', () => {
  it('names jobs after their batch, so adding one twice keeps one; job data is ids only', async () => {
    expect(batchJobId({ campaignId: 12, batch: 7, round: 0 })).toBe('campaign-12-batch-7');
    expect(batchJobId({ campaignId: 12, batch: 7, round: 2 })).toBe('campaign-12-batch-7-round-2');
    const queue = openDeliveryQueue(redis.connection, { attempts: 3, backoffMs: 1000 });
    try {
      expect(await queue.hasJobs()).toBe(false);
      await queue.add([
        { campaignId: 12, batch: 7, round: 0 },
        { campaignId: 12, batch: 8, round: 0 },
      ]);
      await queue.add([{ campaignId: 12, batch: 7, round: 0 }]);
      expect(await queue.hasJobs()).toBe(true);
      const jobs = await redis.inspect.getJobs(['waiting']);
      expect(jobs.map((j) => [j.id, j.data]).sort()).toEqual([
        ['campaign-12-batch-7', { campaignId: 12, batch: 7 }],
        ['campaign-12-batch-8', { campaignId: 12, batch: 8 }],
      ]);
      // The retry policy: attempts, exponential backoff with jitter, nothing kept once finished.
      expect(jobs[0]?.opts).toMatchObject({
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
        removeOnComplete: true,
        removeOnFail: true,
      });
    } finally {
      await redis.inspect.obliterate({ force: true });
      await queue.close();
    }
  });

  it('refuses a job that is not a batch before it reaches Redis', async () => {
    const queue = openDeliveryQueue(redis.connection, { attempts: 1, backoffMs: 1000 });
    try {
      await expect(queue.add([{ campaignId: 0, batch: 1, round: 0 }])).rejects.toThrow();
      await expect(queue.add([{ campaignId: 1, batch: 1.5, round: 0 }])).rejects.toThrow();
      expect(await queue.hasJobs()).toBe(false);
    } finally {
      await queue.close();
    }
  });
});

describe('the queue connection', () => {
  it('warns when Redis may evict keys', async () => {
    expect(await checkRedisEviction(redis.connection)).toBeUndefined();
    await redis.connection.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await checkRedisEviction(redis.connection)).toMatchObject({
        code: 'redis-eviction',
        severity: 'warning',
      });
    } finally {
      await redis.connection.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
