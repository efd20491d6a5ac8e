// src/delivery: sending one campaign's batches. It splices each recipient into the finished
// message (message-template.ts), paces and guards the sending (send-rate-limiter.ts,
// circuit-breaker.ts), and records results through the campaign ledger; this file opens it all.
//
// Everything delivery needs, opened from the configuration once and closed in order: workers
// first (they finish their batches), then the SMTP pool, the queue and Redis, the database.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { reconcile } from '../campaigns/enqueue.ts';
import { postgresLedger } from '../campaigns/postgres-ledger.ts';
import { type Scheduler, startScheduler } from '../campaigns/scheduler.ts';
import type { Campaign } from '../campaigns/store.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { openSender } from '../outbound/open.ts';
import type { Sender } from '../outbound/sender.ts';
import { type DeliveryQueue, openDeliveryQueue } from '../queue/delivery-queue.ts';
import { type DeliveryWorker, startDeliveryWorker } from '../queue/delivery-worker.ts';
import { openQueueConnection } from '../queue/index.ts';
import { openScheduleQueue, type ScheduleQueue } from '../queue/schedule-queue.ts';
import { type RedisConnection, useRedis } from '../services/redis.ts';
import type { Db } from '../store/db.ts';
import { installationSecret } from '../store/installation-secret.ts';
import { openStore } from '../store/open.ts';
import { createTokens } from '../tokens.ts';
import { BatchDeliverer } from './batch-deliverer.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { sendRateLimiter } from './send-rate-limiter.ts';
import type { DeliverySettings } from './settings.ts';

export { DEFAULT_SETTINGS, type DeliverySettings } from './settings.ts';

/** How long SIGTERM lets the batches in hand finish before the worker lets go of them. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** The longest any one closing step (queue, Redis, database) may take when its server is gone. */
const CLOSE_STEP_TIMEOUT_MS = 3_000;

/** `step`, but given up on (left to the process's exit) after `ms`. Resolves whether it finished. */
async function bounded(step: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    step.then(
      () => true,
      () => true,
    ),
    sleep(ms, false, { ref: false }),
  ]);
}

export interface Delivery {
  db: Db;
  queue: DeliveryQueue;
  /** Where Redis is, for a client of one's own (the readiness check). */
  redisConnection: RedisConnection;
  logger: Logger;
  settings: DeliverySettings;
  /** Wakes scheduled campaigns at their time (publish --at adds to it). */
  schedule: ScheduleQueue;
  /** Starts a worker in this process; closed with the rest. */
  startWorker(): DeliveryWorker;
  /**
   * Starts the scheduler in this process (`worker`, `serve`): scheduled campaigns start sending
   * here at their time, their editions written into this data dir. Closed with the rest.
   */
  startScheduler(onStarted?: (campaign: Campaign) => Promise<void> | void): Scheduler;
  close(): Promise<void>;
}

export async function openDelivery(
  config: Config,
  settings: DeliverySettings,
  logger: Logger = createLogger(config),
  /** What windows and schedules are decided by (tests pass a test clock). */
  clock: Clock = systemClock,
): Promise<Delivery> {
  const db = await openStore(config, {
    warn: (message) => logger.warn(message),
    info: (message) => logger.info(message),
  });
  // Before anything else: a process whose BULLETIN_SECRET is not the installation's stops here.
  const secret = await installationSecret(db, config).catch(async (err) => {
    await db.close();
    throw err;
  });
  const redisService = await useRedis(config, {
    onRestart: () => logger.warn('the private redis-server was down: started it again (from its AOF)'),
  }).catch(async (err) => {
    await db.close();
    throw err;
  });
  const redis = await openQueueConnection(redisService.connection, logger).catch(async (err) => {
    await db.close();
    throw err;
  });
  const queue = openDeliveryQueue(redis, settings, (err) =>
    logger.warn({ err: err.message }, 'delivery queue error'),
  );
  const schedule = openScheduleQueue(redis, (err) =>
    logger.warn({ err: err.message }, 'schedule queue error'),
  );
  const workers: DeliveryWorker[] = [];
  const schedulers: Scheduler[] = [];
  let sender: Sender | undefined;

  return {
    db,
    redisConnection: redisService.connection,
    queue,
    logger,
    settings,
    schedule,
    startScheduler(onStarted) {
      const scheduler = startScheduler({
        db,
        connection: redis,
        deliveryQueue: queue,
        dataDir: config.dataDir,
        clock,
        logger,
        sweepIntervalMs: settings.reconcileIntervalMs,
        onStarted,
      });
      schedulers.push(scheduler);
      return scheduler;
    },
    startWorker() {
      sender ??= openSender(config, {
        connections: settings.connections,
        messagesPerConnection: settings.messagesPerConnection,
        dkim: settings.dkim,
      });
      const deliverer = new BatchDeliverer({
        ledger: postgresLedger(db, { leaseMs: settings.lockDurationMs }),
        sender,
        tokens: createTokens(secret),
        clock,
        rate: sendRateLimiter(settings.ratePerSecond, clock),
        breaker: new CircuitBreaker(settings.breakerThreshold),
        logger,
        options: {
          sendConcurrency: settings.connections,
          flushEvery: settings.flushEvery,
          flushIntervalMs: settings.flushIntervalMs,
        },
      });
      const worker = startDeliveryWorker({
        connection: redis,
        deliver: (job, attempt) => deliverer.deliver(job.campaignId, job.batch, attempt),
        reconcile: () => reconcile(db, queue),
        logger,
        options: {
          concurrency: settings.workerConcurrency,
          lockDurationMs: settings.lockDurationMs,
          reconcileIntervalMs: settings.reconcileIntervalMs,
        },
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await bounded(Promise.all(schedulers.map((s) => s.close())), CLOSE_STEP_TIMEOUT_MS);
      if (!(await bounded(Promise.all(workers.map((w) => w.close())), DRAIN_TIMEOUT_MS))) {
        // Whatever was sent and not yet recorded may be sent again: the duplicate bound.
        logger.warn('batches in hand did not finish in time: their leases expire and they are taken over');
        await bounded(Promise.all(workers.map((w) => w.close(true))), CLOSE_STEP_TIMEOUT_MS);
      }
      await bounded(sender?.close() ?? Promise.resolve(), CLOSE_STEP_TIMEOUT_MS);
      await bounded(queue.close(), CLOSE_STEP_TIMEOUT_MS);
      await bounded(schedule.close(), CLOSE_STEP_TIMEOUT_MS);
      redis.disconnect();
      await redisService.release();
      await db.close();
    },
  };
}
