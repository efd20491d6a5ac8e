// Follows a campaign from the database until it stops sending (done, paused or cancelled), or
// until `signal` aborts (the operator pressed Ctrl-C).

import { InternalError } from '../problems.ts';
import type { Queryable } from '../store/db.ts';
import { type Campaign, campaignProgress, getCampaign, type Progress } from './store.ts';

export async function watchCampaign(
  db: Queryable,
  campaignId: number,
  onProgress: (progress: Progress, campaign: Campaign) => void,
  intervalMs = 500,
  signal?: AbortSignal,
): Promise<Campaign> {
  for (;;) {
    const campaign = await getCampaign(db, campaignId);
    if (!campaign) throw new InternalError(`campaign ${campaignId} disappeared`);
    onProgress(await campaignProgress(db, campaign), campaign);
    if (campaign.status !== 'sending' || signal?.aborted) return campaign;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
