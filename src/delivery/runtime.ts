// Everything delivery needs, opened from the configuration once and closed in order: workers
// first (they finish their batches), then the SMTP pool, the queue and Redis, the database.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import pino, { type Logger } from 'pino';
import { type DeliveryWorker, startDeliveryWorker } from '../../workers/delivery.ts';
import { checkRedisEviction, type DeliveryQueue, openDeliveryQueue } from '../campaigns/queue.ts';
import type { Config } from '../config.ts';
import { fail, formatProblem } from '../problems.ts';
import { useRedis } from '../services/redis.ts';
import type { Db } from '../store/db.ts';
import { installationSecret } from '../store/installation-secret.ts';
import { openStore } from '../store/open.ts';
import { createTokens } from '../tokens.ts';
import { BatchDeliverer } from './batch-deliverer.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { systemClock } from './clock.ts';
import { rateLimiter } from './rate-limiter.ts';
import { outboxSender, type Sender, smtpPoolSender } from './sender.ts';
import type { DeliverySettings } from './settings.ts';

export { DEFAULT_SETTINGS, type DeliverySettings } from './settings.ts';

const REDIS_STARTUP_TIMEOUT_MS = 10_000;
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
  redis: Redis;
  logger: Logger;
  settings: DeliverySettings;
  /** Starts a worker in this process; closed with the rest. */
  startWorker(): DeliveryWorker;
  close(): Promise<void>;
}

export async function openDelivery(
  config: Config,
  settings: DeliverySettings,
  logger: Logger = pino({ level: config.logLevel }, pino.destination(2)),
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
  // BullMQ's blocking commands need maxRetriesPerRequest null: a Redis restart is waited out.
  const { url, ...redisOptions } = redisService.connection as RedisOptions & { url?: string };
  const redis = url
    ? new Redis(url, { ...redisOptions, maxRetriesPerRequest: null })
    : new Redis({ ...redisOptions, maxRetriesPerRequest: null });
  // One line when Redis goes away and one when it is back: meanwhile BullMQ's commands wait.
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) logger.warn({ err: err.message }, 'Redis does not answer: work is paused until it does');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('Redis answers again: work resumes');
    redisDown = false;
  });
  // Commands wait for Redis indefinitely (see above); at startup, say so instead of hanging.
  const answered = await Promise.race([
    redis.ping().then(() => true),
    sleep(REDIS_STARTUP_TIMEOUT_MS, false, { ref: false }),
  ]);
  if (!answered) {
    redis.disconnect();
    await db.close();
    fail(
      'redis-unreachable',
      `Redis did not answer within ${REDIS_STARTUP_TIMEOUT_MS / 1000} s.`,
      'Check REDIS_URL (or unset it to use the private redis-server).',
    );
  }
  const eviction = await checkRedisEviction(redis);
  if (eviction) logger.warn(formatProblem(eviction));
  const queue = openDeliveryQueue(redis, settings);
  queue.on('error', (err) => logger.warn({ err: err.message }, 'delivery queue error'));
  const workers: DeliveryWorker[] = [];
  let sender: Sender | undefined;

  return {
    db,
    queue,
    redis,
    logger,
    settings,
    startWorker() {
      sender ??= config.smtpUrl
        ? smtpPoolSender({
            url: config.smtpUrl,
            connections: settings.connections,
            messagesPerConnection: settings.messagesPerConnection,
            dkim: settings.dkim,
          })
        : outboxSender(join(config.dataDir, 'outbox'));
      const deliverer = new BatchDeliverer({
        db,
        sender,
        tokens: createTokens(secret),
        clock: systemClock,
        rate: rateLimiter(settings.ratePerSecond, systemClock),
        breaker: new CircuitBreaker(settings.breakerThreshold),
        logger,
        options: {
          sendConcurrency: settings.connections,
          leaseMs: settings.lockDurationMs,
          flushEvery: settings.flushEvery,
          flushIntervalMs: settings.flushIntervalMs,
        },
      });
      const worker = startDeliveryWorker({
        connection: redis,
        queue,
        db,
        deliverer,
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
      if (!(await bounded(Promise.all(workers.map((w) => w.close())), DRAIN_TIMEOUT_MS))) {
        // Whatever was sent and not yet recorded may be sent again: the duplicate bound.
        logger.warn('batches in hand did not finish in time: their leases expire and they are taken over');
        await bounded(Promise.all(workers.map((w) => w.close(true))), CLOSE_STEP_TIMEOUT_MS);
      }
      await bounded(sender?.close() ?? Promise.resolve(), CLOSE_STEP_TIMEOUT_MS);
      await bounded(queue.close(), CLOSE_STEP_TIMEOUT_MS);
      redis.disconnect();
      await redisService.release();
      await db.close();
    },
  };
}
