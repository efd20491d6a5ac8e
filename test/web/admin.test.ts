// The queue dashboard over real HTTP, against a real Redis: a user name and the password, guessing
// locked out per client, and no state change from a foreign page (CSRF).

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_MAIL_QUEUE } from '../../src/queue/index.ts';
import { ADMIN_LOGIN_LIMITS, adminRoutes } from '../../src/web/admin.ts';
import { launchChromium } from '../support/browser.ts';
import { type LiveServer, rawRequest, startHttp } from '../support/http.ts';
import { startRedis } from '../support/redis.ts';

const USER = 'editor';
const PASSWORD = 'correct horse battery';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const RIGHT = basic(USER, PASSWORD);

let redis: Awaited<ReturnType<typeof startRedis>>;
let server: LiveServer;
let queue: Queue;

beforeAll(async () => {
  redis = await startRedis();
  queue = new Queue(LIST_MAIL_QUEUE, { connection: redis.connection });
  // Behind a trusted proxy, so the test can speak for several clients (X-Forwarded-For).
  server = await startHttp({
    routes: [
      adminRoutes({
        user: USER,
        password: PASSWORD,
        publicUrl: 'https://news.example.org',
        connection: redis.connection,
      }),
    ],
    logger: false,
    trustProxy: true,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await queue?.close();
  await redis?.stop();
});

const admin = (
  path: string,
  client: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
) =>
  rawRequest(server.port, `/admin/queues${path}`, {
    method,
    headers: { 'x-forwarded-for': client, ...headers },
    body,
  });

describe('logging in', () => {
  it('needs the user name as well as the password', async () => {
    expect((await admin('/api/queues', '198.51.100.1', { authorization: RIGHT })).status).toBe(200);
    const anyUser = await admin('/api/queues', '198.51.100.1', { authorization: basic('admin', PASSWORD) });
    expect(anyUser.status).toBe(401);
    expect(anyUser.headers['www-authenticate']).toBe('Basic realm="bulletin admin", charset="UTF-8"');
    expect((await admin('/api/queues', '198.51.100.1')).status).toBe(401);
    expect((await admin('/api/queues', '198.51.100.1', { authorization: 'Basic !!!' })).status).toBe(401);
  });

  it('locks a guessing client out after a few wrong passwords, even from the right one, and no one else', async () => {
    const attacker = '203.0.113.66';
    const statuses: number[] = [];
    const started = performance.now();
    for (let guess = 0; guess < 200; guess++) {
      const res = await admin('/', attacker, { authorization: basic(USER, `guess-${guess}`) });
      statuses.push(res.status);
    }
    const seconds = (performance.now() - started) / 1000;
    const wrong = statuses.filter((s) => s === 401).length;
    expect(wrong).toBe(ADMIN_LOGIN_LIMITS.maxFailures);
    expect(statuses.slice(wrong).every((s) => s === 429)).toBe(true);
    // The right password from the locked client is refused too, with the time to wait.
    const locked = await admin('/api/queues', attacker, { authorization: RIGHT });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(ADMIN_LOGIN_LIMITS.lockMs / 1000 - 60);
    // Another client is not affected, and the locked one cannot pass for another by writing its
    // own X-Forwarded-For entry in front of the one our proxy adds.
    expect((await admin('/api/queues', '198.51.100.2', { authorization: RIGHT })).status).toBe(200);
    const spoofed = await admin('/api/queues', `198.51.100.99, ${attacker}`, { authorization: RIGHT });
    expect(spoofed.status).toBe(429);
    console.log(
      `admin login: 200 guesses in ${seconds.toFixed(2)} s → ${wrong} checked, ${200 - wrong} refused (429)`,
    );
  });
});

describe('state changes from a foreign page', () => {
  const addJob = (client: string, headers: Record<string, string>) =>
    admin(
      `/api/queues/${LIST_MAIL_QUEUE}/add`,
      client,
      { authorization: RIGHT, 'content-type': 'application/json', ...headers },
      'POST',
      JSON.stringify({ name: 'csrf', data: { to: 'victim@example.org' } }),
    );

  it('are refused: a foreign Origin, a foreign Referer, or neither', async () => {
    const before = await queue.count();
    expect((await addJob('198.51.100.3', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await addJob('198.51.100.3', { origin: 'null' })).status).toBe(403);
    expect((await addJob('198.51.100.3', { referer: 'https://evil.example/page' })).status).toBe(403);
    expect((await addJob('198.51.100.3', {})).status).toBe(403);
    const pause = await admin(
      `/api/queues/${LIST_MAIL_QUEUE}/pause`,
      '198.51.100.3',
      { authorization: RIGHT, origin: 'https://evil.example' },
      'PUT',
    );
    expect(pause.status).toBe(403);
    expect(await queue.count()).toBe(before);
    expect(await queue.isPaused()).toBe(false);
  });

  it('from the dashboard itself (its own origin, or PUBLIC_URL behind a proxy) go through', async () => {
    const before = await queue.count();
    const own = await addJob('198.51.100.4', { origin: server.base });
    expect(own.status).toBe(200);
    const proxied = await addJob('198.51.100.4', { origin: 'https://news.example.org' });
    expect(proxied.status).toBe(200);
    expect(await queue.count()).toBe(before + 2);
    // Reading stays open to any page's GET (it changes nothing).
    expect(
      (await admin('/api/queues', '198.51.100.4', { authorization: RIGHT, origin: 'https://evil.example' }))
        .status,
    ).toBe(200);
  });
});

describe('the dashboard in Chromium, under the CSP', () => {
  it('shows the queues and can pause one from its own page', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      // The dashboard's Google Fonts stylesheet is the only thing the CSP keeps out (no admin visit
      // is told to a third party); the page falls back to system fonts.
      await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
      await page.goto(`${server.base}/admin/queues`);
      await page.getByText(LIST_MAIL_QUEUE).first().waitFor({ timeout: 15_000 });
      // The dashboard's own state change (fetch PUT from its origin) passes the Origin check.
      const status = await page.evaluate(
        (name) => fetch(`api/queues/${name}/pause`, { method: 'PUT' }).then((r) => r.status),
        LIST_MAIL_QUEUE,
      );
      expect(status).toBe(200);
      expect(await queue.isPaused()).toBe(true);
      await queue.resume();
      expect(violations.filter((v) => !v.includes('fonts.googleapis.com'))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
