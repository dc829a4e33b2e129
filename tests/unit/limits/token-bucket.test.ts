import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTokenBucket } from '../../../src/limits/token-bucket';

describe('token bucket', () => {
  it('admits a burst up to capacity, then refills at the configured rate', () => {
    const b = createTokenBucket(3, 2);
    expect([b.tryTake(0), b.tryTake(0), b.tryTake(0), b.tryTake(0)]).toEqual([true, true, true, false]);
    expect(b.tryTake(400)).toBe(false); // 0.8 token
    expect(b.tryTake(500)).toBe(true); // 1 token after 500 ms at 2/s
  });

  it('never admits more than capacity + rate × elapsed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 300 }),
        (capacity, rate, gaps) => {
          const b = createTokenBucket(capacity, rate);
          let now = 0;
          let admitted = 0;
          for (const gap of gaps) {
            now += gap;
            if (b.tryTake(now)) admitted += 1;
          }
          return admitted <= capacity + Math.floor((now / 1000) * rate) + 1;
        },
      ),
    );
  });

  it('ignores a clock that goes backwards', () => {
    const b = createTokenBucket(1, 1);
    expect(b.tryTake(10_000)).toBe(true);
    expect(b.tryTake(0)).toBe(false);
    expect(b.tryTake(10_500)).toBe(false);
  });

  it('rejects nonsense parameters with a clear error', () => {
    expect(() => createTokenBucket(0, 1)).toThrow(RangeError);
    expect(() => createTokenBucket(1, Number.NaN)).toThrow(/refillPerSecond/);
  });
});
