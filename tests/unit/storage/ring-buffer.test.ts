import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RingBuffer } from '../../../src/storage/ring-buffer';

describe('ring buffer', () => {
  it('keeps the newest items and counts the dropped ones', () => {
    const r = new RingBuffer<number>(3);
    expect(r.push(1)).toBe(false);
    r.push(2);
    r.push(3);
    expect(r.push(4)).toBe(true);
    expect(r.toArray()).toEqual([2, 3, 4]);
    expect(r.newest(2)).toEqual([4, 3]);
    expect(r.newest(10, (n) => n % 2 === 0)).toEqual([4, 2]);
    expect(r.dropped).toBe(1);
    expect(r.size).toBe(3);
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(r.dropped).toBe(0);
  });

  it('matches "the last capacity items" for any sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 100 }), (cap, items) => {
        const r = new RingBuffer<number>(cap);
        for (const i of items) r.push(i);
        expect(r.toArray()).toEqual(items.slice(-cap));
        expect(r.dropped).toBe(Math.max(0, items.length - cap));
      }),
    );
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(2.5)).toThrow(RangeError);
  });
});
