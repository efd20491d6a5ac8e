// src/queue: the one BullMQ adapter. Every queue and worker of bulletin lives here: their names,
// the shapes of their jobs (zod-checked on both sides of Redis), their retry policies, and the
// Redis connection they share. Above it, callers see small interfaces (a DeliveryQueue, a
// ListMailer, a worker they can close) and hand in what a job does; the CLI only starts workers.
// No other folder imports bullmq (web/admin.ts shows these queues on bull-board).
//
//   delivery-queue.ts   `delivery`: one job per campaign batch, ids only, deterministic job ids
//   delivery-worker.ts  takes batch jobs, turns a batch's outcome into retry, delay or done
//   list-mail.ts        `list-mail`: confirmations, welcomes, acknowledgements, sent with retries
//   schedule-queue.ts   `schedule`: one delayed job per scheduled campaign, waking it at its time

import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { fail, formatProblem, type Problem, warning } from '../problems.ts';
import type { RedisConnection } from '../services/redis.ts';

export const DELIVERY_QUEUE = 'delivery';
export const LIST_MAIL_QUEUE = 'list-mail';
export const SCHEDULE_QUEUE = 'schedule';
/** Every queue, for the dashboard. */
export const QUEUE_NAMES = [DELIVERY_QUEUE, LIST_MAIL_QUEUE, SCHEDULE_QUEUE] as const;

const REDIS_STARTUP_TIMEOUT_MS = 10_000;

/**
 * One ioredis connection for queues and workers. A Redis restart is waited out (BullMQ's blocking
 * commands need maxRetriesPerRequest null), with one log line when it goes away and one when it is
 * back; at startup, a Redis that does not answer within 10 s is an error rather than a hang, and
 * one that may evict keys is warned about.
 */
export async function openQueueConnection(connection: RedisConnection, logger: Logger): Promise<Redis> {
  const { url, ...options } = connection as RedisOptions & { url?: string };
  const redis = url
    ? new Redis(url, { ...options, maxRetriesPerRequest: null })
    : new Redis({ ...options, maxRetriesPerRequest: null });
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) logger.warn({ err: err.message }, 'Redis does not answer: work is paused until it does');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('Redis answers again: work resumes');
    redisDown = false;
  });
  const answered = await Promise.race([
    redis.ping().then(() => true),
    sleep(REDIS_STARTUP_TIMEOUT_MS, false, { ref: false }),
  ]);
  if (!answered) {
    redis.disconnect();
    fail(
      'redis-unreachable',
      `Redis did not answer within ${REDIS_STARTUP_TIMEOUT_MS / 1000} s.`,
      'Check REDIS_URL (or unset it to use the private redis-server).',
    );
  }
  const eviction = await checkRedisEviction(redis);
  if (eviction) logger.warn(formatProblem(eviction));
  return redis;
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

/** Every queue, opened for bull-board to show; the caller closes them. */
export function openDashboardQueues(connection: RedisConnection): Queue[] {
  return QUEUE_NAMES.map((name) => {
    const queue = new Queue(name, { connection });
    queue.on('error', () => {}); // a Redis outage shows as failed dashboard requests, not a crash
    return queue;
  });
}
