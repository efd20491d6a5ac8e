// The cost per reader does not grow with the list: every statement delivery runs per batch or per
// results flush, and every lookup the inbound side and the web make, reads its rows through an
// index that bounds it to one batch or one row, whatever PostgreSQL's statistics say: on tables
// never analysed (a fresh store), after the snapshot analysed them, and with statistics older than
// the campaign. Checked with EXPLAIN on the statements the code really runs, not by timing.
//
// 50,000 readers by default; PLAN_READERS=1000000 runs the same checks at a million.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresLedger } from '../../src/campaigns/postgres-ledger.ts';
import {
  campaignProgress,
  cancelCampaign,
  createCampaign,
  openBatches,
  requeueFailed,
} from '../../src/campaigns/store.ts';
import { systemClock } from '../../src/clock.ts';
import { BatchDeliverer } from '../../src/delivery/batch-deliverer.ts';
import { CircuitBreaker } from '../../src/delivery/circuit-breaker.ts';
import { sendRateLimiter } from '../../src/delivery/send-rate-limiter.ts';
import type { Sender } from '../../src/outbound/sender.ts';
import { smtpPoolSender } from '../../src/outbound/smtp-pool.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import {
  eraseSubscriber,
  findSubscriber,
  getSubscriber,
  recordBounce,
  requestSubscription,
  unsubscribe,
} from '../../src/subscribers/store.ts';
import { createTokens } from '../../src/tokens.ts';
import { campaignOf } from '../support/campaigns.ts';
import { type CapturedPlan, capturePlans, indexTables, type Scan, scans } from '../support/plans.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const READERS = Number(process.env.PLAN_READERS ?? 50_000);
const PUBLICATION = 'global-eye';
const BATCH_SIZE = 100;
/** A minute at 50,000 readers; the snapshots take longer at a million. */
const TIME_LIMIT_MS = 60_000 + READERS / 5;
/** Tables that grow with the list; the others hold a few rows per campaign. */
const GROWING = new Set(['deliveries', 'campaign_batches', 'subscribers']);

let postgres: PostgresServer;
let sink: SmtpSink;
let sender: Sender;
let db: Db;
let indexes: Map<string, string>;

beforeAll(
  async () => {
    [postgres, sink] = await Promise.all([startPostgres(), startSmtpSink()]);
    sender = smtpPoolSender({ url: sink.url, connections: 4, messagesPerConnection: 1000 });
    db = openPostgres(await postgres.createDatabase());
    await migrate(db);
    // No autovacuum: the statistics are exactly what each step below says they are.
    for (const table of GROWING) await db.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    // The list (one reader in 20 unsubscribed), and a smaller publication's beside it.
    await db.query(
      `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at)
     SELECT $1, 'reader' || i || '@example.org', CASE WHEN i % 20 = 0 THEN 'unsubscribed' ELSE 'confirmed' END,
       'import', now(), now()
     FROM generate_series(1, $2) AS i`,
      [PUBLICATION, READERS],
    );
    await db.query(
      `INSERT INTO subscribers (publication, email, status, source, created_at, updated_at)
     SELECT 'other', 'reader' || i || '@example.org', 'confirmed', 'import', now(), now()
     FROM generate_series(1, $1) AS i`,
      [READERS / 10],
    );
    indexes = await indexTables(db);
  },
  60_000 + READERS / 10,
);

afterAll(async () => {
  await db?.close();
  await sender?.close();
  await Promise.all([sink?.stop(), postgres?.stop()]);
});

const campaign = (issueNumber: number) => campaignOf(issueNumber, BATCH_SIZE, PUBLICATION);

const batches = (c: { recipients: number }) => Math.ceil(c.recipients / BATCH_SIZE);

/** Whether PostgreSQL holds any column statistics for the table. */
async function analysed(table: string): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stats WHERE tablename = $1',
    [table],
  );
  return (rows[0]?.n ?? 0) > 0;
}

/** One batch delivered by the real deliverer to a real SMTP sink, every statement's plan captured. */
async function deliverBatch(campaignId: number, batch: number): Promise<CapturedPlan[]> {
  const watched = capturePlans(db);
  const deliverer = new BatchDeliverer({
    ledger: postgresLedger(watched.db, { leaseMs: 30_000 }),
    sender,
    tokens: createTokens(Buffer.from('plans-secret-plans-secret-plans-secret-0')),
    clock: systemClock,
    rate: sendRateLimiter(0, systemClock),
    breaker: new CircuitBreaker(50),
    logger: pino({ level: 'silent' }),
    options: { sendConcurrency: 4, flushEvery: 25, flushIntervalMs: 60_000 },
  });
  const outcome = await deliverer.deliver(campaignId, batch, { last: false });
  expect(outcome).toEqual({ kind: 'done', sent: BATCH_SIZE });
  return watched.plans;
}

