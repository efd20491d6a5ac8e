// How often one client may do something: at most `limit` events per key (a client IP, a sender at
// an IP) in any sliding `windowMs`. The SMTP server counts accepted messages per IP and per sender
// with it, the web form sign-ups per IP. (Delivery's SendRateLimiter paces our own sending.)

import { type Clock, systemClock } from './clock.ts';

/** At most `limit` events per key in any `windowMs`. */
export class ClientRateLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Whether `key` is under its limit, recording nothing (record once the event happened). */
  check(key: string): boolean {
    const now = this.clock.now();
    return (this.events.get(key) ?? []).filter((t) => t > now - this.windowMs).length < this.limit;
  }

  /** Records an event for `key`, whatever its count. */
  record(key: string): void {
    const now = this.clock.now();
    const recent = (this.events.get(key) ?? []).filter((t) => t > now - this.windowMs);
    recent.push(now);
    this.events.set(key, recent);
    if (this.events.size > 10_000) this.prune(now);
  }

  /** Records an event for `key`; false (and nothing recorded) when the key is over its limit. */
  allow(key: string): boolean {
    const now = this.clock.now();
    const recent = (this.events.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.events.set(key, recent);
      return false;
    }
    recent.push(now);
    this.events.set(key, recent);
    if (this.events.size > 10_000) this.prune(now);
    return true;
  }

  /** Forgets keys with no recent events, so a flood of distinct senders cannot grow memory forever. */
  private prune(now: number): void {
    for (const [key, times] of this.events) {
      if (!times.some((t) => t > now - this.windowMs)) this.events.delete(key);
    }
  }
}
