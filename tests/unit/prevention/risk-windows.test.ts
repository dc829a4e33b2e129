import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import {
  WEEK_MS,
  activeWindow,
  invalidWindows,
  isInsideWindow,
  nextPreventiveRefreshAt,
  nextWindowStart,
  preventiveNote,
  previousWindowStart,
} from '../../../src/prevention/risk-windows';
import type { RiskWindow } from '../../../src/prevention/risk-windows';

const Z = (iso: string): number => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;
const SEEDS = DEFAULT_CONFIG.riskWindows;
const MON: RiskWindow = { days: ['Mon'], start: '06:00', timeZone: 'America/Chicago', durationMinutes: 30, refreshAheadMinutes: 5 };
const FRI: RiskWindow = { days: ['Fri'], start: '16:00', timeZone: 'America/Chicago', durationMinutes: 30, refreshAheadMinutes: 5 };

describe('the seeds’ windows are the defaults', () => {
  it('Mon 06:00 and Fri 16:00 America/Chicago', () => {
    expect(SEEDS).toEqual([MON, FRI]);
  });
});

describe('nextWindowStart across the 2026 US daylight-saving changes', () => {
  it('spring forward (Sun 2026-03-08): Mon 06:00 CT moves from 12:00Z to 11:00Z', () => {
    expect(nextWindowStart(MON, Z('2026-03-01T00:00:00Z'))?.at).toBe(Z('2026-03-02T12:00:00Z'));
    expect(nextWindowStart(MON, Z('2026-03-02T12:00:00Z'))?.at).toBe(Z('2026-03-09T11:00:00Z')); // strictly after now
    expect(nextWindowStart(MON, Z('2026-03-08T07:59:00Z'))?.at).toBe(Z('2026-03-09T11:00:00Z')); // just before the change
    expect(nextWindowStart(MON, Z('2026-03-08T08:00:00Z'))?.at).toBe(Z('2026-03-09T11:00:00Z'));
  });

  it('fall back (Sun 2026-11-01): Mon 06:00 CT moves from 11:00Z to 12:00Z', () => {
    expect(nextWindowStart(MON, Z('2026-10-20T00:00:00Z'))?.at).toBe(Z('2026-10-26T11:00:00Z'));
    expect(nextWindowStart(MON, Z('2026-10-26T11:00:00Z'))?.at).toBe(Z('2026-11-02T12:00:00Z'));
    expect(nextWindowStart(MON, Z('2026-11-01T06:59:00Z'))?.at).toBe(Z('2026-11-02T12:00:00Z'));
  });

  it('Fri 16:00 CT is 21:00Z in summer and 22:00Z in winter', () => {
    expect(nextWindowStart(FRI, Z('2026-03-02T00:00:00Z'))?.at).toBe(Z('2026-03-06T22:00:00Z'));
    expect(nextWindowStart(FRI, Z('2026-03-07T00:00:00Z'))?.at).toBe(Z('2026-03-13T21:00:00Z'));
    expect(nextWindowStart(FRI, Z('2026-10-31T00:00:00Z'))?.at).toBe(Z('2026-11-06T22:00:00Z'));
  });

  it('uses the weekday in the window’s zone, not in UTC', () => {
    // Mon 2026-06-01 02:00Z is still Sunday evening in Chicago: the next start is that Monday 11:00Z.
    expect(nextWindowStart(MON, Z('2026-06-01T02:00:00Z'))).toEqual({ at: Z('2026-06-01T11:00:00Z'), day: 'Mon' });
    const tokyo: RiskWindow = { ...MON, timeZone: 'Asia/Tokyo' };
    // Sun 2026-05-31 22:00Z is Mon 07:00 in Tokyo: today's 06:00 has passed → next Monday.
    expect(nextWindowStart(tokyo, Z('2026-05-31T22:00:00Z'))?.at).toBe(Z('2026-06-07T21:00:00Z'));
  });

  it('a start in the spring-forward gap happens after the gap; an ambiguous one at its first occurrence', () => {
    const gap: RiskWindow = { ...MON, days: ['Sun'], start: '02:30' };
    expect(nextWindowStart(gap, Z('2026-03-07T00:00:00Z'))?.at).toBe(Z('2026-03-08T08:30:00Z')); // 03:30 CDT
    expect(nextWindowStart(gap, Z('2026-03-08T08:30:00Z'))?.at).toBe(Z('2026-03-15T07:30:00Z'));
    const overlap: RiskWindow = { ...MON, days: ['Sun'], start: '01:30' };
    expect(nextWindowStart(overlap, Z('2026-10-31T00:00:00Z'))?.at).toBe(Z('2026-11-01T06:30:00Z')); // 01:30 CDT
    // Not again at the second 01:30 (07:30Z, CST): next week.
    expect(nextWindowStart(overlap, Z('2026-11-01T06:30:00Z'))?.at).toBe(Z('2026-11-08T07:30:00Z'));
  });

  it('several days per window', () => {
    const weekdays: RiskWindow = { ...MON, days: ['Mon', 'Wed', 'Fri'], start: '09:00', timeZone: 'UTC' };
    expect(nextWindowStart(weekdays, Z('2026-06-02T12:00:00Z'))).toEqual({ at: Z('2026-06-03T09:00:00Z'), day: 'Wed' });
    expect(previousWindowStart(weekdays, Z('2026-06-02T12:00:00Z'))).toEqual({ at: Z('2026-06-01T09:00:00Z'), day: 'Mon' });
  });

  it('no days: no start; unknown zone: RangeError', () => {
    expect(nextWindowStart({ ...MON, days: [] }, 0)).toBeNull();
    expect(() => nextWindowStart({ ...MON, timeZone: 'Nowhere/Special' }, 0)).toThrow(RangeError);
    expect(invalidWindows([MON, { ...MON, timeZone: 'Nowhere/Special' }])).toEqual([1]);
  });
});

