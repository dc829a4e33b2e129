import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { excessEvents, QUOTA_PRUNE_MIN, quotaPruneCount, retentionCutoff } from '../../../src/storage/retention';

describe('retention', () => {
  it('cuts off whole days before now', () => {
    expect(retentionCutoff(10 * 86_400_000, 3)).toBe(7 * 86_400_000);
  });

  it('counts the events beyond the cap', () => {
    expect(excessEvents(120, 100)).toBe(20);
    expect(excessEvents(100, 100)).toBe(0);
    expect(excessEvents(5, 100)).toBe(0);
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => retentionCutoff(0, 0)).toThrow(RangeError);
    expect(() => retentionCutoff(0, 1.5)).toThrow(RangeError);
    expect(() => excessEvents(10, 0)).toThrow(RangeError);
  });

  it('deletes a tenth, at least QUOTA_PRUNE_MIN, never more than stored, after a quota failure', () => {
    expect(quotaPruneCount(0)).toBe(0);
    expect(quotaPruneCount(10)).toBe(10);
    expect(quotaPruneCount(5000)).toBe(QUOTA_PRUNE_MIN);
    expect(quotaPruneCount(100_000)).toBe(10_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (n) => {
        const k = quotaPruneCount(n);
        return k >= 1 && k <= n && k >= Math.min(n, QUOTA_PRUNE_MIN) && k >= Math.ceil(n / 10);
      }),
    );
  });
});
