// The BullMQ side of a campaign: one job per batch, carrying ids only, with a deterministic job id
// so enqueueing twice (a second `publish`, a reconcile after Redis lost its data) adds nothing.
// The database is the plan; Redis only says which batches to work on next.

import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Problem, warning } from '../problems.ts';
import type { Queryable } from '../store/db.ts';
import { type Campaign, campaignsWithStatus, expiredBatches, openBatches } from './store.ts';

export const DELIVERY_QUEUE = 'delivery';

export interface BatchJobData {
  campaignId: number;
  batch: number;
}

export type DeliveryQueue = Queue<BatchJobData, unknown, 'batch'>;

export interface RetryPolicy {
  /** Attempts per batch; temporary failures left after the last one are marked failed. */
  attempts: number;
  /** First retry after about this long, doubling each time, with ±50% jitter. */
  backoffMs: number;
}

export function openDeliveryQueue(connection: Redis, retry: RetryPolicy): DeliveryQueue {
  return new Queue<BatchJobData, unknown, 'batch'>(DELIVERY_QUEUE, {
    connection,
    defaultJobOptions: jobOptions(retry),
  });
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

/**
 * `campaign-12-batch-7`; after `--resend-failed`, `campaign-12-batch-7-round-1`. (BullMQ refuses
 * ":" in custom ids: it separates the parts of its own keys.)
 */
export function batchJobId(campaign: Pick<Campaign, 'id' | 'round'>, batch: number): string {
  return `campaign-${campaign.id}-batch-${batch}${campaign.round ? `-round-${campaign.round}` : ''}`;
}

/** Enqueues a job for every unfinished batch, a page at a time. Returns how many were offered. */
export async function enqueueBatches(
  db: Queryable,
  queue: DeliveryQueue,
  campaign: Pick<Campaign, 'id' | 'round'>,
  pageSize = 1000,
): Promise<number> {
  let after = -1;
  let offered = 0;
  for (;;) {
    const batches = await openBatches(db, campaign.id, after, pageSize);
    if (!batches.length) return offered;
    await queue.addBulk(
      batches.map((batch) => ({
        name: 'batch' as const,
        data: { campaignId: campaign.id, batch },
        opts: { jobId: batchJobId(campaign, batch) },
      })),
    );
    offered += batches.length;
    after = batches[batches.length - 1] as number;
  }
}

/**
 * When Redis has nothing to do but the database has campaigns sending (Redis restarted without
 * its data, or `publish` died while enqueueing), enqueue their unfinished batches again. Batches
 * left `submitting` with an expired lease are offered again in any case (a job that still exists
 * under that id is left as it is). Returns the number of jobs offered.
 */
export async function reconcile(db: Queryable, queue: DeliveryQueue): Promise<number> {
  const expired = await expiredBatches(db);
  if (expired.length)
    await queue.addBulk(
      expired.map(({ campaign, batch }) => ({
        name: 'batch' as const,
        data: { campaignId: campaign.id, batch },
        opts: { jobId: batchJobId(campaign, batch) },
      })),
    );
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  if (Object.values(counts).some((n) => n > 0)) return 0;
  let offered = 0;
  for (const campaign of await campaignsWithStatus(db, 'sending'))
    offered += await enqueueBatches(db, queue, campaign);
  return offered;
}

/** One line on who will deliver a detached campaign: the `bulletin worker` processes connected now. */
export async function workersLine(queue: DeliveryQueue): Promise<string> {
  const workers = (await queue.getWorkers()).length;
  return workers
    ? `${workers} worker connection(s) on the queue will deliver it.\n`
    : 'No worker is running: start `bulletin worker` (same data dir, or the same REDIS_URL and DATABASE_URL) to deliver it.\n';
}

/** BullMQ needs Redis to keep every key: with eviction, jobs silently disappear under memory pressure. */
export async function checkRedisEviction(connection: Redis): Promise<Problem | undefined> {
  let policy: string | undefined;
  try {
    const reply = (await connection.config('GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch {
    // Managed Redis often forbids CONFIG; nothing to check then.
    return undefined;
  }
  if (!policy || policy === 'noeviction') return undefined;
  return warning(
    'redis-eviction',
    `Redis evicts keys under memory pressure (maxmemory-policy ${policy}); queued deliveries can vanish.`,
    'Set maxmemory-policy noeviction on the Redis used by bulletin.',
  );
}
