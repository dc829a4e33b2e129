/**
 * Circuit breaker for token refresh (docs/architecture.md §3 rung 2): after 5 consecutive failures the
 * refresh endpoint is left alone for 60 s, then one probe decides.
 *
 * ```
 *            failure (n < threshold)
 *              ┌─────┐
 *              ▼     │           n = threshold
 *   ──▶ [ closed ] ──┴──────────────────────────▶ [ open ]
 *          ▲   ▲                                  │    ▲
 *          │   │ success            openMs passed,│    │ probe failed
 *          │   │                    next request  ▼    │
 *          │   └──────────── probe succeeded ── [ half-open ]  (one probe at a time;
 *          └── any success                                      a probe silent for
 *                                                               probeTimeoutMs is replaced)
 * ```
 *
 * Pure: the state is plain data (store it where the worker keeps state across restarts), the
 * clock is passed in. {@link createCircuitBreaker} wraps the functions for callers that
 * hold one breaker in memory.
 */

/** The breaker's state: plain, JSON-safe data. Times are epoch ms. */
export type BreakerState =
  { status: 'closed'; failures: number } | { status: 'open'; openedAt: number } | { status: 'half-open'; probeStartedAt: number };

export interface BreakerOptions {
  /** Consecutive failures that open the breaker; default 5. */
  failureThreshold?: number;
  /** How long the breaker stays open, ms; default 60,000. */
  openMs?: number;
  /** A probe with no recorded outcome after this long counts as lost, ms; default `openMs`. */
  probeTimeoutMs?: number;
}

export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_OPEN_MS = 60_000;

/** A new, closed breaker. */
export const INITIAL_BREAKER_STATE: BreakerState = Object.freeze({ status: 'closed', failures: 0 }) as BreakerState;

function settings(o: BreakerOptions): Required<BreakerOptions> {
  const openMs = o.openMs ?? DEFAULT_OPEN_MS;
  return {
    failureThreshold: Math.max(1, o.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD),
    openMs,
    probeTimeoutMs: o.probeTimeoutMs ?? openMs,
  };
}

/** The answer to "may I try now?". */
export interface BreakerDecision {
  allowed: boolean;
  /** The state to keep (changed when this attempt became the half-open probe). */
  state: BreakerState;
  /** When not allowed: epoch ms after which asking again may be allowed. */
  retryAt?: number;
}

/**
 * Asks for permission to attempt a refresh at `now`. Closed: yes. Open: no, until `openMs`
 * passed; then this attempt becomes the one half-open probe. Half-open: no while the probe is
 * out, unless it has been silent for `probeTimeoutMs` (a worker restart lost it).
 */
export function breakerRequest(state: BreakerState, now: number, options: BreakerOptions = {}): BreakerDecision {
  const o = settings(options);
  switch (state.status) {
    case 'closed':
      return { allowed: true, state };
    case 'open': {
      const retryAt = state.openedAt + o.openMs;
      if (now >= retryAt) return { allowed: true, state: { status: 'half-open', probeStartedAt: now } };
      return { allowed: false, state, retryAt };
    }
    case 'half-open': {
      const retryAt = state.probeStartedAt + o.probeTimeoutMs;
      if (now >= retryAt) return { allowed: true, state: { status: 'half-open', probeStartedAt: now } };
      return { allowed: false, state, retryAt };
    }
  }
}

/**
 * Records an attempt's outcome. A success closes the breaker from any state. A failure counts
 * toward the threshold when closed, reopens it when half-open (the probe failed), and changes
 * nothing when already open (a straggler that started before it opened).
 */
export function breakerRecord(
  state: BreakerState,
  outcome: 'success' | 'failure',
  now: number,
  options: BreakerOptions = {},
): BreakerState {
  if (outcome === 'success') return { status: 'closed', failures: 0 };
  const o = settings(options);
  switch (state.status) {
    case 'closed': {
      const failures = state.failures + 1;
      return failures >= o.failureThreshold ? { status: 'open', openedAt: now } : { status: 'closed', failures };
    }
    case 'half-open':
      return { status: 'open', openedAt: now };
    case 'open':
      return state;
  }
}

/** A breaker held in memory, with its clock. */
export interface CircuitBreaker {
  /** May an attempt start now? A `true` in half-open makes this attempt the probe. */
  tryAcquire(): boolean;
  recordSuccess(): void;
  recordFailure(): void;
  /** The status now (`open` reads as `half-open` once `openMs` passed and a probe may go). */
  status(): BreakerState['status'];
  /** Epoch ms when an attempt may next be allowed, or undefined when one is allowed now. */
  retryAt(): number | undefined;
  /** The state, to persist. */
  snapshot(): BreakerState;
}

/**
 * Creates a breaker.
 * @param now clock, epoch ms (pass `Date.now` from the worker, a fake in tests)
 * @param initial a persisted {@link BreakerState} to continue from
 */
export function createCircuitBreaker(
  now: () => number,
  options: BreakerOptions = {},
  initial: BreakerState = INITIAL_BREAKER_STATE,
): CircuitBreaker {
  let state = initial;
  return {
    tryAcquire() {
      const d = breakerRequest(state, now(), options);
      state = d.state;
      return d.allowed;
    },
    recordSuccess() {
      state = breakerRecord(state, 'success', now(), options);
    },
    recordFailure() {
      state = breakerRecord(state, 'failure', now(), options);
    },
    status() {
      if (state.status === 'open' && breakerRequest(state, now(), options).allowed) return 'half-open';
      return state.status;
    },
    retryAt() {
      return breakerRequest(state, now(), options).retryAt;
    },
    snapshot() {
      return state;
    },
  };
}
