import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  IDEMPOTENT_METHODS,
  MAX_RETRY_WAIT_MS,
  backoffCeiling,
  fullJitterDelay,
  isRetryableMethod,
  parseHttpDate,
  parseRetryAfter,
  planRetry,
} from '../../../src/recovery/backoff';
import type { RetryPolicy, RetryQuestion } from '../../../src/recovery/backoff';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';

const POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 4, statuses: [408, 429, 503] };
/** Sun, 06 Nov 1994 08:49:37 GMT, the example of RFC 9110 §5.6.7. */
const RFC_EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);

const question = (over: Partial<RetryQuestion> = {}): RetryQuestion => ({
  status: 503,
  method: 'GET',
  hasIdempotencyKey: false,
  retryAfter: null,
  retriesDone: 0,
  waitedMs: 0,
  now: RFC_EXAMPLE,
  random: () => 0.5,
  policy: POLICY,
  ...over,
});

describe('full-jitter backoff', () => {
  it('the defaults are the design numbers: base 1 s, cap 30 s, 4 attempts, 408/429/503', () => {
    expect(DEFAULT_CONFIG.retry).toEqual(POLICY);
  });

  it('the ceiling doubles from base up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5000].map((n) => backoffCeiling(n, POLICY))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('the cap never exceeds the 120 s bound, and zero base or cap means no wait', () => {
    expect(backoffCeiling(20, { baseDelayMs: 1000, maxDelayMs: 10 * 60_000 })).toBe(MAX_RETRY_WAIT_MS);
    expect(backoffCeiling(3, { baseDelayMs: 0, maxDelayMs: 30_000 })).toBe(0);
    expect(backoffCeiling(3, { baseDelayMs: 1000, maxDelayMs: 0 })).toBe(0);
  });

  it('draws uniformly between 0 and the ceiling, in whole ms', () => {
    expect(fullJitterDelay(0, POLICY, () => 0)).toBe(0);
    expect(fullJitterDelay(0, POLICY, () => 0.5)).toBe(500);
    expect(fullJitterDelay(2, POLICY, () => 0.999_9)).toBe(3999);
    expect(fullJitterDelay(9, POLICY, () => 0.25)).toBe(7500);
    // A broken random source cannot push the delay out of range.
    expect(fullJitterDelay(1, POLICY, () => 7)).toBe(2000);
    expect(fullJitterDelay(1, POLICY, () => -1)).toBe(0);
    expect(fullJitterDelay(1, POLICY, () => Number.NaN)).toBe(0);
  });

  it('property: 0 ≤ delay ≤ min(cap, base·2^attempt)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 200 }),
        fc.nat({ max: 60_000 }),
        fc.nat({ max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, r) => {
          const d = fullJitterDelay(attempt, { baseDelayMs, maxDelayMs }, () => r);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.min(maxDelayMs, MAX_RETRY_WAIT_MS, baseDelayMs * 2 ** Math.min(attempt, 40)));
        },
      ),
    );
  });
});

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it('delay-seconds', () => {
    expect(parseRetryAfter('0', RFC_EXAMPLE)).toBe(0);
    expect(parseRetryAfter('3', RFC_EXAMPLE)).toBe(3000);
    expect(parseRetryAfter(' 120 ', RFC_EXAMPLE)).toBe(120_000);
    expect(parseRetryAfter('0007', RFC_EXAMPLE)).toBe(7000);
    expect(parseRetryAfter('99999999999999999999', RFC_EXAMPLE)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('the three HTTP-date forms of RFC 9110 §5.6.7, relative to now', () => {
    const now = RFC_EXAMPLE - 5000;
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(5000); // IMF-fixdate
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(5000); // obsolete RFC 850
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(5000); // obsolete asctime
    expect(parseRetryAfter('Sun Nov 16 08:49:37 1994', now)).toBe(5000 + 10 * 86_400_000);
  });

  it('a date in the past means no wait', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', RFC_EXAMPLE + 60_000)).toBe(0);
  });

  it('junk is null', () => {
    for (const junk of [
      '',
      ' ',
      '-1',
      '1.5',
      '+3',
      '3s',
      '0x10',
      '1e3',
      'soon',
      'sun, 06 nov 1994 08:49:37 gmt', // HTTP-date is case-sensitive
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 24:00:00 GMT',
      'Sun, 06 Nov 1994 08:60:00 GMT',
      'Foo, 06 Nov 1994 08:49:37 GMT',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      'Sun, 06-Nov-94 08:49:37 GMT', // RFC 850 needs the long day name
      'Sunday, 06-Nov-1994 08:49:37 GMT',
      'Sun Nov 6 08:49:37 1994',
      '2024-01-01T00:00:00Z',
    ]) {
      expect(parseRetryAfter(junk, RFC_EXAMPLE), junk).toBeNull();
    }
  });

  it('leap days and leap seconds', () => {
    expect(parseHttpDate('Thu, 29 Feb 2024 00:00:00 GMT', 0)).toBe(Date.UTC(2024, 1, 29));
    expect(parseHttpDate('Thu, 29 Feb 2023 00:00:00 GMT', 0)).toBeNull();
    expect(parseHttpDate('Tue, 29 Feb 2000 00:00:00 GMT', 0)).toBe(Date.UTC(2000, 1, 29));
    expect(parseHttpDate('Thu, 29 Feb 1900 00:00:00 GMT', 0)).toBeNull();
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT', 0)).toBe(Date.UTC(2017, 0, 1));
  });

  describe('two-digit RFC 850 years (more than 50 years ahead = the past century)', () => {
    beforeEach(() => {
      vi.useFakeTimers();
      vi.setSystemTime(Date.UTC(2026, 0, 15, 12, 0, 0));
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('reads 26 as 2026, 76 as 2076, 77 as 1977', () => {
      const now = Date.now();
      expect(parseHttpDate('Thursday, 15-Jan-26 12:00:10 GMT', now)).toBe(now + 10_000);
      expect(parseHttpDate('Wednesday, 15-Jan-76 12:00:00 GMT', now)).toBe(Date.UTC(2076, 0, 15, 12));
      expect(parseHttpDate('Saturday, 15-Jan-77 12:00:00 GMT', now)).toBe(Date.UTC(1977, 0, 15, 12));
      expect(parseRetryAfter('Thursday, 15-Jan-26 12:00:10 GMT', Date.now())).toBe(10_000);
    });
  });

  it('property: an IMF-fixdate of any second parses back to the wait until it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }),
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }),
        (target, now) => {
          const second = Math.floor(target / 1000) * 1000;
          const header = new Date(second).toUTCString(); // IMF-fixdate
          expect(parseRetryAfter(header, now)).toBe(Math.max(0, second - now));
        },
      ),
    );
  });

  it('property: any string gives null or a finite wait ≥ 0, never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), fc.integer({ min: 0, max: 4e12 }), (s, now) => {
        const ms = parseRetryAfter(s, now);
        if (ms !== null) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('idempotency (RFC 9110 §9.2.2)', () => {
  it('GET, HEAD, PUT, DELETE, OPTIONS, TRACE are retryable, in any case', () => {
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'get', 'Put']) expect(isRetryableMethod(m, false), m).toBe(true);
    expect([...IDEMPOTENT_METHODS].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'TRACE']);
  });

  it('POST, PATCH and others only with an Idempotency-Key', () => {
    for (const m of ['POST', 'PATCH', 'CONNECT', 'PROPFIND', 'post']) {
      expect(isRetryableMethod(m, false), m).toBe(false);
      expect(isRetryableMethod(m, true), m).toBe(true);
    }
  });
});