function describeScan(s: Scan): string {
  return `${s.type} on ${s.table}${s.index ? ` using ${s.index}` : ''} pinning ${s.pinned.join(', ') || 'nothing'}`;
}

/**
 * Every read of a growing table is an index scan pinned to one row (a subscriber, a batch row) or
 * one batch's recipients: never a sequential scan, never all of a campaign.
 */
function expectBoundedPerBatch(plans: CapturedPlan[]) {
  const unbounded = plans.flatMap(({ sql, plan }) =>
    scans(plan, indexes)
      .filter((s) => GROWING.has(s.table))
      .filter((s) => {
        if (s.type === 'Seq Scan') return true;
        if (s.table === 'subscribers') return !s.pinned.includes('id');
        if (s.table === 'campaign_batches')
          return !(s.pinned.includes('campaign_id') && s.pinned.includes('batch'));
        return !(
          s.pinned.includes('campaign_id') &&
          (s.pinned.includes('batch') || s.pinned.includes('subscriber_id'))
        );
      })
      .map((s) => `${describeScan(s)} in: ${sql.replace(/\s+/g, ' ').slice(0, 120)}`),
  );
  expect(unbounded).toEqual([]);
}

/** Index names each growing table was read through, over all the plans. */
function indexesUsed(plans: CapturedPlan[]): Record<string, string[]> {
  const used = new Map<string, Set<string>>();
  for (const s of plans.flatMap(({ plan }) => scans(plan, indexes))) {
    if (!GROWING.has(s.table) || !s.index) continue;
    used.set(s.table, (used.get(s.table) ?? new Set()).add(s.index));
  }
  return Object.fromEntries([...used].map(([table, names]) => [table, [...names].sort()]));
}

const statement = (plans: CapturedPlan[], pattern: RegExp) => {
  const found = plans.filter((p) => pattern.test(p.sql));
  expect(found.length, `a statement matching ${pattern}`).toBeGreaterThan(0);
  return found;
};

/** The delivery path of one batch, and what each of its statements must read through. */
async function expectDeliveryIndexBound(campaignId: number, batch: number) {
  const plans = await deliverBatch(campaignId, batch);
  expectBoundedPerBatch(plans);
  // The batch's queued recipients come out of the index that holds only them, in send order.
  expect(indexesUsed(statement(plans, /FROM deliveries d\s+LEFT JOIN subscribers/))).toEqual({
    deliveries: ['deliveries_queued'],
    subscribers: ['subscribers_pkey'],
  });
  // A results flush: the batch's queued rows, or each result's row by its key.
  const flushes = indexesUsed(statement(plans, /UPDATE deliveries d SET status = r\.status/));
  expect(['deliveries_pkey', 'deliveries_queued']).toEqual(expect.arrayContaining(flushes.deliveries ?? []));
  expect(flushes.deliveries?.length).toBeGreaterThan(0);
  // Claiming, renewing the lease and finishing touch one batch row (finishing then counts down on
  // the campaign's row, read by its key).
  for (const pattern of [
    /FOR UPDATE SKIP LOCKED/,
    /UPDATE campaign_batches SET lease_until/,
    /UPDATE campaign_batches SET status = 'done'/,
  ]) {
    const used = indexesUsed(statement(plans, pattern)).campaign_batches ?? [];
    expect(used.length).toBeGreaterThan(0);
    expect(['campaign_batches_open', 'campaign_batches_pkey', 'campaign_batches_submitting']).toEqual(
      expect.arrayContaining(used),
    );
  }
}

/** Once per publish or reconcile, not per batch: the open batches in pages, through their own index. */
async function expectEnqueueIndexBound(campaignId: number, open: number) {
  const watched = capturePlans(db);
  expect(await openBatches(watched.db, campaignId, -1, 1000)).toHaveLength(Math.min(open, 1000));
  const found = watched.plans.flatMap(({ plan }) => scans(plan, indexes));
  expect(found.map(describeScan)).toEqual([
    expect.stringMatching(
      /^(Bitmap Index|Index|Index Only) Scan on campaign_batches using campaign_batches_open pinning campaign_id$/,
    ),
  ]);
}

