// The campaign ledger on a real PostgreSQL: what the delivery of a batch may do to a campaign's
// records. A batch is claimed under a lease; every later step names its claim and changes nothing
// once another claim has taken the batch over; results are facts, kept once from anyone; each
// step happens entirely or not at all.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchLease, CampaignLedger } from '../../src/campaigns/ledger.ts';
import { postgresLedger } from '../../src/campaigns/postgres-ledger.ts';
import {
  type Campaign,
  campaignProgress,
  cancelCampaign,
  createCampaign,
  getCampaign,
  requeueFailed,
} from '../../src/campaigns/store.ts';
import type { Db, Queryable } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { getSubscriber } from '../../src/subscribers/store.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';

const LEASE_MS = 60_000;

let postgres: PostgresServer;
let db: Db;
let ledger: CampaignLedger;
let issues = 0;

beforeAll(async () => {
  postgres = await startPostgres();
  db = openPostgres(await postgres.createDatabase());
  await migrate(db);
  ledger = postgresLedger(db, { leaseMs: LEASE_MS });
  // Seven readers in batches of three: batches 0, 1 and 2 (of one).
  await seedReaders(db, 7);
});

afterAll(async () => {
  await db?.close();
  await postgres?.stop();
});

/** A new campaign (a new issue) to the seven readers. */
async function newCampaign(): Promise<Campaign> {
  const issueNumber = ++issues;
  const { campaign } = await createCampaign(db, campaignOf(issueNumber, 3), new Date());
  expect(campaign.recipients).toBe(7);
  return campaign;
}

async function claim(campaignId: number, batch: number, by = ledger): Promise<BatchLease> {
  const claimed = await by.claim(campaignId, batch);
  if (claimed.kind !== 'claimed') throw new Error(`batch ${batch} not claimed: ${claimed.kind}`);
  return claimed.lease;
}

/** Time passes for a lease: its worker went silent for longer than the lease. */
async function expire(lease: BatchLease) {
  await db.query(
    `UPDATE campaign_batches SET lease_until = now() - interval '1 second' WHERE campaign_id = $1 AND batch = $2`,
    [lease.campaignId, lease.batch],
  );
}

async function batchRow(campaignId: number, batch: number) {
  const { rows } = await db.query<{ status: string; attempts: number; lease_until: Date | null }>(
    'SELECT status, attempts, lease_until FROM campaign_batches WHERE campaign_id = $1 AND batch = $2',
    [campaignId, batch],
  );
  return rows[0];
}

async function openBatchCount(campaignId: number) {
  const { rows } = await db.query<{ open_batches: number }>(
    'SELECT open_batches FROM campaigns WHERE id = $1',
    [campaignId],
  );
  return rows[0]?.open_batches;
}

async function deliveryStatuses(campaignId: number, batch: number) {
  const { rows } = await db.query<{ status: string }>(
    'SELECT status FROM deliveries WHERE campaign_id = $1 AND batch = $2 ORDER BY subscriber_id',
    [campaignId, batch],
  );
  return rows.map((r) => r.status);
}

/** Back on the list, so later campaigns have their seven readers. */
async function confirmAgain(id: number) {
  await db.query(`UPDATE subscribers SET status = 'confirmed', bounce_score = 0 WHERE id = $1`, [id]);
}

/** A database whose statements matching `pattern` fail, as a constraint or a lost disk would. */
function failingOn(pattern: RegExp): Db {
  const guarded = (target: Queryable): Queryable => ({
    async query(sql, params) {
      if (pattern.test(sql)) throw new Error('injected failure');
      return target.query(sql, params);
    },
  });
  return {
    ...guarded(db),
    transaction: (work) => db.transaction((tx) => work(guarded(tx))),
    listen: (channel, handlers) => db.listen(channel, handlers),
    close: () => db.close(),
  };
}

