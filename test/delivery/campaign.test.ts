// End to end in one process: publish issue 005 to a list, workers deliver it to a real SMTP sink
// (smtp-server over TCP), and every copy is checked. The fault cases use the same sink answering
// 451, 550 and cutting connections.

import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishIssue } from '../../src/campaigns/publish.ts';
import { type Campaign, campaignProgress } from '../../src/campaigns/store.ts';
import { watchCampaign } from '../../src/campaigns/watch.ts';
import { registerCampaignControl } from '../../src/cli/campaign.ts';
import { type Delivery, type DeliverySettings, openDelivery } from '../../src/delivery/runtime.ts';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { unsubscribe } from '../../src/subscribers/store.ts';
import { createTokens } from '../../src/tokens.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { runCommand } from '../support/run-command.ts';
import { type Faults, startFaultySink } from '../support/smtp-faults.ts';
import {
  deliveryCounts,
  PUBLIC_URL,
  type RedisProcess,
  SECRET,
  seedSubscribers,
  silentLogger,
  startRedisProcess,
  subscriberIds,
  TEST_SETTINGS,
  testConfig,
} from './harness.ts';

const PUBLICATION = 'global-eye';
let redis: RedisProcess;
let postgres: PostgresServer;
let issue: Issue;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisProcess(), startPostgres()]);
  const loaded = loadIssue('issues/global-eye/005.md');
  if (!loaded.issue) throw new Error('issue 005 does not load');
  issue = loaded.issue;
});
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** A fresh installation (own data dir and database, empty queue) sending to a faulty sink. */
async function installation(faults: Partial<Faults>, settings: Partial<DeliverySettings> = {}) {
  await flushRedis();
  const sink = await startFaultySink(faults);
  const config = testConfig({
    redisUrl: redis.url,
    smtpUrl: sink.url,
    databaseUrl: await postgres.createDatabase(),
  });
  const delivery = await openDelivery(config, { ...TEST_SETTINGS, ...settings }, silentLogger);
  const publish = (resendFailed = false) =>
    publishIssue(delivery, issue, {
      dataDir: config.dataDir,
      publicUrl: PUBLIC_URL,
      batchSize: delivery.settings.batchSize,
      resendFailed,
      now: new Date(),
    });
  return {
    sink,
    delivery,
    publish,
    /** The environment of a `bulletin` command run on this installation. */
    env: {
      BULLETIN_DATA_DIR: config.dataDir,
      DATABASE_URL: config.databaseUrl as string,
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      BULLETIN_SECRET: SECRET,
      PUBLIC_URL,
      LOG_LEVEL: 'silent',
    },
    close: async () => {
      await delivery.close();
      await sink.close();
    },
  };
}

async function flushRedis() {
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
}

/** The header block as sent, one (unfolded) line per field, by lower-case name. */
function headersOf(raw: Buffer): (name: string) => string {
  const block = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
  const fields = new Map<string, string>();
  for (const line of block.split(/\r\n(?![ \t])/))
    fields.set(line.slice(0, line.indexOf(':')).toLowerCase(), line);
  return (name) => fields.get(name) ?? '';
}

const finish = (delivery: Delivery, campaign: Campaign) =>
  watchCampaign(delivery.db, campaign.id, () => {}, 100);

