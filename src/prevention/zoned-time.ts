/**
 * Wall-clock time in an IANA time zone, from the platform's own time-zone data through
 * `Intl.DateTimeFormat` (ECMA-402): no hand-written daylight-saving tables, no dependency.
 *
 * A wall-clock time can be missing (spring-forward gap) or occur twice (fall-back overlap).
 * {@link zonedToEpoch} resolves both the way RFC 5545 §3.3.5 (iCalendar DATE-TIME with TZID)
 * prescribes, which is also ECMAScript Temporal's default `disambiguation: 'compatible'`:
 * - **ambiguous** (the clock goes back and shows the time twice): the *first* occurrence,
 *   i.e. the one with the pre-transition (daylight) offset — 01:30 on 2026-11-01 in
 *   America/Chicago is 01:30 CDT = 06:30Z;
 * - **gap** (the clock jumps over it): read with the offset *before* the gap, which lands the
 *   same number of minutes after the gap — 02:30 on 2026-03-08 in America/Chicago is
 *   03:30 CDT = 08:30Z.
 */

/** A calendar date (proleptic Gregorian), month 1–12. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Wall-clock reading of an instant in a zone. `weekday` 0 = Sunday … 6 = Saturday. */
export interface ZonedParts extends CalendarDate {
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US-u-nu-latn', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** `Date.UTC` for a proleptic year, including years 0–99 (which `Date.UTC` maps to 1900–1999). */
function utcOf(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * True when the platform knows `timeZone` as an IANA zone name (or an alias of one).
 * @param timeZone e.g. `America/Chicago`
 */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Weekday of a calendar date, 0 = Sunday … 6 = Saturday (proleptic Gregorian, no zone).
 */
export function weekdayOf(date: CalendarDate): number {
  return new Date(utcOf(date.year, date.month, date.day, 0, 0, 0)).getUTCDay();
}

/**
 * The calendar date `days` days after `date` (negative: before).
 */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(utcOf(date.year, date.month, date.day + days, 0, 0, 0));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The wall-clock reading of an instant in a zone.
 * @param epochMs the instant, ms since the Unix epoch
 * @param timeZone IANA zone name
 * @throws {RangeError} for a zone the platform does not know
 */
export function zonedParts(epochMs: number, timeZone: string): ZonedParts {
  const out: Record<string, number> = {};
  let bc = false;
  for (const p of formatter(timeZone).formatToParts(epochMs)) {
    if (p.type === 'era') bc = p.value.startsWith('B');
    else if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  const year = bc ? 1 - (out.year ?? 0) : (out.year ?? 0);
  const date = { year, month: out.month ?? 1, day: out.day ?? 1 };
  return { ...date, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0, weekday: weekdayOf(date) };
}

/**
 * The zone's UTC offset at an instant: local wall clock minus UTC, ms (America/Chicago in
 * winter: −21,600,000). Whole seconds, as in the tz database.
 * @throws {RangeError} for a zone the platform does not know
 */
export function offsetAt(epochMs: number, timeZone: string): number {
  const p = zonedParts(epochMs, timeZone);
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return utcOf(p.year, p.month, p.day, p.hour, p.minute, p.second) - wholeSecond;
}

/**
 * The instant a wall-clock time happens in a zone. Gaps and overlaps are resolved as the
 * module comment says (RFC 5545 §3.3.5; Temporal `compatible`).
 *
 * How: the wall time read as if it were UTC, minus the offset in force a day before and a day
 * after it, gives at most two candidate instants; those whose own offset reproduces the wall
 * time are real. Two real ones: overlap, the earlier wins. None: gap, the one from the offset
 * before the gap is taken. Assumes at most one offset change within ±10 h of the wall time
 * (true of every zone in the tz database for years after 1900).
 *
 * @param minuteOfDay minutes after local midnight, 0–1439
 * @returns epoch ms
 * @throws {RangeError} for a zone the platform does not know
 */
export function zonedToEpoch(date: CalendarDate, minuteOfDay: number, timeZone: string): number {
  const wall = utcOf(date.year, date.month, date.day, 0, minuteOfDay, 0);
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const real = [wall - before, wall - after].filter((t) => t + offsetAt(t, timeZone) === wall);
  if (real.length > 0) return Math.min(...real);
  return wall - before;
}
