/**
 * The transparent-retry loop of one page request (docs/architecture.md §3 rungs 1 and 2), the
 * same for every transport the probe wraps (fetch, XMLHttpRequest). A transport keeps only its
 * mechanics — how an answer is held back from the page, how a request is sent again, how a
 * wait is cancelled — and asks the ladder what to do with each answer it holds:
 *
 * ```text
 *  answer ─▶ 401? ─yes─▶ token retry allowed, not done yet, a bearer token sent?
 *              │            │yes: note `unauthorized` ─▶ token      │no ─▶ deliver
 *              │no
 *           backoff allowed? ─no─▶ deliver
 *              │yes
 *           planRetry (backoff.ts) ─retry─▶ backoff(delayMs)
 *              │no
 *           deliver(givenUp: 'wait-too-long' when the 120 s bound stopped it, else null)
 * ```
 *
 * - `token`: get a fresh token, then send again with it substituted; at most once per page
 *   request. No fresh token, or a copy that would carry the same token: deliver.
 * - `backoff(delayMs)`: report the held answer as hidden from the page, wait `delayMs`, then
 *   send again (at most `policy.maxAttempts` times per page request).
 * - `deliver(givenUp)`: the page gets the answer held; `givenUp` goes into its `http` report.
 *
 * One loop per page request, so the rungs never nest: a retry that gets the other kind of
 * failure continues the same loop, and a page request is sent at most `maxAttempts + 2` times.
 * Every retry that is answered (or fails without an answer, status 0) is reported once as an
 * `http-retry`; a failed token retry opens `unauthorized` (src/limits/success-reports.ts) just
 * as the 401 itself did.
 *
 * Pure: the clock, the random source, the retry policy, the id source and the two outputs
 * (observations, the document's success gate) are passed in, so every decision runs under
 * vitest with fake time and fixed randomness.
 */
import type { PageObservation } from '../protocol/page';
import { planRetry } from './backoff';
import type { RetryPolicy } from './backoff';

/** An `http` observation (src/protocol/page.ts). */
export type HttpObservation = Extract<PageObservation, { type: 'http' }>;
/** An `http-retry` observation (src/protocol/page.ts). */
export type HttpRetryObservation = Extract<PageObservation, { type: 'http-retry' }>;
/** Why a retryable answer was handed to the page after all (the `http` report's `retryGivenUp`). */
export type GivenUp = NonNullable<HttpObservation['retryGivenUp']>;
/** Why a retry was sent: `unauthorized` (rung 2, fresh token) or `backoff` (rung 1). */
export type RetryReason = HttpRetryObservation['reason'];
/** The transports the probe retries. */
export type LadderTransport = HttpRetryObservation['transport'];

/** Longest duration an observation carries, ms (the schema's bound: one day). */
export const MAX_DURATION_MS = 86_400_000;
/** Longest request id an observation carries (the schema's bound). */
export const MAX_REQUEST_ID = 64;

/**
 * `now − startedAt` clamped into the observation's bounds, [0, {@link MAX_DURATION_MS}] ms: a
 * clock that went back gives 0, a request older than a day gives a day.
 * @param startedAt epoch ms the exchange started
 * @param now epoch ms
 */
export function clampDuration(startedAt: number, now: number): number {
  return Math.min(MAX_DURATION_MS, Math.max(0, now - startedAt));
}

/**
 * The id of a retry's own `http` report: the page request's id with `-r` (first retry) or
 * `-r<n>` (n-th retry, n ≥ 2), cut to {@link MAX_REQUEST_ID} characters. Its `http-retry`
 * carries the page request's id itself.
 * @param requestId the page request's id
 * @param retries retries sent so far, the one reported included (≥ 1)
 */
export function retryRequestId(requestId: string, retries: number): string {
  return `${requestId}-r${retries > 1 ? retries : ''}`.slice(0, MAX_REQUEST_ID);
}

