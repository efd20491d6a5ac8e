import { describe, expect, it } from 'vitest';
import { testClock } from '../../src/clock.ts';
import { sendRateLimiter } from '../../src/delivery/send-rate-limiter.ts';

describe('sendRateLimiter', () => {
  it('spaces concurrent senders evenly at the configured rate', async () => {
    const clock = testClock(1_000_000);
    const limit = sendRateLimiter(50, clock); // one message every 20 ms
    await Promise.all(Array.from({ length: 5 }, () => limit.take()));
    expect(clock.slept).toEqual([20, 40, 60, 80]);
  });

  it('does not make a sender wait after a pause longer than the interval', async () => {
    const clock = testClock(1_000_000);
    const limit = sendRateLimiter(10, clock);
    await limit.take();
    clock.advance(500);
    await limit.take();
    expect(clock.slept).toEqual([]);
  });

  it('is no limit at all when the rate is 0', async () => {
    const clock = testClock(1_000_000);
    const limit = sendRateLimiter(0, clock);
    await Promise.all(Array.from({ length: 100 }, () => limit.take()));
    expect(clock.slept).toEqual([]);
  });
});
