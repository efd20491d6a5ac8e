import { describe, expect, it } from 'vitest';
import { ClientRateLimiter } from '../src/client-rate-limiter.ts';
import { testClock } from '../src/clock.ts';

describe('ClientRateLimiter', () => {
  it('allows `limit` events per key per window, then refuses until the window moves on', () => {
    const clock = testClock(0);
    const limiter = new ClientRateLimiter(2, 1000, clock);
    expect([limiter.allow('a'), limiter.allow('a'), limiter.allow('a'), limiter.allow('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    clock.set(1001);
    expect(limiter.allow('a')).toBe(true);
  });

  it('check records nothing: only what is recorded counts', () => {
    const clock = testClock(0);
    const limiter = new ClientRateLimiter(2, 1000, clock);
    for (let i = 0; i < 10; i++) expect(limiter.check('a')).toBe(true);
    limiter.record('a');
    limiter.record('a');
    expect(limiter.check('a')).toBe(false);
    clock.set(1001);
    expect(limiter.check('a')).toBe(true);
  });
});
