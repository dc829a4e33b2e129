/**
 * Where instants fall in the local week of an IANA time zone: weekday and wall-clock time,
 * daylight saving included. The zone rules come from the platform through `Intl`
 * (../prevention/zoned-time.ts), so Mon 06:00 America/Chicago is the same place in the week
 * whether it happened at 11:00Z (CDT, summer) or 12:00Z (CST, winter).
 *
 * The week runs Monday to Sunday (ISO 8601 §4.3.2.2); that is also the order of the
 * `riskWindows` weekday names in the policy schema.
 *
 * Wall-clock readings, not elapsed time: on the fall-back night the hour 01:00–02:00 happens
 * twice and both land in the same place of the week; the skipped hour of the spring-forward
 * night holds nothing. That is what people mean by "Sunday at 01:30", and what scheduled jobs
 * (a WFM schedule publish) follow.
 */
import { WEEK_MS } from '../prevention/risk-windows';
import { isValidTimeZone, offsetAt } from '../prevention/zoned-time';

export { WEEK_MS };

/** Weekday names, Monday first (ISO 8601; the policy's `riskWindows[].days` spelling). */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Wall-clock ms of Monday 1970-01-05 00:00 (the Unix epoch fell on a Thursday). */
export const FIRST_MONDAY_WALL = 4 * DAY_MS;

/** Largest magnitude of an ECMAScript time value, ms (ECMA-262 §21.4.1.22 TimeClip). */
const MAX_TIME_VALUE = 8.64e15;

/** `x mod m` in [0, m) for negative `x` too. */
export function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** True for an epoch-ms value a `Date` can hold (finite, within ±8.64e15). */
export function isTimeValue(at: number): boolean {
  return Number.isFinite(at) && Math.abs(at) <= MAX_TIME_VALUE;
}

/**
 * Throws unless the platform knows `timeZone`.
 * @param what who is asking, for the message (`findRecurrence`)
 * @throws {RangeError} `findRecurrence: unknown time zone "Mars/Base"; expected an IANA time
 *   zone name such as America/Chicago`
 */
export function assertTimeZone(timeZone: string, what: string): void {
  if (typeof timeZone !== 'string' || !isValidTimeZone(timeZone)) {
    throw new RangeError(`${what}: unknown time zone ${JSON.stringify(timeZone)}; expected an IANA time zone name such as America/Chicago`);
  }
}

/**
 * The local wall-clock reading of an instant, as ms since 1970-01-01 00:00 *wall clock*
 * (the instant plus the zone's UTC offset at that instant).
 * @param at epoch ms
 * @throws {RangeError} for a zone the platform does not know, or an `at` no `Date` can hold
 */
export function localWall(at: number, timeZone: string): number {
  return at + offsetAt(at, timeZone);
}

/**
 * {@link localWall} for many instants in one zone, reading the zone's offset once per UTC hour
 * instead of once per instant: when the offset is the same at both ends of an hour, nothing
 * changed within it (the tz database never changes an offset twice within an hour), so every
 * instant of that hour shares it; an hour with a change in it is read per instant.
 * @throws {RangeError} (from the returned function) for an unknown zone or an `at` no `Date` can hold
 */
export function wallClock(timeZone: string): (at: number) => number {
  const offsets = new Map<number, number | null>();
  return (at) => {
    // The hour around the very last time value reaches past it: read that one directly.
    if (Math.abs(at) > MAX_TIME_VALUE - HOUR_MS) return localWall(at, timeZone);
    const hour = Math.floor(at / HOUR_MS);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      const first = offsetAt(hour * HOUR_MS, timeZone);
      offset = first === offsetAt((hour + 1) * HOUR_MS - 1, timeZone) ? first : null;
      offsets.set(hour, offset);
    }
    return offset === null ? localWall(at, timeZone) : at + offset;
  };
}

/** Place in the local week of a wall-clock reading: ms after Monday 00:00, in [0, {@link WEEK_MS}). */
export function weekPosition(wall: number): number {
  return mod(wall - FIRST_MONDAY_WALL, WEEK_MS);
}

/**
 * Counts of instants per local weekday and hour.
 *
 * @param incidents anything with `openedAt` (epoch ms); entries whose `openedAt` is not a
 *   time value (NaN, ±Infinity, beyond ±8.64e15) cannot have a weekday and are not counted
 * @param timeZone IANA zone the weekday and hour are read in
 * @returns 7 rows (Mon … Sun, {@link WEEKDAYS}) × 24 columns (local hour 0–23) of counts; the
 *   counts add up to the number of incidents with a valid `openedAt`. The repeated hour of the
 *   fall-back night counts in its one local hour; the skipped spring-forward hour stays empty.
 * @throws {RangeError} when the platform does not know `timeZone`
 */
export function weekHistogram(incidents: ReadonlyArray<{ openedAt: number }>, timeZone: string): number[][] {
  assertTimeZone(timeZone, 'weekHistogram');
  const rows = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  const wallOf = wallClock(timeZone);
  for (const { openedAt } of incidents) {
    if (!isTimeValue(openedAt)) continue;
    const position = weekPosition(wallOf(openedAt));
    const row = rows[Math.floor(position / DAY_MS)];
    const hour = Math.floor(mod(position, DAY_MS) / HOUR_MS);
    if (row) row[hour] = (row[hour] ?? 0) + 1;
  }
  return rows;
}
