// Pauses a campaign that keeps failing instead of burning through the list (listmonk's
// MaxSendErrors). Counts consecutive failures per campaign in this process; any success resets.

export class CircuitBreaker {
  private readonly failures = new Map<number, number>();

  constructor(private readonly threshold: number) {}

  /**
   * Records one send; returns true when this failure trips the breaker. The count then starts
   * again, so that after the operator's `resume` the campaign gets a full allowance.
   */
  record(campaignId: number, ok: boolean): boolean {
    if (ok) {
      this.failures.delete(campaignId);
      return false;
    }
    const count = (this.failures.get(campaignId) ?? 0) + 1;
    if (this.threshold > 0 && count >= this.threshold) {
      this.failures.delete(campaignId);
      return true;
    }
    this.failures.set(campaignId, count);
    return false;
  }
}
