// A campaign's sending window: the hours of the day (in the campaign's time zone) in which its
// batches may be claimed, so a large list is spread over days and nobody is mailed at 3 a.m.
// Outside the window a batch waits until the next opening; a batch claimed inside it finishes.

import { instantOf, localTimeAt } from './zoned-time.ts';

export interface SendingWindow {
  /** Minutes after local midnight at which sending may start … */
  startMinute: number;
  /** … and before which it stops; less than `startMinute` for a window across midnight (22:00-06:00). */
  endMinute: number;
  timeZone: string;
}

const WINDOW = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** "08:00-18:00" as minutes after midnight; undefined when it is not two different times of day. */
export function parseWindow(text: string): { startMinute: number; endMinute: number } | undefined {
  const m = WINDOW.exec(text.trim());
  if (!m) return undefined;
  const [sh, sm, eh, em] = m.slice(1).map(Number) as [number, number, number, number];
  // 24:00 closes a window at midnight.
  if (sh > 23 || sm > 59 || em > 59 || eh > 24 || (eh === 24 && em > 0)) return undefined;
  const startMinute = sh * 60 + sm;
  const endMinute = (eh * 60 + em) % 1440;
  if (startMinute === endMinute) return undefined;
  return { startMinute, endMinute };
}

export function formatWindow(window: Pick<SendingWindow, 'startMinute' | 'endMinute'>): string {
  const hhmm = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${hhmm(window.startMinute)}-${hhmm(window.endMinute)}`;
}

function isOpenAtMinute(window: SendingWindow, minute: number): boolean {
  return window.startMinute < window.endMinute
    ? minute >= window.startMinute && minute < window.endMinute
    : minute >= window.startMinute || minute < window.endMinute;
}

/**
 * How long from `now` until the window is open: 0 while it is. The next opening is the start time
 * on the local day of `now`, or the day after when that has passed (a day the start time does not
 * exist, at a DST change, opens just after it).
 */
export function msUntilOpen(window: SendingWindow, now: number): number {
  const local = localTimeAt(now, window.timeZone);
  if (isOpenAtMinute(window, local.hour * 60 + local.minute)) return 0;
  const hour = Math.floor(window.startMinute / 60);
  const minute = window.startMinute % 60;
  const today = instantOf(
    { year: local.year, month: local.month, day: local.day, hour, minute },
    window.timeZone,
  );
  if (today > now) return today - now;
  // The next local day: noon of today plus a day, read back as a date, is tomorrow in any zone.
  const noon = instantOf(
    { year: local.year, month: local.month, day: local.day, hour: 12, minute: 0 },
    window.timeZone,
  );
  const tomorrow = localTimeAt(noon + 86_400_000, window.timeZone);
  const next = instantOf(
    { year: tomorrow.year, month: tomorrow.month, day: tomorrow.day, hour, minute },
    window.timeZone,
  );
  return Math.max(1, next - now);
}
