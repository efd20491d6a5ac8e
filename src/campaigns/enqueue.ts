// From the plan in the database to jobs on the delivery queue: every unfinished batch of a
// campaign is offered (job ids make offering twice a no-op), and `reconcile` refills a queue that
// Redis lost. What a job is and how it is retried is src/queue's; which batches to offer is here.

import type { DeliveryQueue } from '../queue/delivery-queue.ts';
import type { Queryable } from '../store/db.ts';
import { type Campaign, campaignsWithStatus, expiredBatches, openBatches } from './store.ts';

/** Enqueues a job for every unfinished batch, a page at a time. Returns how many were offered. */
export async function enqueueBatches(
  db: Queryable,
  queue: DeliveryQueue,
  campaign: Pick<Campaign, 'id' | 'round'>,
  pageSize = 1000,
): Promise<number> {
  let after = -1;
  let offered = 0;
  for (;;) {
    const batches = await openBatches(db, campaign.id, after, pageSize);
    if (!batches.length) return offered;
    await queue.add(batches.map((batch) => ({ campaignId: campaign.id, batch, round: campaign.round })));
    offered += batches.length;
    after = batches[batches.length - 1] as number;
  }
}

/**
 * When Redis has nothing to do but the database has campaigns sending (Redis restarted without
 * its data, or `publish` died while enqueueing), enqueue their unfinished batches again. Batches
 * left `submitting` with an expired lease are offered again in any case (a job that still exists
 * under that id is left as it is). Returns the number of jobs offered.
 */
export async function reconcile(db: Queryable, queue: DeliveryQueue): Promise<number> {
  const expired = await expiredBatches(db);
  if (expired.length)
    await queue.add(
      expired.map(({ campaign, batch }) => ({ campaignId: campaign.id, batch, round: campaign.round })),
    );
  if (await queue.hasJobs()) return 0;
  let offered = 0;
  for (const campaign of await campaignsWithStatus(db, 'sending'))
    offered += await enqueueBatches(db, queue, campaign);
  return offered;
}

/** One line on who will deliver a detached campaign: the `bulletin worker` processes connected now. */
export async function workersLine(queue: DeliveryQueue): Promise<string> {
  const workers = await queue.workerCount();
  return workers
    ? `${workers} worker connection(s) on the queue will deliver it.\n`
    : 'No worker is running: start `bulletin worker` (same data dir, or the same REDIS_URL and DATABASE_URL) to deliver it.\n';
}
