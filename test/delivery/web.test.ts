// What `bulletin serve` offers around a published issue: the links a delivered email carries work
// (one-click unsubscribe, the web and PDF editions), and the queue dashboard is behind the admin's sign-in.

import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/admin/index.ts';
import { publishIssue } from '../../src/campaigns/publish.ts';
import { watchCampaign } from '../../src/campaigns/watch.ts';
import { systemClock } from '../../src/clock.ts';
import { type Delivery, openDelivery } from '../../src/delivery/runtime.ts';
import { loadIssue } from '../../src/issue/load.ts';
import { loadListTemplates } from '../../src/list/templates.ts';
import { DELIVERY_QUEUE, LIST_MAIL_QUEUE, SCHEDULE_QUEUE } from '../../src/queue/index.ts';
import { createListMailQueue } from '../../src/queue/list-mail.ts';
import { createListActions } from '../../src/subscribers/actions.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { getSubscriber } from '../../src/subscribers/store.ts';
import { createTokens } from '../../src/tokens.ts';
import { editionRoutes } from '../../src/web/editions.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { buildServer } from '../../src/web/server.ts';
import { csrfOf } from '../support/admin.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';
import {
  PUBLIC_URL,
  type RedisProcess,
  SECRET,
  seedSubscribers,
  silentLogger,
  startRedisProcess,
  TEST_SETTINGS,
  testConfig,
} from './harness.ts';

const PASSWORD = 'correct horse battery';
let redis: RedisProcess;
let postgres: PostgresServer;
let sink: FaultySink;
let delivery: Delivery;
let mailer: ReturnType<typeof createListMailQueue>;
let app: Awaited<ReturnType<typeof buildServer>>;

beforeAll(async () => {
  [redis, postgres, sink] = await Promise.all([startRedisProcess(), startPostgres(), startFaultySink()]);
  const config = testConfig({
    redisUrl: redis.url,
    smtpUrl: sink.url,
    databaseUrl: await postgres.createDatabase(),
  });
  delivery = await openDelivery(config, TEST_SETTINGS, silentLogger);
  await seedSubscribers(delivery.db, 'global-eye', 20);
  const { issue } = loadIssue('issues/global-eye/005.md');
  if (!issue) throw new Error('issue 005 does not load');
  const { campaign } = await publishIssue(delivery, issue, {
    dataDir: config.dataDir,
    publicUrl: PUBLIC_URL,
    batchSize: 10,
    resendFailed: false,
    now: new Date(),
  });
  delivery.startWorker();
  await watchCampaign(delivery.db, campaign.id, () => {}, 100);

  mailer = createListMailQueue({ url: redis.url });
  const actions = createListActions({
    db: delivery.db,
    lists: loadLists('issues').lists,
    tokens: createTokens(Buffer.from(SECRET)),
    mailer,
    templates: loadListTemplates(),
    publicUrl: PUBLIC_URL,
    clock: systemClock,
    log: silentLogger,
  });
  app = await buildServer({
    routes: [
      listPages(actions),
      editionRoutes(config.dataDir),
      adminRoutes({
        db: delivery.db,
        installationSecret: Buffer.from(SECRET),
        environmentAccount: { name: 'admin', password: PASSWORD },
        publicUrl: 'http://127.0.0.1',
        connection: { url: redis.url },
        sections: [],
      }),
    ],
    logger: false,
  });
});

afterAll(async () => {
  await app?.close();
  await mailer?.close();
  await delivery?.close();
  await Promise.all([sink?.close(), redis?.stop(), postgres?.stop()]);
});

const path = (url: string) => url.slice(PUBLIC_URL.length);

describe('the links of a delivered issue', () => {
  it('one-click unsubscribe (RFC 8058) from the List-Unsubscribe header unsubscribes that reader', async () => {
    const message = sink.received[3];
    if (!message) throw new Error('nothing was delivered');
    const parsed = await simpleParser(message.raw);
    const header = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const url = /<(https:[^>]+)>/.exec(header)?.[1] as string;
    const response = await app.inject({
      method: 'POST',
      url: path(url),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(response.statusCode).toBe(200);
    const id = Number(/^c\d+\.s(\d+)@/.exec(parsed.messageId?.slice(1) ?? '')?.[1]);
    const subscriber = await getSubscriber(delivery.db, id);
    expect(subscriber).toMatchObject({ email: message.to, status: 'unsubscribed' });
  });

  it('serves the web edition the email links to, and never the email templates', async () => {
    const index = await app.inject({ url: '/global-eye/005/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('Straddling the Border');
    const image = await app.inject({ url: '/global-eye/005/images/olga-heaven.png' });
    expect([image.statusCode, image.headers['content-type']]).toEqual([200, 'image/png']);
    expect((await app.inject({ url: '/global-eye/005' })).headers.location).toBe('/global-eye/005/');
    expect((await app.inject({ url: '/global-eye/005/email.html' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/global-eye/005/..%2F..%2Fsecret' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/global-eye/999/' })).statusCode).toBe(404);
  });

  it('serves the PDF edition the email links to', async () => {
    const pdf = await app.inject({ url: '/global-eye/005/global-eye-005.pdf' });
    expect([pdf.statusCode, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await app.inject({ url: '/global-eye/005/site.json' })).statusCode).toBe(404);
  });

  it('shows the queue dashboard only after signing in with the admin password', async () => {
    const anonymous = await app.inject({ url: '/admin/queues' });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([
      303,
      '/admin/login?next=%2Fadmin%2Fqueues',
    ]);
    const signIn = async (password: string) => {
      const form = await app.inject({ url: '/admin/login' });
      const cookie = String(form.headers['set-cookie']).split(';')[0] as string;
      const response = await app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ name: 'admin', password, _csrf: csrfOf(form.body) }).toString(),
      });
      const session = String(response.headers['set-cookie'] ?? '').split(';')[0] as string;
      return { status: response.statusCode, cookie: session };
    };
    expect((await signIn('wrong password!')).status).toBe(401);
    const { status, cookie } = await signIn(PASSWORD);
    expect(status).toBe(303);
    const page = await app.inject({ url: '/admin/queues', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const queues = await app.inject({ url: '/admin/queues/api/queues', headers: { cookie } });
    expect(
      queues
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual([DELIVERY_QUEUE, LIST_MAIL_QUEUE, SCHEDULE_QUEUE]);
  });
});
