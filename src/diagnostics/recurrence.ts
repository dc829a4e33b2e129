/**
 * Recurrence: do incidents of one kind keep starting at the same weekday and local time?
 *
 * Contact-centre outages of the seeds' kind follow a schedule — the WFM schedule publish
 * (Mon 06:00 and Fri 16:00 America/Chicago, seeds 000/001) — so a week's incidents pile up
 * a few minutes after the same wall-clock time every week. This finds those piles and says
 * in one sentence where they are, whether a configured risk window already covers them, and
 * which policy would add one:
 *
 *   "7 of 9 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00
 *    America/Chicago — no risk window is configured for it"
 *
 * The rule, per incident kind (kinds are never mixed: a 401 storm and a 1006 storm at the same
 * minute are two findings, each with its own count, and the finding names one kind):
 *
 * 1. Incidents with lookback start < `openedAt` ≤ `now` are used (lookback = `lookbackDays` ×
 *    24 h of elapsed time); older, future and undated ones are ignored.
 * 2. Each incident is placed in the local week of `timeZone` by wall clock (./local-week.ts;
 *    daylight saving from the platform's `Intl` data).
 * 3. Anchors are the 672 quarter-hour marks of the week (Mon 00:00, Mon 00:15, … Sun 23:45).
 *    Scheduled jobs and the policy's risk windows start on such marks, and a fixed grid keeps
 *    the count honest: the sentence's "after Mon 06:00" is exactly the anchor that was
 *    counted, not a time fitted to the data. An incident belongs to an anchor when it began
 *    in [anchor, anchor + `withinMinutes`) of local time (the week wraps Sun → Mon).
 * 4. The anchor holding the most incidents wins (ties: more distinct weeks, then earlier in
 *    the week). It is a cluster when it holds
 *    - at least {@link MIN_CLUSTERED} (3) incidents — two can be chance, three at the same
 *      ten minutes of the week are a pattern;
 *    - at least {@link MIN_SHARE} (a quarter) of the kind's incidents in the lookback — so
 *      a handful that happen to line up inside a large spread of unrelated failures is not
 *      reported as "the" cause. A quarter, not a half: the seeds already have two publish
 *      windows a week, and one failure kind can split evenly between two (or more) scheduled
 *      jobs; with a half, two clusters of 4 out of 9 would both go unreported. With this
 *      rule, incidents spread at random over working hours only (Mon–Fri 08:00–18:00, denser
 *      than a real background, which spreads over the whole week) pass it by chance in well
 *      under 1 % of histories (tests/unit/diagnostics measures it on 1,000 of them);
 *    - incidents on at least {@link MIN_OCCASIONS} (2) different weeks — one storm that opens
 *      ten incidents at once (ten tabs, ten sockets) is one event, not a recurrence.
 * 5. The cluster's incidents are set aside and step 4 repeats on the rest, so a kind can have
 *    several findings (at most four, by the share rule); the share is always of the kind's
 *    whole count.
 *
 * Findings come strongest first: more clustered incidents, then a larger share, then kind
 * (in {@link INCIDENT_KIND_PLURAL} order), then earlier in the week.
 *
 * Matching a risk window is done in absolute time, so a window configured in another zone
 * (or one starting before the anchor and lasting past it) is recognised: for every week the cluster
 * has incidents in, the instant of the anchor that week must fall inside an occurrence of the
 * window (start ≤ t < start + `durationMinutes`). All weeks, not some: a window in a zone with
 * other daylight-saving dates misses the cluster by an hour for a week or two a year, and the
 * preventive refresh would miss it too.
 *
 * Pure: no clock, no I/O.
 */
import type { Config } from '../policy/schema';
import { previousWindowStart, windowLabel } from '../prevention/risk-windows';
import { isValidTimeZone, zonedToEpoch } from '../prevention/zoned-time';
import type { IncidentKind } from '../session/types';
import type { Weekday } from './local-week';
import {
  DAY_MS,
  FIRST_MONDAY_WALL,
  MINUTE_MS,
  WEEKDAYS,
  WEEK_MS,
  assertTimeZone,
  isTimeValue,
  mod,
  wallClock,
  weekPosition,
} from './local-week';
import { INCIDENT_KIND_PLURAL, policySnippet, recurrenceSentence, suggestedWindow } from './recurrence-words';
import type { RiskWindowEntry } from './recurrence-words';

export { weekHistogram } from './local-week';
export type { Weekday } from './local-week';

