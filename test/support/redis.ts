// A private redis-server for one test file, started exactly as `bulletin` starts it (from PATH,
// data and socket in a temp dir). Stop it in afterAll after closing your queues and workers.
//
//   const redis = await startRedis();   // redis.connection → BullMQ's `connection`
//   await redis.stop();

import { type RedisService, useRedis } from '../../src/services/redis.ts';
import { tempDataDir } from './data-dir.ts';

export async function startRedis(): Promise<RedisService & { dataDir: string; stop(): Promise<void> }> {
  const data = tempDataDir();
  const service = await useRedis({ dataDir: data.dir });
  return {
    ...service,
    dataDir: data.dir,
    async stop() {
      await service.release();
      data.remove();
    },
  };
}
