// The campaigns pages over real HTTP, PostgreSQL and Redis: the list with counts per state, a
// campaign's page, and what only a publisher may do to it, checked in the database and the queue.

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsSection } from '../../src/admin/campaigns.ts';
import { adminRoutes } from '../../src/admin/index.ts';
import { postgresLedger } from '../../src/campaigns/postgres-ledger.ts';
import { type Campaign, createCampaign, getCampaign, setCampaignStatus } from '../../src/campaigns/store.ts';
import { DELIVERY_QUEUE } from '../../src/queue/index.ts';
import { type AdminClient, signIn } from '../support/admin.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';
import { startHttp } from '../support/http.ts';
import { freePort } from '../support/ports.ts';
import { type AdminFixture, EDITOR, PUBLISHER, SECRET, startAdmin } from './fixture.ts';

let admin: AdminFixture;
let campaign: Campaign;
let editor: AdminClient;
let publisher: AdminClient;
let deliveryQueue: Queue;

beforeAll(async () => {
  admin = await startAdmin({ sections: (deps) => [campaignsSection(deps)] });
  await seedReaders(admin.db, 30);
  ({ campaign } = await createCampaign(admin.db, campaignOf(5, 10), new Date()));
  // The first batch as a worker left it: 5 sent, 2 failed for good, 3 deferred after a 4xx.
  const ledger = postgresLedger(admin.db, { leaseMs: 30_000 });
  const claim = await ledger.claim(campaign.id, 0);
  if (claim.kind !== 'claimed') throw new Error('batch 0 was not claimed');
  const recipients = await ledger.queuedRecipients(claim.lease);
  await ledger.record(
    claim.lease,
    recipients.map((r, i) => ({
      subscriberId: r.subscriberId,
      status: i < 5 ? 'sent' : i < 7 ? 'failed' : 'queued',
      detail: i < 5 ? undefined : '451 try later',
    })),
    new Date(),
  );
  await ledger.release(claim.lease);
  editor = await signIn(admin.base, EDITOR.name, EDITOR.password);
  publisher = await signIn(admin.base, PUBLISHER.name, PUBLISHER.password);
  deliveryQueue = new Queue(DELIVERY_QUEUE, { connection: admin.connection });
}, 60_000);

afterAll(async () => {
  await deliveryQueue?.close();
  await admin?.stop();
});

const page = (id = campaign.id) => `/admin/campaigns/${id}`;
const statusNow = async () => (await getCampaign(admin.db, campaign.id))?.status;
/** The text of a table row's cells, tags dropped. */
const cells = (row: string) =>
  [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) =>
    (m[1] as string).replace(/<[^>]+>/g, '').trim(),
  );

describe('the campaigns list', () => {
  it('shows each campaign with its list, status, counts per state and times, to an editor', async () => {
    const list = await editor.get('/admin/campaigns');
    expect(list.status).toBe(200);
    expect(list.body).toContain('<th scope="col" class="n">Deferred</th>');
    const row = /<tr>\s*<th scope="row">[\s\S]*?<\/tr>/.exec(list.body)?.[0] ?? '';
    const [issue, listName, status, sent, failed, deferred, remaining, started, finished] = cells(row);
    expect([issue, listName, status]).toEqual(['global-eye/005', 'Global Eye', 'sending']);
    expect([sent, failed, deferred, remaining].map(Number)).toEqual([5, 2, 3, 20]);
    expect(started).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(finished).toBe('–');
    expect(row).toContain(`href="${page()}"`);
  });
});

