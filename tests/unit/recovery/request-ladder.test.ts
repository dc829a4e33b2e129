import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_RETRY_WAIT_MS } from '../../../src/recovery/backoff';
import type { RetryPolicy } from '../../../src/recovery/backoff';
import { MAX_DURATION_MS, clampDuration, createRequestLadder, httpObservation, retryRequestId } from '../../../src/recovery/request-ladder';
import type { HttpReport, HttpRetryObservation, LadderEnv, LadderRequest, RequestLadder } from '../../../src/recovery/request-ladder';
import { HttpObservation, HttpRetryObservation as HttpRetrySchema } from '../../../src/protocol/page';

const POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 4, statuses: [408, 429, 503] };
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const URL = 'https://softphone.example/api/v2/presence';

interface Harness {
  ladder: RequestLadder;
  posted: HttpRetryObservation[];
  unauthorized: string[];
  ids: number;
  env: LadderEnv;
}

/** A ladder on fake time (vi.setSystemTime) with a fixed random draw and recorded outputs. */
function harness(over: Partial<LadderRequest> = {}, opts: { random?: number; policy?: RetryPolicy } = {}): Harness {
  const h = { posted: [], unauthorized: [], ids: 0 } as unknown as Harness;
  h.env = {
    now: () => Date.now(),
    random: () => opts.random ?? 0.5,
    policy: () => opts.policy ?? POLICY,
    newId: () => `f-tag-${++h.ids}`,
    post: (obs) => h.posted.push(obs),
    unauthorized: (url) => h.unauthorized.push(url),
  };
  h.ladder = createRequestLadder(
    {
      transport: 'fetch',
      method: 'GET',
      url: URL,
      hasIdempotencyKey: false,
      tokenRetry: true,
      bearer: 'stale',
      backoff: true,
      ...over,
    },
    h.env,
  );
  return h;
}

const answer = (status: number, retryAfter: string | null = null) => ({ status, retryAfter: vi.fn(() => retryAfter) });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('401: one token retry', () => {
  it('asks for a token once, notes unauthorized and allocates the id', () => {
    const h = harness();
    expect(h.ladder.decide(answer(401))).toEqual({ kind: 'token' });
    expect(h.unauthorized).toEqual([URL]);
    expect(h.ladder.id()).toBe('f-tag-1');
    expect(h.ids).toBe(1);
  });

  it('a second 401 (the fresh token refused too) is delivered, not given up', () => {
    const h = harness();
    h.ladder.decide(answer(401));
    h.ladder.sent(Date.now(), 'fresh');
    h.ladder.answered(401);
    expect(h.ladder.decide(answer(401))).toEqual({ kind: 'deliver', givenUp: null });
    expect(h.ladder.bearer).toBe('fresh');
  });

  it('is delivered when token retry is off or no bearer token was sent', () => {
    expect(harness({ tokenRetry: false }).ladder.decide(answer(401))).toEqual({ kind: 'deliver', givenUp: null });
    const none = harness({ bearer: null });
    expect(none.ladder.decide(answer(401))).toEqual({ kind: 'deliver', givenUp: null });
    expect(none.unauthorized).toEqual([]);
  });

  it('a 401 never goes to backoff, even with 401 among the retry statuses', () => {
    const h = harness({ tokenRetry: false }, { policy: { ...POLICY, statuses: [401, 503] } });
    const a = answer(401, '1');
    expect(h.ladder.decide(a)).toEqual({ kind: 'deliver', givenUp: null });
    expect(a.retryAfter).not.toHaveBeenCalled();
  });

  it('keeps the bearer of the latest send only when a 401 may get a fresh token', () => {
    const h = harness({ tokenRetry: false, bearer: 'kept' });
    h.ladder.decide(answer(503));
    h.ladder.sent(Date.now(), 'other');
    expect(h.ladder.bearer).toBe('kept');
  });
});

