import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  formatLocal,
  instantOf,
  isTimeZone,
  offsetAt,
  parseLocalDateTime,
} from '../../src/campaigns/zoned-time.ts';

const local = (text: string) => {
  const parsed = parseLocalDateTime(text);
  if (!parsed) throw new Error(`not a local time: ${text}`);
  return parsed;
};

describe('local times in named zones', () => {
  it('reads a local time in the zone it names, summer and winter', () => {
    expect(new Date(instantOf(local('2026-12-01T09:00'), 'Europe/Zurich')).toISOString()).toBe(
      '2026-12-01T08:00:00.000Z',
    );
    expect(new Date(instantOf(local('2026-07-01T09:00'), 'Europe/Zurich')).toISOString()).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(new Date(instantOf(local('2026-12-01T09:00'), 'America/New_York')).toISOString()).toBe(
      '2026-12-01T14:00:00.000Z',
    );
    expect(new Date(instantOf(local('2026-12-01 09:00'), 'UTC')).toISOString()).toBe(
      '2026-12-01T09:00:00.000Z',
    );
    expect(new Date(instantOf(local('2026-12-01T09:00'), 'Asia/Kolkata')).toISOString()).toBe(
      '2026-12-01T03:30:00.000Z',
    );
  });

  it('takes a time skipped by the spring change as the same time after it, and a doubled one at its first showing', () => {
    // 29 March 2026, Zurich: 02:00 CET becomes 03:00 CEST.
    expect(new Date(instantOf(local('2026-03-29T02:30'), 'Europe/Zurich')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    expect(new Date(instantOf(local('2026-10-25T02:30'), 'Europe/Zurich')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(offsetAt(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Zurich')).toBe(2 * 3600_000);
    expect(offsetAt(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Zurich')).toBe(3600_000);
  });

  it('refuses dates and times that do not exist, and names that are not zones', () => {
    for (const bad of [
      '2026-02-30T09:00',
      '2026-13-01T09:00',
      '2026-12-01T24:00',
      '2026-12-01',
      'tomorrow',
      '2026-12-01T9:00',
    ])
      expect(parseLocalDateTime(bad), bad).toBeUndefined();
    expect(parseLocalDateTime('2028-02-29T23:59')).toEqual({
      year: 2028,
      month: 2,
      day: 29,
      hour: 23,
      minute: 59,
    });
    expect(isTimeZone('Europe/Zurich')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(canonicalTimeZone('europe/zurich')).toBe('Europe/Zurich');
  });

  it('shows an instant as the zone’s wall clock', () => {
    expect(formatLocal(Date.parse('2026-12-01T08:00:00Z'), 'Europe/Zurich')).toBe('2026-12-01 09:00');
    expect(formatLocal(Date.parse('2026-12-31T23:30:00Z'), 'Asia/Tokyo')).toBe('2027-01-01 08:30');
  });
});