describe('a campaign', () => {
  it('shows an editor its counts, and no buttons', async () => {
    const view = await editor.get(page());
    expect(view.status).toBe(200);
    expect(view.body).toContain('<h1>Campaign global-eye/005</h1>');
    expect(view.body).toMatch(/<th scope="row">Deferred \(to be retried\)<\/th><td class="n">3<\/td>/);
    expect(view.body).toContain(
      '<tr><th scope="row">451 try later</th><td>deferred</td><td class="n">3</td></tr>',
    );
    expect(view.body).toContain(
      '<tr><th scope="row">451 try later</th><td>failed</td><td class="n">2</td></tr>',
    );
    expect(view.body).not.toContain(`action="${page()}/pause"`);
    expect(view.body).toContain('Only a publisher can pause, resume, cancel, move or resend a campaign.');
  });

  it('cannot be paused by an editor (403), even with a valid form', async () => {
    const view = await editor.get(page());
    const refused = await editor.post(`${page()}/pause`, {}, view.body);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Only a publisher can do this.');
    expect(await statusNow()).toBe('sending');
  });

  it('cannot be paused without the form’s CSRF token, even by a publisher (403)', async () => {
    expect((await publisher.post(`${page()}/pause`)).status).toBe(403);
    expect(await statusNow()).toBe('sending');
  });

  it('is paused by a publisher, then resumed with its open batches queued for the workers', async () => {
    const view = await publisher.get(page());
    expect(view.body).toContain(`action="${page()}/pause"`);
    expect(view.body).not.toContain(`action="${page()}/resume"`);
    const paused = await publisher.post(`${page()}/pause`, {}, view.body);
    expect([paused.status, paused.location]).toEqual([303, page()]);
    expect(await statusNow()).toBe('paused');
    const after = await publisher.get(page());
    expect(after.body).toContain('Campaign global-eye/005 paused');
    expect(after.body).toContain('paused <small>(paused by pub in the admin)</small>');
    expect(after.body).toContain(`action="${page()}/resume"`);

    // Pausing again says why not, and changes nothing.
    await publisher.post(`${page()}/pause`, {}, after.body);
    expect((await publisher.get(page())).body).toContain(`Campaign ${campaign.id} is paused, not sending.`);

    const before = await deliveryQueue.count();
    const resumed = await publisher.post(`${page()}/resume`, {}, after.body);
    expect(resumed.status).toBe(303);
    expect(await statusNow()).toBe('sending');
    expect(await deliveryQueue.count()).toBe(before + 3);
    expect(await deliveryQueue.getJob(`campaign-${campaign.id}-batch-0`)).toBeDefined();
    expect((await publisher.get(page())).body).toContain('resumed: 3 batch(es) queued. No worker is running');
  });

  it('sends again to the failed only, in a new round, when a publisher asks', async () => {
    const view = await publisher.get(page());
    expect(view.body).toContain('Resend to the 2 failed');
    const resent = await publisher.post(`${page()}/resend-failed`, {}, view.body);
    expect(resent.status).toBe(303);
    const now = await getCampaign(admin.db, campaign.id);
    expect(now?.round).toBe(1);
    const { rows } = await admin.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries WHERE campaign_id = $1 AND status = 'failed'`,
      [campaign.id],
    );
    expect(rows[0]?.n).toBe(0);
    expect(await deliveryQueue.getJob(`campaign-${campaign.id}-batch-0-round-1`)).toBeDefined();
    expect((await publisher.get(page())).body).toContain(
      '2 failed recipient(s) of global-eye/005 queued again',
    );
  });

  it('is cancelled by a publisher: the rest is skipped, and nothing is left to do', async () => {
    const view = await publisher.get(page());
    const cancelled = await publisher.post(`${page()}/cancel`, {}, view.body);
    expect(cancelled.status).toBe(303);
    expect(await statusNow()).toBe('cancelled');
    const after = await publisher.get(page());
    expect(after.body).toContain('cancelled: recipients not yet sent are skipped');
    expect(after.body).toContain('Nothing to do: the campaign is cancelled.');
    expect(after.body).toMatch(/<th scope="row">Skipped<\/th><td class="n">25<\/td>/);
  });

  it('that does not exist is a 404', async () => {
    expect((await editor.get(page(999_999))).status).toBe(404);
    expect((await editor.get('/admin/campaigns/abc')).status).toBe(404);
    const view = await publisher.get('/admin/campaigns');
    expect((await publisher.post(`${page(999_999)}/pause`, {}, view.body)).status).toBe(404);
  });
});

describe('with Redis away', () => {
  it('resuming changes nothing and says why, in a page rather than an error', async () => {
    const { campaign: other } = await createCampaign(admin.db, campaignOf(6, 10), new Date());
    await setCampaignStatus(admin.db, other.id, ['sending'], 'paused', 'for the test');
    const nowhere = { url: `redis://127.0.0.1:${await freePort()}` };
    const server = await startHttp({
      routes: [
        adminRoutes({
          db: admin.db,
          installationSecret: SECRET,
          publicUrl: 'http://127.0.0.1',
          connection: admin.connection,
          sections: [campaignsSection({ ...admin, connection: nowhere })],
        }),
      ],
      logger: false,
    });
    try {
      const client = await signIn(server.base, PUBLISHER.name, PUBLISHER.password);
      const view = await client.get(page(other.id));
      const resumed = await client.post(`${page(other.id)}/resume`, {}, view.body);
      expect(resumed.status).toBe(303);
      expect((await getCampaign(admin.db, other.id))?.status).toBe('paused');
      expect((await client.get(page(other.id))).body).toMatch(
        /Nothing was changed: Redis at 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)\./,
      );
    } finally {
      await server.close();
    }
  }, 30_000);
});