describe('isInsideWindow / activeWindow', () => {
  it('start inclusive, end exclusive, in elapsed minutes', () => {
    const start = Z('2026-03-09T11:00:00Z'); // Mon 06:00 CDT
    expect(isInsideWindow(SEEDS, start - 1)).toBe(false);
    expect(isInsideWindow(SEEDS, start)).toBe(true);
    expect(isInsideWindow(SEEDS, start + 30 * MIN - 1)).toBe(true);
    expect(isInsideWindow(SEEDS, start + 30 * MIN)).toBe(false);
    expect(activeWindow(SEEDS, start + MIN)).toEqual({
      index: 0,
      window: MON,
      start,
      end: start + 30 * MIN,
      label: 'Mon 06:00 America/Chicago',
    });
  });

  it('the winter Friday window and a window running past midnight', () => {
    expect(activeWindow(SEEDS, Z('2026-11-06T22:10:00Z'))?.label).toBe('Fri 16:00 America/Chicago');
    const night: RiskWindow = { ...MON, start: '23:30', durationMinutes: 120, timeZone: 'UTC' };
    expect(isInsideWindow([night], Z('2026-06-02T01:00:00Z'))).toBe(true); // Tue 01:00, started Mon 23:30
    expect(isInsideWindow([night], Z('2026-06-02T01:30:00Z'))).toBe(false);
  });

  it('the window that starts after the spring-forward gap lasts its duration from there', () => {
    const gap: RiskWindow = { ...MON, days: ['Sun'], start: '02:30', durationMinutes: 60 };
    expect(isInsideWindow([gap], Z('2026-03-08T08:29:59Z'))).toBe(false);
    expect(isInsideWindow([gap], Z('2026-03-08T09:29:59Z'))).toBe(true);
    expect(isInsideWindow([gap], Z('2026-03-08T09:30:00Z'))).toBe(false);
  });

  it('ignores windows with an unknown zone', () => {
    expect(isInsideWindow([{ ...MON, timeZone: 'Nowhere/Special' }], Z('2026-03-09T11:10:00Z'))).toBe(false);
  });
});

