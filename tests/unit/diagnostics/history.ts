/**
 * Generated incident histories for the recurrence tests: a seeded pseudo-random generator
 * (mulberry32), uniform and working-hours background noise, planted clusters, and an oracle
 * that reads an instant's local weekday and time with its own `Intl.DateTimeFormat`
 * (independent of src/prevention/zoned-time.ts, which the code under test uses).
 */
import { zonedToEpoch } from '../../../src/prevention/zoned-time';
import type { IncidentKind } from '../../../src/session/types';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export interface TestIncident {
  kind: IncidentKind;
  openedAt: number;
}

/** mulberry32 (Tommy Ettinger's 32-bit generator): a deterministic `() => [0, 1)` from a seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const oracleFormats = new Map<string, Intl.DateTimeFormat>();

/** Local weekday (0 = Mon) and ms after local midnight of an instant, read with `Intl` directly. */
export function localSlot(at: number, timeZone: string): { weekday: number; msOfDay: number } {
  let f = oracleFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    oracleFormats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = WEEKDAY_NAMES.indexOf(parts.weekday as (typeof WEEKDAY_NAMES)[number]);
  if (weekday < 0) throw new Error(`oracle could not read a weekday from ${JSON.stringify(parts)}`);
  const msOfDay = ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + (((at % 1000) + 1000) % 1000);
  return { weekday, msOfDay };
}

/** ms after local Monday 00:00 of an instant, by the oracle. */
export function localWeekMs(at: number, timeZone: string): number {
  const { weekday, msOfDay } = localSlot(at, timeZone);
  return weekday * DAY + msOfDay;
}

/** True when the instant began in [weekday hh:mm, + minutes) of local time (wrapping Sun → Mon). */
export function inSlot(at: number, timeZone: string, weekday: number, minuteOfDay: number, minutes: number): boolean {
  const pos = localWeekMs(at, timeZone);
  const anchor = weekday * DAY + minuteOfDay * MINUTE;
  return (((pos - anchor) % WEEK) + WEEK) % WEEK < minutes * MINUTE;
}

/** `n` incidents of `kind` uniformly in (since, now], none for which `reject` holds. */
export function uniformNoise(
  rng: () => number,
  kind: IncidentKind,
  n: number,
  since: number,
  now: number,
  reject: (at: number) => boolean = () => false,
): TestIncident[] {
  const out: TestIncident[] = [];
  while (out.length < n) {
    const at = now - Math.floor(rng() * (now - since));
    if (at > since && !reject(at)) out.push({ kind, openedAt: at });
  }
  return out;
}

/** The local calendar dates in (since, now], oldest first. */
const datesCache = new Map<string, LocalDate[]>();

interface LocalDate {
  year: number;
  month: number;
  day: number;
  /** 0 = Mon. */
  weekday: number;
}

function localDates(since: number, now: number, timeZone: string): LocalDate[] {
  const key = `${since}/${now}/${timeZone}`;
  const cached = datesCache.get(key);
  if (cached) return cached;
  const f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  const seen = new Map<string, LocalDate>();
  for (let t = since; t <= now + DAY; t += HOUR) {
    const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
    const key = `${p.year}-${p.month}-${p.day}`;
    if (!seen.has(key)) seen.set(key, { year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0, weekday: localSlot(t, timeZone).weekday });
  }
  const dates = [...seen.values()];
  datesCache.set(key, dates);
  return dates;
}

/**
 * `n` incidents of `kind` at random moments of local working hours (Mon–Fri 08:00–18:00, a
 * 50-hour week) in (since, now]: the densest realistic background, since contact centres fail
 * when they work.
 */
export function workingHoursNoise(
  rng: () => number,
  kind: IncidentKind,
  n: number,
  since: number,
  now: number,
  timeZone: string,
): TestIncident[] {
  // 08:00–18:00 never spans a daylight-saving change (those happen at night), so each working
  // day is its 08:00 instant plus elapsed time.
  const opens = localDates(since, now, timeZone)
    .filter((d) => d.weekday < 5)
    .map((d) => zonedToEpoch(d, 8 * 60, timeZone));
  const out: TestIncident[] = [];
  while (out.length < n) {
    const open = opens[Math.floor(rng() * opens.length)];
    if (open === undefined) throw new Error('no working day in range');
    const at = open + Math.floor(rng() * 10 * HOUR);
    if (at > since && at <= now) out.push({ kind, openedAt: at });
  }
  return out;
}

/**
 * Incidents of `kind` on every local `weekday` in (since, now], `perWeek` of them each week,
 * at random moments in [hh:mm, hh:mm + minutes) local time.
 */
export function plantedCluster(
  rng: () => number,
  kind: IncidentKind,
  opts: { weekday: number; minuteOfDay: number; minutes: number; perWeek: number; since: number; now: number; timeZone: string },
): TestIncident[] {
  const out: TestIncident[] = [];
  for (const date of localDates(opts.since, opts.now, opts.timeZone)) {
    if (date.weekday !== opts.weekday) continue;
    const start = zonedToEpoch(date, opts.minuteOfDay, opts.timeZone);
    for (let i = 0; i < opts.perWeek; i += 1) {
      const at = start + Math.floor(rng() * opts.minutes * MINUTE);
      if (at > opts.since && at <= opts.now) out.push({ kind, openedAt: at });
    }
  }
  return out;
}

/** Fisher–Yates with the seeded generator: the order of incidents must not matter. */
export function shuffle<T>(rng: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
