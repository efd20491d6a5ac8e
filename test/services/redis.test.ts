import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { answers, useRedis } from '../../src/services/redis.ts';
import { tempDataDir } from '../support/data-dir.ts';

const data = tempDataDir();
afterAll(() => data.remove());

describe('the private redis-server', () => {
  it('starts from PATH with its data and socket in the data directory, appendonly', async () => {
    const first = await useRedis({ dataDir: data.dir });
    const socket = join(data.dir, 'redis', 'redis.sock');
    expect(first.connection).toEqual({ path: socket });
    const client = new Redis({ path: socket });
    await client.set('k', 'v');
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(readdirSync(join(data.dir, 'redis'))).toContain('appendonlydir');

    // A second bulletin process of the same installation shares the server…
    const second = await useRedis({ dataDir: data.dir });
    expect(second.connection).toEqual(first.connection);
    // …and the first one leaving does not stop it while the second still uses it.
    await first.release();
    expect(await answers({ path: socket })).toBe(true);
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    await second.release();
    expect(await answers({ path: socket })).toBe(false);
    expect(existsSync(join(data.dir, 'redis', 'appendonlydir'))).toBe(true);
  });

  it('uses REDIS_URL as given and starts nothing', async () => {
    const service = await useRedis({ dataDir: '/nonexistent', redisUrl: 'redis://redis.example.org:6379' });
    expect(service.connection).toEqual({ url: 'redis://redis.example.org:6379' });
  });

  it('says how to install redis-server when it is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    const elsewhere = tempDataDir();
    try {
      await expect(useRedis({ dataDir: elsewhere.dir })).rejects.toThrow(
        /redis-server is not installed, and REDIS_URL is not set\. Install it \(apt-get install redis-server, or brew install redis\)/,
      );
    } finally {
      process.env.PATH = path;
      elsewhere.remove();
    }
  });
});
