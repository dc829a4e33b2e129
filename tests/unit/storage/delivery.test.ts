import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { advanceMark, alreadyDelivered, deliveryKey } from '../../../src/storage/delivery';
import type { DeliveryMark } from '../../../src/storage/delivery';

describe('delivery marks', () => {
  it('keys marks by tab and document', () => {
    expect(deliveryKey(7, 'abc')).toBe('7/abc');
    expect(deliveryKey(7, 'abc')).not.toBe(deliveryKey(8, 'abc'));
  });

  it('a resend at or below the mark is a duplicate; other documents and tabs are not', () => {
    const marks = new Map<string, DeliveryMark>();
    const m = advanceMark(undefined, 1, 'doc-a', 5, 100);
    marks.set(m.key, m);
    expect(alreadyDelivered(marks, 1, 'doc-a', 5)).toBe(true);
    expect(alreadyDelivered(marks, 1, 'doc-a', 1)).toBe(true);
    expect(alreadyDelivered(marks, 1, 'doc-a', 6)).toBe(false);
    expect(alreadyDelivered(marks, 1, 'doc-b', 1)).toBe(false);
    expect(alreadyDelivered(marks, 2, 'doc-a', 1)).toBe(false);
  });

  it('never moves back', () => {
    const m = advanceMark(advanceMark(undefined, 1, 'd', 9, 1), 1, 'd', 4, 2);
    expect(m.seq).toBe(9);
    expect(m.at).toBe(2);
  });

  it('stores every observation of an in-order stream with resends exactly once', () => {
    // A relay sends 1..n; after each "worker restart" it resends from some earlier point.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.array(fc.nat(), { maxLength: 10 }), (n, restarts) => {
        const stream: number[] = [];
        let sent = 0;
        for (const r of restarts) {
          const upTo = Math.min(n, sent + 1 + (r % 30));
          for (let s = sent + 1; s <= upTo; s += 1) stream.push(s);
          sent = upTo;
          const from = Math.max(1, sent - (r % 10));
          for (let s = from; s <= sent; s += 1) stream.push(s);
        }
        for (let s = sent + 1; s <= n; s += 1) stream.push(s);
        const marks = new Map<string, DeliveryMark>();
        const stored: number[] = [];
        for (const seq of stream) {
          if (alreadyDelivered(marks, 3, 'doc', seq)) continue;
          stored.push(seq);
          const m = advanceMark(marks.get(deliveryKey(3, 'doc')), 3, 'doc', seq, 0);
          marks.set(m.key, m);
        }
        expect(stored).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      }),
    );
  });
});
