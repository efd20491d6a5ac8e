// /metrics as Prometheus meets it: on `serve`'s HTTP port (only with METRICS_TOKEN, since readers
// reach that port) and on a worker's health listener, against a real PostgreSQL, Redis and SMTP
// sink. A campaign published with no worker waits in the queue (the depth gauge says how many
// batches), a worker started then delivers it (its counters say how many were sent), mail to the
// list address is counted by kind, and requests by route pattern.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListService } from '../../src/cli/serve.ts';
import { metricValue } from '../../src/metrics.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import {
  PUBLIC_URL,
  type RedisProcess,
  SECRET,
  seedSubscribers,
  startRedisProcess,
} from '../delivery/harness.ts';
import { bulletinProcesses, until } from '../support/cli.ts';
import { freshDataDirs } from '../support/data-dir.ts';
import { freePort } from '../support/ports.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { serveInProcess } from '../support/serve.ts';
import { smtpConnect } from '../support/smtp-client.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const READERS = 7;
const BATCH_SIZE = 2; // 4 batches
const TOKEN = 'metrics-token-0123456789';
const machine = freshDataDirs();

let postgres: PostgresServer;
let redis: RedisProcess;
let sink: SmtpSink;
let db: Db;
let env: Record<string, string>;
let service: ListService;
let base: string;
const processes = bulletinProcesses();

beforeAll(async () => {
  [postgres, redis, sink] = await Promise.all([startPostgres(), startRedisProcess(), startSmtpSink()]);
  env = {
    DATABASE_URL: await postgres.createDatabase(),
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    PUBLIC_URL,
    BULLETIN_SECRET: SECRET,
    LOG_LEVEL: 'silent',
  };
  db = await openStore({ dataDir: machine(), databaseUrl: env.DATABASE_URL }, { warn() {}, info() {} });
  await seedSubscribers(db, 'global-eye', READERS);
  ({ service, base } = await serveInProcess({ ...env, BULLETIN_DATA_DIR: machine(), METRICS_TOKEN: TOKEN }));
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await db?.close();
  await Promise.all([sink?.stop(), redis?.stop(), postgres?.stop()]);
});

/** `bulletin …` in a child process with a data dir of its own. */
const bulletin = (args: string[]) =>
  processes.start(args, { PATH: process.env.PATH, ...env, BULLETIN_DATA_DIR: machine() });

async function scrape(url: string, token?: string): Promise<string> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** One sample of the text format, by its name and exact labels; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter(Boolean)
      .sort();
    if (have.length === wanted.length && have.every((label, i) => label === wanted[i]))
      return Number(match[3]);
  }
  return undefined;
}