/** What a transport reports of one exchange (the page request's or a retry's). */
export interface HttpReport {
  transport: LadderTransport;
  requestId: string;
  /** Upper case, ≤ 16 characters. */
  method: string;
  /** The URL as reported (≤ 2,048 characters). */
  url: string;
  /** HTTP status; 0 for a network error. */
  status: number;
  /** Epoch ms the exchange started. */
  startedAt: number;
  protected: boolean;
  /** `Retry-After` as received (RFC 9110 §10.2.3), cut to 256 characters; null or absent when there is none. */
  retryAfter?: string | null;
  /** The page never saw this answer: a retry replaced it. */
  hidden?: boolean;
  /** Set on the answer the page gets when the ladder gave up retrying it. */
  givenUp?: GivenUp | null;
  /** Why there is no status (status 0), ≤ 256 characters; null or absent otherwise. */
  error?: string | null;
}

/**
 * The `http` observation of one exchange. `retryGivenUp` is only ever on an answer the page
 * got: a hidden answer was not given up, a retry replaced it.
 * @param now epoch ms
 */
export function httpObservation(r: HttpReport, now: number): HttpObservation {
  return {
    type: 'http',
    at: now,
    requestId: r.requestId,
    transport: r.transport,
    method: r.method,
    url: r.url,
    status: r.status,
    durationMs: clampDuration(r.startedAt, now),
    protected: r.protected,
    ...(typeof r.retryAfter === 'string' ? { retryAfter: r.retryAfter } : {}),
    ...(r.hidden ? { hiddenFromPage: true } : {}),
    ...(typeof r.error === 'string' ? { error: r.error } : {}),
    ...(r.givenUp && !r.hidden ? { retryGivenUp: r.givenUp } : {}),
  };
}

/** One page request, as far as the ladder needs to know it. */
export interface LadderRequest {
  transport: LadderTransport;
  /** Upper case, ≤ 16 characters. */
  method: string;
  /** The URL as reported (≤ 2,048 characters). */
  url: string;
  /** The request carries a non-empty `Idempotency-Key` header. */
  hasIdempotencyKey: boolean;
  /**
   * A 401 may be retried once with a fresh token: the request is protected and asynchronous,
   * carries a bearer token, token refresh is on, and the transport can send it again.
   */
  tokenRetry: boolean;
  /** The bearer token the first send carried (Authorization or `access_token`, RFC 6750 §2). */
  bearer: string | null;
  /**
   * A retryable status may be retried with backoff: the request is protected, asynchronous
   * and idempotent (src/recovery/backoff.ts `isRetryableMethod`), retries are on, and the
   * transport can send it again.
   */
  backoff: boolean;
}

/** What the ladder is given: the clock, randomness, settings, ids, and where its outputs go. */
export interface LadderEnv {
  /** Epoch ms. */
  now(): number;
  /** Uniform in [0, 1) (the backoff jitter). */
  random(): number;
  /** The retry settings in force (read at each decision, so a new configuration applies at once). */
  policy(): RetryPolicy;
  /** A new request id, unique in the document (≤ 64 characters). */
  newId(): string;
  /** Posts an `http-retry` observation. */
  post(obs: HttpRetryObservation): void;
  /**
   * A failure of `url` (as reported) that opens an `unauthorized` incident: a 401 about to be
   * retried with a fresh token (the `token-needed` may be posted before the 401 is reported),
   * or a failed token retry. Goes to the document's success gate.
   */
  unauthorized(url: string): void;
}

/** One answer the transport holds back from the page. */
export interface LadderAnswer {
  /** HTTP status; 0 for an opaque response or a network error. */
  status: number;
  /** Reads `Retry-After` (as received, or null); called only for a status ≥ 400 that may be retried with backoff. */
  retryAfter(): string | null;
}

/** The decision about one answer. */
export type LadderStep = { kind: 'token' } | { kind: 'backoff'; delayMs: number } | { kind: 'deliver'; givenUp: GivenUp | null };