/** What the inbound side and the web pages look up: a subscriber by address, by token (its id). */
async function expectSubscriberLookupsIndexBound() {
  const watched = capturePlans(db);
  const now = new Date();
  const known = await findSubscriber(watched.db, PUBLICATION, 'reader12345@example.org');
  expect(known?.email).toBe('reader12345@example.org');
  expect(await getSubscriber(watched.db, known?.id ?? 0)).toMatchObject({ id: known?.id });
  await requestSubscription(watched.db, {
    publication: PUBLICATION,
    email: 'reader7@example.org',
    source: 'web',
    now,
  });
  await recordBounce(watched.db, known?.id ?? 0, { hard: false, now });
  await unsubscribe(watched.db, known?.id ?? 0, now);
  expect(
    await eraseSubscriber(watched.db, PUBLICATION, 'nobody@example.org', { actor: 'test', now: new Date() }),
  ).toBe(false);
  // Case-blind mailbox lookups compare lower-cased addresses.
  await watched.db.query('SELECT id FROM subscribers WHERE publication = $1 AND lower(email) = lower($2)', [
    PUBLICATION,
    'Reader12345@Example.org',
  ]);
  const found = watched.plans.flatMap(({ sql, plan }) =>
    scans(plan, indexes)
      .filter((s) => s.table === 'subscribers')
      .map((s) => ({ sql, scan: s })),
  );
  expect(found.length).toBeGreaterThanOrEqual(6);
  for (const { sql, scan } of found) {
    expect(scan.type, sql).not.toBe('Seq Scan');
    expect(
      scan.pinned.includes('id') ||
        (scan.pinned.includes('publication') &&
          (scan.pinned.includes('email') || scan.pinned.includes('lower(email)'))),
      `${describeScan(scan)} in ${sql}`,
    ).toBe(true);
  }
  expect(found.map((f) => f.scan.index)).toContain('subscribers_publication_mailbox');
}

describe(`delivery plans at ${READERS.toLocaleString('en')} readers`, () => {
  it(
    'stay index-bound on tables never analysed (a fresh store after its first snapshot)',
    async () => {
      const { campaign: first } = await createCampaign(db, campaign(1), new Date(), { analyze: false });
      expect(first.recipients).toBe(READERS - Math.floor(READERS / 20));
      for (const table of GROWING) expect(await analysed(table), table).toBe(false);
      await expectDeliveryIndexBound(first.id, 0);
      await expectDeliveryIndexBound(first.id, Math.floor(first.recipients / BATCH_SIZE / 2));
      await expectEnqueueIndexBound(first.id, batches(first) - 2);
      await expectSubscriberLookupsIndexBound();
    },
    TIME_LIMIT_MS,
  );

  it(
    'stay index-bound once the snapshot has analysed what it inserted',
    async () => {
      const { campaign: second } = await createCampaign(db, campaign(2), new Date());
      expect(await analysed('deliveries')).toBe(true);
      expect(await analysed('campaign_batches')).toBe(true);
      await db.query('ANALYZE subscribers');
      await expectDeliveryIndexBound(second.id, 0);
      await expectDeliveryIndexBound(second.id, Math.floor(second.recipients / BATCH_SIZE) - 1);
      await expectEnqueueIndexBound(second.id, batches(second) - 2);
      await expectSubscriberLookupsIndexBound();
    },
    TIME_LIMIT_MS,
  );

  it(
    'stay index-bound with statistics older than the campaign',
    async () => {
      const { campaign: third } = await createCampaign(db, campaign(3), new Date(), { analyze: false });
      await expectDeliveryIndexBound(third.id, 1);
      await expectDeliveryIndexBound(third.id, Math.floor(third.recipients / BATCH_SIZE / 3));
      await expectEnqueueIndexBound(third.id, batches(third) - 2);
    },
    TIME_LIMIT_MS,
  );

  it(
    'resend the failed and cancel through partial indexes, not the campaign’s every row',
    async () => {
      const { campaign: fourth } = await createCampaign(db, campaign(4), new Date(), { analyze: false });
      const { rows } = await db.query<{ subscriber_id: number }>(
        'SELECT subscriber_id FROM deliveries WHERE campaign_id = $1 AND batch = 3',
        [fourth.id],
      );
      const ledger = postgresLedger(db, { leaseMs: 1000 });
      const claim = await ledger.claim(fourth.id, 3);
      if (claim.kind !== 'claimed') throw new Error(`batch 3 not claimed: ${claim.kind}`);
      await ledger.record(
        claim.lease,
        rows.map((r) => ({ subscriberId: r.subscriber_id, status: 'failed', detail: '451 later' })),
        new Date(),
      );
      const watched = capturePlans(db);
      expect(await requeueFailed(watched.db, fourth.id)).toBe(rows.length);
      expect(await cancelCampaign(watched.db, fourth.id, new Date())).toBe(true);
      expect((await campaignProgress(db, fourth)).counts.skipped).toBe(fourth.recipients);
      const deliveriesRead = watched.plans.flatMap(({ plan }) =>
        scans(plan, indexes).filter((s) => s.table === 'deliveries'),
      );
      expect(deliveriesRead.map((s) => s.index).sort()).toEqual(['deliveries_failed', 'deliveries_queued']);
    },
    TIME_LIMIT_MS,
  );
});
