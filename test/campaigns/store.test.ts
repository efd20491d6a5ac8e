// A campaign ends when its last open batch finishes: counted, not searched for, so the check costs
// the same at any list size (plans.test.ts). The count has to stay exact through everything that
// opens and closes batches: finishing (ledger.test.ts), resending the failed, cancelling.

import { describe, expect, it } from 'vitest';
import {
  cancelCampaign,
  createCampaign,
  getCampaign,
  type NewCampaign,
  requeueFailed,
} from '../../src/campaigns/store.ts';
import { campaignStore } from '../support/campaign-store.ts';
import { campaignOf, seedReaders } from '../support/campaigns.ts';

// Seven readers in batches of three: batches 0, 1 and 2 (of one).
const store = campaignStore(7);

function issue(issueNumber: number): NewCampaign {
  return campaignOf(issueNumber, 3);
}

const statusOf = async (id: number) => (await getCampaign(store.db, id))?.status;

/** A worker's whole batch: claimed, then finished. Whether that finished the campaign. */
async function finishBatch(campaignId: number, batch: number): Promise<boolean> {
  const claim = await store.ledger.claim(campaignId, batch);
  return claim.kind === 'claimed' && (await store.ledger.finish(claim.lease, new Date()));
}

describe('the end of a campaign', () => {
  it('moves back when the failed are queued again, and comes again when their batch finishes', async () => {
    const { campaign } = await createCampaign(store.db, issue(3), new Date());
    const { rows } = await store.db.query<{ subscriber_id: number }>(
      'SELECT subscriber_id FROM deliveries WHERE campaign_id = $1 AND batch = 1 ORDER BY subscriber_id',
      [campaign.id],
    );
    const claim = await store.ledger.claim(campaign.id, 1);
    if (claim.kind !== 'claimed') throw new Error('batch 1 not claimed');
    await store.ledger.record(
      claim.lease,
      rows.map((r, i) => ({
        subscriberId: r.subscriber_id,
        status: i ? 'sent' : 'failed',
        detail: '554 no',
      })),
      new Date(),
    );
    expect(await store.ledger.finish(claim.lease, new Date())).toBe(false);
    for (const batch of [0, 2]) await finishBatch(campaign.id, batch);
    expect(await statusOf(campaign.id)).toBe('done');

    expect(await requeueFailed(store.db, campaign.id)).toBe(1);
    expect(await statusOf(campaign.id)).toBe('sending');
    expect(await finishBatch(campaign.id, 0)).toBe(false);
    expect(await finishBatch(campaign.id, 1)).toBe(true);
    expect(await statusOf(campaign.id)).toBe('done');
  });

  it('leaves nothing open once cancelled', async () => {
    const { campaign } = await createCampaign(store.db, issue(4), new Date());
    await finishBatch(campaign.id, 1);
    expect(await cancelCampaign(store.db, campaign.id, new Date())).toBe(true);
    const { rows } = await store.db.query<{ open_batches: number; open: number }>(
      `SELECT open_batches, (SELECT count(*)::int FROM campaign_batches WHERE campaign_id = $1 AND status <> 'done') AS open
       FROM campaigns WHERE id = $1`,
      [campaign.id],
    );
    expect(rows).toEqual([{ open_batches: 0, open: 0 }]);
    expect(await finishBatch(campaign.id, 0)).toBe(false);
    expect(await statusOf(campaign.id)).toBe('cancelled');
  });
});

describe('a campaign to nobody', () => {
  it('is not recorded: the publish fails with no-readers, and the issue can be sent once there are readers', async () => {
    const empty = { ...issue(90), publication: 'empty-list' };
    await expect(createCampaign(store.db, empty, new Date())).rejects.toMatchObject({
      problems: [expect.objectContaining({ code: 'no-readers' })],
    });
    const { rows } = await store.db.query(
      "SELECT count(*)::int AS n FROM campaigns WHERE publication = 'empty-list'",
    );
    expect(rows[0]).toEqual({ n: 0 });
    await seedReaders(store.db, 2, 'empty-list');
    const { campaign, created } = await createCampaign(store.db, empty, new Date());
    expect([created, campaign.status, campaign.recipients]).toEqual([true, 'sending', 2]);
  });
});
