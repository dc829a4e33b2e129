import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, isValidTimeZone, offsetAt, weekdayOf, zonedParts, zonedToEpoch } from '../../../src/prevention/zoned-time';

const Z = (iso: string): number => Date.parse(iso);
const CHI = 'America/Chicago';
const HOUR = 3_600_000;

describe('zonedParts / offsetAt', () => {
  it('reads Chicago wall clock on both sides of the 2026 US changes', () => {
    expect(zonedParts(Z('2026-03-08T07:59:59Z'), CHI)).toMatchObject({
      year: 2026,
      month: 3,
      day: 8,
      hour: 1,
      minute: 59,
      second: 59,
      weekday: 0,
    });
    expect(zonedParts(Z('2026-03-08T08:00:00Z'), CHI)).toMatchObject({ hour: 3, minute: 0 });
    expect(offsetAt(Z('2026-03-08T07:59:59Z'), CHI)).toBe(-6 * HOUR);
    expect(offsetAt(Z('2026-03-08T08:00:00Z'), CHI)).toBe(-5 * HOUR);
    expect(offsetAt(Z('2026-11-01T06:59:59Z'), CHI)).toBe(-5 * HOUR);
    expect(offsetAt(Z('2026-11-01T07:00:00Z'), CHI)).toBe(-6 * HOUR);
  });

  it('midnight is hour 0, not 24', () => {
    expect(zonedParts(Z('2026-01-05T06:00:00Z'), CHI)).toMatchObject({ day: 5, hour: 0 });
  });

  it('handles half-hour and 45-minute offsets', () => {
    expect(offsetAt(Z('2026-06-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(offsetAt(Z('2026-06-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(5.75 * HOUR);
  });

  it('refuses unknown zones', () => {
    expect(isValidTimeZone(CHI)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('America/Atlantis')).toBe(false);
    expect(() => zonedParts(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('calendar helpers', () => {
  it('weekdays and day arithmetic across month, year and leap days', () => {
    expect(weekdayOf({ year: 2026, month: 3, day: 9 })).toBe(1); // Monday
    expect(weekdayOf({ year: 2026, month: 11, day: 6 })).toBe(5); // Friday
    expect(addDays({ year: 2026, month: 12, day: 30 }, 3)).toEqual({ year: 2027, month: 1, day: 2 });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addDays({ year: 50, month: 1, day: 1 }, 0)).toEqual({ year: 50, month: 1, day: 1 });
  });
});

describe('zonedToEpoch', () => {
  it('Mon 06:00 America/Chicago is 11:00Z under CDT and 12:00Z under CST', () => {
    expect(zonedToEpoch({ year: 2026, month: 3, day: 2 }, 360, CHI)).toBe(Z('2026-03-02T12:00:00Z'));
    expect(zonedToEpoch({ year: 2026, month: 3, day: 9 }, 360, CHI)).toBe(Z('2026-03-09T11:00:00Z'));
    expect(zonedToEpoch({ year: 2026, month: 10, day: 26 }, 360, CHI)).toBe(Z('2026-10-26T11:00:00Z'));
    expect(zonedToEpoch({ year: 2026, month: 11, day: 2 }, 360, CHI)).toBe(Z('2026-11-02T12:00:00Z'));
  });

  it('a time in the spring-forward gap is read with the offset before the gap (RFC 5545 §3.3.5)', () => {
    // 2026-03-08: 02:00 CST jumps to 03:00 CDT. 02:30 does not exist → 03:30 CDT.
    expect(zonedToEpoch({ year: 2026, month: 3, day: 8 }, 150, CHI)).toBe(Z('2026-03-08T08:30:00Z'));
    expect(zonedToEpoch({ year: 2026, month: 3, day: 8 }, 120, CHI)).toBe(Z('2026-03-08T08:00:00Z')); // 02:00 → 03:00 CDT
    expect(zonedToEpoch({ year: 2026, month: 3, day: 8 }, 180, CHI)).toBe(Z('2026-03-08T08:00:00Z')); // 03:00 CDT itself
    // Europe/London 2026-03-29 01:00 GMT → 02:00 BST; 01:30 → 02:30 BST.
    expect(zonedToEpoch({ year: 2026, month: 3, day: 29 }, 90, 'Europe/London')).toBe(Z('2026-03-29T01:30:00Z'));
  });

  it('an ambiguous fall-back time is its first occurrence (RFC 5545 §3.3.5)', () => {
    // 2026-11-01: 02:00 CDT goes back to 01:00 CST; 01:30 happens at 06:30Z and 07:30Z.
    expect(zonedToEpoch({ year: 2026, month: 11, day: 1 }, 90, CHI)).toBe(Z('2026-11-01T06:30:00Z'));
    expect(zonedToEpoch({ year: 2026, month: 11, day: 1 }, 60, CHI)).toBe(Z('2026-11-01T06:00:00Z'));
    expect(zonedToEpoch({ year: 2026, month: 11, day: 1 }, 120, CHI)).toBe(Z('2026-11-01T08:00:00Z')); // 02:00 CST, unambiguous
  });

  it('round-trips every wall time that exists exactly once', () => {
    const zones = [
      'America/Chicago',
      'America/New_York',
      'Europe/Berlin',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'UTC',
      'Pacific/Auckland',
    ];
    fc.assert(
      fc.property(fc.integer({ min: Z('2000-01-01T00:00:00Z'), max: Z('2060-01-01T00:00:00Z') }), fc.constantFrom(...zones), (t0, tz) => {
        const t = Math.floor(t0 / 60_000) * 60_000;
        const p = zonedParts(t, tz);
        const back = zonedToEpoch(p, p.hour * 60 + p.minute, tz);
        // Equal, or (fall-back overlap, second occurrence) exactly one earlier reading of the same wall time.
        if (back !== t) {
          expect(back).toBeLessThan(t);
          expect(zonedParts(back, tz)).toMatchObject({ year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute });
        }
      }),
      { numRuns: 2000 },
    );
  });
});
