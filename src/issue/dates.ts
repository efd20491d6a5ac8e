import {
  type DateRange,
  editionLanguageTag,
  type Issue,
  type PartialDate,
  type ProgrammeDay,
} from './model.ts';

const ISO = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

/** `2009-04-01` or `2009-04`; undefined when malformed or impossible (2009-02-30). */
export function parsePartialDate(text: string): PartialDate | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month < 1 || month > 12) return undefined;
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()))
    return undefined;
  return day === undefined ? { year, month } : { year, month, day };
}

/** `2009-02-24` or `2009-02-24 to 2009-02-27`. */
export function parseRange(text: string): DateRange | undefined {
  const [from, to, ...rest] = text.split(/\s+to\s+/);
  if (rest.length || !from) return undefined;
  const start = parsePartialDate(from);
  const end = to === undefined ? undefined : parsePartialDate(to);
  if (!start || (to !== undefined && !end)) return undefined;
  if (end && toUtc(end) < toUtc(start)) return undefined;
  return end ? { start, end } : { start };
}

function toUtc(d: PartialDate): Date {
  return new Date(Date.UTC(d.year, d.month - 1, d.day ?? 1));
}

/** Making a DateTimeFormat costs far more than using one: one per language and precision. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(d: PartialDate, language: string): Intl.DateTimeFormat {
  const key = `${language} ${d.day === undefined ? 'month' : 'day'}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language, {
      timeZone: 'UTC',
      year: 'numeric',
      month: 'long',
      ...(d.day === undefined ? {} : { day: 'numeric' }),
    });
    formatters.set(key, format);
  }
  return format;
}

/** "1 April 2009" / "April 2009", in the publication's language. */
export function formatDate(d: PartialDate, language: string): string {
  return formatter(d, language).format(toUtc(d));
}

/** "24–27 February 2009": one date, or a range collapsed the way the language writes it. */
export function formatRange(range: DateRange, language: string): string {
  const f = formatter(range.start, language);
  return range.end ? f.formatRange(toUtc(range.start), toUtc(range.end)) : f.format(toUtc(range.start));
}

/** ISO 8601 for machine-readable attributes (<time datetime>). */
export function isoDate(d: PartialDate): string {
  return [d.year, String(d.month).padStart(2, '0'), ...(d.day ? [String(d.day).padStart(2, '0')] : [])].join(
    '-',
  );
}

/** What an issue is dated by in every edition: its season, its range of days, or its date. */
export function issueDateLabel(issue: Issue): string {
  const language = editionLanguageTag(issue); // the full tag (en-GB): dates as the publication writes them
  if (issue.season) return issue.season;
  return issue.dates ? formatRange(issue.dates, language) : formatDate(issue.date, language);
}

/** "Tuesday 10 March 2026": a programme's day, with its weekday, in the publication's language. */
export function formatDay(d: PartialDate, language: string): string {
  if (d.day === undefined) return formatDate(d, language);
  return new Intl.DateTimeFormat(language, {
    timeZone: 'UTC',
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(toUtc(d));
}

/** "Day 1 – Tuesday, 10 March 2026": a programme day's heading, its date written out. */
export function dayTitle(day: ProgrammeDay, language: string): string | undefined {
  const date = day.date && formatDay(day.date, language);
  return [day.label, date].filter(Boolean).join(' \u2013 ') || undefined;
}
