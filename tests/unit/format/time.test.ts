import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageMs, formatCoarseDuration, formatDuration, formatRelative } from '../../../src/format/time';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.9, '999 ms'],
    [1000, '1 s'],
    [4_999, '4 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [185_000, '3 min 5 s'],
    [3_600_000, '1 h'],
    [7_500_000, '2 h 5 min'],
    [86_400_000, '1 d'],
    [3 * 86_400_000 + 2 * 3_600_000 + 59_000, '3 d 2 h'],
    [-4_000, '4 s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms, t)).toBe(text);
  });

  it('shows non-finite input as not available', () => {
    expect(formatDuration(Number.NaN, t)).toBe('—');
    expect(formatDuration(Number.POSITIVE_INFINITY, t)).toBe('—');
  });

  it('never goes down as the duration grows (a ticking age never jumps back)', () => {
    const order = (s: string): number => {
      const factor: Record<string, number> = { ms: 1, s: 1e3, min: 6e4, h: 3.6e6, d: 8.64e7 };
      let total = 0;
      for (const m of s.matchAll(/(\d+) (ms|s|min|h|d)/g)) total += Number(m[1]) * factor[m[2]!]!;
      return total;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e10 }), fc.integer({ min: 0, max: 1e8 }), (a, d) => {
        return order(formatDuration(a, t)) <= order(formatDuration(a + d, t));
      }),
    );
  });
});

describe('formatCoarseDuration', () => {
  it('uses the single largest unit', () => {
    expect(formatCoarseDuration(500, t)).toBe('0 s');
    expect(formatCoarseDuration(185_000, t)).toBe('3 min');
    expect(formatCoarseDuration(7_500_000, t)).toBe('2 h');
    expect(formatCoarseDuration(3 * 86_400_000, t)).toBe('3 d');
  });
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  it('says "just now" within a second either way', () => {
    expect(formatRelative(now, now, t)).toBe('just now');
    expect(formatRelative(now - 999, now, t)).toBe('just now');
    expect(formatRelative(now + 999, now, t)).toBe('just now');
  });
  it('says how long ago a past moment was', () => {
    expect(formatRelative(now - 4_200, now, t)).toBe('4 s ago');
    expect(formatRelative(now - 125_000, now, t)).toBe('2 min ago');
    expect(formatRelative(now - 3 * 3_600_000, now, t)).toBe('3 h ago');
    expect(formatRelative(now - 2 * 86_400_000, now, t)).toBe('2 d ago');
  });
  it('says how far off a future moment is', () => {
    expect(formatRelative(now + 8 * 60_000 + 30_000, now, t)).toBe('in 8 min');
    expect(formatRelative(now + 30_000, now, t)).toBe('in 30 s');
  });
  it('shows unknown times as not available', () => {
    expect(formatRelative(Number.NaN, now, t)).toBe('—');
  });
});

describe('ageMs', () => {
  it('is now − at, never negative, null when unknown', () => {
    expect(ageMs(900, 1000)).toBe(100);
    expect(ageMs(1100, 1000)).toBe(0);
    expect(ageMs(undefined, 1000)).toBeNull();
  });
});
