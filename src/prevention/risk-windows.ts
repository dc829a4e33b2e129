/**
 * Prevention (docs/architecture.md §3): known high-load windows — the WFM schedule publishes of seeds
 * 000 (Mon 06:00 America/Chicago) and 001 (Fri 16:00 America/Chicago) — and when to refresh
 * the bearer token ahead of them or ahead of a known token expiry.
 *
 * A window (`riskWindows` entry, docs/architecture.md §4) starts at local wall-clock `start` on each of
 * its `days` in its IANA `timeZone` and lasts `durationMinutes` of elapsed time. Wall clock
 * to instant goes through `Intl` (./zoned-time.ts), so daylight-saving changes need no table:
 * Mon 06:00 America/Chicago is 11:00Z under CDT (summer) and 12:00Z under CST (winter).
 * A start inside a spring-forward gap is read with the offset before the gap (02:30 on the
 * US spring-forward Sunday happens at 03:30 CDT); an ambiguous start on the fall-back day is
 * the first occurrence (01:30 CDT) — RFC 5545 §3.3.5, see ./zoned-time.ts.
 *
 * Pure: every function takes `now` (epoch ms) and reads no clock.
 */
import type { Config } from '../policy/schema';
import type { CalendarDate } from './zoned-time';
import { addDays, isValidTimeZone, weekdayOf, zonedParts, zonedToEpoch } from './zoned-time';

/** One `riskWindows` entry (`RiskWindowSchema` in src/policy/schema.ts). */
export type RiskWindow = Config['riskWindows'][number];

const MINUTE_MS = 60_000;
/** Seven days, ms: the period of every window. */
export const WEEK_MS = 7 * 86_400_000;
/** Days searched from today: a week plus one day of margin for offsets and gap shifts. */
const SEARCH_DAYS = 8;
const DAY_NAMES: readonly RiskWindow['days'][number][] = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * `refreshAheadMinutes` is capped at one week: a window recurs weekly, so refreshing earlier
 * than that would only target an earlier occurrence.
 */
export const MAX_REFRESH_AHEAD_MS = WEEK_MS;

function startMinute(window: RiskWindow): number {
  const [h, m] = window.start.split(':');
  return Number(h) * 60 + Number(m);
}

/** Starts on the local dates `today + k` for k in `ks`, in order; days not in the window are skipped. */
function* starts(window: RiskWindow, today: CalendarDate, ks: Iterable<number>): Generator<{ at: number; day: string }> {
  const minute = startMinute(window);
  for (const k of ks) {
    const date = addDays(today, k);
    const day = DAY_NAMES[weekdayOf(date)];
    if (day === undefined || !window.days.includes(day)) continue;
    yield { at: zonedToEpoch(date, minute, window.timeZone), day };
  }
}

const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let k = from; step > 0 ? k <= to : k >= to; k += step) out.push(k);
  return out;
};