describe('nextPreventiveRefreshAt', () => {
  const base = { windows: SEEDS, refreshAheadSeconds: 60 };

  it('refreshes refreshAheadMinutes before the next window, in the zone’s current offset', () => {
    // Tue 2026-03-03: next is Fri 16:00 CST = 22:00Z → 21:55Z.
    expect(nextPreventiveRefreshAt({ ...base, now: Z('2026-03-03T00:00:00Z') })).toEqual({
      at: Z('2026-03-06T21:55:00Z'),
      reason: { kind: 'risk-window', index: 1, windowStart: Z('2026-03-06T22:00:00Z'), label: 'Fri 16:00 America/Chicago' },
    });
    // Sat 2026-03-07 (before spring forward): next is Mon 06:00 CDT = 11:00Z → 10:55Z.
    expect(nextPreventiveRefreshAt({ ...base, now: Z('2026-03-07T00:00:00Z') })?.at).toBe(Z('2026-03-09T10:55:00Z'));
    // Sat 2026-10-31 (before fall back): Mon 06:00 CST = 12:00Z → 11:55Z.
    expect(nextPreventiveRefreshAt({ ...base, now: Z('2026-10-31T00:00:00Z') })?.at).toBe(Z('2026-11-02T11:55:00Z'));
  });

  it('an occurrence whose lead time has begun is skipped; once it fired, the next one follows', () => {
    const fired = Z('2026-03-09T10:55:00Z');
    expect(nextPreventiveRefreshAt({ ...base, now: fired - 1 })?.at).toBe(fired);
    const after = nextPreventiveRefreshAt({ ...base, now: fired });
    expect(after?.reason).toMatchObject({ kind: 'risk-window', label: 'Fri 16:00 America/Chicago' });
    expect(after?.at).toBe(Z('2026-03-13T20:55:00Z'));
    expect(nextPreventiveRefreshAt({ ...base, now: Z('2026-03-09T10:58:00Z') })?.at).toBe(Z('2026-03-13T20:55:00Z'));
  });

  it('across the fall-back change two refreshes are 7 d + 1 h apart (so "7 d + lead" is not a bound for a 0-min lead)', () => {
    const w: RiskWindow = { ...MON, refreshAheadMinutes: 0 };
    const fired = Z('2026-10-26T11:00:00Z'); // Mon 06:00 CDT
    expect(nextPreventiveRefreshAt({ windows: [w], refreshAheadSeconds: 60, now: fired })?.at).toBe(fired + WEEK_MS + HOUR);
  });

  it('a known token expiry comes first when it is earlier', () => {
    const now = Z('2026-03-03T00:00:00Z');
    expect(nextPreventiveRefreshAt({ ...base, now, tokenExpiresAt: now + 10 * MIN })).toEqual({
      at: now + 9 * MIN,
      reason: { kind: 'token-expiry', expiresAt: now + 10 * MIN },
    });
    expect(nextPreventiveRefreshAt({ ...base, now, tokenExpiresAt: now + 10 * WEEK_MS })?.reason.kind).toBe('risk-window');
  });

  it('never in the first half of a token’s life (a lifetime shorter than the lead would loop)', () => {
    const now = 1_000_000;
    // 40-s token, 60-s lead: due at half-life, 20 s after it was obtained.
    expect(
      nextPreventiveRefreshAt({ windows: [], refreshAheadSeconds: 60, now, tokenObtainedAt: now, tokenExpiresAt: now + 40_000 })?.at,
    ).toBe(now + 20_000);
    // 40-s token, 15-s lead: 25 s.
    expect(
      nextPreventiveRefreshAt({ windows: [], refreshAheadSeconds: 15, now, tokenObtainedAt: now, tokenExpiresAt: now + 40_000 })?.at,
    ).toBe(now + 25_000);
  });

  it('a still-valid token whose lead has begun is due at once; an expired one is left to the 401 path', () => {
    const now = 1_000_000;
    expect(nextPreventiveRefreshAt({ windows: [], refreshAheadSeconds: 60, now, tokenExpiresAt: now + 30_000 })?.at).toBe(now + 1);
    expect(nextPreventiveRefreshAt({ windows: [], refreshAheadSeconds: 60, now, tokenExpiresAt: now })).toBeNull();
    expect(nextPreventiveRefreshAt({ windows: [], refreshAheadSeconds: 60, now })).toBeNull();
  });

  it('a window wins a tie; refreshAheadMinutes 0 refreshes at the start', () => {
    const w: RiskWindow = { ...MON, timeZone: 'UTC', refreshAheadMinutes: 0 };
    const start = Z('2026-06-01T06:00:00Z');
    const r = nextPreventiveRefreshAt({ windows: [w], refreshAheadSeconds: 0, tokenExpiresAt: start, now: start - HOUR });
    expect(r).toMatchObject({ at: start, reason: { kind: 'risk-window' } });
  });

  it('ignores windows without days or with an unknown zone', () => {
    const now = Z('2026-03-03T00:00:00Z');
    expect(
      nextPreventiveRefreshAt({
        windows: [
          { ...MON, days: [] },
          { ...FRI, timeZone: 'Nowhere/Special' },
        ],
        refreshAheadSeconds: 60,
        now,
      }),
    ).toBeNull();
  });

  it('notes for the popup', () => {
    expect(preventiveNote({ kind: 'risk-window', index: 0, windowStart: 0, label: 'Mon 06:00 America/Chicago' })).toBe(
      'Refreshed ahead of Mon 06:00 America/Chicago',
    );
    expect(preventiveNote({ kind: 'token-expiry', expiresAt: 0 })).toBe('Refreshed ahead of token expiry');
    expect(preventiveNote({ kind: 'token-expiry', expiresAt: 0 }, false)).toBe('Could not refresh ahead of token expiry');
  });
});