describe('publishing to 500 subscribers', () => {
  it('delivers exactly one personalised copy to each confirmed subscriber, and only once per issue', {
    timeout: 90_000,
  }, async () => {
    const { sink, delivery, publish, close } = await installation({});
    try {
      await seedSubscribers(delivery.db, PUBLICATION, 503);
      const ids = await subscriberIds(delivery.db, PUBLICATION);
      const { campaign, created } = await publish();
      expect(created).toBe(true);
      expect(campaign.recipients).toBe(503);
      // Three readers leave after the campaign was recorded, before their batch is sent.
      for (const email of ['r000002@example.net', 'r000250@example.net', 'r000503@example.net']) {
        await unsubscribe(delivery.db, ids.get(email) as number, new Date());
      }
      delivery.startWorker();
      expect((await finish(delivery, campaign)).status).toBe('done');

      expect(sink.received).toHaveLength(500);
      const recipients = sink.received.map((m) => m.to);
      expect(new Set(recipients).size).toBe(500);
      expect(recipients).not.toContain('r000250@example.net');
      const tokens = createTokens(Buffer.from(SECRET));
      const messageIds = new Set<string>();
      for (const [n, message] of sink.received.entries()) {
        const id = ids.get(message.to) as number;
        const subject = { id, publication: PUBLICATION, email: message.to };
        const header = headersOf(message.raw);
        expect(header('to')).toBe(`To: ${message.to}`);
        expect(header('message-id')).toBe(`Message-ID: <c${campaign.id}.s${id}@example.org>`);
        messageIds.add(header('message-id'));
        // VERP: the envelope sender names the recipient through a signed bounce token.
        const verp = /^globaleye\+bounce-([0-9a-z-]+)@example\.org$/.exec(message.mailFrom);
        expect(verp && tokens.verify(verp[1] as string, 'bounce', subject)).toBe(true);
        expect(header('return-path')).toBe(`Return-Path: <${message.mailFrom}>`);
        expect(header('list-id')).toBe(
          'List-ID: "The Global Eye on Human Trafficking" <globaleye.example.org>',
        );
        expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
        expect(header('precedence')).toBe('Precedence: bulk');
        expect(header('list-help')).toBe('List-Help: <mailto:globaleye-request@example.org?subject=help>');
        expect(header('list-archive')).toBe(`List-Archive: <${PUBLIC_URL}/global-eye/>`);
        expect(header('list-post')).toBe('List-Post: <mailto:globaleye@example.org>');
        expect(header('list-subscribe')).toBe('List-Subscribe: <mailto:globaleye-subscribe@example.org>');
        expect(header('mime-version')).toBe('MIME-Version: 1.0');
        expect(header('date')).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} /);
        const unsubscribeHeader = header('list-unsubscribe').replace(/\r\n\s*/g, ' ');
        const link = new RegExp(`<${PUBLIC_URL}/unsubscribe/([0-9a-z-]+)>`).exec(unsubscribeHeader);
        expect(unsubscribeHeader).toContain('<mailto:globaleye-unsubscribe@example.org>');
        expect(link && tokens.verify(link[1] as string, 'unsubscribe', subject)).toBe(true);
        // Decoding every body would dominate the test's time; a sample of them shows the same
        // personal link in the body, and the recipient's own address in the footer.
        if (n % 25 === 0) {
          const parsed = await simpleParser(message.raw, { skipHtmlToText: true, skipTextToHtml: true });
          expect(parsed.html).toContain(`${PUBLIC_URL}/unsubscribe/${link?.[1]}`);
          expect(parsed.html).toContain(message.to);
          expect(parsed.text).toContain(`${PUBLIC_URL}/unsubscribe/${link?.[1]}`);
          expect(parsed.html).toContain(`${PUBLIC_URL}/global-eye/005/`);
        }
      }
      expect(messageIds.size).toBe(500);
      expect((await campaignProgress(delivery.db, campaign)).counts).toEqual({
        queued: 0,
        sent: 500,
        failed: 0,
        bounced: 0,
        skipped: 3,
      });
      expect(await deliveryCounts(delivery.db, campaign.id)).toEqual({ sent: 500, skipped: 3 });

      // Publishing the same issue again records nothing and sends nothing.
      const again = await publish();
      expect(again).toMatchObject({
        created: false,
        enqueued: 0,
        campaign: { id: campaign.id, status: 'done' },
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.received).toHaveLength(500);
    } finally {
      await close();
    }
  });
});

