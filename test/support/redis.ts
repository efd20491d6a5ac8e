// A private redis-server for one test file, started exactly as `bulletin` starts it (from PATH,
// data and socket in a temp dir). Stop it in afterAll after closing your queues and workers.
//
//   const redis = await startRedis();   // redis.connection → BullMQ's `connection`
//   await redis.stop();

import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { type RedisService, useRedis } from '../../src/services/redis.ts';
import { tempDataDir } from './data-dir.ts';
import { freePort } from './ports.ts';

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

/**
 * A redis-server on a free loopback TCP port, reached by REDIS_URL as an external Redis would be,
 * which a test can kill (an outage) and start again on the same port; `extraArgs` go to
 * redis-server (e.g. --requirepass).
 */
export async function startTcpRedis(extraArgs: string[] = []): Promise<{
  url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}> {
  const data = tempDataDir();
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const answers = async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch (err) {
      return /NOAUTH/.test(String(err)); // up, and wants a password
    } finally {
      probe.disconnect();
    }
  };
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        data.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100 && !(await answers()); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const kill = async () => {
    const dying = child;
    if (!dying || dying.exitCode !== null) return;
    const gone = new Promise((resolve) => dying.once('exit', resolve));
    dying.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url,
    kill,
    start,
    async stop() {
      await kill();
      data.remove();
    },
  };
}
