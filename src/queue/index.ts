// src/queue: the one BullMQ adapter. Every queue and worker of bulletin lives here: their names,
// the shapes of their jobs (zod-checked on both sides of Redis), their retry policies, and the
// Redis connection they share. Above it, callers see small interfaces (a DeliveryQueue, a
// ListMailer, a worker they can close) and hand in what a job does; the CLI only starts workers.
// No other folder imports bullmq (admin/index.ts shows these queues on bull-board).
//
//   delivery-queue.ts   `delivery`: one job per campaign batch, ids only, deterministic job ids
//   delivery-worker.ts  takes batch jobs, turns a batch's outcome into retry, delay or done
//   list-mail.ts        `list-mail`: confirmations, welcomes, acknowledgements, sent with retries
//   schedule-queue.ts   `schedule`: one delayed job per scheduled campaign, waking it at its time

import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { QueueDepth } from '../metrics.ts';
import { formatProblem, type Problem, warning } from '../problems.ts';
import { REDIS_REFUSED, type RedisConnection, redisStartupFailure } from '../services/redis.ts';
import { DEPENDENCY_ANSWER_TIMEOUT_MS } from '../start-timeout.ts';

export const DELIVERY_QUEUE = 'delivery';
export const LIST_MAIL_QUEUE = 'list-mail';
export const SCHEDULE_QUEUE = 'schedule';
/** Every queue, for the dashboard. */
export const QUEUE_NAMES = [DELIVERY_QUEUE, LIST_MAIL_QUEUE, SCHEDULE_QUEUE] as const;

/**
 * One ioredis connection for queues and workers. A Redis restart is waited out (BullMQ's blocking
 * commands need maxRetriesPerRequest null), with one log line when it goes away and one when it is
 * back; at startup, a Redis that does not answer within 2 s, or refuses the password, is one
 * error line rather than a hang (and no outage line: it was never up), and one that may evict
 * keys is warned about.
 */
export async function openQueueConnection(connection: RedisConnection, logger: Logger): Promise<Redis> {
  const { url, ...options } = connection as RedisOptions & { url?: string };
  const redis = url
    ? new Redis(url, { ...options, maxRetriesPerRequest: null })
    : new Redis({ ...options, maxRetriesPerRequest: null });
  let started = false;
  let redisDown = false;
  let lastError: Error | undefined;
  let refused: ((err: Error) => void) | undefined;
  redis.on('error', (err) => {
    lastError = err;
    if (REDIS_REFUSED.test(err.message)) refused?.(err);
    if (started && !redisDown)
      logger.warn({ err: err.message }, 'Redis does not answer: work is paused until it does');
    if (started) redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('Redis answers again: work resumes');
    redisDown = false;
  });
  const answer = await Promise.race([
    redis.ping().then(
      () => 'ok' as const,
      (err: Error) => err,
    ),
    new Promise<Error>((resolve) => {
      refused = resolve;
    }),
    sleep(DEPENDENCY_ANSWER_TIMEOUT_MS, 'timeout' as const, { ref: false }),
  ]);
  refused = undefined;
  if (answer !== 'ok') {
    redis.disconnect();
    redisStartupFailure(connection, answer instanceof Error ? answer : lastError);
  }
  started = true;
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

const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized'] as const;
/** A scrape does not wait longer than this for Redis. */
const DEPTH_TIMEOUT_MS = 2_000;

/** Jobs per queue and state, read when the metrics are scraped; the caller closes it. */
export function openQueueDepths(connection: RedisConnection): {
  read(): Promise<QueueDepth[]>;
  close(): Promise<void>;
} {
  const queues = QUEUE_NAMES.map((name) => {
    const queue = new Queue(name, { connection });
    queue.on('error', () => {}); // an outage shows as missing series, not a crash
    return queue;
  });
  return {
    async read() {
      const counts = Promise.all(
        queues.map(async (queue) => {
          const byState = await queue.getJobCounts(...DEPTH_STATES);
          return DEPTH_STATES.map((state) => ({ queue: queue.name, state, jobs: byState[state] ?? 0 }));
        }),
      );
      counts.catch(() => {}); // past the timeout, nobody awaits it
      const answered = await Promise.race([counts, sleep(DEPTH_TIMEOUT_MS, undefined, { ref: false })]);
      if (!answered) throw new Error('Redis did not answer for the queue depth');
      return answered.flat();
    },
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