describe('nextPreventiveRefreshAt properties', () => {
  const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
  /** Zones whose daylight-saving shift is at most 1 h (Lord Howe: 30 min). */
  const zones = [
    'America/Chicago',
    'America/New_York',
    'America/Denver',
    'Europe/London',
    'Europe/Berlin',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'UTC',
  ];
  const hhmm = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const window: fc.Arbitrary<RiskWindow> = fc.record({
    days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 7 }),
    start: hhmm,
    timeZone: fc.constantFrom(...zones),
    durationMinutes: fc.integer({ min: 1, max: 600 }),
    refreshAheadMinutes: fc.integer({ min: 0, max: 24 * 60 }),
  });
  // 2025-2028 includes the 2026 US weeks; DST transition days are over-sampled on purpose.
  const transitions = ['2026-03-08T08:00:00Z', '2026-11-01T07:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'].map(Z);
  const now = fc.oneof(
    fc.integer({ min: Z('2025-01-01T00:00:00Z'), max: Z('2028-12-31T00:00:00Z') }),
    fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -8 * 86_400_000, max: 8 * 86_400_000 })).map(([t, d]) => t + d),
  );

  it('is always after now and at most a week plus the 1-h daylight-saving shift away', () => {
    fc.assert(
      fc.property(
        fc.array(window, { minLength: 1, maxLength: 3 }),
        now,
        fc.option(fc.integer({ min: -WEEK_MS, max: 2 * WEEK_MS })),
        fc.integer({ min: 0, max: 3600 }),
        (windows, t, expiresIn, aheadS) => {
          const r = nextPreventiveRefreshAt({
            windows,
            now: t,
            refreshAheadSeconds: aheadS,
            ...(expiresIn === null ? {} : { tokenExpiresAt: t + expiresIn }),
          });
          expect(r).not.toBeNull();
          expect(r!.at).toBeGreaterThan(t);
          expect(r!.at - t).toBeLessThanOrEqual(WEEK_MS + HOUR);
          if (r!.reason.kind === 'risk-window') {
            const w = windows[r!.reason.index]!;
            // The refresh is refreshAheadMinutes before a real start of that window…
            expect(r!.reason.windowStart - r!.at).toBe(w.refreshAheadMinutes * MIN);
            expect(nextWindowStart(w, r!.reason.windowStart - 1)?.at).toBe(r!.reason.windowStart);
            // …and no refresh time of any window lies strictly between now and it.
            for (const other of windows) {
              const s = nextWindowStart(other, t + other.refreshAheadMinutes * MIN);
              expect(s!.at - other.refreshAheadMinutes * MIN).toBeGreaterThanOrEqual(r!.at);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('firing at the due time never yields the same time again (no refresh loop)', () => {
    fc.assert(
      fc.property(fc.array(window, { minLength: 1, maxLength: 3 }), now, (windows, t) => {
        const first = nextPreventiveRefreshAt({ windows, now: t, refreshAheadSeconds: 60 })!;
        const second = nextPreventiveRefreshAt({ windows, now: first.at, refreshAheadSeconds: 60 })!;
        expect(second.at).toBeGreaterThan(first.at);
      }),
      { numRuns: 300 },
    );
  });

  it('a window start found is inside the window, and the instant before it is not in that occurrence', () => {
    fc.assert(
      fc.property(window, now, (w, t) => {
        const s = nextWindowStart(w, t)!;
        expect(s.at).toBeGreaterThan(t);
        expect(s.at - t).toBeLessThanOrEqual(WEEK_MS + HOUR);
        expect(isInsideWindow([w], s.at)).toBe(true);
        expect(previousWindowStart(w, s.at)?.at).toBe(s.at);
      }),
      { numRuns: 400 },
    );
  });
});
