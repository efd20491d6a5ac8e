// Per-recipient results go to the ledger a few dozen at a time, not one row per message: a
// crash loses at most the results since the last flush (those recipients are sent again, which is
// the duplicate bound the README states). Every write, even an empty one on the timer, extends
// the batch's lease, so a batch that is slow but alive is never taken over; a write that finds
// the batch taken over all the same says so (`lost`), and the sending stops.

import type { BatchLease, CampaignLedger, DeliveryResult } from '../campaigns/ledger.ts';
import type { Clock } from '../clock.ts';

export class ResultRecorder {
  private pending: DeliveryResult[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Another claim took the batch over (its worker thought ours dead), or the campaign ended. */
  lost = false;

  constructor(
    private readonly ledger: CampaignLedger,
    private readonly lease: BatchLease,
    private readonly clock: Clock,
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
    this.writing = this.writing.then(async () => {
      if (!(await this.ledger.record(this.lease, results, new Date(this.clock.now())))) this.lost = true;
    });
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
