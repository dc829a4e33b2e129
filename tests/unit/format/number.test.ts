import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatNumber } from '../../../src/format/number';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';

describe('formatCount', () => {
  it('groups digits and rounds', () => {
    expect(formatCount(0, t)).toBe('0');
    expect(formatCount(1234, t)).toBe('1,234');
    expect(formatCount(1_234_567.6, t)).toBe('1,234,568');
    expect(formatCount(Number.NaN, t)).toBe('—');
  });
});

describe('formatNumber', () => {
  it('keeps at most the given fraction digits and drops trailing zeros', () => {
    expect(formatNumber(0.44, 1, t)).toBe('0.4');
    expect(formatNumber(2, 1, t)).toBe('2');
    expect(formatNumber(2.25, 2, t)).toBe('2.25');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1530, '1.5 kB'],
    [12_400, '12 kB'],
    [999_999, '999 kB'],
    [3_210_000, '3.2 MB'],
    [4_700_000_000, '4.7 GB'],
  ])('%d → %s', (n, text) => {
    expect(formatBytes(n, t)).toBe(text);
  });
  it('shows negative or non-finite sizes as not available', () => {
    expect(formatBytes(-1, t)).toBe('—');
    expect(formatBytes(Number.NaN, t)).toBe('—');
  });
});
