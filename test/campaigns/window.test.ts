import { describe, expect, it } from 'vitest';
import { formatWindow, msUntilOpen, parseWindow, type SendingWindow } from '../../src/campaigns/window.ts';
import { testClock } from '../../src/clock.ts';

const HOUR = 3600_000;
const window = (text: string, timeZone = 'Europe/Zurich'): SendingWindow => {
  const parsed = parseWindow(text);
  if (!parsed) throw new Error(`not a window: ${text}`);
  return { ...parsed, timeZone };
};

describe('a sending window', () => {
  it('reads HH:MM-HH:MM and refuses anything else', () => {
    expect(parseWindow('08:00-18:00')).toEqual({ startMinute: 480, endMinute: 1080 });
    expect(parseWindow('22:00-06:00')).toEqual({ startMinute: 1320, endMinute: 360 });
    expect(parseWindow('18:00-24:00')).toEqual({ startMinute: 1080, endMinute: 0 });
    for (const bad of ['08:00-08:00', '8:00-18:00', '08:00', '25:00-06:00', '08:60-09:00', '08:00-24:30'])
      expect(parseWindow(bad), bad).toBeUndefined();
    expect(formatWindow(window('22:00-06:00'))).toBe('22:00-06:00');
  });

  it('is open inside its hours, in its own zone, and says how long until it opens outside them', () => {
    const clock = testClock(new Date('2026-12-01T07:30:00Z')); // 08:30 in Zurich
    const zurich = window('08:00-18:00');
    expect(msUntilOpen(zurich, clock.now())).toBe(0);
    clock.set(new Date('2026-12-01T06:59:00Z')); // 07:59 in Zurich: a minute to go
    expect(msUntilOpen(zurich, clock.now())).toBe(60_000);
    clock.set(new Date('2026-12-01T17:00:00Z')); // 18:00 in Zurich: closed until 08:00 tomorrow
    expect(msUntilOpen(zurich, clock.now())).toBe(14 * HOUR);
    clock.advance(14 * HOUR);
    expect(msUntilOpen(zurich, clock.now())).toBe(0);
    // The same hours in New York are another stretch of the day.
    clock.set(new Date('2026-12-01T12:00:00Z')); // 07:00 in New York
    expect(msUntilOpen(window('08:00-18:00', 'America/New_York'), clock.now())).toBe(HOUR);
  });

  it('spans midnight when it ends before it starts', () => {
    const night = window('22:00-06:00', 'UTC');
    expect(msUntilOpen(night, Date.parse('2026-12-01T23:00:00Z'))).toBe(0);
    expect(msUntilOpen(night, Date.parse('2026-12-02T05:59:00Z'))).toBe(0);
    expect(msUntilOpen(night, Date.parse('2026-12-02T06:00:00Z'))).toBe(16 * HOUR);
  });

  it('opens at its local hour across a change to summer time', () => {
    // Saturday 28 March 2026, 19:00 in Zurich (CET); Sunday's 08:00 is CEST: 12 hours away, not 13.
    expect(msUntilOpen(window('08:00-18:00'), Date.parse('2026-03-28T18:00:00Z'))).toBe(12 * HOUR);
  });
});
