// A campaign's deferrals, as its progress line shows them: how many recipients are still queued
// after a temporary failure (4xx, no connection), and the last answer, kept by the statement that
// records results, on a real PostgreSQL.

import { describe, expect, it } from 'vitest';
import type { BatchLease } from '../../src/campaigns/ledger.ts';
import { campaignProgress, createCampaign } from '../../src/campaigns/store.ts';
import { campaignStore } from '../support/campaign-store.ts';
import { campaignOf } from '../support/campaigns.ts';

const store = campaignStore(5);

async function claim(campaignId: number, batch: number): Promise<BatchLease> {
  const claimed = await store.ledger.claim(campaignId, batch);
  if (claimed.kind !== 'claimed') throw new Error(`batch ${batch} not claimed: ${claimed.kind}`);
  return claimed.lease;
}

describe('deferred recipients', () => {
  it('are counted while queued after a deferral, with the last answer, and uncounted once settled', async () => {
    const { campaign } = await createCampaign(store.db, campaignOf(1, 5), new Date());
    expect(await campaignProgress(store.db, campaign)).toMatchObject({ deferred: 0 });
    expect((await campaignProgress(store.db, campaign)).lastError).toBeUndefined();

    let lease = await claim(campaign.id, 0);
    const ids = (await store.ledger.queuedRecipients(lease)).map((r) => r.subscriberId) as number[];
    // First attempt: one sent, four deferred.
    await store.ledger.record(
      lease,
      [
        { subscriberId: ids[0] as number, status: 'sent' },
        ...ids
          .slice(1)
          .map((subscriberId) => ({ subscriberId, status: 'queued' as const, detail: '421 try later' })),
      ],
      new Date(),
    );
    expect(await campaignProgress(store.db, campaign)).toMatchObject({
      deferred: 4,
      lastError: '421 try later',
      counts: { sent: 1, queued: 4 },
    });
    await store.ledger.release(lease);

    // Second attempt: two deferred again (still counted once each), one sent, one failed for good.
    lease = await claim(campaign.id, 0);
    await store.ledger.record(
      lease,
      [
        { subscriberId: ids[1] as number, status: 'queued', detail: 'connect ECONNREFUSED 127.0.0.1:25' },
        { subscriberId: ids[2] as number, status: 'queued', detail: 'connect ECONNREFUSED 127.0.0.1:25' },
        { subscriberId: ids[3] as number, status: 'sent' },
        { subscriberId: ids[4] as number, status: 'failed', detail: '421 try later' },
      ],
      new Date(),
    );
    expect(await campaignProgress(store.db, campaign)).toMatchObject({
      deferred: 2,
      lastError: 'connect ECONNREFUSED 127.0.0.1:25',
      counts: { sent: 2, failed: 1, queued: 2 },
    });

    // The server is back: the rest is sent, nothing is deferred; the last answer stays on record.
    await store.ledger.record(
      lease,
      ids.slice(1, 3).map((subscriberId) => ({ subscriberId, status: 'sent' as const })),
      new Date(),
    );
    expect(await campaignProgress(store.db, campaign)).toMatchObject({
      deferred: 0,
      counts: { sent: 4, failed: 1, queued: 0 },
    });
  });

  it('are not written at all for a campaign that sends fine', async () => {
    const { campaign } = await createCampaign(store.db, campaignOf(2, 5), new Date());
    const lease = await claim(campaign.id, 0);
    const queued = await store.ledger.queuedRecipients(lease);
    await store.ledger.record(
      lease,
      queued.map((r) => ({ subscriberId: r.subscriberId, status: 'sent' as const })),
      new Date(),
    );
    const { rows } = await store.db.query('SELECT 1 FROM campaign_deferrals WHERE campaign_id = $1', [
      campaign.id,
    ]);
    expect(rows).toEqual([]);
  });
});
