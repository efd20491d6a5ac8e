import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type BatchJobData, openDeliveryQueue } from '../../src/queue/delivery-queue.ts';
import { type BatchJobOutcome, startDeliveryWorker } from '../../src/queue/delivery-worker.ts';
import { queueRedis } from '../support/queue-redis.ts';

const redis = queueRedis();

describe('the delivery worker', () => {
  it('turns each batch outcome into what the queue does: retry with backoff, delay, give up, done', async () => {
    const calls: { batch: number; last: boolean }[] = [];
    // Batch 1 is deferred once then done; batch 2's campaign is gone; batch 3 is held once by
    // another worker; batch 4 is paused.
    const script: Record<number, BatchJobOutcome[]> = {
      1: [
        { kind: 'retry', deferred: 2, reason: '451 later' },
        { kind: 'done', sent: 10 },
      ],
      2: [{ kind: 'gone' }],
      3: [
        { kind: 'held', retryInMs: 50 },
        { kind: 'done', sent: 10 },
      ],
      4: [{ kind: 'paused' }],
    };
    let reconciled = 0;
    const queue = openDeliveryQueue(redis.connection, { attempts: 3, backoffMs: 20 });
    const worker = startDeliveryWorker({
      connection: redis.connection,
      async deliver(job: BatchJobData, attempt) {
        calls.push({ batch: job.batch, last: attempt.last });
        return script[job.batch]?.shift() ?? { kind: 'done', sent: 0 };
      },
      async reconcile() {
        reconciled++;
        return 0;
      },
      logger: pino({ level: 'silent' }),
      options: { concurrency: 2, lockDurationMs: 30_000, reconcileIntervalMs: 60_000 },
    });
    try {
      await queue.add([1, 2, 3, 4].map((batch) => ({ campaignId: 5, batch, round: 0 })));
      // A job that is not a batch (written to Redis by something else) fails without a call.
      await redis.inspect.add('batch', { campaignId: 'five' } as never, { jobId: 'stray', attempts: 3 });
      await expect.poll(() => queue.hasJobs(), { timeout: 15_000 }).toBe(false);
      expect(await queue.workerCount()).toBeGreaterThan(0);
      const byBatch = (batch: number) => calls.filter((c) => c.batch === batch).map((c) => c.last);
      expect(byBatch(1)).toEqual([false, false]); // retried once, done on the second of 3 attempts
      expect(byBatch(2)).toEqual([false]); // gone: not retried
      expect(byBatch(3)).toEqual([false, false]); // held: delayed, not counted as an attempt
      expect(byBatch(4)).toEqual([false]);
      expect(calls).toHaveLength(6);
      expect(reconciled).toBe(1); // once at start, then every reconcileIntervalMs
    } finally {
      await worker.close();
      await queue.close();
      await redis.inspect.obliterate({ force: true });
    }
  });
});
