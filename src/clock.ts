// Time, in one place. Everything that decides by the time (token expiry, leases, rate windows,
// backoff, schedules, recorded timestamps) asks a Clock passed in, never `Date` itself, so tests can
// hold time still or move it. The system clock serves production; the test clock, tests.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** The same instant as a Date, for records. */
  date(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  date: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that stands still unless moved; `sleep` resolves at once and records how long it was asked to wait. */
export interface TestClock extends Clock {
  readonly slept: number[];
  advance(ms: number): void;
  set(at: Date | number): void;
}

export function testClock(start: Date | number = Date.parse('2026-01-01T00:00:00Z')): TestClock {
  let now = typeof start === 'number' ? start : start.getTime();
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    date: () => new Date(now),
    async sleep(ms) {
      slept.push(ms);
    },
    advance(ms) {
      now += ms;
    },
    set(at) {
      now = typeof at === 'number' ? at : at.getTime();
    },
  };
}