describe("serve's /metrics", () => {
  it('answers only with METRICS_TOKEN as a bearer token, with the process metrics', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, {
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const text = await scrape(`${base}/metrics`, TOKEN);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('is not there at all without METRICS_TOKEN: readers reach this port', async () => {
    const open = await serveInProcess({ ...env, BULLETIN_DATA_DIR: machine() });
    try {
      expect((await fetch(`${open.base}/metrics`)).status).toBe(404);
    } finally {
      await open.service.stop();
    }
  });

  it('times each request under its route pattern and status class, never its URL', async () => {
    const pattern = { route: '/unsubscribe/:token', method: 'GET' };
    const before = await metricValue('bulletin_http_request_duration_seconds', pattern);
    const unmatched = await metricValue('bulletin_http_request_duration_seconds', { route: 'unmatched' });
    for (const token of ['not-a-token-alpha', 'not-a-token-beta'])
      await fetch(`${base}/unsubscribe/${token}`);
    expect((await fetch(`${base}/no/such/page-gamma`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const text = await scrape(`${base}/metrics`, TOKEN);
    const classes = ['2xx', '3xx', '4xx', '5xx'];
    const counted = (labels: Record<string, string>) =>
      classes.reduce(
        (sum, status) =>
          sum + (sample(text, 'bulletin_http_request_duration_seconds_count', { ...labels, status }) ?? 0),
        0,
      );
    expect(counted(pattern)).toBe(before + 2);
    expect(counted({ route: 'unmatched', method: 'GET' })).toBe(unmatched + 1);
    expect(
      sample(text, 'bulletin_http_request_duration_seconds_count', {
        route: '/healthz',
        method: 'GET',
        status: '2xx',
      }),
    ).toBeGreaterThanOrEqual(1);
    // A bucket per bound, the sum in seconds.
    expect(
      sample(text, 'bulletin_http_request_duration_seconds_bucket', {
        route: '/healthz',
        method: 'GET',
        status: '2xx',
        le: '+Inf',
      }),
    ).toBeGreaterThanOrEqual(1);
    // (Words, not numbers: the process metrics are full of digits.)
    for (const raw of ['not-a-token', 'alpha', 'page-gamma', 'such']) expect(text).not.toContain(raw);
  });

  it('counts mail to the list addresses by kind: a subscribe request, a refused recipient', async () => {
    const subscribes = await metricValue('bulletin_inbound_messages_total', { kind: 'subscribe' });
    const rejected = await metricValue('bulletin_inbound_messages_total', { kind: 'rejected' });
    const client = await smtpConnect(service.smtpPort);
    expect((await client.command('EHLO metrics.example.org')).code).toBe(250);
    const reply = await client.send({
      from: 'reader@example.org',
      to: ['globaleye-subscribe@example.org'],
      data: 'From: reader@example.org\r\nTo: globaleye-subscribe@example.org\r\nSubject: subscribe\r\nMessage-ID: <m1@example.org>\r\n\r\nsubscribe\r\n',
    });
    expect(reply.code).toBe(250);
    const refused = await client.send({
      from: 'reader@example.org',
      to: ['nobody@example.org'],
      data: 'Subject: hello\r\n\r\nhi\r\n',
    });
    expect(refused.code).toBe(550);
    client.close();
    const text = await scrape(`${base}/metrics`, TOKEN);
    expect(sample(text, 'bulletin_inbound_messages_total', { kind: 'subscribe' })).toBe(subscribes + 1);
    expect(sample(text, 'bulletin_inbound_messages_total', { kind: 'rejected' })).toBe(rejected + 1);
  });
});

describe('a campaign, queued then delivered by a worker', () => {
  it("shows its batches in the queue depth, then its messages in the worker's counters", {
    timeout: 180_000,
  }, async () => {
    const publish = bulletin([
      'publish',
      'issues/global-eye/005.md',
      '--detach',
      '--batch-size',
      String(BATCH_SIZE),
    ]);
    expect(await publish.exited, publish.stderr()).toBe(0);
    const batches = Math.ceil(READERS / BATCH_SIZE);
    // Nobody delivers yet: every batch waits in Redis, as serve reads it at scrape time.
    const waiting = sample(await scrape(`${base}/metrics`, TOKEN), 'bulletin_queue_jobs', {
      queue: 'delivery',
      state: 'waiting',
    });
    expect(waiting).toBe(batches);

    const port = await freePort();
    const worker = bulletin(['worker', '--health', `127.0.0.1:${port}`]);
    // The readers are r…@example.net (the subscribe above got a confirmation through the sink too).
    const delivered = () =>
      sink.messages.filter((m) => m.to.some((to) => to.endsWith('@example.net'))).length;
    await until('the campaign delivered', () => delivered() >= READERS, { every: 200 });
    const workerMetrics = `http://127.0.0.1:${port}/metrics`;
    // Results are counted as they are sent; the last batch may still be recording.
    let text = '';
    await until(
      'every message counted',
      async () => {
        text = await scrape(workerMetrics);
        return (
          sample(text, 'bulletin_messages_total', { campaign: 'global-eye/005', outcome: 'sent' }) === READERS
        );
      },
      { ms: 10_000, every: 200 },
    );
    expect(delivered()).toBe(READERS);
    for (const outcome of ['failed', 'deferred', 'bounced'])
      expect(sample(text, 'bulletin_messages_total', { campaign: 'global-eye/005', outcome }) ?? 0).toBe(0);
    // The worker reads the same queue, now empty.
    await until(
      'the queue emptied',
      async () => {
        const depth = await scrape(workerMetrics);
        return (
          sample(depth, 'bulletin_queue_jobs', { queue: 'delivery', state: 'waiting' }) === 0 &&
          sample(depth, 'bulletin_queue_jobs', { queue: 'delivery', state: 'active' }) === 0
        );
      },
      { ms: 10_000, every: 200 },
    );
    expect(await worker.stop(), worker.stderr()).toBe(0);
  });
});