describe('retryable status: backoff (src/recovery/backoff.ts planRetry)', () => {
  it('waits the full-jitter draw, then counts the retry', () => {
    const h = harness({}, { random: 0.5 });
    expect(h.ladder.decide(answer(503))).toEqual({ kind: 'backoff', delayMs: 500 });
    h.ladder.sent(Date.now(), 'stale');
    h.ladder.answered(503);
    // Second attempt: ceiling 2 s.
    expect(h.ladder.decide(answer(503))).toEqual({ kind: 'backoff', delayMs: 1000 });
    expect(h.unauthorized).toEqual([]);
  });

  it('adds Retry-After (RFC 9110 §10.2.3) to the jitter, reading the header only for a failure it may retry', () => {
    const h = harness({}, { random: 0 });
    const a = answer(429, '7');
    expect(h.ladder.decide(a)).toEqual({ kind: 'backoff', delayMs: 7000 });
    expect(a.retryAfter).toHaveBeenCalledTimes(1);
    const off = harness({ backoff: false });
    const b = answer(429, '7');
    expect(off.ladder.decide(b)).toEqual({ kind: 'deliver', givenUp: null });
    expect(b.retryAfter).not.toHaveBeenCalled();
    const ok = answer(200, '7');
    expect(harness().ladder.decide(ok)).toEqual({ kind: 'deliver', givenUp: null });
    expect(ok.retryAfter).not.toHaveBeenCalled();
  });

  it('an HTTP-date Retry-After is measured from the fake clock', () => {
    const h = harness({}, { random: 0 });
    const inTenSeconds = new Date(T0 + 10_000).toUTCString();
    expect(h.ladder.decide(answer(503, inTenSeconds))).toEqual({ kind: 'backoff', delayMs: 10_000 });
  });

  it('stops after maxAttempts retries: delivered, not given up', () => {
    const h = harness({}, { random: 0 });
    for (let i = 0; i < POLICY.maxAttempts; i += 1) {
      expect(h.ladder.decide(answer(503)).kind).toBe('backoff');
      h.ladder.sent(Date.now(), 'stale');
      h.ladder.answered(503);
    }
    expect(h.ladder.decide(answer(503))).toEqual({ kind: 'deliver', givenUp: null });
    expect(h.ladder.givenUp).toBeNull();
    expect(h.ladder.retries).toBe(POLICY.maxAttempts);
  });

  it('gives up a wait past 120 s: deliver(wait-too-long), kept for the report', () => {
    const h = harness();
    expect(h.ladder.decide(answer(429, String(MAX_RETRY_WAIT_MS / 1000 + 1)))).toEqual({ kind: 'deliver', givenUp: 'wait-too-long' });
    expect(h.ladder.givenUp).toBe('wait-too-long');
  });

  it('counts the waits of earlier retries against the 120 s bound', () => {
    const h = harness({}, { random: 0 });
    expect(h.ladder.decide(answer(429, '100'))).toEqual({ kind: 'backoff', delayMs: 100_000 });
    h.ladder.sent(Date.now(), 'stale');
    h.ladder.answered(429);
    expect(h.ladder.decide(answer(429, '30'))).toEqual({ kind: 'deliver', givenUp: 'wait-too-long' });
  });

  it('other statuses, non-idempotent methods and backoff off are delivered', () => {
    expect(harness().ladder.decide(answer(500))).toEqual({ kind: 'deliver', givenUp: null });
    expect(harness({ method: 'POST' }).ladder.decide(answer(503))).toEqual({ kind: 'deliver', givenUp: null });
    expect(harness({ method: 'POST', hasIdempotencyKey: true }).ladder.decide(answer(503)).kind).toBe('backoff');
    expect(harness({ backoff: false }).ladder.decide(answer(503))).toEqual({ kind: 'deliver', givenUp: null });
    // An opaque response (status 0) is not a retryable status.
    expect(harness().ladder.decide(answer(0))).toEqual({ kind: 'deliver', givenUp: null });
  });

  it('reads the retry policy at each decision', () => {
    let policy = POLICY;
    const h = harness();
    h.env.policy = () => policy;
    const ladder = createRequestLadder({ ...h.ladder.request }, h.env);
    policy = { ...POLICY, maxAttempts: 0 };
    expect(ladder.decide(answer(503))).toEqual({ kind: 'deliver', givenUp: null });
  });
});

