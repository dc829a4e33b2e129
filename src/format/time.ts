/**
 * Durations and times relative to now, as the popup shows them: `"850 ms"`, `"4 s"`,
 * `"3 min 5 s"`, `"4 s ago"`, `"in 8 min"`. All inputs are milliseconds (durations) or epoch
 * milliseconds (times); `now` is passed in so the output is a pure function of its arguments.
 */
import type { FormatStrings } from './strings';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function qty(n: number, unit: string): string {
  return `${n} ${unit}`;
}

/**
 * A duration with at most two units, truncated (never rounded up, so a ticking age does not
 * jump ahead): `850 ms`, `12 s`, `3 min 5 s`, `2 h 5 min`, `3 d 2 h`. Negative durations are
 * shown by their magnitude; a non-finite one as {@link FormatStrings.notAvailable}.
 * @param ms duration in milliseconds
 */
export function formatDuration(ms: number, t: FormatStrings): string {
  if (!Number.isFinite(ms)) return t.notAvailable;
  const abs = Math.abs(ms);
  const u = t.units;
  if (abs < SECOND) return qty(Math.floor(abs), u.ms);
  if (abs < MINUTE) return qty(Math.floor(abs / SECOND), u.s);
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
    small > 0 ? `${qty(big, bigUnit)} ${qty(small, smallUnit)}` : qty(big, bigUnit);
  if (abs < HOUR) return pair(Math.floor(abs / MINUTE), u.min, Math.floor((abs % MINUTE) / SECOND), u.s);
  if (abs < DAY) return pair(Math.floor(abs / HOUR), u.h, Math.floor((abs % HOUR) / MINUTE), u.min);
  return pair(Math.floor(abs / DAY), u.d, Math.floor((abs % DAY) / HOUR), u.h);
}

/**
 * A duration in its single largest unit, truncated: `12 s`, `3 min`, `2 h`, `3 d`; below one
 * second, `0 s`. Used inside relative times, where one unit reads best.
 * @param ms duration in milliseconds (magnitude is used)
 */
export function formatCoarseDuration(ms: number, t: FormatStrings): string {
  if (!Number.isFinite(ms)) return t.notAvailable;
  const abs = Math.abs(ms);
  const u = t.units;
  if (abs < MINUTE) return qty(Math.floor(abs / SECOND), u.s);
  if (abs < HOUR) return qty(Math.floor(abs / MINUTE), u.min);
  if (abs < DAY) return qty(Math.floor(abs / HOUR), u.h);
  return qty(Math.floor(abs / DAY), u.d);
}

/**
 * A time relative to `now`: `"just now"` within a second either way, `"4 s ago"` in the past,
 * `"in 8 min"` in the future.
 * @param at epoch ms of the moment shown
 * @param now epoch ms of the present
 */
export function formatRelative(at: number, now: number, t: FormatStrings): string {
  if (!Number.isFinite(at) || !Number.isFinite(now)) return t.notAvailable;
  const diff = now - at;
  if (Math.abs(diff) < SECOND) return t.justNow;
  const coarse = formatCoarseDuration(diff, t);
  return diff > 0 ? t.ago(coarse) : t.inFuture(coarse);
}

/**
 * How long ago something happened, never negative: small clock differences between the page
 * and the worker must not show an age "in the future".
 * @returns milliseconds, or null when `at` is unknown
 */
export function ageMs(at: number | undefined, now: number): number | null {
  if (at === undefined || !Number.isFinite(at)) return null;
  return Math.max(0, now - at);
}

/**
 * A wall-clock time for a moment: `"07:55"` (24-hour, `t.locale`), with the short weekday in
 * front (`"Mon 07:55"`) when the moment is a day or more before `now`.
 * @param at epoch ms of the moment
 * @param now epoch ms of the present
 * @param timeZone IANA time zone; absent: the runtime's own (the agent's machine)
 */
export function formatClock(at: number, now: number, t: FormatStrings, timeZone?: string): string {
  if (!Number.isFinite(at)) return t.notAvailable;
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (timeZone !== undefined) options.timeZone = timeZone;
  if (Number.isFinite(now) && now - at >= DAY) options.weekday = 'short';
  try {
    return new Intl.DateTimeFormat(t.locale, options).format(at);
  } catch {
    return t.notAvailable;
  }
}