/** Days of history looked at when the caller does not say. */
export const DEFAULT_LOOKBACK_DAYS = 30;
/** Minutes after an anchor an incident may begin and still count for it, when the caller does not say. */
export const DEFAULT_WITHIN_MINUTES = 10;
/** Spacing of the anchors, minutes: the quarter hours. */
export const ANCHOR_STEP_MINUTES = 15;
/** Fewest incidents a cluster holds (see the module comment for why). */
export const MIN_CLUSTERED = 3;
/** Smallest share of the kind's incidents in the lookback a cluster holds. */
export const MIN_SHARE = 0.25;
/** Fewest different weeks a cluster's incidents fall in. */
export const MIN_OCCASIONS = 2;
/** Largest accepted `lookbackDays` (ten years; the event store keeps far less). */
export const MAX_LOOKBACK_DAYS = 3650;
/** Largest accepted `withinMinutes` (a day; wider is no longer "began within … after"). */
export const MAX_WITHIN_MINUTES = 1440;

/** What {@link findRecurrence} looks at. */
export interface RecurrenceInput {
  /** Incidents of any age; only `kind` and `openedAt` (epoch ms) are read. */
  incidents: ReadonlyArray<{ kind: IncidentKind; openedAt: number }>;
  /** Epoch ms of the present: the end of the lookback. */
  now: number;
  /** IANA zone the weekday and time are read and reported in, e.g. `America/Chicago`. */
  timeZone: string;
  /** The `riskWindows` in force (effective configuration). */
  riskWindows: Config['riskWindows'];
  /** Whole days of history, 1–3650; default {@link DEFAULT_LOOKBACK_DAYS}. */
  lookbackDays?: number;
  /** Whole minutes, 1–1440; default {@link DEFAULT_WITHIN_MINUTES}. */
  withinMinutes?: number;
}

/** One recurring cluster of incidents. */
export interface RecurrenceFinding {
  kind: IncidentKind;
  /** Incidents of this kind in the lookback. */
  total: number;
  /** Of those, the ones that began within `withinMinutes` after the anchor. */
  clustered: number;
  /** The anchor's local weekday … */
  weekday: Weekday;
  /** … and local wall-clock time, `HH:MM` on a quarter hour. */
  time: string;
  /** The zone `weekday` and `time` are in (the input's). */
  timeZone: string;
  /** Minutes. */
  withinMinutes: number;
  /** The finding in words (see the module comment). */
  sentence: string;
  /** Index in `riskWindows` of the first window covering the anchor in every week with a clustered incident, else null. */
  riskWindowIndex: number | null;
  /**
   * When no window matches: policy JSON `{"riskWindows": [...in force, new]}` adding a window
   * at the anchor (30 min long, token refresh 10 min ahead; see ./recurrence-words.ts).
   * Null when a configured window matches.
   */
  policySnippet: string | null;
}

const STEP_MS = ANCHOR_STEP_MINUTES * MINUTE_MS;
const ANCHORS = WEEK_MS / STEP_MS;
const KIND_ORDER = Object.keys(INCIDENT_KIND_PLURAL);

/** An incident placed in the local week. */
interface Placed {
  /** Epoch ms. */
  at: number;
  /** Local wall clock, ms (./local-week.ts). */
  wall: number;
  /** ms after local Monday 00:00. */
  position: number;
}

interface Cluster {
  /** ms after local Monday 00:00, a multiple of {@link STEP_MS}. */
  anchor: number;
  members: Placed[];
  /** Week numbers (since 1970-01-05 local) of the anchor occurrences the members follow, ascending. */
  weeks: number[];
}