describe('one loop per page request: the rungs never nest', () => {
  it('a token retry answered with 503 goes on with backoff; a backoff retry answered with 401 gets its one token retry', () => {
    const h = harness({}, { random: 0 });
    expect(h.ladder.decide(answer(401)).kind).toBe('token');
    h.ladder.sent(Date.now(), 'fresh');
    h.ladder.answered(503);
    expect(h.ladder.decide(answer(503)).kind).toBe('backoff');
    h.ladder.sent(Date.now(), 'fresh');
    h.ladder.answered(401);
    expect(h.ladder.decide(answer(401))).toEqual({ kind: 'deliver', givenUp: null });
    expect(h.posted.map((o) => [o.reason, o.status, o.outcome])).toEqual([
      ['unauthorized', 503, 'failed'],
      ['backoff', 401, 'failed'],
    ]);
  });

  it('sends a page request at most maxAttempts + 2 times', () => {
    const h = harness({}, { random: 0 });
    let sends = 1;
    let status = 401;
    for (;;) {
      const step = h.ladder.decide(answer(status));
      if (step.kind === 'deliver') break;
      h.ladder.sent(Date.now(), 'fresh');
      sends += 1;
      status = 503;
      h.ladder.answered(status);
    }
    expect(sends).toBe(POLICY.maxAttempts + 2);
  });
});

describe('http-retry observation', () => {
  it('one per answered retry, with the page request id, the reason, and the clamped duration', () => {
    const h = harness({ transport: 'xhr', method: 'PUT' });
    h.ladder.decide(answer(401));
    h.ladder.sent(Date.now(), 'fresh');
    expect(h.ladder.awaitingAnswer).toBe(true);
    vi.advanceTimersByTime(250);
    h.ladder.answered(200);
    h.ladder.answered(200); // already posted: nothing
    expect(h.ladder.awaitingAnswer).toBe(false);
    expect(h.posted).toEqual([
      {
        type: 'http-retry',
        at: T0 + 250,
        requestId: 'f-tag-1',
        transport: 'xhr',
        method: 'PUT',
        url: URL,
        reason: 'unauthorized',
        status: 200,
        outcome: 'recovered',
        durationMs: 250,
      },
    ]);
    expect(HttpRetrySchema.safeParse(h.posted[0]).success).toBe(true);
    expect(h.unauthorized).toEqual([URL]); // the 401 only: the retry recovered
  });

  it('a failed token retry opens unauthorized, whatever its status (network error included)', () => {
    for (const status of [0, 401, 403, 503]) {
      const h = harness();
      h.ladder.decide(answer(401));
      h.ladder.sent(Date.now(), 'fresh');
      h.ladder.answered(status);
      expect(h.posted[0]).toMatchObject({ reason: 'unauthorized', status, outcome: 'failed' });
      expect(h.unauthorized).toEqual([URL, URL]);
    }
  });

  it('a failed backoff retry does not open unauthorized', () => {
    const h = harness();
    h.ladder.decide(answer(503));
    h.ladder.sent(Date.now(), 'stale');
    h.ladder.answered(0);
    expect(h.posted[0]).toMatchObject({ reason: 'backoff', status: 0, outcome: 'failed' });
    expect(h.unauthorized).toEqual([]);
  });

  it('nothing before a retry was sent', () => {
    const h = harness();
    h.ladder.answered(200);
    expect(h.posted).toEqual([]);
  });

  it('the duration is clamped to [0, 1 day] (a clock that went back, a request older than a day)', () => {
    const h = harness();
    h.ladder.decide(answer(503));
    h.ladder.sent(T0 + 5000, 'stale');
    h.ladder.answered(200);
    expect(h.posted[0]?.durationMs).toBe(0);
    const old = harness();
    old.ladder.decide(answer(503));
    old.ladder.sent(T0 - 2 * MAX_DURATION_MS, 'stale');
    old.ladder.answered(200);
    expect(old.posted[0]?.durationMs).toBe(MAX_DURATION_MS);
  });
});