describe('claiming a batch', () => {
  it('gives it to one claim until the lease runs out, then to the next', async () => {
    const campaign = await newCampaign();
    const short = postgresLedger(db, { leaseMs: 300 });
    const first = await claim(campaign.id, 0, short);
    const second = await short.claim(campaign.id, 0);
    expect(second.kind).toBe('held');
    if (second.kind === 'held') expect(second.retryInMs).toBeGreaterThan(0);
    if (second.kind === 'held') expect(second.retryInMs).toBeLessThanOrEqual(300);
    await sleep(500);
    const third = await claim(campaign.id, 0, short);
    expect(third.claim).toBeGreaterThan(first.claim);
    expect(await batchRow(campaign.id, 0)).toMatchObject({ status: 'submitting', attempts: third.claim });
  });

  it('leaves a batch whose row another transaction has locked, and says to look again soon', async () => {
    const campaign = await newCampaign();
    let unlock = () => {};
    const locked = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    let holding = () => {};
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const other = db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM campaign_batches WHERE campaign_id = $1 AND batch = 1 FOR UPDATE', [
        campaign.id,
      ]);
      holding();
      await locked;
    });
    await held;
    expect(await ledger.claim(campaign.id, 1)).toEqual({ kind: 'held', retryInMs: 1000 });
    unlock();
    await other;
    await claim(campaign.id, 1);
  });

  it('says done for a finished batch and for one that does not exist', async () => {
    const campaign = await newCampaign();
    const lease = await claim(campaign.id, 2);
    await ledger.finish(lease, new Date());
    expect(await ledger.claim(campaign.id, 2)).toEqual({ kind: 'done' });
    expect(await ledger.claim(campaign.id, 99)).toEqual({ kind: 'done' });
  });

  it('gives the recipients still queued, in send order', async () => {
    const campaign = await newCampaign();
    const lease = await claim(campaign.id, 0);
    const queued = await ledger.queuedRecipients(lease);
    expect(queued.map((r) => r.subscriberStatus)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    const ids = queued.map((r) => r.subscriberId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await ledger.record(lease, [{ subscriberId: ids[1] as number, status: 'sent' }], new Date());
    expect((await ledger.queuedRecipients(lease)).map((r) => r.subscriberId)).toEqual([ids[0], ids[2]]);
  });
});

describe('recording results', () => {
  it('counts each recipient once however often its result is written; a deferred one stays queued', async () => {
    const campaign = await newCampaign();
    const lease = await claim(campaign.id, 0);
    const [a, b, c] = (await ledger.queuedRecipients(lease)).map((r) => r.subscriberId) as [
      number,
      number,
      number,
    ];
    const results = [
      { subscriberId: a, status: 'sent' as const },
      { subscriberId: b, status: 'failed' as const, detail: '554 no' },
      { subscriberId: c, status: 'queued' as const, detail: '451 later' },
    ];
    expect(await ledger.record(lease, results, new Date())).toBe(true);
    expect(await ledger.record(lease, results, new Date())).toBe(true);
    expect(await deliveryStatuses(campaign.id, 0)).toEqual(['sent', 'failed', 'queued']);
    expect((await campaignProgress(db, campaign)).counts).toEqual({
      queued: 5,
      sent: 1,
      failed: 1,
      bounced: 0,
      skipped: 0,
    });
  });

  it('marks the subscriber of a refused address bounced, with the result', async () => {
    const campaign = await newCampaign();
    const lease = await claim(campaign.id, 1);
    const [first] = await ledger.queuedRecipients(lease);
    const id = first?.subscriberId as number;
    const now = new Date('2026-01-02T03:04:05Z');
    await ledger.record(lease, [{ subscriberId: id, status: 'bounced', detail: '550 no such user' }], now);
    expect(await getSubscriber(db, id)).toMatchObject({ status: 'bounced', bounceScore: 5 });
    expect((await campaignProgress(db, campaign)).counts.bounced).toBe(1);
    // Written again (a flush retried), the bounce is not counted again.
    await ledger.record(lease, [{ subscriberId: id, status: 'bounced', detail: '550 no such user' }], now);
    expect((await campaignProgress(db, campaign)).counts.bounced).toBe(1);
    await confirmAgain(id);
  });

  it('renews the lease, so a batch that is slow but alive is not taken over', async () => {
    const campaign = await newCampaign();
    const lease = await claim(campaign.id, 0);
    await expire(lease);
    expect(await ledger.record(lease, [], new Date())).toBe(true);
    expect(await ledger.claim(campaign.id, 0)).toMatchObject({ kind: 'held' });
  });

  it('keeps the results of a claim taken over since, and tells it the batch is no longer its', async () => {
    const campaign = await newCampaign();
    const stale = await claim(campaign.id, 0);
    await expire(stale);
    const current = await claim(campaign.id, 0);
    const leaseBefore = (await batchRow(campaign.id, 0))?.lease_until;
    const [a] = await ledger.queuedRecipients(stale);
    const sent = { subscriberId: a?.subscriberId as number, status: 'sent' as const };
    expect(await ledger.record(stale, [sent], new Date())).toBe(false);
    expect(await ledger.record(stale, [], new Date())).toBe(false);
    // A message sent is sent: the new holder does not send it again.
    expect((await ledger.queuedRecipients(current)).map((r) => r.subscriberId)).not.toContain(
      a?.subscriberId,
    );
    expect((await batchRow(campaign.id, 0))?.lease_until).toEqual(leaseBefore);
    expect(await ledger.record(current, [], new Date())).toBe(true);
  });
});

