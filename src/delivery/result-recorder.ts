// Per-recipient results go to the database a few dozen at a time, not one row per message: a
// crash loses at most the results since the last flush (those recipients are sent again, which is
// the duplicate bound the README states). Every write, even an empty one on the timer, extends
// the batch's lease, so a batch that is slow but alive is never taken over.

import { type DeliveryResult, recordResults } from '../campaigns/store.ts';
import type { Queryable } from '../store/db.ts';

export class ResultRecorder {
  private pending: DeliveryResult[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly batch: { campaignId: number; batch: number; leaseMs: number },
    private readonly flushEvery: number,
    flushIntervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), flushIntervalMs);
    this.timer.unref();
  }

  async add(result: DeliveryResult): Promise<void> {
    this.pending.push(result);
    if (this.pending.length >= this.flushEvery) await this.flush();
  }

  /** Writes everything added so far; writes happen one after another, in order. */
  flush(): Promise<void> {
    const results = this.pending;
    this.pending = [];
    const { campaignId, batch, leaseMs } = this.batch;
    this.writing = this.writing.then(() => recordResults(this.db, campaignId, batch, results, leaseMs));
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
