// The queue specifications' Redis: a redis-server of their own (noeviction, as bullmq needs), a
// connection for the code under test, and the delivery queue seen from outside (`inspect`), opened
// before the file's tests and closed after them.
//
//   const redis = queueRedis();   // then redis.connection, redis.inspect in the tests

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { DELIVERY_QUEUE } from '../../src/queue/index.ts';
import { startTcpRedis } from './redis.ts';

export interface QueueRedis {
  connection: Redis;
  inspect: Queue;
}

export function queueRedis(): QueueRedis {
  const opened = {} as QueueRedis;
  let server: Awaited<ReturnType<typeof startTcpRedis>> | undefined;
  beforeAll(async () => {
    server = await startTcpRedis(['--maxmemory-policy', 'noeviction']);
    opened.connection = new Redis(server.url, { maxRetriesPerRequest: null });
    opened.inspect = new Queue(DELIVERY_QUEUE, { connection: opened.connection });
  });
  afterAll(async () => {
    await opened.inspect?.close();
    opened.connection?.disconnect();
    await server?.stop();
  });
  return opened;
}
