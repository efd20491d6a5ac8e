// `serve` is ready only when its dependencies are, and an outage while it runs is one log line,
// then one when it is over: a real redis-server at REDIS_URL is killed under a running `serve`
// (the built command, in a child process), left down for a few seconds, and started again.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulletinProcesses, type RunningBulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { startTcpRedis } from '../support/redis.ts';

const data = tempDataDir();
let postgres: PostgresServer;
let redis: Awaited<ReturnType<typeof startTcpRedis>>;
const processes = bulletinProcesses();
let serve: RunningBulletin | undefined;
const log = () => serve?.stderr() ?? '';

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startTcpRedis()]);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  await redis?.stop();
  await postgres?.stop();
  data.remove();
});

const records = () =>
  log()
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { level: number; msg: string });

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition() && performance.now() < deadline) await sleep(100);
}

describe('serve and a Redis outage', () => {
  it('says ready once Redis answers, logs the outage once and the recovery once, without a stack trace', async () => {
    serve = processes.start(
      ['--data-dir', data.dir, 'serve', '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0'],
      {
        ...process.env,
        DATABASE_URL: await postgres.createDatabase(),
        REDIS_URL: redis.url,
        SMTP_URL: '',
        LOG_FORMAT: 'json',
      },
    );
    await until(() => log().includes('bulletin serve is ready'), 60_000);
    expect(log(), log()).toContain('bulletin serve is ready');

    await redis.kill();
    await sleep(6_000); // several reconnection attempts' worth
    const down = records().filter((r) => /Redis/.test(r.msg));
    expect(down.map((r) => r.msg)).toEqual(['Redis does not answer: work is paused until it does']);
    expect(down[0]?.level).toBe(40);

    await redis.start();
    await until(() => log().includes('Redis answers again'), 30_000);
    const redisLines = records()
      .filter((r) => /Redis/.test(r.msg))
      .map((r) => r.msg);
    expect(redisLines).toEqual([
      'Redis does not answer: work is paused until it does',
      'Redis answers again: work resumes',
    ]);
    expect(log()).not.toMatch(/\\n\s+at |"stack"/);
    expect(serve.child.exitCode).toBeNull(); // still serving
  }, 120_000);
});
