// Password guessing, per client: after `maxFailures` wrong logins within `windowMs` the client is
// locked out for `lockMs`, and while locked even the right password is refused, so guessing on
// cannot tell a hit from a miss.

import { type Clock, systemClock } from '../clock.ts';

export interface LoginThrottleOptions {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  clock?: Clock;
}

interface Record {
  failures: number[];
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly clients = new Map<string, Record>();
  private readonly clock: Clock;

  constructor(private readonly options: LoginThrottleOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Seconds until `client` may try again; 0 when it may try now. */
  lockedFor(client: string): number {
    const until = this.clients.get(client)?.lockedUntil ?? 0;
    return Math.max(0, Math.ceil((until - this.clock.now()) / 1000));
  }

  /** Records a wrong login; true when this one locks the client out. */
  failed(client: string): boolean {
    const now = this.clock.now();
    const record = this.clients.get(client) ?? { failures: [], lockedUntil: 0 };
    record.failures = record.failures.filter((t) => t > now - this.options.windowMs);
    record.failures.push(now);
    const locks = record.failures.length >= this.options.maxFailures;
    if (locks) {
      record.lockedUntil = now + this.options.lockMs;
      record.failures = [];
    }
    this.clients.set(client, record);
    if (this.clients.size > 10_000) this.prune(now);
    return locks;
  }

  /** A right login forgets the client's earlier mistakes. */
  succeeded(client: string): void {
    if (this.lockedFor(client) === 0) this.clients.delete(client);
  }

  /** Forgets clients neither locked nor recently wrong, so many addresses cannot grow memory forever. */
  private prune(now: number): void {
    for (const [client, record] of this.clients) {
      if (record.lockedUntil <= now && !record.failures.some((t) => t > now - this.options.windowMs))
        this.clients.delete(client);
    }
  }
}
