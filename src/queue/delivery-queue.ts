// The `delivery` queue: one job per campaign batch, carrying ids only, with a deterministic job id
// so enqueueing twice (a second `publish`, a reconcile after Redis lost its data) adds nothing.
// The database is the plan; Redis only says which batches to work on next (src/campaigns/enqueue.ts
// decides which).

import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DELIVERY_QUEUE } from './index.ts';

/** A job's data as it crosses Redis: checked when added and again when a worker takes it. */
export const batchJobData = z.strictObject({
  campaignId: z.number().int().positive(),
  batch: z.number().int().nonnegative(),
});
export type BatchJobData = z.infer<typeof batchJobData>;

/** A batch to work on; `round` counts `--resend-failed` passes and only tells job ids apart. */
export interface BatchJob extends BatchJobData {
  round: number;
}

export interface RetryPolicy {
  /** Attempts per batch; temporary failures left after the last one are marked failed. */
  attempts: number;
  /** First retry after about this long, doubling each time, with ±50% jitter. */
  backoffMs: number;
}

export interface DeliveryQueue {
  /** One job per batch, in one round trip; a job whose id is already queued is left as it is. */
  add(jobs: readonly BatchJob[]): Promise<void>;
  /** Whether any job is waiting, running or delayed. */
  hasJobs(): Promise<boolean>;
  /** Worker connections listening on the queue now (`bulletin worker` processes, in-process workers). */
  workerCount(): Promise<number>;
  close(): Promise<void>;
}

/**
 * `campaign-12-batch-7`; after `--resend-failed`, `campaign-12-batch-7-round-1`. (BullMQ refuses
 * ":" in custom ids: it separates the parts of its own keys.)
 */
export function batchJobId(job: BatchJob): string {
  return `campaign-${job.campaignId}-batch-${job.batch}${job.round ? `-round-${job.round}` : ''}`;
}

export function openDeliveryQueue(
  connection: Redis,
  retry: RetryPolicy,
  onError: (err: Error) => void = () => {},
): DeliveryQueue {
  const queue = new Queue<BatchJobData, unknown, 'batch'>(DELIVERY_QUEUE, {
    connection,
    defaultJobOptions: jobOptions(retry),
  });
  queue.on('error', onError);
  return {
    async add(jobs) {
      await queue.addBulk(
        jobs.map((job) => ({
          name: 'batch' as const,
          data: batchJobData.parse({ campaignId: job.campaignId, batch: job.batch }),
          opts: { jobId: batchJobId(job) },
        })),
      );
    },
    async hasJobs() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).some((n) => n > 0);
    },
    async workerCount() {
      return (await queue.getWorkers()).length;
    },
    close: () => queue.close(),
  };
}

function jobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    // Finished jobs are forgotten, failed ones too: Redis memory stays flat, and a batch that ran
    // out of attempts (the database was down, say) can be enqueued again under the same id by
    // reconcile. The database keeps the record; the logs keep the errors.
    removeOnComplete: true,
    removeOnFail: true,
  };
}