describe('ids', () => {
  it('the page request id is allocated once, on first use', () => {
    const h = harness();
    expect(h.ids).toBe(0);
    expect(h.ladder.id()).toBe('f-tag-1');
    h.ladder.decide(answer(503));
    expect(h.ladder.id()).toBe('f-tag-1');
    expect(h.ids).toBe(1);
  });

  it('retry ids: -r for the first retry, -r<n> after, cut to 64 characters', () => {
    const h = harness({}, { random: 0 });
    h.ladder.decide(answer(503));
    h.ladder.sent(Date.now(), 'stale');
    expect(h.ladder.retryId()).toBe('f-tag-1-r');
    h.ladder.answered(503);
    h.ladder.decide(answer(503));
    h.ladder.sent(Date.now(), 'stale');
    expect(h.ladder.retryId()).toBe('f-tag-1-r2');
    expect(retryRequestId('x'.repeat(64), 3)).toBe('x'.repeat(64));
    expect(retryRequestId('x'.repeat(61), 12)).toBe(`${'x'.repeat(61)}-r1`);
  });

  it('sent() records the reason of the decision and when the retry left', () => {
    const h = harness();
    expect(h.ladder.reason).toBe('backoff');
    h.ladder.decide(answer(401));
    expect(h.ladder.reason).toBe('backoff'); // not sent yet
    h.ladder.sent(T0 + 10, 'fresh');
    expect([h.ladder.reason, h.ladder.retryStartedAt, h.ladder.retries]).toEqual(['unauthorized', T0 + 10, 1]);
  });
});

describe('clamps and the http observation', () => {
  it('clampDuration keeps a duration within [0, 86 400 000] ms', () => {
    expect(clampDuration(T0, T0 + 1234)).toBe(1234);
    expect(clampDuration(T0, T0 - 1)).toBe(0);
    expect(clampDuration(0, MAX_DURATION_MS * 3)).toBe(MAX_DURATION_MS);
  });

  const report = (over: Partial<HttpReport> = {}): HttpReport => ({
    transport: 'fetch',
    requestId: 'f-tag-1',
    method: 'GET',
    url: URL,
    status: 429,
    startedAt: T0 - 40,
    protected: true,
    retryAfter: '7',
    hidden: false,
    givenUp: null,
    error: null,
    ...over,
  });

  it('carries only the optional fields that apply, and passes the schema', () => {
    const obs = httpObservation(report(), T0);
    expect(obs).toEqual({
      type: 'http',
      at: T0,
      requestId: 'f-tag-1',
      transport: 'fetch',
      method: 'GET',
      url: URL,
      status: 429,
      durationMs: 40,
      protected: true,
      retryAfter: '7',
    });
    expect(HttpObservation.safeParse(obs).success).toBe(true);
    const failed = httpObservation(report({ status: 0, retryAfter: null, error: 'TypeError' }), T0);
    expect(failed).toMatchObject({ status: 0, error: 'TypeError' });
    expect(failed).not.toHaveProperty('retryAfter');
    expect(HttpObservation.safeParse(failed).success).toBe(true);
  });

  it('retryGivenUp is only on an answer the page got; hiddenFromPage only on one it did not', () => {
    expect(httpObservation(report({ givenUp: 'wait-too-long' }), T0)).toMatchObject({ retryGivenUp: 'wait-too-long' });
    const hidden = httpObservation(report({ hidden: true, givenUp: 'wait-too-long' }), T0);
    expect(hidden).toMatchObject({ hiddenFromPage: true });
    expect(hidden).not.toHaveProperty('retryGivenUp');
    expect(httpObservation(report(), T0)).not.toHaveProperty('hiddenFromPage');
  });
});
