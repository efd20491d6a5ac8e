// How many messages this process sends per second, for providers' quotas (`--rate`). Each caller
// reserves the next free slot, so concurrent senders are spaced evenly instead of bursting at each
// second's start. (Not to be confused with inbound's ClientRateLimiter, which refuses clients.)

import type { Clock } from '../clock.ts';

export interface SendRateLimiter {
  /** Resolves when the caller may send one message. */
  take(): Promise<void>;
}

/** `perSecond` 0 or less: no limit. The limit holds per process (per worker). */
export function sendRateLimiter(perSecond: number, clock: Clock): SendRateLimiter {
  if (perSecond <= 0) return { take: async () => {} };
  const interval = 1000 / perSecond;
  let nextSlot = 0;
  return {
    async take() {
      const now = clock.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + interval;
      if (slot > now) await clock.sleep(slot - now);
    },
  };
}
