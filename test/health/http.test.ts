// /healthz and /readyz as an orchestrator meets them: on `serve`'s HTTP server and on a worker's
// own listener (`bulletin worker --health`), against a real PostgreSQL, Redis and SMTP server,
// each of which is stopped in turn.

import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListService } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config.ts';
import { createReadinessProbe, type Readiness, readinessSchema } from '../../src/health/readiness.ts';
import { openStore } from '../../src/store/open.ts';
import { PUBLIC_URL, type RedisProcess, SECRET, startRedisProcess } from '../delivery/harness.ts';
import { bulletinProcesses, type RunningBulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { freePort } from '../support/ports.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { serveInProcess } from '../support/serve.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const data = tempDataDir();
let postgres: PostgresServer;
let databaseUrl: string;
let redis: RedisProcess;
let sink: SmtpSink;
const processes = bulletinProcesses();

beforeAll(async () => {
  [postgres, redis, sink] = await Promise.all([startPostgres(), startRedisProcess(), startSmtpSink()]);
  databaseUrl = await postgres.createDatabase();
});
afterAll(async () => {
  await Promise.all([sink?.stop(), redis?.stop(), postgres?.stop()]);
  data.remove();
});

const quiet = { warn: () => {}, info: () => {} };
const env = () => ({
  BULLETIN_DATA_DIR: data.dir,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redis.url,
  SMTP_URL: sink.url,
  PUBLIC_URL,
  BULLETIN_SECRET: SECRET,
  LOG_LEVEL: 'silent',
});

async function readiness(base: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: readinessSchema.parse(await response.json()) };
}

/** /readyz until `until` holds, for at most `ms` (its answers are cached for a second). */
async function readinessUntil(base: string, until: (status: number) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await readiness(base);
    if (until(answer.status) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('bulletin serve', () => {
  let service: ListService;
  let base: string;
  beforeAll(async () => {
    ({ service, base } = await serveInProcess(env()));
  });
  afterAll(() => service?.stop());

  it('answers /healthz with 200 while the process is up', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL, Redis and the SMTP server answer', async () => {
    const { status, body } = await readiness(base);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.failed).toEqual([]);
    expect(Object.keys(body.checks).sort()).toEqual(['database', 'redis', 'smtp']);
  });

  it('answers 503 naming Redis while Redis is down, and is ready again when it is back', async () => {
    await redis.kill();
    try {
      const down = await readinessUntil(base, (status) => status === 503);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('unavailable');
      expect(down.body.failed).toEqual(['redis']);
      expect(down.body.checks.redis?.ok).toBe(false);
      expect(down.body.checks.redis?.error).toMatch(/\S/);
      expect(down.body.checks.database?.ok).toBe(true);
      // What failed, not where: no host or port of any dependency in a public answer.
      expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
      // The process itself is fine: a liveness probe must not restart it for Redis's sake.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await redis.start();
    }
    const back = await readinessUntil(base, (status) => status === 200);
    expect(back.status).toBe(200);
  });
});

describe('the readiness probe', () => {
  it('names the SMTP server when it does not answer, and checks it only when SMTP_URL is set', async () => {
    const db = await openStore(loadConfig(env()), quiet);
    const closedPort = await freePort();
    const withSmtp = createReadinessProbe({
      db,
      redis: { url: redis.url },
      smtpUrl: `smtp://127.0.0.1:${closedPort}`,
      timeoutMs: 2_000,
    });
    const withoutSmtp = createReadinessProbe({ db, redis: { url: redis.url }, timeoutMs: 2_000 });
    try {
      const failing = await withSmtp.check();
      expect(failing).toMatchObject({ status: 'unavailable', failed: ['smtp'] });
      expect(failing.checks.smtp?.error).toBe('ECONNREFUSED');
      const ready = await withoutSmtp.check();
      expect(ready).toMatchObject({ status: 'ready', failed: [] });
      expect(ready.checks.smtp).toBeUndefined();
    } finally {
      await Promise.all([withSmtp.close(), withoutSmtp.close()]);
      await db.close();
    }
  });

  it('names the database when PostgreSQL is stopped, within its time bound', async () => {
    const db = await openStore(loadConfig(env()), quiet);
    const probe = createReadinessProbe({ db, redis: { url: redis.url }, timeoutMs: 1_500 });
    try {
      expect((await probe.check()).status).toBe('ready');
      await postgres.halt();
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the cached answer
      const started = Date.now();
      const down = await probe.check();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(down).toMatchObject({ status: 'unavailable', failed: ['database'] });
    } finally {
      await postgres.start();
      await probe.close();
      await db.close();
    }
  });
});

describe('bulletin worker --health', () => {
  let worker: RunningBulletin;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = processes.start(['worker', '--health', `127.0.0.1:${port}`], {
      PATH: process.env.PATH,
      ...env(),
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const up = await fetch(`${base}/healthz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (up) return;
      if (worker.child.exitCode !== null) throw new Error(`worker exited: ${worker.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`worker's /healthz did not answer within 20 s: ${worker.stderr()}`);
  });

  it('answers /healthz, /readyz and /metrics (GET and HEAD), and nothing else', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await readiness(base);
    expect(ready.status).toBe(200);
    expect(ready.body.failed).toEqual([]);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'redis', 'smtp']);
    expect((await fetch(`${base}/readyz`, { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(`${base}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // An internal listener: /metrics is open while METRICS_TOKEN is unset (test/health/metrics.test.ts).
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE bulletin_queue_jobs gauge');
    expect((await fetch(`${base}/metrics/other`)).status).toBe(404);
  });

  it('answers 503 naming Redis while Redis is down', async () => {
    await redis.kill();
    try {
      const down = await readinessUntil(base, (status) => status === 503);
      expect(down.status).toBe(503);
      expect(down.body.failed).toEqual(['redis']);
    } finally {
      await redis.start();
    }
    expect((await readinessUntil(base, (status) => status === 200)).status).toBe(200);
  });

  it('stops on SIGTERM, closing the listener', async () => {
    expect(await worker.stop()).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('bulletin worker --health on a port in use', () => {
  it('refuses to start with one line naming the address', { timeout: 30_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const worker = processes.start(['worker', '--health', `127.0.0.1:${port}`], {
        PATH: process.env.PATH,
        ...env(),
        LOG_LEVEL: 'warn',
      });
      const began = Date.now();
      const code = await worker.exited;
      expect(code).toBe(1);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(worker.stderr().trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^error health-listen: Cannot listen on 127\\.0\\.0\\.1:${port} .*EADDRINUSE`),
        ),
      ]);
    } finally {
      taken.close();
    }
  });
});
