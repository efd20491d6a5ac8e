// The scheduler that `bulletin worker` and `serve` run: it takes the wake-up jobs of scheduled
// campaigns when they fall due and starts the campaigns (schedule.ts), and it sweeps the rows at
// start and now and then, offering every scheduled campaign's wake-up again, so a Redis that lost
// its delayed jobs (restarted empty, flushed) is refilled from the database. A campaign whose
// time passed while nothing ran starts at the first sweep.

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { DeliveryQueue } from '../queue/delivery-queue.ts';
import { openScheduleQueue, type ScheduleQueue, startScheduleWorker } from '../queue/schedule-queue.ts';
import type { Db } from '../store/db.ts';
import { startScheduled, wakeScheduled } from './schedule.ts';
import type { Campaign } from './store.ts';

export interface SchedulerOptions {
  db: Db;
  connection: Redis;
  deliveryQueue: DeliveryQueue;
  /** Where the editions of a campaign that starts are written (the site's data dir). */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** How often the rows are swept. */
  sweepIntervalMs: number;
  /** After a campaign started sending here (e.g. to index its issue for the site's search). */
  onStarted?(campaign: Campaign): Promise<void> | void;
}

export interface Scheduler {
  queue: ScheduleQueue;
  /** One sweep now; returns the wake-ups offered. */
  sweep(): Promise<number>;
  close(force?: boolean): Promise<void>;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { db, logger, clock } = options;
  const queue = openScheduleQueue(options.connection, (err) =>
    logger.warn({ err: err.message }, 'schedule queue error'),
  );
  const worker = startScheduleWorker({
    connection: options.connection,
    logger,
    async start(campaignId) {
      const outcome = await startScheduled({ db, queue: options.deliveryQueue }, campaignId, {
        now: clock.date(),
        dataDir: options.dataDir,
      });
      switch (outcome.kind) {
        case 'early':
          return outcome;
        case 'no-readers':
          logger.error(
            { campaignId, publication: outcome.campaign.publication },
            'scheduled campaign cancelled: the list had no confirmed reader at its time; publish it again once it has',
          );
          break;
        case 'started':
          if (outcome.byThisCall) {
            logger.info(
              { campaignId, recipients: outcome.campaign.recipients },
              'scheduled campaign started sending',
            );
            await options.onStarted?.(outcome.campaign);
          }
          break;
      }
      return { kind: 'done' };
    },
  });
  const sweep = () => wakeScheduled(db, queue);
  const sweepQuietly = async () => {
    try {
      await sweep();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'schedule sweep failed; will try again');
    }
  };
  const timer = setInterval(sweepQuietly, options.sweepIntervalMs);
  void sweepQuietly();
  return {
    queue,
    sweep,
    async close(force = false) {
      clearInterval(timer);
      await worker.close(force);
      await queue.close();
    },
  };
}