describe('delivery faults', () => {
  it('retries 451s and cut connections until delivered, and never retries a 550', {
    timeout: 60_000,
  }, async () => {
    const rejected = ['r000007@example.net', 'r000100@example.net', 'r000199@example.net'];
    const { sink, delivery, publish, close } = await installation({
      deferShare: 0.3,
      deferAttempts: 2,
      dropShare: 0.05,
      rejectRecipients: new Set(rejected),
    });
    try {
      await seedSubscribers(delivery.db, PUBLICATION, 200);
      const { campaign } = await publish();
      delivery.startWorker();
      expect((await finish(delivery, campaign)).status).toBe('done');

      const received = sink.received.map((m) => m.to);
      expect(received).toHaveLength(197);
      expect(new Set(received).size).toBe(197);
      for (const address of rejected) {
        expect(received).not.toContain(address);
        expect(sink.attempts.get(address)).toBeUndefined(); // refused at RCPT: never got to DATA
      }
      // Some recipients really needed a second and third attempt.
      expect([...sink.attempts.values()].filter((n) => n === 3).length).toBeGreaterThan(20);
      expect(await deliveryCounts(delivery.db, campaign.id)).toEqual({ sent: 197, bounced: 3 });
      const { rows } = await delivery.db.query<{ attempts: number; detail: string; status: string }>(
        `SELECT d.attempts, d.detail, s.status FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
         WHERE d.campaign_id = $1 AND d.status = 'bounced'`,
        [campaign.id],
      );
      for (const row of rows) {
        expect(row.attempts).toBe(1);
        expect(row.detail).toMatch(/^550 /);
        expect(row.status).toBe('bounced'); // the subscriber, per the bounce rules: a hard bounce
      }
    } finally {
      await close();
    }
  });

  it('pauses a campaign after consecutive failures instead of burning the list, and `resume` delivers it', {
    timeout: 60_000,
  }, async () => {
    const { sink, delivery, publish, env, close } = await installation(
      { deferAll: true },
      { breakerThreshold: 15 },
    );
    try {
      await seedSubscribers(delivery.db, PUBLICATION, 120);
      const { campaign } = await publish();
      const worker = delivery.startWorker();
      const paused = await finish(delivery, campaign);
      await worker.close();
      expect(paused.status).toBe('paused');
      expect(paused.statusReason).toMatch(/consecutive failures; last: 451/);
      // Only the batches in hand when the breaker tripped were tried (2 batches of 25).
      expect(sink.attempts.size).toBeLessThanOrEqual(50);
      expect(await deliveryCounts(delivery.db, campaign.id)).toEqual({ queued: 120 });
      expect(sink.received).toHaveLength(0);

      sink.faults.deferAll = false;
      // No worker runs anywhere now: `resume`, like `publish`, delivers from its own process.
      const resumed = await runCommand(
        registerCampaignControl,
        ['resume', String(campaign.id), '--batch-size', '25', '--backoff-ms', '100', '--lock-ms', '2000'],
        env,
      );
      expect(resumed.stdout).toMatch(/^Campaign \d+ resumed: 5 batch\(es\) queued\.$/m);
      expect(resumed.stdout).toMatch(/global-eye\/005 {2}done/);
      expect(resumed.status).toBe(0);
      expect(new Set(sink.received.map((m) => m.to)).size).toBe(120);
      expect(sink.received).toHaveLength(120);
    } finally {
      await close();
    }
  });

  it('marks recipients failed when attempts run out, and `--resend-failed` sends to them alone', {
    timeout: 60_000,
  }, async () => {
    const { sink, delivery, publish, close } = await installation(
      { deferShare: 0.1, deferAttempts: Number.POSITIVE_INFINITY },
      { attempts: 2 },
    );
    try {
      await seedSubscribers(delivery.db, PUBLICATION, 100);
      const { campaign } = await publish();
      delivery.startWorker();
      expect((await finish(delivery, campaign)).status).toBe('done');
      const { sent = 0, failed = 0 } = await deliveryCounts(delivery.db, campaign.id);
      expect(failed).toBeGreaterThan(3);
      expect(sent + failed).toBe(100);
      const failedAddresses = [...sink.attempts.keys()].filter((a) => !sink.received.some((m) => m.to === a));
      for (const address of failedAddresses) expect(sink.attempts.get(address)).toBe(2);

      sink.faults.deferAttempts = 0;
      const resent = await publish(true);
      expect(resent).toMatchObject({
        created: false,
        requeued: failed,
        campaign: { round: 1, status: 'sending' },
      });
      expect((await finish(delivery, campaign)).status).toBe('done');
      expect(await deliveryCounts(delivery.db, campaign.id)).toEqual({ sent: 100 });
      expect(sink.received).toHaveLength(100);
      expect(new Set(sink.received.map((m) => m.to)).size).toBe(100);
    } finally {
      await close();
    }
  });
});
