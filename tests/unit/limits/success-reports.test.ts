import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_SUCCESS_REPORT_KEYS, SUCCESS_REPORT_INTERVAL_MS, createSuccessReports } from '../../../src/limits/success-reports';

const A = 'https://h.test/api/v2/a';
const B = 'https://h.test/api/v2/b';

describe('success reports', () => {
  it('reports the first success of a key, then at most one a second', () => {
    const g = createSuccessReports();
    expect(g.admit(A, true, 0)).toBe(true);
    expect(g.admit(A, true, 10)).toBe(false);
    expect(g.admit(A, true, 999)).toBe(false);
    expect(g.admit(A, true, 1000)).toBe(true);
    expect(g.admit(A, true, 1500)).toBe(false);
    // Another key has its own interval.
    expect(g.admit(B, true, 1500)).toBe(true);
  });

  it('keys by the URL without query and fragment, as the worker does', () => {
    const g = createSuccessReports();
    expect(g.admit(`${A}?page=1`, true, 0)).toBe(true);
    expect(g.admit(`${A}?page=2#x`, true, 5)).toBe(false);
    g.failed(`${A}?page=3`, false);
    expect(g.admit(A, true, 6)).toBe(true);
  });

  it('reports the next success of a key after a failure of that key, once', () => {
    const g = createSuccessReports();
    expect(g.admit(A, false, 0)).toBe(true);
    g.failed(A, false);
    expect(g.admit(B, false, 1)).toBe(true); // first of B
    expect(g.admit(B, false, 2)).toBe(false); // a failure of A is not one of B
    expect(g.admit(A, false, 3)).toBe(true);
    expect(g.admit(A, false, 4)).toBe(false);
  });

  it('reports the next protected success of any key after an unauthorized failure', () => {
    const g = createSuccessReports();
    expect(g.admit(A, true, 0)).toBe(true);
    expect(g.admit(B, true, 0)).toBe(true);
    g.failed('https://h.test/api/v2/c', true);
    expect(g.admit(A, false, 1)).toBe(false); // an unprotected success resolves no `unauthorized`
    expect(g.admit(B, true, 2)).toBe(true);
    expect(g.admit(A, true, 3)).toBe(false); // the protected success of B was reported
  });

  it('an unprotected failure does not call for a success of another key', () => {
    const g = createSuccessReports();
    g.admit(A, true, 0);
    g.admit(B, true, 0);
    g.failed(A, false);
    expect(g.admit(B, true, 1)).toBe(false);
  });

  it('reports a forced success (identity) and counts it', () => {
    const g = createSuccessReports();
    g.failed(A, true);
    expect(g.admit(A, true, 0, true)).toBe(true);
    expect(g.admit(A, true, 1, true)).toBe(true);
    expect(g.admit(B, true, 2)).toBe(true); // first of B
    expect(g.admit(A, true, 3)).toBe(false); // the failure was answered by the forced report
  });

  it('treats a clock that went back as an interval elapsed', () => {
    const g = createSuccessReports();
    expect(g.admit(A, true, 10_000)).toBe(true);
    expect(g.admit(A, true, 5_000)).toBe(true);
    expect(g.admit(A, true, 5_500)).toBe(false);
  });

  it('remembers at most maxKeys keys, forgetting the least recently written first', () => {
    const g = createSuccessReports(2);
    g.admit(A, false, 0);
    g.admit(B, false, 0);
    g.failed(A, false); // A written after B: B is now the oldest
    g.admit('https://h.test/c', false, 0);
    expect(g.size()).toBe(2);
    expect(g.admit(A, false, 1)).toBe(true); // still remembered as failed
    expect(g.admit(A, false, 2)).toBe(false);
    expect(g.admit(B, false, 3)).toBe(true); // forgotten: reported as new
  });

  it('rejects nonsense bounds with a clear error', () => {
    expect(() => createSuccessReports(0)).toThrow(RangeError);
    expect(() => createSuccessReports(1.5)).toThrow(/maxKeys/);
    expect(() => createSuccessReports(1, -1)).toThrow(/intervalMs/);
    expect(() => createSuccessReports(1, Number.NaN)).toThrow(RangeError);
  });

  describe('properties', () => {
    type Op =
      | { kind: 'fail'; key: number; unauthorized: boolean }
      | { kind: 'admit'; key: number; protected: boolean; force: boolean }
      | { kind: 'wait'; ms: number };
    /** Keys drawn from a range wider than the memory bound, so forgetting is exercised. */
    const KEYS = MAX_SUCCESS_REPORT_KEYS + 40;
    const url = (key: number): string => `https://h.test/api/v2/k${key}?q=${key % 3}`;
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('fail' as const), key: fc.nat(KEYS), unauthorized: fc.boolean() }),
      fc.record({ kind: fc.constant('admit' as const), key: fc.nat(KEYS), protected: fc.boolean(), force: fc.boolean() }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
    );
    const ops = fc.array(op, { maxLength: 600 });

    /** Runs `list` on `g` from time `t`; @returns the clock after it. */
    const run = (g: ReturnType<typeof createSuccessReports>, list: Op[], t: number): number => {
      for (const o of list) {
        if (o.kind === 'wait') t += o.ms;
        else if (o.kind === 'fail') g.failed(url(o.key), o.unauthorized);
        else g.admit(url(o.key), o.protected, t, o.force);
      }
      return t;
    };

    it('after any failure, the next success of that key is reported', () => {
      fc.assert(
        fc.property(
          ops,
          fc.nat(KEYS),
          fc.boolean(),
          fc.boolean(),
          ops,
          fc.boolean(),
          (before, key, unauthorized, isProtected, after, later) => {
            const g = createSuccessReports();
            let t = run(g, before, 0);
            g.failed(url(key), unauthorized);
            // Anything that does not report a success of this key (other keys' successes may be reported).
            t = run(
              g,
              after.filter((o) => o.kind !== 'admit' || o.key !== key),
              t,
            );
            return g.admit(url(key), isProtected, later ? t + 5 : t);
          },
        ),
      );
    });

    it('after an unauthorized failure, the next protected success of any key is reported', () => {
      fc.assert(
        fc.property(ops, fc.nat(KEYS), fc.nat(KEYS), ops, (before, failedKey, key, after) => {
          const g = createSuccessReports();
          let t = run(g, before, 0);
          g.failed(url(failedKey), true);
          t = run(
            g,
            after.filter((o) => o.kind !== 'admit' || !o.protected),
            t,
          );
          return g.admit(url(key), true, t);
        }),
      );
    });

    it('within the memory bound, reports exactly what the three rules say (model check)', () => {
      const few = fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('fail' as const), key: fc.nat(20), unauthorized: fc.boolean() }),
          fc.record({ kind: fc.constant('admit' as const), key: fc.nat(20), protected: fc.boolean(), force: fc.boolean() }),
          fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
        ),
        { maxLength: 400 },
      );
      fc.assert(
        fc.property(few, (list) => {
          const g = createSuccessReports();
          const reportedAt = new Map<number, number>();
          const failedSince = new Set<number>();
          let unauthorized = false;
          let t = 0;
          for (const o of list) {
            if (o.kind === 'wait') {
              t += o.ms;
            } else if (o.kind === 'fail') {
              g.failed(url(o.key), o.unauthorized);
              failedSince.add(o.key);
              unauthorized ||= o.unauthorized;
            } else {
              const prev = reportedAt.get(o.key);
              const expected =
                o.force ||
                prev === undefined ||
                failedSince.has(o.key) ||
                (o.protected && unauthorized) ||
                t - prev >= SUCCESS_REPORT_INTERVAL_MS;
              if (g.admit(url(o.key), o.protected, t, o.force) !== expected) return false;
              if (expected) {
                reportedAt.set(o.key, t);
                failedSince.delete(o.key);
                if (o.protected) unauthorized = false;
              }
            }
          }
          return true;
        }),
      );
    });

    it('never remembers more than the bound', () => {
      fc.assert(
        fc.property(ops, (list) => {
          const g = createSuccessReports();
          run(g, list, 0);
          return g.size() <= MAX_SUCCESS_REPORT_KEYS;
        }),
      );
    });
  });
});