describe('planRetry', () => {
  it('retries a 503 GET after the jittered backoff', () => {
    expect(planRetry(question())).toEqual({ retry: true, delayMs: 500, backoffMs: 500, retryAfterMs: null });
    expect(planRetry(question({ retriesDone: 3 }))).toEqual({ retry: true, delayMs: 4000, backoffMs: 4000, retryAfterMs: null });
  });

  it('waits for Retry-After plus the full-jitter draw on top', () => {
    expect(planRetry(question({ status: 429, method: 'PUT', retryAfter: '3' }))).toEqual({
      retry: true,
      delayMs: 3500,
      backoffMs: 500,
      retryAfterMs: 3000,
    });
    // The jitter's range grows with the attempt as without Retry-After: 2^3 s at the 4th retry.
    expect(planRetry(question({ status: 429, retryAfter: '3', retriesDone: 3, random: () => 0.25 }))).toMatchObject({
      retry: true,
      delayMs: 5000,
      backoffMs: 2000,
    });
    expect(planRetry(question({ status: 429, retryAfter: 'Sun, 06 Nov 1994 08:50:37 GMT' }))).toMatchObject({
      retry: true,
      delayMs: 60_500,
    });
    // Retry-After 0 ("now") leaves the plain backoff.
    expect(planRetry(question({ status: 503, retryAfter: '0' }))).toEqual({ retry: true, delayMs: 500, backoffMs: 500, retryAfterMs: 0 });
  });

  it('clients told the same Retry-After at once come back spread over the jitter range, not in lock-step', () => {
    const draws = [0, 0.2, 0.4, 0.6, 0.8, 0.999];
    const delays = draws.map((r) => {
      const plan = planRetry(question({ status: 429, method: 'PUT', retryAfter: '5', random: () => r }));
      return plan.retry ? plan.delayMs : -1;
    });
    expect(delays).toEqual([5000, 5200, 5400, 5600, 5800, 5999]);
  });

  it('ignores an unparsable Retry-After', () => {
    expect(planRetry(question({ retryAfter: 'later' }))).toEqual({ retry: true, delayMs: 500, backoffMs: 500, retryAfterMs: null });
  });

  it('gives up on other statuses, non-idempotent methods and after maxAttempts', () => {
    expect(planRetry(question({ status: 500 }))).toEqual({ retry: false, reason: 'status' });
    expect(planRetry(question({ status: 401 }))).toEqual({ retry: false, reason: 'status' });
    expect(planRetry(question({ method: 'POST' }))).toEqual({ retry: false, reason: 'method' });
    expect(planRetry(question({ method: 'PATCH', retryAfter: '1' }))).toEqual({ retry: false, reason: 'method' });
    expect(planRetry(question({ method: 'POST', hasIdempotencyKey: true }))).toMatchObject({ retry: true });
    expect(planRetry(question({ retriesDone: 4 }))).toEqual({ retry: false, reason: 'attempts' });
    expect(planRetry(question({ policy: { ...POLICY, maxAttempts: 0 } }))).toEqual({ retry: false, reason: 'attempts' });
  });

  it('gives up (to be reported) when the wait would pass 120 s, in one go or in total', () => {
    expect(planRetry(question({ status: 429, retryAfter: '121' }))).toEqual({
      retry: false,
      reason: 'wait-too-long',
      delayMs: 121_000,
      retryAfterMs: 121_000,
    });
    expect(planRetry(question({ status: 429, retryAfter: '30', waitedMs: 100_000 }))).toMatchObject({
      retry: false,
      reason: 'wait-too-long',
    });
    // Without Retry-After the draw itself must fit.
    const big: RetryPolicy = { ...POLICY, maxDelayMs: MAX_RETRY_WAIT_MS, maxAttempts: 20 };
    expect(planRetry(question({ retriesDone: 10, waitedMs: 100_000, policy: big, random: () => 0.5 }))).toEqual({
      retry: false,
      reason: 'wait-too-long',
      delayMs: 60_000,
      retryAfterMs: null,
    });
  });

  it('the jitter on top of a Retry-After that fits is drawn from the room left under 120 s', () => {
    // Retry-After 120 s leaves no room: exactly 120 s, whatever the draw.
    expect(planRetry(question({ status: 429, retryAfter: '120', random: () => 0.99 }))).toEqual({
      retry: true,
      delayMs: 120_000,
      backoffMs: 0,
      retryAfterMs: 120_000,
    });
    // 10 s waited, Retry-After 109 s: 1 s of room, less than the 8 s ceiling of the 4th retry.
    expect(planRetry(question({ status: 429, retryAfter: '109', retriesDone: 3, waitedMs: 10_000, random: () => 0.5 }))).toMatchObject({
      retry: true,
      delayMs: 109_500,
      backoffMs: 500,
    });
  });

  /** A server that keeps answering `status` with `retryAfter`: the loop a probe runs, on fake time. */
  async function runAgainst(
    policy: RetryPolicy,
    answer: { status: number; retryAfter: string | null },
    method = 'GET',
  ): Promise<{ sends: number[]; outcome: string }> {
    const sends: number[] = [Date.now()];
    let retriesDone = 0;
    let waitedMs = 0;
    for (;;) {
      const plan = planRetry({
        ...answer,
        method,
        hasIdempotencyKey: false,
        retriesDone,
        waitedMs,
        now: Date.now(),
        random: Math.random,
        policy,
      });
      if (!plan.retry) return { sends, outcome: plan.reason };
      retriesDone += 1;
      waitedMs += plan.delayMs;
      await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
      sends.push(Date.now());
    }
  }

  describe('over time (fake timers)', () => {
    beforeEach(() => {
      vi.useFakeTimers();
      vi.setSystemTime(Date.UTC(2026, 0, 15, 12, 0, 0));
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('a 429 with Retry-After: 3 is sent again no earlier than 3 s later, no later than 3 s + ceiling, 4 times at most', async () => {
      const done = runAgainst(POLICY, { status: 429, retryAfter: '3' }, 'PUT');
      await vi.runAllTimersAsync();
      const { sends, outcome } = await done;
      expect(outcome).toBe('attempts');
      expect(sends).toHaveLength(1 + POLICY.maxAttempts);
      for (let i = 1; i < sends.length; i++) {
        const gap = (sends[i] ?? 0) - (sends[i - 1] ?? 0);
        expect(gap).toBeGreaterThanOrEqual(3000);
        expect(gap).toBeLessThanOrEqual(3000 + backoffCeiling(i - 1, POLICY));
      }
    });

    it('five clients rate-limited at the same instant retry at five different instants', async () => {
      const runs = Array.from({ length: 5 }, () => runAgainst({ ...POLICY, maxAttempts: 1 }, { status: 429, retryAfter: '3' }, 'PUT'));
      await vi.runAllTimersAsync();
      const retries = (await Promise.all(runs)).map((r) => r.sends[1] ?? 0);
      const t0 = (await runs[0])?.sends[0] ?? 0;
      for (const t of retries) expect(t - t0).toBeGreaterThanOrEqual(3000);
      for (const t of retries) expect(t - t0).toBeLessThanOrEqual(3000 + POLICY.baseDelayMs);
      // Math.random over a 1000 ms range: five equal draws has probability 1e-12.
      expect(new Set(retries).size).toBeGreaterThan(1);
    });

    it('an HTTP-date Retry-After is a point in time: later retries wait less', async () => {
      const at = new Date(Date.now() + 5000).toUTCString();
      const done = runAgainst({ ...POLICY, baseDelayMs: 0 }, { status: 503, retryAfter: at });
      await vi.runAllTimersAsync();
      const { sends } = await done;
      expect(sends.map((t) => t - (sends[0] ?? 0))).toEqual([0, 5000, 5000, 5000, 5000]);
    });

    it('stops at once when the server asks for more than 120 s', async () => {
      const done = runAgainst(POLICY, { status: 503, retryAfter: '600' });
      await vi.runAllTimersAsync();
      expect(await done).toEqual({ sends: [Date.now()], outcome: 'wait-too-long' });
    });
  });

  const policies = fc.record({
    baseDelayMs: fc.nat({ max: 10_000 }),
    maxDelayMs: fc.nat({ max: 300_000 }),
    maxAttempts: fc.nat({ max: 12 }),
    statuses: fc.uniqueArray(fc.integer({ min: 400, max: 599 }), { maxLength: 6 }),
  });
  const retryAfters = fc.oneof(
    fc.constant(null),
    fc.nat({ max: 400 }).map(String),
    fc.integer({ min: -200, max: 400 }).map((s) => new Date(RFC_EXAMPLE + s * 1000).toUTCString()),
    fc.string({ maxLength: 12 }),
  );
  const questions = fc.record({
    status: fc.integer({ min: 400, max: 599 }),
    method: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'POST', 'PATCH', 'CONNECT'),
    hasIdempotencyKey: fc.boolean(),
    retryAfter: retryAfters,
    retriesDone: fc.nat({ max: 15 }),
    waitedMs: fc.nat({ max: 150_000 }),
    now: fc.constant(RFC_EXAMPLE),
    random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((r) => () => r),
    policy: policies,
  });

  const askedOf = (q: RetryQuestion): number | null => (q.retryAfter === null ? null : parseRetryAfter(q.retryAfter, q.now));

  it('property: no delay above Retry-After + min(cap, base·2^attempt), nor above the cap without Retry-After', () => {
    fc.assert(
      fc.property(questions, (q) => {
        const plan = planRetry(q);
        if (!plan.retry) return;
        const ceiling = backoffCeiling(q.retriesDone, q.policy);
        expect(Number.isInteger(plan.delayMs)).toBe(true);
        expect(plan.delayMs).toBe((plan.retryAfterMs ?? 0) + plan.backoffMs);
        expect(plan.backoffMs).toBeGreaterThanOrEqual(0);
        expect(plan.backoffMs).toBeLessThanOrEqual(ceiling);
        expect(plan.delayMs).toBeLessThanOrEqual((askedOf(q) ?? 0) + Math.min(q.policy.maxDelayMs, MAX_RETRY_WAIT_MS));
      }),
    );
  });

  it('property: Retry-After is always respected (no delay below it)', () => {
    fc.assert(
      fc.property(questions, (q) => {
        const plan = planRetry(q);
        const asked = askedOf(q);
        if (plan.retry) {
          expect(plan.retryAfterMs).toBe(asked);
          expect(plan.delayMs).toBeGreaterThanOrEqual(asked ?? 0);
        }
      }),
    );
  });

  it('property: the total wait of one request never passes 120 s; a Retry-After that fits is never refused', () => {
    fc.assert(
      fc.property(questions, (q) => {
        const plan = planRetry(q);
        const asked = askedOf(q);
        if (plan.retry) {
          expect(plan.delayMs).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS);
          expect(q.waitedMs + plan.delayMs).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS);
        } else if (plan.reason === 'wait-too-long') {
          expect(q.waitedMs + (plan.delayMs ?? 0)).toBeGreaterThan(MAX_RETRY_WAIT_MS);
        }
        // The jitter added on top of Retry-After never turns an allowed wait into a give-up.
        const eligible = q.policy.statuses.includes(q.status) && isRetryableMethod(q.method, q.hasIdempotencyKey);
        if (eligible && q.retriesDone < q.policy.maxAttempts && asked !== null && q.waitedMs + asked <= MAX_RETRY_WAIT_MS) {
          expect(plan.retry).toBe(true);
        }
      }),
    );
  });

  it('property: with Retry-After, the jitter spans its whole range when the 120 s bound leaves room', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 119 }),
        fc.nat({ max: 11 }),
        fc.nat({ max: 120_000 }),
        fc.record({ baseDelayMs: fc.nat({ max: 10_000 }), maxDelayMs: fc.nat({ max: 300_000 }) }),
        (seconds, retriesDone, waitedMs, backoff) => {
          const policy: RetryPolicy = { ...backoff, maxAttempts: retriesDone + 1, statuses: [429] };
          const ceiling = backoffCeiling(retriesDone, policy);
          fc.pre(waitedMs + seconds * 1000 + ceiling <= MAX_RETRY_WAIT_MS);
          const q = question({ status: 429, method: 'PUT', retryAfter: String(seconds), retriesDone, waitedMs, policy });
          expect(planRetry({ ...q, random: () => 0 })).toMatchObject({ retry: true, delayMs: seconds * 1000 });
          const high = planRetry({ ...q, random: () => 1 - Number.EPSILON });
          expect(high.retry && high.delayMs).toBe(seconds * 1000 + Math.floor((1 - Number.EPSILON) * ceiling));
        },
      ),
    );
  });

  it('property: non-idempotent requests are never retried', () => {
    fc.assert(
      fc.property(questions, (q) => {
        fc.pre(!q.hasIdempotencyKey && !IDEMPOTENT_METHODS.has(q.method));
        expect(planRetry(q).retry).toBe(false);
        expect(planRetry({ ...q, policy: { ...q.policy, statuses: [q.status] }, retriesDone: 0, waitedMs: 0 })).toEqual({
          retry: false,
          reason: 'method',
        });
      }),
    );
  });

  it('property: never more retries than maxAttempts, only on listed statuses', () => {
    fc.assert(
      fc.property(questions, fc.array(fc.integer({ min: 400, max: 599 }), { minLength: 1, maxLength: 20 }), (q, answers) => {
        let retriesDone = 0;
        let waitedMs = 0;
        for (const status of answers) {
          const plan = planRetry({ ...q, status, retriesDone, waitedMs });
          if (!plan.retry) break;
          expect(q.policy.statuses).toContain(status);
          retriesDone += 1;
          waitedMs += plan.delayMs;
        }
        expect(retriesDone).toBeLessThanOrEqual(q.policy.maxAttempts);
        expect(waitedMs).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS);
      }),
    );
  });
});
