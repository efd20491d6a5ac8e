// Local times in named time zones, for schedules and sending windows: "2026-12-01T09:00 in
// Europe/Zurich" to an instant and back, with the platform's time zone data (Intl), no library.
// The offset of a zone at an instant is read from Intl.DateTimeFormat's parts; a local time is
// turned into an instant by guessing with the offset and correcting once (DST changes move it).

/** A wall-clock time with no zone: 2026-12-01T09:00. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the platform knows the zone (an IANA name such as Europe/Zurich, or UTC). */
export function isTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone as the operator named it, in its usual capitals (europe/zurich → Europe/Zurich). Not
 * ICU's canonical name, which can be an old one (Asia/Kolkata would become Asia/Calcutta).
 */
export function canonicalTimeZone(timeZone: string): string {
  const known = Intl.supportedValuesOf('timeZone');
  if (known.includes(timeZone)) return timeZone;
  return (
    known.find((zone) => zone.toLowerCase() === timeZone.toLowerCase()) ??
    formatter(timeZone).resolvedOptions().timeZone
  );
}

/** Every zone this machine knows, for did-you-mean. */
export function knownTimeZones(): readonly string[] {
  return Intl.supportedValuesOf('timeZone');
}

/** The wall-clock time in `timeZone` at the instant `ms`, to the second. */
export function localTimeAt(ms: number, timeZone: string): LocalDateTime & { second: number } {
  const parts: Record<string, number> = Object.create(null);
  for (const part of formatter(timeZone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  };
}

/** How far the zone's clocks are ahead of UTC at the instant `ms`, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  const t = localTimeAt(ms, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant at which the zone's clocks show `local`. A time skipped by a DST change (02:30 on
 * the spring-forward night) is taken as the same time after the change; a time shown twice (the
 * autumn night), as its first showing.
 */
export function instantOf(local: LocalDateTime, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // The earlier of the two candidate offsets first, so an hour shown twice resolves to its first showing.
  const before = offsetAt(wall - 86_400_000, timeZone);
  const after = offsetAt(wall + 86_400_000, timeZone);
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const candidate = wall - offset;
    if (offsetAt(candidate, timeZone) === offset) return candidate;
  }
  // Skipped by the change: the same wall time read with the offset from before it.
  return wall - before;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/;

/**
 * "2026-12-01T09:00" (or with a space) as a local date-time; undefined when it is not one or names
 * a day or time that does not exist (2026-02-30, 24:00).
 */
export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const m = LOCAL.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return { year, month, day, hour, minute };
}

/** "2026-12-01 09:00" in the zone. */
export function formatLocal(ms: number, timeZone: string): string {
  const t = localTimeAt(ms, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}`;
}