/** The loop of one page request: see the module comment. Not shared between page requests. */
export interface RequestLadder {
  readonly request: Readonly<LadderRequest>;
  /** The bearer token of the latest send: what a 401 rejected, what a fresh token replaces. */
  readonly bearer: string | null;
  /** Retries sent so far, of both kinds. */
  readonly retries: number;
  /** Why the latest retry was sent (`backoff` before any). */
  readonly reason: RetryReason;
  /** Epoch ms the latest retry was sent (0 before any). */
  readonly retryStartedAt: number;
  /** The latest retry was sent and its `http-retry` is not posted yet. */
  readonly awaitingAnswer: boolean;
  /** Set by a `deliver` that gave up a retryable answer, for its `http` report. */
  readonly givenUp: GivenUp | null;
  /** The page request's id, allocated on first use; the same for every report of it. */
  id(): string;
  /** The id of the latest retry's own `http` report ({@link retryRequestId}). */
  retryId(): string;
  /**
   * Decides about `answer`. A `token` counts the token retry as done and notes `unauthorized`
   * (`env.unauthorized`); a `backoff` counts the retry and its wait. Both allocate the id.
   * @throws never, unless an `env` function throws
   */
  decide(answer: LadderAnswer): LadderStep;
  /**
   * The retry of the latest decision is sent now.
   * @param startedAt epoch ms it was handed to the transport
   * @param bearer the bearer token it carries (kept when a 401 may be retried with a fresh token)
   */
  sent(startedAt: number, bearer: string | null): void;
  /**
   * The latest retry was answered with `status` (0: no answer, a network error): posts its
   * `http-retry` — `recovered` for 1–399, else `failed` — once, and notes `unauthorized` for a
   * failed token retry whatever its status. Nothing when already posted or no retry was sent.
   */
  answered(status: number): void;
}

/**
 * Creates the loop for one page request.
 * @throws never
 */
export function createRequestLadder(request: LadderRequest, env: LadderEnv): RequestLadder {
  let requestId = '';
  let tokenRetried = false;
  let backoffRetries = 0;
  let waitedMs = 0;
  /** The reason of the latest decision to retry, for the retry it sends. */
  let next: RetryReason = 'backoff';

  const id = (): string => (requestId ||= env.newId());
  const deliver = (why: GivenUp | null = null): LadderStep => {
    if (why !== null) ladder.givenUp = why;
    return { kind: 'deliver', givenUp: ladder.givenUp };
  };

  const ladder: { -readonly [K in keyof RequestLadder]: RequestLadder[K] } = {
    request,
    bearer: request.bearer,
    retries: 0,
    reason: 'backoff',
    retryStartedAt: 0,
    awaitingAnswer: false,
    givenUp: null,
    id,
    retryId: () => retryRequestId(id(), ladder.retries),
    decide(answer) {
      const status = answer.status;
      if (status === 401) {
        // Once per page request: a second 401 means the fresh token was refused too.
        if (!request.tokenRetry || tokenRetried || ladder.bearer === null) return deliver();
        tokenRetried = true;
        next = 'unauthorized';
        id();
        env.unauthorized(request.url);
        return { kind: 'token' };
      }
      if (!request.backoff) return deliver();
      const plan = planRetry({
        status,
        method: request.method,
        hasIdempotencyKey: request.hasIdempotencyKey,
        retryAfter: status >= 400 ? answer.retryAfter() : null,
        retriesDone: backoffRetries,
        waitedMs,
        now: env.now(),
        random: () => env.random(),
        policy: env.policy(),
      });
      if (!plan.retry) return deliver(plan.reason === 'wait-too-long' ? 'wait-too-long' : null);
      backoffRetries += 1;
      waitedMs += plan.delayMs;
      next = 'backoff';
      id();
      return { kind: 'backoff', delayMs: plan.delayMs };
    },
    sent(startedAt, bearer) {
      ladder.retries += 1;
      ladder.reason = next;
      ladder.retryStartedAt = startedAt;
      ladder.awaitingAnswer = true;
      if (request.tokenRetry) ladder.bearer = bearer;
    },
    answered(status) {
      if (!ladder.awaitingAnswer) return;
      ladder.awaitingAnswer = false;
      const outcome = status > 0 && status < 400 ? 'recovered' : 'failed';
      if (outcome === 'failed' && ladder.reason === 'unauthorized') env.unauthorized(request.url);
      env.post({
        type: 'http-retry',
        at: env.now(),
        requestId: id(),
        transport: request.transport,
        method: request.method,
        url: request.url,
        reason: ladder.reason,
        status,
        outcome,
        durationMs: clampDuration(ladder.retryStartedAt, env.now()),
      });
    },
  };
  return ladder;
}
