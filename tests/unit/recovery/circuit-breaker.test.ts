import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_BREAKER_STATE, breakerRecord, breakerRequest, createCircuitBreaker } from '../../../src/recovery/circuit-breaker';
import type { BreakerState } from '../../../src/recovery/circuit-breaker';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('circuit breaker', () => {
  it('stays closed below 5 consecutive failures, and a success resets the count', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now);
    for (let i = 0; i < 4; i += 1) {
      expect(b.tryAcquire()).toBe(true);
      b.recordFailure();
    }
    b.recordSuccess();
    for (let i = 0; i < 4; i += 1) b.recordFailure();
    expect(b.status()).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens after 5 consecutive failures and refuses for 60 s', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now);
    for (let i = 0; i < 5; i += 1) b.recordFailure();
    expect(b.status()).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    expect(b.retryAt()).toBe(c.now() + 60_000);
    c.advance(59_999);
    expect(b.tryAcquire()).toBe(false);
    expect(b.status()).toBe('open');
  });

  it('lets exactly one probe through in half-open', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now);
    for (let i = 0; i < 5; i += 1) b.recordFailure();
    c.advance(60_000);
    expect(b.status()).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    expect(b.tryAcquire()).toBe(false);
    expect(b.status()).toBe('half-open');
  });

  it('closes when the probe succeeds', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now);
    for (let i = 0; i < 5; i += 1) b.recordFailure();
    c.advance(60_000);
    b.tryAcquire();
    b.recordSuccess();
    expect(b.snapshot()).toEqual({ status: 'closed', failures: 0 });
    expect(b.tryAcquire()).toBe(true);
  });

  it('reopens for another 60 s when the probe fails', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now);
    for (let i = 0; i < 5; i += 1) b.recordFailure();
    c.advance(60_000);
    b.tryAcquire();
    c.advance(2000);
    b.recordFailure();
    expect(b.snapshot()).toEqual({ status: 'open', openedAt: c.now() });
    c.advance(59_999);
    expect(b.tryAcquire()).toBe(false);
    c.advance(1);
    expect(b.tryAcquire()).toBe(true);
  });

  it('replaces a probe that never reported (e.g. the worker restarted)', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now, { probeTimeoutMs: 10_000 });
    for (let i = 0; i < 5; i += 1) b.recordFailure();
    c.advance(60_000);
    expect(b.tryAcquire()).toBe(true);
    c.advance(9999);
    expect(b.tryAcquire()).toBe(false);
    c.advance(1);
    expect(b.tryAcquire()).toBe(true);
  });

  it('ignores a straggling failure while open but closes on a straggling success', () => {
    const open: BreakerState = { status: 'open', openedAt: 5 };
    expect(breakerRecord(open, 'failure', 100)).toBe(open);
    expect(breakerRecord(open, 'success', 100)).toEqual({ status: 'closed', failures: 0 });
  });

  it('continues from a persisted state with its own options', () => {
    const c = clock();
    const b = createCircuitBreaker(c.now, { failureThreshold: 2, openMs: 1000 }, { status: 'closed', failures: 1 });
    b.recordFailure();
    expect(b.status()).toBe('open');
    c.advance(1000);
    expect(b.tryAcquire()).toBe(true);
    expect(JSON.parse(JSON.stringify(b.snapshot()))).toEqual(b.snapshot());
  });

  it('property: never two attempts allowed at once outside the closed state, never allowed while open', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), dt: fc.integer({ min: 0, max: 70_000 }) }),
      fc.record({ kind: fc.constantFrom('success' as const, 'failure' as const), dt: fc.integer({ min: 0, max: 70_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let state: BreakerState = INITIAL_BREAKER_STATE;
        let t = 0;
        let consecutiveFailures = 0;
        for (const s of steps) {
          t += s.dt;
          if (s.kind === 'request') {
            const before = state;
            const d = breakerRequest(state, t);
            if (before.status === 'open' && t < before.openedAt + 60_000) expect(d.allowed).toBe(false);
            if (before.status === 'half-open' && t < before.probeStartedAt + 60_000) expect(d.allowed).toBe(false);
            if (d.allowed && before.status !== 'closed') expect(d.state).toEqual({ status: 'half-open', probeStartedAt: t });
            state = d.state;
          } else {
            const wasClosed = state.status === 'closed';
            state = breakerRecord(state, s.kind, t);
            consecutiveFailures = s.kind === 'success' ? 0 : wasClosed ? consecutiveFailures + 1 : consecutiveFailures;
            if (s.kind === 'success') expect(state).toEqual({ status: 'closed', failures: 0 });
            if (wasClosed && s.kind === 'failure') expect(state.status).toBe(consecutiveFailures >= 5 ? 'open' : 'closed');
            if (state.status !== 'closed') consecutiveFailures = 0;
          }
        }
      }),
    );
  });
});