describe('finishing a batch', () => {
  it('happens only from submitting: a batch never claimed, or released, stays open', async () => {
    const campaign = await newCampaign();
    const unclaimed: BatchLease = { campaignId: campaign.id, batch: 0, claim: 0 };
    expect(await ledger.finish(unclaimed, new Date())).toBe(false);
    expect(await batchRow(campaign.id, 0)).toMatchObject({ status: 'pending' });
    const lease = await claim(campaign.id, 1);
    expect(await ledger.release(lease)).toBe(true);
    expect(await ledger.finish(lease, new Date())).toBe(false);
    expect(await batchRow(campaign.id, 1)).toMatchObject({ status: 'pending', lease_until: null });
    expect(await openBatchCount(campaign.id)).toBe(3);
  });

  it('by a stale finisher after a re-claim changes nothing; the new holder finishes it', async () => {
    const campaign = await newCampaign();
    const stale = await claim(campaign.id, 0);
    await expire(stale);
    const current = await claim(campaign.id, 0);
    expect(await ledger.finish(stale, new Date())).toBe(false);
    expect(await batchRow(campaign.id, 0)).toMatchObject({ status: 'submitting', attempts: current.claim });
    expect(await openBatchCount(campaign.id)).toBe(3);
    expect(await ledger.finish(current, new Date())).toBe(false);
    expect(await batchRow(campaign.id, 0)).toMatchObject({ status: 'done', lease_until: null });
    expect(await openBatchCount(campaign.id)).toBe(2);
  });

  it('ends the campaign with its last batch, once, however often a batch is finished', async () => {
    const campaign = await newCampaign();
    const [zero, one, two] = [
      await claim(campaign.id, 0),
      await claim(campaign.id, 1),
      await claim(campaign.id, 2),
    ];
    expect(await ledger.finish(zero, new Date())).toBe(false);
    expect(await ledger.finish(zero, new Date())).toBe(false);
    expect(await ledger.finish(two, new Date())).toBe(false);
    expect((await getCampaign(db, campaign.id))?.status).toBe('sending');
    const now = new Date('2026-02-03T04:05:06Z');
    expect(await ledger.finish(one, now)).toBe(true);
    expect(await getCampaign(db, campaign.id)).toMatchObject({ status: 'done', finishedAt: now });
    expect(await ledger.finish(one, new Date())).toBe(false);
    expect(await openBatchCount(campaign.id)).toBe(0);
  });

  it('ends the campaign by exactly one of two workers finishing the last batches at the same moment', async () => {
    const campaign = await newCampaign();
    await ledger.finish(await claim(campaign.id, 0), new Date());
    const leases = [await claim(campaign.id, 1), await claim(campaign.id, 2)];
    const finished = await Promise.all(leases.map((lease) => ledger.finish(lease, new Date())));
    expect(finished.sort()).toEqual([false, true]);
    expect((await getCampaign(db, campaign.id))?.status).toBe('done');
  });

  it('after a cancel changes nothing', async () => {
    const campaign = await newCampaign();
    const lease = await claim(campaign.id, 0);
    expect(await cancelCampaign(db, campaign.id, new Date())).toBe(true);
    expect(await ledger.finish(lease, new Date())).toBe(false);
    expect(await ledger.record(lease, [], new Date())).toBe(false);
    expect(await openBatchCount(campaign.id)).toBe(0);
    expect((await getCampaign(db, campaign.id))?.status).toBe('cancelled');
  });
});