function wholeNumber(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`findRecurrence: ${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** The anchor occurrence a member follows, as a week number. */
const weekOf = (p: Placed, anchor: number): number => Math.floor((p.wall - FIRST_MONDAY_WALL - anchor) / WEEK_MS);

const follows = (p: Placed, anchor: number, withinMs: number): boolean => mod(p.position - anchor, WEEK_MS) < withinMs;

/** The strongest anchor among `placed` that passes the cluster rule, or null. */
function strongestCluster(placed: readonly Placed[], total: number, withinMs: number): Cluster | null {
  const counts = new Int32Array(ANCHORS);
  for (const p of placed) {
    // Anchors at or before the incident, back to `withinMs` before it.
    let k = Math.floor(p.position / STEP_MS);
    for (let behind = p.position - k * STEP_MS; behind < withinMs; behind += STEP_MS, k -= 1) {
      const i = mod(k, ANCHORS);
      counts[i] = (counts[i] ?? 0) + 1;
    }
  }
  const need = Math.max(MIN_CLUSTERED, Math.ceil(total * MIN_SHARE));
  let best: Cluster | null = null;
  for (let i = 0; i < ANCHORS; i += 1) {
    const count = counts[i] ?? 0;
    if (count < need || (best && count < best.members.length)) continue;
    const anchor = i * STEP_MS;
    const members = placed.filter((p) => follows(p, anchor, withinMs));
    const weeks = [...new Set(members.map((p) => weekOf(p, anchor)))].sort((a, b) => a - b);
    if (weeks.length < MIN_OCCASIONS) continue;
    // Earlier anchors were visited first, so only a strict improvement replaces one.
    if (!best || count > best.members.length || weeks.length > best.weeks.length) best = { anchor, members, weeks };
  }
  return best;
}

/** The instant the anchor occurred in a given week, in `timeZone` (gap/overlap rule of ./zoned-time.ts). */
function anchorInstant(anchor: number, week: number, timeZone: string): number {
  const wall = new Date(FIRST_MONDAY_WALL + week * WEEK_MS + anchor);
  const date = { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
  return zonedToEpoch(date, mod(anchor, DAY_MS) / MINUTE_MS, timeZone);
}

/** First window covering every instant, with the label of its occurrence at the first one. */
function matchingWindow(windows: readonly RiskWindowEntry[], instants: readonly number[]): { index: number; label: string } | null {
  for (const [index, window] of windows.entries()) {
    if (!isValidTimeZone(window.timeZone)) continue;
    let label: string | null = null;
    const covers = instants.every((t) => {
      const start = previousWindowStart(window, t);
      if (!start || t >= start.at + window.durationMinutes * MINUTE_MS) return false;
      label ??= windowLabel(window, start.day);
      return true;
    });
    if (covers && label !== null) return { index, label };
  }
  return null;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Finds the weekday and local times at which incidents of one kind keep starting, by the rule
 * in the module comment.
 *
 * @returns findings, strongest first; `[]` when there are no incidents in the lookback or none
 *   cluster
 * @throws {RangeError} when `timeZone` is not a zone the platform knows ("findRecurrence:
 *   unknown time zone "Mars/Base"; expected an IANA time zone name such as America/Chicago"),
 *   when `now` is not a time value, or when `lookbackDays` / `withinMinutes` is not a whole
 *   number in its range (1–3650 days, 1–1440 minutes). Windows in `riskWindows` with an
 *   unknown zone never match (the options page reports them) but are kept in the snippet.
 */
export function findRecurrence(input: RecurrenceInput): RecurrenceFinding[] {
  const { incidents, now, timeZone, riskWindows } = input;
  assertTimeZone(timeZone, 'findRecurrence');
  if (!isTimeValue(now)) throw new RangeError(`findRecurrence: now must be epoch ms, got ${String(now)}`);
  const lookbackDays = wholeNumber(input.lookbackDays ?? DEFAULT_LOOKBACK_DAYS, 1, MAX_LOOKBACK_DAYS, 'lookbackDays');
  const withinMinutes = wholeNumber(input.withinMinutes ?? DEFAULT_WITHIN_MINUTES, 1, MAX_WITHIN_MINUTES, 'withinMinutes');
  const withinMs = withinMinutes * MINUTE_MS;
  const since = now - lookbackDays * DAY_MS;

  const byKind = new Map<IncidentKind, Placed[]>();
  const wallOf = wallClock(timeZone);
  for (const { kind, openedAt } of incidents) {
    if (!(openedAt > since && openedAt <= now)) continue;
    const wall = wallOf(openedAt);
    const list = byKind.get(kind) ?? [];
    list.push({ at: openedAt, wall, position: weekPosition(wall) });
    byKind.set(kind, list);
  }

  const findings: Array<RecurrenceFinding & { anchor: number }> = [];
  for (const [kind, placed] of byKind) {
    const total = placed.length;
    let rest = placed;
    for (let cluster = strongestCluster(rest, total, withinMs); cluster; cluster = strongestCluster(rest, total, withinMs)) {
      const { anchor, members, weeks } = cluster;
      const minuteOfDay = mod(anchor, DAY_MS) / MINUTE_MS;
      const weekday = WEEKDAYS[Math.floor(anchor / DAY_MS)] ?? 'Mon';
      const time = `${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}`;
      const match = matchingWindow(
        riskWindows,
        weeks.map((w) => anchorInstant(anchor, w, timeZone)),
      );
      const clustered = members.length;
      findings.push({
        kind,
        total,
        clustered,
        weekday,
        time,
        timeZone,
        withinMinutes,
        sentence: recurrenceSentence({
          kind,
          clustered,
          total,
          lookbackDays,
          withinMinutes,
          weekday,
          time,
          timeZone,
          matchedWindow: match?.label ?? null,
        }),
        riskWindowIndex: match?.index ?? null,
        policySnippet: match ? null : policySnippet(riskWindows, suggestedWindow(weekday, time, timeZone)),
        anchor,
      });
      const taken = new Set(members);
      rest = rest.filter((p) => !taken.has(p));
    }
  }

  const kindRank = (k: string): number => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  findings.sort(
    (a, b) =>
      b.clustered - a.clustered ||
      b.clustered * a.total - a.clustered * b.total ||
      kindRank(a.kind) - kindRank(b.kind) ||
      a.anchor - b.anchor,
  );
  return findings.map(({ anchor: _anchor, ...finding }) => finding);
}
