// The `schedule` queue: one delayed job per scheduled campaign, due at its time, that wakes it
// (src/campaigns/scheduler.ts starts it sending). The campaign row is the source of truth: the job
// id names the campaign and its time, so offering the job again (every sweep of the rows) adds
// nothing, and a moved campaign gets a new job while the old one, if it still fires, finds the
// row not yet due and changes nothing.

import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SCHEDULE_QUEUE } from './index.ts';

const wakeJobData = z.strictObject({
  campaignId: z.number().int().positive(),
});
type WakeJobData = z.infer<typeof wakeJobData>;

/** A scheduled campaign to wake at `at`. */
export interface Wake {
  campaignId: number;
  at: Date;
}

export interface ScheduleQueue {
  /** Delayed jobs, one per campaign and time; one already there is left as it is. */
  wake(wakes: readonly Wake[]): Promise<void>;
  /** Removes the job of a campaign's former time (moved or cancelled), unless it is running. */
  forget(wake: Wake): Promise<void>;
  close(): Promise<void>;
}

/** `campaign-12-start-1796115600000`: the campaign and its time in ms. */
export function wakeJobId(wake: Wake): string {
  return `campaign-${wake.campaignId}-start-${wake.at.getTime()}`;
}

export function openScheduleQueue(
  connection: Redis,
  onError: (err: Error) => void = () => {},
): ScheduleQueue {
  const queue = new Queue<WakeJobData, unknown, 'start'>(SCHEDULE_QUEUE, {
    connection,
    defaultJobOptions: {
      // Starting a campaign fails only when the database or Redis is away: try for about an hour.
      attempts: 12,
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
      // Forgotten once run: the row says what happened, and a sweep may offer the id again.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
  queue.on('error', onError);
  return {
    async wake(wakes) {
      if (!wakes.length) return;
      await queue.addBulk(
        wakes.map((wake) => ({
          name: 'start' as const,
          data: wakeJobData.parse({ campaignId: wake.campaignId }),
          // BullMQ counts delays on the wall clock it shares with Redis.
          opts: { jobId: wakeJobId(wake), delay: Math.max(0, wake.at.getTime() - Date.now()) },
        })),
      );
    },
    async forget(wake) {
      const job = await queue.getJob(wakeJobId(wake));
      await job?.remove().catch(() => {}); // a running job cannot be removed: it finds nothing due
    },
    close: () => queue.close(),
  };
}

/** What became of a wake-up: started (or already past its time), or woken too early. */
export type WakeOutcome = { kind: 'done' } | { kind: 'early'; retryInMs: number };

export interface ScheduleWorker {
  close(force?: boolean): Promise<void>;
}

export function startScheduleWorker(deps: {
  connection: Redis;
  /** Starts the campaign if it is due; says how long to wait if it is not yet. */
  start(campaignId: number): Promise<WakeOutcome>;
  logger: Logger;
}): ScheduleWorker {
  const worker = new Worker<WakeJobData, unknown, 'start'>(
    SCHEDULE_QUEUE,
    async (job: Job<WakeJobData, unknown, 'start'>, token?: string) => {
      const data = wakeJobData.safeParse(job.data);
      if (!data.success) throw new UnrecoverableError(`not a schedule job: ${JSON.stringify(job.data)}`);
      const outcome = await deps.start(data.data.campaignId);
      if (outcome.kind === 'early') {
        await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
        throw new DelayedError();
      }
    },
    { connection: deps.connection, concurrency: 1 },
  );
  worker.on('failed', (job, err) => {
    if (job)
      deps.logger.warn(
        { jobId: job.id, attempt: job.attemptsMade, err: err.message },
        'starting a scheduled campaign failed',
      );
  });
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'schedule worker error'));
  return { close: (force = false) => worker.close(force) };
}
