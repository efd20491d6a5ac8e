import { describe, expect, it } from 'vitest';
import { ClientRateLimiter } from '../../src/inbound/client-rate-limiter.ts';

describe('ClientRateLimiter', () => {
  it('allows `limit` events per key per window, then refuses until the window moves on', () => {
    let now = 0;
    const limiter = new ClientRateLimiter(2, 1000, () => now);
    expect([limiter.allow('a'), limiter.allow('a'), limiter.allow('a'), limiter.allow('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    now = 1001;
    expect(limiter.allow('a')).toBe(true);
  });

  it('check records nothing: only what is recorded counts', () => {
    let now = 0;
    const limiter = new ClientRateLimiter(2, 1000, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.check('a')).toBe(true);
    limiter.record('a');
    limiter.record('a');
    expect(limiter.check('a')).toBe(false);
    now = 1001;
    expect(limiter.check('a')).toBe(true);
  });
});
