import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  MAX_BREAKERS,
  admitRefresh,
  breakerOf,
  parseBreakerBook,
  recordRefresh,
  refreshPausedMessage,
} from '../../../src/recovery/refresh-breakers';
import type { BreakerBook } from '../../../src/recovery/refresh-breakers';

const A = 'https://apps.test/refresh ["org-a","agent-1"]';
const B = 'https://apps.test/refresh ["org-b","agent-3"]';

/** What the token broker does per refresh: ask, then record; the clock is the (fake) system time. */
function attempt(
  book: BreakerBook,
  key: string,
  outcome: 'success' | 'failure',
): { book: BreakerBook; allowed: boolean; message?: string } {
  const gate = admitRefresh(book, key, Date.now());
  if (!gate.allowed) return { book: gate.book, allowed: false, message: gate.message };
  return { book: recordRefresh(gate.book, key, outcome, Date.now()), allowed: true };
}

describe('refresh breakers per identity (rung 2)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('after 5 consecutive failures refuses for 60 s with a plain sentence, then lets one probe through', () => {
    let book: BreakerBook = {};
    for (let i = 0; i < 5; i += 1) {
      const r = attempt(book, A, 'failure');
      expect(r.allowed).toBe(true);
      book = r.book;
    }
    expect(breakerOf(book, A)).toEqual({ status: 'open', openedAt: Date.now() });
    const refused = admitRefresh(book, A, Date.now());
    expect(refused).toMatchObject({
      allowed: false,
      retryAt: Date.now() + 60_000,
      message: 'Token refresh paused for 60 s after 5 failures',
    });
    vi.advanceTimersByTime(17_500);
    expect(admitRefresh(book, A, Date.now())).toMatchObject({ allowed: false, message: 'Token refresh paused for 43 s after 5 failures' });
    vi.advanceTimersByTime(42_500);
    const probe = admitRefresh(book, A, Date.now());
    expect(probe.allowed).toBe(true);
    expect(breakerOf(probe.book, A)).toEqual({ status: 'half-open', probeStartedAt: Date.now() });
    // While the probe is out, nobody else starts one.
    expect(admitRefresh(probe.book, A, Date.now() + 1000).allowed).toBe(false);
  });

  it('a successful probe closes the breaker and drops its entry; a failed one reopens it for 60 s', () => {
    let book: BreakerBook = {};
    for (let i = 0; i < 5; i += 1) book = attempt(book, A, 'failure').book;
    vi.advanceTimersByTime(60_000);
    const failed = attempt(book, A, 'failure');
    expect(breakerOf(failed.book, A)).toEqual({ status: 'open', openedAt: Date.now() });
    vi.advanceTimersByTime(60_000);
    const ok = attempt(failed.book, A, 'success');
    expect(ok.book).toEqual({});
    expect(admitRefresh(ok.book, A, Date.now()).allowed).toBe(true);
  });

  it('a success resets the count of consecutive failures', () => {
    let book: BreakerBook = {};
    for (let i = 0; i < 4; i += 1) book = attempt(book, A, 'failure').book;
    book = attempt(book, A, 'success').book;
    for (let i = 0; i < 4; i += 1) book = attempt(book, A, 'failure').book;
    expect(breakerOf(book, A)).toEqual({ status: 'closed', failures: 4 });
    expect(admitRefresh(book, A, Date.now()).allowed).toBe(true);
  });

  it('keeps identities apart: one organisation’s failures do not pause another’s refresh', () => {
    let book: BreakerBook = {};
    for (let i = 0; i < 5; i += 1) book = attempt(book, A, 'failure').book;
    expect(admitRefresh(book, A, Date.now()).allowed).toBe(false);
    expect(admitRefresh(book, B, Date.now()).allowed).toBe(true);
  });

  it('survives a round trip through storage (a restarted worker continues the pause)', () => {
    let book: BreakerBook = {};
    for (let i = 0; i < 5; i += 1) book = attempt(book, A, 'failure').book;
    const stored = parseBreakerBook(structuredClone(JSON.parse(JSON.stringify(book))));
    vi.advanceTimersByTime(30_000);
    expect(admitRefresh(stored, A, Date.now())).toMatchObject({
      allowed: false,
      message: 'Token refresh paused for 30 s after 5 failures',
    });
  });

  it('drops malformed stored entries, and anything that is not a record', () => {
    expect(parseBreakerBook(null)).toEqual({});
    expect(parseBreakerBook([{ status: 'open', openedAt: 1 }])).toEqual({});
    expect(
      parseBreakerBook({
        a: { status: 'open', openedAt: 5 },
        b: { status: 'open' },
        c: { status: 'closed', failures: -1 },
        d: { status: 'half-open', probeStartedAt: Number.NaN },
        e: 'open',
        f: { status: 'closed', failures: 0 },
        g: { status: 'closed', failures: 3 },
      }),
    ).toEqual({ a: { status: 'open', openedAt: 5 }, g: { status: 'closed', failures: 3 } });
  });

  it('takes an identity named __proto__ as a plain entry', () => {
    const book = recordRefresh({}, '__proto__', 'failure', Date.now());
    expect(Object.getPrototypeOf(book)).toBe(Object.prototype);
    expect(Object.hasOwn(book, '__proto__')).toBe(true);
    expect(breakerOf(book, '__proto__')).toEqual({ status: 'closed', failures: 1 });
    expect(breakerOf({}, '__proto__')).toEqual({ status: 'closed', failures: 0 });
    expect(breakerOf({}, 'toString')).toEqual({ status: 'closed', failures: 0 });
  });

  it(`keeps at most ${MAX_BREAKERS} entries, dropping closed ones before open ones`, () => {
    let book: BreakerBook = {};
    for (let i = 0; i < 5; i += 1) book = recordRefresh(book, 'open-one', 'failure', Date.now());
    for (let k = 0; k < 2 * MAX_BREAKERS; k += 1) book = recordRefresh(book, `k${k}`, 'failure', Date.now());
    expect(Object.keys(book)).toHaveLength(MAX_BREAKERS);
    expect(breakerOf(book, 'open-one').status).toBe('open');
  });

  it('rounds the pause up to whole seconds, at least 1 s', () => {
    expect(refreshPausedMessage(10_500, 10_000)).toBe('Token refresh paused for 1 s after 5 failures');
    expect(refreshPausedMessage(10_000, 10_000)).toBe('Token refresh paused for 1 s after 5 failures');
    expect(refreshPausedMessage(70_000, 10_001, 3)).toBe('Token refresh paused for 60 s after 3 failures');
  });

  it('never allows more than one refresh start per 60 s once 5 failures in a row happened (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30_000 }), fc.boolean()), { maxLength: 80 }), (steps) => {
        let book: BreakerBook = {};
        let streak = 0;
        let lastAllowedWhileBroken = -Infinity;
        for (const [delta, ok] of steps) {
          vi.advanceTimersByTime(delta);
          const gate = admitRefresh(book, A, Date.now());
          book = gate.book;
          if (!gate.allowed) continue;
          if (streak >= 5) {
            expect(Date.now() - lastAllowedWhileBroken).toBeGreaterThanOrEqual(60_000);
            lastAllowedWhileBroken = Date.now();
          }
          book = recordRefresh(book, A, ok ? 'success' : 'failure', Date.now());
          streak = ok ? 0 : streak + 1;
          if (streak === 5) lastAllowedWhileBroken = Date.now();
        }
      }),
      { numRuns: 200 },
    );
  });
});
