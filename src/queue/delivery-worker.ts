// The delivery worker: takes batch jobs from the `delivery` queue, hands each to `deliver` (the
// BatchDeliverer, passed in), and turns the batch's outcome into what BullMQ understands: done,
// retry with backoff, delay, or give up. It also runs `reconcile` now and then, so a Redis that
// lost its jobs is refilled from the database.

import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type BatchJobData, batchJobData } from './delivery-queue.ts';
import { DELIVERY_QUEUE } from './index.ts';

/** What became of a batch (the BatchDeliverer's answer), in the terms the queue acts on. */
export type BatchJobOutcome =
  /** Every recipient of the batch is in a final state (or the campaign is over). */
  | { kind: 'done'; sent: number }
  /** Some recipients got temporary failures: try the batch again later. */
  | { kind: 'retry'; deferred: number; reason: string }
  /** Another worker holds the batch; look again in `retryInMs`. */
  | { kind: 'held'; retryInMs: number }
  /** The campaign is paused (by an operator or the circuit breaker); the batch waits for resume. */
  | { kind: 'paused' }
  /** The campaign does not exist (deleted): nothing will ever make this job succeed. */
  | { kind: 'gone' };

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
  /** Delivers one batch; `last` when no attempt follows this one. */
  deliver(job: BatchJobData, attempt: { last: boolean }): Promise<BatchJobOutcome>;
  /** Re-enqueues from the database what Redis lost; returns the number of jobs offered. */
  reconcile(): Promise<number>;
  logger: Logger;
  options: DeliveryWorkerOptions;
}): DeliveryWorker {
  const { logger, options } = deps;
  const worker = new Worker<BatchJobData, unknown, 'batch'>(
    DELIVERY_QUEUE,
    async (job: Job<BatchJobData, unknown, 'batch'>, token?: string) => {
      const data = batchJobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`not a batch job: ${JSON.stringify(job.data)}`);
      const { campaignId } = data.data;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await deps.deliver(data.data, { last });
      switch (outcome.kind) {
        case 'done':
          return { sent: outcome.sent };
        case 'paused':
          return { paused: true };
        case 'gone':
          throw new UnrecoverableError(`campaign ${campaignId} does not exist`);
        case 'held':
          // BullMQ schedules by the wall clock it shares with Redis, not by ours.
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
      const offered = await deps.reconcile();
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