describe('a batch reopened by --resend-failed', () => {
  it('is no longer its old claim’s: the next claim sends to the failed again', async () => {
    const campaign = await newCampaign();
    const old = await claim(campaign.id, 1);
    const [first] = await ledger.queuedRecipients(old);
    const failed = {
      subscriberId: first?.subscriberId as number,
      status: 'failed' as const,
      detail: '554 no',
    };
    await ledger.record(old, [failed], new Date());
    expect(await requeueFailed(db, campaign.id)).toBe(1);
    expect(await ledger.record(old, [], new Date())).toBe(false);
    expect(await ledger.finish(old, new Date())).toBe(false);
    const next = await claim(campaign.id, 1);
    expect(next.claim).toBe(old.claim + 1);
    expect((await ledger.queuedRecipients(next)).map((r) => r.subscriberId)).toContain(first?.subscriberId);
  });
});

describe('releasing a batch', () => {
  it('hands it back to be claimed at once; a stale release does nothing', async () => {
    const campaign = await newCampaign();
    const stale = await claim(campaign.id, 0);
    await expire(stale);
    const current = await claim(campaign.id, 0);
    expect(await ledger.release(stale)).toBe(false);
    expect(await ledger.claim(campaign.id, 0)).toMatchObject({ kind: 'held' });
    expect(await ledger.release(current)).toBe(true);
    expect(await batchRow(campaign.id, 0)).toMatchObject({ status: 'pending', lease_until: null });
    expect((await claim(campaign.id, 0)).claim).toBe(current.claim + 1);
  });
});

describe('pausing a campaign', () => {
  it('pauses a sending campaign once, with the reason; not one that has ended', async () => {
    const campaign = await newCampaign();
    expect(await ledger.status(campaign.id)).toBe('sending');
    expect(await ledger.pause(campaign.id, 'paused after consecutive failures')).toBe(true);
    expect(await ledger.pause(campaign.id, 'again')).toBe(false);
    expect(await getCampaign(db, campaign.id)).toMatchObject({
      status: 'paused',
      statusReason: 'paused after consecutive failures',
    });
    expect(await ledger.status(campaign.id)).toBe('paused');
    const cancelled = await newCampaign();
    await cancelCampaign(db, cancelled.id, new Date());
    expect(await ledger.pause(cancelled.id, 'too late')).toBe(false);
    expect(await ledger.status(cancelled.id)).toBe('cancelled');
    expect(await ledger.status(-1)).toBeUndefined();
    expect(await ledger.campaign(-1)).toBeUndefined();
  });
});

describe('each step happens entirely or not at all', () => {
  it('finishing: a failure counting down the campaign leaves the batch held by its claim', async () => {
    const campaign = await newCampaign();
    const broken = postgresLedger(failingOn(/UPDATE campaigns SET open_batches/), { leaseMs: LEASE_MS });
    const lease = await claim(campaign.id, 0);
    await expect(broken.finish(lease, new Date())).rejects.toThrow('injected failure');
    expect(await batchRow(campaign.id, 0)).toMatchObject({ status: 'submitting', attempts: lease.claim });
    expect(await openBatchCount(campaign.id)).toBe(3);
    expect(await ledger.finish(lease, new Date())).toBe(false);
    expect(await openBatchCount(campaign.id)).toBe(2);
  });

  it('recording: a failure renewing the lease leaves the results and the bounce unwritten', async () => {
    const campaign = await newCampaign();
    const broken = postgresLedger(failingOn(/UPDATE campaign_batches SET lease_until/), {
      leaseMs: LEASE_MS,
    });
    const lease = await claim(campaign.id, 2);
    await expire(lease);
    const leaseBefore = (await batchRow(campaign.id, 2))?.lease_until;
    const [only] = await ledger.queuedRecipients(lease);
    const id = only?.subscriberId as number;
    const bounced = [{ subscriberId: id, status: 'bounced' as const, detail: '550 no such user' }];
    await expect(broken.record(lease, bounced, new Date())).rejects.toThrow('injected failure');
    expect(await deliveryStatuses(campaign.id, 2)).toEqual(['queued']);
    expect((await campaignProgress(db, campaign)).counts.bounced).toBe(0);
    expect((await batchRow(campaign.id, 2))?.lease_until).toEqual(leaseBefore);
    // Not bounced without its result: the next attempt records both, counted as a bounce.
    expect((await getSubscriber(db, id))?.status).toBe('confirmed');
    expect(await ledger.record(lease, bounced, new Date())).toBe(true);
    expect(await deliveryStatuses(campaign.id, 2)).toEqual(['bounced']);
    expect((await getSubscriber(db, id))?.status).toBe('bounced');
    await confirmAgain(id);
  });
});
