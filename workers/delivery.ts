// The delivery worker: takes batch jobs from the queue and hands them to the BatchDeliverer, then
// turns its outcome into what BullMQ understands (done, retry with backoff, delay, give up).
// It also watches for a Redis that lost its jobs and re-enqueues from the database.

import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type BatchJobData, DELIVERY_QUEUE, type DeliveryQueue, reconcile } from '../src/campaigns/queue.ts';
import type { BatchDeliverer } from '../src/delivery/batch-deliverer.ts';
import type { Db } from '../src/store/db.ts';

export interface DeliveryWorkerOptions {
  /** Batches processed at once by this process. */
  concurrency: number;
  /** How long a job is ours without renewal; a killed worker's jobs return to the queue after it. */
  lockDurationMs: number;
  /** How often to check whether Redis lost the queue while campaigns are sending. */
  reconcileIntervalMs: number;
}

export interface DeliveryWorker {
  /** Finishes the batches in hand, takes no new ones (SIGTERM); `force`: lets go of them at once. */
  close(force?: boolean): Promise<void>;
}

export function startDeliveryWorker(deps: {
  connection: Redis;
  queue: DeliveryQueue;
  db: Db;
  deliverer: BatchDeliverer;
  logger: Logger;
  options: DeliveryWorkerOptions;
}): DeliveryWorker {
  const { deliverer, logger, options, db, queue } = deps;
  const worker = new Worker<BatchJobData, unknown, 'batch'>(
    DELIVERY_QUEUE,
    async (job: Job<BatchJobData, unknown, 'batch'>, token?: string) => {
      const { campaignId, batch } = job.data;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await deliverer.deliver(campaignId, batch, { last });
      switch (outcome.kind) {
        case 'done':
          return { sent: outcome.sent };
        case 'paused':
          return { paused: true };
        case 'gone':
          throw new UnrecoverableError(`campaign ${campaignId} does not exist`);
        case 'held':
          await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
          throw new DelayedError();
        case 'retry':
          // Rethrown so BullMQ schedules the next attempt with exponential backoff and jitter.
          throw new Error(`${outcome.deferred} recipient(s) deferred: ${outcome.reason}`);
      }
    },
    {
      connection: deps.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.lockDurationMs,
      // A batch that stalls (its worker died) goes back to the queue however often that happens:
      // the database knows who was sent already.
      maxStalledCount: 1000,
    },
  );
  worker.on('failed', (job, err) => {
    if (job)
      logger.warn({ jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'batch attempt failed');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'delivery worker error'));

  const watch = async () => {
    try {
      const offered = await reconcile(db, queue);
      if (offered)
        logger.warn({ jobs: offered }, 'queue was empty while campaigns were sending: re-enqueued');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'reconcile failed; will try again');
    }
  };
  const timer = setInterval(watch, options.reconcileIntervalMs);
  void watch();

  return {
    async close(force = false) {
      clearInterval(timer);
      await worker.close(force);
    },
  };
}