function localToday(now: number, timeZone: string): CalendarDate {
  const p = zonedParts(now, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

/**
 * The next start of a window strictly after `now`.
 * @param now epoch ms
 * @returns epoch ms and the weekday it falls on (`Mon` …), or null when `days` is empty
 * @throws {RangeError} when `timeZone` is not a zone the platform knows
 */
export function nextWindowStart(window: RiskWindow, now: number): { at: number; day: string } | null {
  for (const s of starts(window, localToday(now, window.timeZone), range(0, SEARCH_DAYS, 1))) {
    if (s.at > now) return s;
  }
  return null;
}

/**
 * The latest start of a window at or before `now`.
 * @param now epoch ms
 * @returns epoch ms and weekday, or null when `days` is empty
 * @throws {RangeError} when `timeZone` is not a zone the platform knows
 */
export function previousWindowStart(window: RiskWindow, now: number): { at: number; day: string } | null {
  for (const s of starts(window, localToday(now, window.timeZone), range(0, -SEARCH_DAYS, -1))) {
    if (s.at <= now) return s;
  }
  return null;
}

/** A window occurrence that is in progress. */
export interface ActiveWindow {
  /** Index in the `riskWindows` list. */
  index: number;
  window: RiskWindow;
  /** Epoch ms of this occurrence's start and end (start + `durationMinutes`). */
  start: number;
  end: number;
  /** e.g. `Mon 06:00 America/Chicago`. */
  label: string;
}

/**
 * The first window (in list order) that `now` falls in: start ≤ now < start + duration.
 * Windows with an unknown time zone are skipped (see {@link invalidWindows}).
 * @param now epoch ms
 */
export function activeWindow(windows: readonly RiskWindow[], now: number): ActiveWindow | null {
  for (const [index, window] of windows.entries()) {
    if (!isValidTimeZone(window.timeZone)) continue;
    // All occurrences of one entry last equally long, so the latest start decides.
    const s = previousWindowStart(window, now);
    if (!s) continue;
    const end = s.at + window.durationMinutes * MINUTE_MS;
    if (now < end) return { index, window, start: s.at, end, label: windowLabel(window, s.day) };
  }
  return null;
}

/**
 * True while any window is in progress (start ≤ now < start + `durationMinutes`).
 * @param now epoch ms
 */
export function isInsideWindow(windows: readonly RiskWindow[], now: number): boolean {
  return activeWindow(windows, now) !== null;
}

/** Indexes of windows whose `timeZone` the platform does not know (they are ignored). */
export function invalidWindows(windows: readonly RiskWindow[]): number[] {
  return [...windows.entries()].filter(([, w]) => !isValidTimeZone(w.timeZone)).map(([i]) => i);
}

/**
 * How a window occurrence is named to people: `Mon 06:00 America/Chicago` (the weekday of
 * the occurrence, the configured start, the zone).
 */
export function windowLabel(window: RiskWindow, day: string): string {
  return `${day} ${window.start} ${window.timeZone}`;
}

/** Why a preventive refresh is due. */
export type PreventiveReason =
  | {
      kind: 'risk-window';
      /** Index in the `riskWindows` list. */
      index: number;
      /** Epoch ms the occurrence starts. */
      windowStart: number;
      /** e.g. `Mon 06:00 America/Chicago`. */
      label: string;
    }
  | {
      kind: 'token-expiry';
      /** Epoch ms the token expires. */
      expiresAt: number;
    };

/** When the next preventive refresh is due, and why. */
export interface PreventiveRefresh {
  /** Epoch ms, always > `now`. */
  at: number;
  reason: PreventiveReason;
}

/** What {@link nextPreventiveRefreshAt} looks at. */
export interface PreventiveInput {
  windows: readonly RiskWindow[];
  /** Epoch ms the current token expires, when known (`expires_in`, RFC 6749 §5.1). */
  tokenExpiresAt?: number;
  /** Epoch ms that token was obtained, when known; see the half-life rule below. */
  tokenObtainedAt?: number;
  /** `tokenRefresh.refreshAheadSeconds`, s. */
  refreshAheadSeconds: number;
  /** Epoch ms. */
  now: number;
}

/**
 * The next preventive token refresh: the earliest of
 * - for each window, the next occurrence's start − `refreshAheadMinutes` (capped at
 *   {@link MAX_REFRESH_AHEAD_MS}) that is still after `now` — an occurrence whose lead time
 *   has already begun is not refreshed for again (the alarm that fired at its refresh time
 *   did that, and a tab that opened since holds a token from its own sign-in);
 * - the token's expiry − `refreshAheadSeconds`, but never in the first half of the token's
 *   life when `tokenObtainedAt` is known (a token that lives shorter than the lead time
 *   would otherwise be refreshed again at once, forever), and at the latest `now + 1` ms when
 *   the lead time has begun and the token is still valid. An expired token is ignored: the
 *   probe's 401 recovery (rung 2) deals with it.
 * A window wins a tie. Windows with an unknown time zone or no days are ignored.
 *
 * Bound: for a non-empty window list the result is at most one week plus the zone's
 * daylight-saving shift (1 h for the US) after `now` — the refresh times of a window are a
 * week of *local* time apart, which is 7 d ± 1 h of elapsed time across a DST change.
 *
 * @returns null when nothing is due: no usable window and no valid known expiry
 */
export function nextPreventiveRefreshAt(input: PreventiveInput): PreventiveRefresh | null {
  const { now } = input;
  let best: PreventiveRefresh | null = null;
  for (const [index, window] of input.windows.entries()) {
    if (!isValidTimeZone(window.timeZone)) continue;
    const ahead = Math.min(window.refreshAheadMinutes * MINUTE_MS, MAX_REFRESH_AHEAD_MS);
    const s = nextWindowStart(window, now + ahead);
    if (!s) continue;
    const at = s.at - ahead;
    if (!best || at < best.at) {
      best = { at, reason: { kind: 'risk-window', index, windowStart: s.at, label: windowLabel(window, s.day) } };
    }
  }
  const expiresAt = input.tokenExpiresAt;
  if (expiresAt !== undefined && Number.isFinite(expiresAt) && expiresAt > now) {
    let due = expiresAt - Math.max(0, input.refreshAheadSeconds) * 1000;
    const obtainedAt = input.tokenObtainedAt;
    if (obtainedAt !== undefined && obtainedAt < expiresAt) due = Math.max(due, obtainedAt + (expiresAt - obtainedAt) / 2);
    const at = Math.max(Math.ceil(due), now + 1);
    if (!best || at < best.at) best = { at, reason: { kind: 'token-expiry', expiresAt } };
  }
  return best;
}

/**
 * The sentence the popup shows for a preventive refresh: `Refreshed ahead of Mon 06:00
 * America/Chicago`, `Refreshed ahead of token expiry`; when it failed, `Could not refresh
 * ahead of …`.
 */
export function preventiveNote(reason: PreventiveReason, ok = true): string {
  const what = reason.kind === 'risk-window' ? reason.label : 'token expiry';
  return ok ? `Refreshed ahead of ${what}` : `Could not refresh ahead of ${what}`;
}
