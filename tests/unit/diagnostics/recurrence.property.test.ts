/**
 * Property tests of findRecurrence and weekHistogram on arbitrary histories (background
 * incidents anywhere around the lookback plus planted weekly clusters) in zones with unusual
 * daylight saving (30-minute shift, 45-minute offset, southern hemisphere), checked against an
 * oracle that reads local time with its own Intl.DateTimeFormat.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRecurrence, weekHistogram } from '../../../src/diagnostics/recurrence';
import { resolveConfig } from '../../../src/policy/resolve';
import { PartialConfigSchema } from '../../../src/policy/schema';
import type { Config } from '../../../src/policy/schema';
import { zonedToEpoch } from '../../../src/prevention/zoned-time';
import type { IncidentKind } from '../../../src/session/types';
import type { TestIncident } from './history';
import { DAY, HOUR, MINUTE, WEEK, WEEKDAY_NAMES, localSlot, localWeekMs } from './history';

const ZONES = ['America/Chicago', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'UTC'];
const KINDS: IncidentKind[] = ['abnormal-close', 'unauthorized', 'rate-limited', 'track-ended'];
type RiskWindow = Config['riskWindows'][number];

const riskWindow: fc.Arbitrary<RiskWindow> = fc.record({
  days: fc.uniqueArray(fc.constantFrom(...WEEKDAY_NAMES), { minLength: 1, maxLength: 3 }),
  start: fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  timeZone: fc.constantFrom(...ZONES),
  durationMinutes: fc.integer({ min: 1, max: 600 }),
  refreshAheadMinutes: fc.integer({ min: 0, max: 60 }),
});

/** A history: `now`, zone, background incidents, and weekly clusters planted at quarter hours. */
const history = fc
  .record({
    now: fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }),
    timeZone: fc.constantFrom(...ZONES),
    lookbackDays: fc.constantFrom(7, 14, 30, 45),
    withinMinutes: fc.constantFrom(1, 5, 10, 15),
    background: fc.array(fc.record({ kind: fc.constantFrom(...KINDS), ago: fc.integer({ min: -2 * DAY, max: 50 * DAY }) }), {
      maxLength: 60,
    }),
    clusters: fc.array(
      fc.record({
        kind: fc.constantFrom(...KINDS),
        weekday: fc.integer({ min: 0, max: 6 }),
        quarter: fc.integer({ min: 0, max: 95 }),
        weeks: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 6 }),
        perWeek: fc.integer({ min: 1, max: 4 }),
        jitter: fc.integer({ min: 0, max: 1_000_000 }),
      }),
      { maxLength: 3 },
    ),
    riskWindows: fc.array(riskWindow, { maxLength: 3 }),
    /** Also configure a window at the first planted cluster's anchor (so matches are common). */
    cover: fc.boolean(),
  })
  .map((h) => {
    const first = h.clusters[0];
    const riskWindows = [...h.riskWindows];
    if (h.cover && first) {
      const start = `${String(Math.floor(first.quarter / 4)).padStart(2, '0')}:${String((first.quarter % 4) * 15).padStart(2, '0')}`;
      riskWindows.splice(first.jitter % (riskWindows.length + 1), 0, {
        days: [WEEKDAY_NAMES[first.weekday] ?? 'Mon'],
        start,
        timeZone: h.timeZone,
        durationMinutes: 30,
        refreshAheadMinutes: 5,
      });
    }
    const incidents: TestIncident[] = h.background.map((b) => ({ kind: b.kind, openedAt: h.now - b.ago }));
    for (const c of h.clusters) {
      // The local date of the cluster's weekday in each chosen week before `now`.
      const today = localSlot(h.now, h.timeZone).weekday;
      for (const w of c.weeks) {
        const at0 = h.now - ((today - c.weekday + 7) % 7) * DAY - w * WEEK;
        const f = new Intl.DateTimeFormat('en-US', { timeZone: h.timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
        const p = Object.fromEntries(f.formatToParts(at0).map((x) => [x.type, Number(x.value)]));
        const start = zonedToEpoch({ year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0 }, c.quarter * 15, h.timeZone);
        for (let i = 0; i < c.perWeek; i += 1) {
          const offset = (c.jitter * (i + 1) * 7919) % (h.withinMinutes * MINUTE);
          incidents.push({ kind: c.kind, openedAt: start + offset });
        }
      }
    }
    return { ...h, riskWindows, incidents };
  });

const inLookback = (at: number, now: number, days: number): boolean => at > now - days * DAY && at <= now;

const SENTENCE =
  /^(\d+) of (\d+) (.+) in the last (?:(\d+) days|day) began within (\d+) minutes? after (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d:\d\d) (\S+) — (?:matches the configured risk window (.+)|no risk window is configured for it)$/;

describe('findRecurrence properties', () => {
  it('counts are consistent and true to the local clock; the sentence says the fields; the snippet is a valid policy that matches', () => {
    fc.assert(
      fc.property(history, (h) => {
        const input = {
          incidents: h.incidents,
          now: h.now,
          timeZone: h.timeZone,
          riskWindows: h.riskWindows,
          lookbackDays: h.lookbackDays,
          withinMinutes: h.withinMinutes,
        };
        const findings = findRecurrence(input);
        for (const [i, f] of findings.entries()) {
          const ofKind = h.incidents.filter((x) => x.kind === f.kind && inLookback(x.openedAt, h.now, h.lookbackDays));
          // The rule.
          expect(f.total).toBe(ofKind.length);
          expect(f.clustered).toBeLessThanOrEqual(f.total);
          expect(f.clustered).toBeGreaterThanOrEqual(3);
          expect(f.clustered * 4).toBeGreaterThanOrEqual(f.total);
          // Recount with the oracle: anchors are ≥ 15 min apart and withinMinutes ≤ 15, so
          // every incident after the anchor is one of this finding's.
          const anchor = WEEKDAY_NAMES.indexOf(f.weekday) * DAY + (Number(f.time.slice(0, 2)) * 60 + Number(f.time.slice(3))) * MINUTE;
          expect(Number(f.time.slice(3)) % 15).toBe(0);
          const after = ofKind.filter(
            (x) => (((localWeekMs(x.openedAt, h.timeZone) - anchor) % WEEK) + WEEK) % WEEK < f.withinMinutes * MINUTE,
          );
          expect(after.length).toBe(f.clustered);
          // In two or more weeks: one week's incidents after an anchor lie within withinMinutes
          // (plus at most a daylight-saving hour) of each other.
          const times = after.map((x) => x.openedAt);
          expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(DAY);
          // Strongest first.
          const next = findings[i + 1];
          if (next) expect(next.clustered).toBeLessThanOrEqual(f.clustered);
          // The sentence says the fields.
          const m = SENTENCE.exec(f.sentence);
          expect(m, f.sentence).not.toBeNull();
          if (!m) continue;
          expect([Number(m[1]), Number(m[2]), Number(m[4] ?? 1), Number(m[5]), m[6], m[7], m[8]]).toEqual([
            f.clustered,
            f.total,
            h.lookbackDays,
            f.withinMinutes,
            f.weekday,
            f.time,
            f.timeZone,
          ]);
          expect(f.timeZone).toBe(h.timeZone);
          expect(f.withinMinutes).toBe(h.withinMinutes);
          // Matched ⇔ no snippet; a matched window is named in the sentence.
          expect(f.riskWindowIndex === null).toBe(f.policySnippet !== null);
          if (f.riskWindowIndex !== null) {
            const w = h.riskWindows[f.riskWindowIndex];
            expect(w).toBeDefined();
            expect(m[9]).toMatch(new RegExp(` ${w?.start} ${w?.timeZone}$`));
            continue;
          }
          expect(m[9]).toBeUndefined();
          // The snippet: a strict, problem-free policy adding one window after those in force,
          // and with it deployed the finding matches that new window.
          const value = JSON.parse(f.policySnippet ?? 'null') as Config;
          expect(PartialConfigSchema.strict().safeParse(value).success).toBe(true);
          expect(resolveConfig({ managed: value, user: {} }).problems).toEqual([]);
          expect(value.riskWindows.slice(0, -1)).toEqual(h.riskWindows);
          const again = findRecurrence({ ...input, riskWindows: value.riskWindows }).find(
            (g) => g.kind === f.kind && g.weekday === f.weekday && g.time === f.time,
          );
          expect(again?.riskWindowIndex).toBe(h.riskWindows.length);
          expect(again?.policySnippet).toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('incidents outside the lookback change nothing', () => {
    fc.assert(
      fc.property(history, (h) => {
        const input = {
          now: h.now,
          timeZone: h.timeZone,
          riskWindows: h.riskWindows,
          lookbackDays: h.lookbackDays,
          withinMinutes: h.withinMinutes,
        };
        const inside = h.incidents.filter((x) => inLookback(x.openedAt, h.now, h.lookbackDays));
        expect(findRecurrence({ ...input, incidents: h.incidents })).toEqual(findRecurrence({ ...input, incidents: inside }));
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});

describe('weekHistogram properties', () => {
  it('7 × 24 counts that add up to the incidents, each in the oracle’s local weekday and hour', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.array(fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }), { maxLength: 200 }),
        fc.array(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 9e15), { maxLength: 3 }),
        (timeZone, instants, invalid) => {
          const incidents = [...instants, ...invalid].map((openedAt) => ({ openedAt }));
          const grid = weekHistogram(incidents, timeZone);
          expect(grid).toHaveLength(7);
          for (const row of grid) expect(row).toHaveLength(24);
          expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(instants.length);
          const expected = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
          for (const at of instants) {
            const { weekday, msOfDay } = localSlot(at, timeZone);
            const row = expected[weekday];
            const hour = Math.floor(msOfDay / HOUR);
            if (row) row[hour] = (row[hour] ?? 0) + 1;
          }
          expect(grid).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
