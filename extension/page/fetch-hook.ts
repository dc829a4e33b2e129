/**
 * `window.fetch`: stale-token substitution before sending, `http` / `identity` observations
 * after, and the transparent retries of docs/architecture.md §3: with backoff on a retryable status
 * (rung 1, src/recovery/backoff.ts) and with a fresh token on a 401 (rung 2).
 *
 * The arguments are first read once the way the native reads them (fetch-normalize.ts), so
 * none of the probe's own reads is visible to the page.
 *
 * The hot path (an unprotected request, no stale token known) is: read the URL, two glob
 * tests, call the native, attach one reaction that posts only on failure. The native promise
 * itself is returned. Only a protected request that may be recovered — it carries a bearer
 * token and token refresh is on, or it is idempotent and retries are on — gets a replayable
 * copy (its Request cloned before sending, or its init kept; never a ReadableStream body)
 * and a promise of the probe's own. Failures are always posted; a protected success only
 * when the document's success gate says it can resolve an incident (success-gate.ts).
 *
 * One retry loop per page request, so the two rungs never nest: each answer is either
 * retried once more or handed to the page. A 401 is retried at most once (with a fresh
 * token), a retryable status at most `retry.maxAttempts` times in all (after its backoff
 * wait); a retry that gets the other kind of failure continues the same loop, so a page
 * request is sent at most `maxAttempts + 2` times. A retry's outcome, whatever it is
 * (network error included), is what the page gets; an answer replaced by a retry is reported
 * with `hiddenFromPage` when the retry is decided, before any wait. The page's AbortSignal
 * ends a backoff wait at once, with the signal's reason, as the native fetch would.
 *
 * An identity response (200, JSON) is read from a clone before the page gets it: the page's
 * promise resolves only once the clone's body was parsed and handed to `ctx.onIdentity`
 * (which tears an old org's sessions down, org-switch.ts), or after
 * {@link IDENTITY_HOLD_MS} at most; the page's own body is untouched either way.
 */
import { extractIdentity } from '../../src/identity/extract-identity';
import type { PageObservation } from '../../src/protocol/page';
import { isRetryableMethod, planRetry } from '../../src/recovery/backoff';
import { bearerOf, headerOf, isPlainObject, methodOf, readFetchCall, signalOf, substituteFetchArgs } from './fetch-args';
import type { FetchCall } from './fetch-args';
import { createFetchArgsNormalizer } from './fetch-normalize';
import { MAX_TEXT, MAX_URL, clip } from './context';
import type { ProbeContext } from './context';
import { call } from './natives';
import { successGate } from './success-gate';

type NativeFetch = typeof fetch;

/**
 * Longest the page's identity response is held while the probe reads its body, ms: an org
 * switch should tear the old sessions down before the page sees the new identity, but a slow
 * body must not stall the app. Past it, the page gets the response and the teardown follows.
 */
export const IDENTITY_HOLD_MS = 1000;

interface Exchange {
  requestId: string;
  url: string;
  method: string;
  protected: boolean;
  identity: boolean;
  startedAt: number;
  /** The bearer token the latest send carried (identity requests only; else null). */
  token: string | null;
}

interface Plan extends Exchange {
  /** What goes to the native fetch. */
  args: unknown[];
  /** The bearer token sent, when a 401 may be recovered with a fresh one. */
  bearer: string | null;
  /** A retryable status may be retried with backoff (protected, idempotent, retries on). */
  backoff: boolean;
  hasIdempotencyKey: boolean;
  signal: AbortSignal | null;
  /** Builds the next send's arguments from the spare copy, stale tokens substituted. */
  replay: (() => Replay) | null;
}

interface Replay {
  args: unknown[];
  /** A stale token was replaced (a 401 retry without a change would be refused again). */
  substituted: boolean;
}

type GivenUp = NonNullable<Extract<PageObservation, { type: 'http' }>['retryGivenUp']>;
type RetryReason = 'unauthorized' | 'backoff';

const isAbort = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';

function planFetch(ctx: ProbeContext, args: unknown[]): Plan {
  const { natives, ledger } = ctx;
  const call = readFetchCall(natives, args);
  const url = ctx.absoluteUrl(call.rawUrl);
  const isProtected = ctx.isProtected(url);
  const plan: Plan = {
    requestId: '',
    url,
    method: methodOf(call),
    protected: isProtected,
    identity: ctx.isIdentity(url),
    startedAt: ctx.now(),
    token: null,
    args,
    bearer: null,
    backoff: false,
    hasIdempotencyKey: false,
    signal: null,
    replay: null,
  };
  let tokenRetry = false;
  if (isProtected) {
    const policy = ctx.retryPolicy();
    tokenRetry = ctx.config().tokenRefresh && bearerOf(natives, call) !== null;
    plan.hasIdempotencyKey = (headerOf(natives, call, 'idempotency-key') ?? '') !== '';
    plan.backoff = policy.maxAttempts > 0 && policy.statuses.length > 0 && isRetryableMethod(plan.method, plan.hasIdempotencyKey);
  }
  // The copy must exist before the first send: sending (or rewriting) consumes a Request's body.
  const spare = tokenRetry || plan.backoff ? replayable(ctx, call) : null;
  if (ledger.active) plan.args = substituteFetchArgs(natives, call, ledger) ?? args;
  if (plan.identity) plan.token = bearerOf(natives, plan.args === args ? call : readFetchCall(natives, plan.args));
  if (spare) {
    if (tokenRetry) plan.bearer = bearerOf(natives, plan.args === args ? call : readFetchCall(natives, plan.args));
    plan.signal = signalOf(natives, call);
    plan.replay = () => {
      const copy = copyOf(ctx, spare);
      const substituted = ledger.active ? substituteFetchArgs(natives, readFetchCall(natives, copy), ledger) : null;
      return { args: substituted ?? copy, substituted: substituted !== null };
    };
  }
  return plan;
}

/** A fresh copy of the spare arguments for one send (a Request body can be sent only once). */
function copyOf(ctx: ProbeContext, spare: unknown[]): unknown[] {
  const { natives } = ctx;
  const [input, init, ...rest] = spare;
  if (natives.Request && input instanceof natives.Request) return [input.clone(), ...spare.slice(1)];
  if (spare.length < 2) return [input];
  return [input, isPlainObject(init) ? { ...init } : init, ...rest];
}

/** Arguments that can be sent once more, or null (streamed or already used bodies). */
function replayable(ctx: ProbeContext, call: FetchCall): unknown[] | null {
  const { natives } = ctx;
  const init = call.args[1];
  const body = typeof init === 'object' && init !== null ? (init as { body?: unknown }).body : undefined;
  if (natives.ReadableStream && body instanceof natives.ReadableStream) return null;
  // A copy of the init: the page may reuse and change its options object after the call.
  if (call.request === null) return call.plainInit ? [call.args[0], { ...call.plainInit }, ...call.args.slice(2)] : call.args;
  if (call.request.bodyUsed) return null;
  try {
    return [call.request.clone(), ...call.args.slice(1)];
  } catch {
    return null;
  }
}

/**
 * Posts `http` for the answer when it is to be reported, and starts reading the identity of a
 * 200 identity response the page is to see.
 * @returns the identity read, settling when it is done (never rejects), or null when none
 */
function report(
  ctx: ProbeContext,
  ex: Exchange,
  res: Response,
  extra: { hidden?: boolean; givenUp?: GivenUp | null },
): Promise<void> | null {
  try {
    if (res.type === 'opaque' || res.type === 'opaqueredirect') return null; // status 0 by design, not a failure
    const status = res.status;
    const url = clip(ex.url, MAX_URL);
    if (reportable(ctx, ex, url, status)) {
      const retryAfter = status >= 400 ? res.headers.get('retry-after') : null;
      ctx.post({
        type: 'http',
        at: ctx.now(),
        requestId: (ex.requestId ||= ctx.nextId('f')),
        transport: 'fetch',
        method: ex.method,
        url,
        status,
        durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - ex.startedAt)),
        protected: ex.protected,
        ...(retryAfter !== null ? { retryAfter: clip(retryAfter, MAX_TEXT) } : {}),
        ...(extra.hidden ? { hiddenFromPage: true } : {}),
        ...(extra.givenUp && !extra.hidden ? { retryGivenUp: extra.givenUp } : {}),
      });
    }
    if (ex.identity && status === 200 && !extra.hidden) return readIdentity(ctx, res, ex.token);
  } catch {
    // observation is best effort
  }
  return null;
}

/**
 * Whether an answer is reported: every failure (≥ 400, noted in the document's success gate),
 * every identity response, and the protected successes the gate lets through (those that can
 * resolve an incident, src/limits/success-reports.ts). Other successes are not reported.
 */
function reportable(ctx: ProbeContext, ex: Exchange, url: string, status: number): boolean {
  const gate = successGate(ctx);
  if (status >= 400) {
    gate.failed(url, ex.protected && status === 401);
    return true;
  }
  if (ex.identity) {
    gate.reported(url, ex.protected);
    return true;
  }
  return ex.protected && gate.admit(url, true);
}

function readIdentity(ctx: ProbeContext, res: Response, token: string | null): Promise<void> | null {
  if (!/json/i.test(res.headers.get('content-type') ?? '')) return null;
  // The clone is read by the probe only; the page's body is untouched.
  return res
    .clone()
    .json()
    .then((json: unknown) => {
      const id = extractIdentity(json, ctx.config().identityFields);
      if (id) ctx.onIdentity(id, token);
    })
    .catch(() => undefined);
}

/** Settles when `read` did, or after {@link IDENTITY_HOLD_MS}; at once for null. Never rejects. */
function holdFor(ctx: ProbeContext, read: Promise<void> | null): Promise<void> | void {
  if (read === null) return;
  return new Promise<void>((resolve) => {
    const handle = ctx.later(resolve, IDENTITY_HOLD_MS);
    void read.then(() => {
      ctx.cancel(handle);
      resolve();
    });
  });
}

function reportError(ctx: ProbeContext, ex: Exchange, err: unknown): void {
  try {
    if (isAbort(err)) return; // the page cancelled it
    const name = typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name) : 'Error';
    const url = clip(ex.url, MAX_URL);
    successGate(ctx).failed(url, false);
    ctx.post({
      type: 'http',
      at: ctx.now(),
      requestId: ex.requestId || ctx.nextId('f'),
      transport: 'fetch',
      method: ex.method,
      url,
      status: 0,
      durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - ex.startedAt)),
      protected: ex.protected,
      error: clip(name, MAX_TEXT),
    });
  } catch {
    // best effort
  }
}

/** The retry loop's bookkeeping for one page request. */
interface Loop {
  tokenRetried: boolean;
  /** Retries sent because of a retryable status. */
  backoffRetries: number;
  /** Time spent in backoff waits, ms. */
  waitedMs: number;
  /** Retries sent in all. */
  retries: number;
  /** The bearer token of the latest send (what a 401 rejected). */
  bearer: string | null;
  givenUp: GivenUp | null;
}

/** What to send next, or null: the page gets `res`. */
type Next = { reason: RetryReason; args: unknown[] } | null;

async function nextSend(ctx: ProbeContext, plan: Plan, loop: Loop, current: Exchange, res: Response): Promise<Next> {
  const replay = plan.replay;
  if (replay === null) return null;
  if (res.status === 401) {
    if (loop.tokenRetried || loop.bearer === null) return null;
    loop.tokenRetried = true;
    plan.requestId ||= ctx.nextId('f');
    // The broker may post `token-needed`, which opens `unauthorized` before the 401 is reported.
    successGate(ctx).failed(clip(plan.url, MAX_URL), true);
    const fresh = await ctx.broker.obtainFresh(loop.bearer, plan.url, plan.requestId);
    let built: Replay | null;
    try {
      built = fresh === null ? null : replay();
    } catch {
      built = null;
    }
    if (built === null || !built.substituted) return null;
    report(ctx, current, res, { hidden: true });
    return { reason: 'unauthorized', args: built.args };
  }
  if (!plan.backoff || res.type === 'opaque' || res.type === 'opaqueredirect') return null;
  const decision = planRetry({
    status: res.status,
    method: plan.method,
    hasIdempotencyKey: plan.hasIdempotencyKey,
    retryAfter: res.status >= 400 ? res.headers.get('retry-after') : null,
    retriesDone: loop.backoffRetries,
    waitedMs: loop.waitedMs,
    now: ctx.now(),
    random: ctx.random,
    policy: ctx.retryPolicy(),
  });
  if (!decision.retry) {
    if (decision.reason === 'wait-too-long') loop.givenUp = 'wait-too-long';
    return null;
  }
  loop.backoffRetries += 1;
  loop.waitedMs += decision.delayMs;
  plan.requestId ||= ctx.nextId('f');
  // Reported before the wait, so the incident opens when the failure happened.
  report(ctx, current, res, { hidden: true });
  await pause(ctx, decision.delayMs, plan.signal);
  // Built after the wait: a token refreshed meanwhile is substituted.
  return { reason: 'backoff', args: replay().args };
}

/** The page aborted during a backoff wait; `reason` is what its fetch rejects with. */
class PageAbort {
  constructor(readonly reason: unknown) {}
}

/** Resolves after `ms`; rejects with a {@link PageAbort} as soon as the page aborts. */
function pause(ctx: ProbeContext, ms: number, signal: AbortSignal | null): Promise<void> {
  const { natives } = ctx;
  return new Promise<void>((resolve, reject) => {
    const abort = (): PageAbort => {
      const reason: unknown = natives.abortSignal.reason ? call(natives.abortSignal.reason, signal) : undefined;
      return new PageAbort(
        reason ??
          (natives.DOMException ? new natives.DOMException('signal is aborted without reason', 'AbortError') : new Error('AbortError')),
      );
    };
    if (signal !== null && natives.abortSignal.aborted && call<boolean>(natives.abortSignal.aborted, signal)) {
      reject(abort());
      return;
    }
    const handle = ctx.later(resolve, ms);
    if (signal !== null && natives.addEventListener) {
      call(
        natives.addEventListener,
        signal,
        'abort',
        () => {
          ctx.cancel(handle);
          reject(abort());
        },
        { once: true },
      );
    }
  });
}

async function recover(
  ctx: ProbeContext,
  nativeFetch: NativeFetch,
  thisArg: unknown,
  plan: Plan,
  sent: Promise<Response>,
): Promise<Response> {
  let res: Response;
  try {
    res = await sent;
  } catch (err) {
    reportError(ctx, plan, err);
    throw err;
  }
  const loop: Loop = { tokenRetried: false, backoffRetries: 0, waitedMs: 0, retries: 0, bearer: plan.bearer, givenUp: null };
  let current: Exchange = plan;
  for (;;) {
    let next: Next;
    try {
      next = await nextSend(ctx, plan, loop, current, res);
    } catch (err) {
      if (err instanceof PageAbort) throw err.reason;
      next = null; // the copy could not be made: the page gets the answer it has
    }
    if (next === null) {
      await holdFor(ctx, report(ctx, current, res, { givenUp: loop.givenUp }));
      return res;
    }
    loop.retries += 1;
    if (plan.identity) {
      try {
        plan.token = bearerOf(ctx.natives, readFetchCall(ctx.natives, next.args));
      } catch {
        plan.token = null;
      }
    }
    const startedAt = ctx.now();
    const retry: Exchange = { ...plan, requestId: clip(`${plan.requestId}-r${loop.retries > 1 ? loop.retries : ''}`, 64), startedAt };
    if (plan.bearer !== null) {
      try {
        loop.bearer = bearerOf(ctx.natives, readFetchCall(ctx.natives, next.args));
      } catch {
        loop.bearer = null;
      }
    }
    let res2: Response;
    try {
      res2 = await (Reflect.apply(nativeFetch, thisArg, next.args) as Promise<Response>);
    } catch (err) {
      postRetry(ctx, plan, next.reason, 0, startedAt);
      reportError(ctx, retry, err);
      throw err;
    }
    // The retry's outcome goes first, so the incident records "retried" before "later request succeeded".
    postRetry(ctx, plan, next.reason, res2.status, startedAt);
    current = retry;
    res = res2;
  }
}

function postRetry(ctx: ProbeContext, plan: Plan, reason: RetryReason, status: number, startedAt: number): void {
  const url = clip(plan.url, MAX_URL);
  const outcome = status > 0 && status < 400 ? 'recovered' : 'failed';
  // A failed token retry opens `unauthorized`, whatever its status (the status itself is noted when reported).
  if (outcome === 'failed' && reason === 'unauthorized') successGate(ctx).failed(url, true);
  ctx.post({
    type: 'http-retry',
    at: ctx.now(),
    requestId: plan.requestId,
    transport: 'fetch',
    method: plan.method,
    url,
    reason,
    status,
    outcome,
    durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - startedAt)),
  });
}

/** Wraps `window.fetch`. @throws never */
export function hookFetch(ctx: ProbeContext): void {
  const { natives } = ctx;
  if (!natives.fetch) return;
  const normalize = createFetchArgsNormalizer(natives);
  ctx.disguise.replaceMethod<NativeFetch>(natives.win, 'fetch', {
    apply(nativeFetch, thisArg, pageArgs) {
      let args: unknown[];
      try {
        args = normalize(pageArgs);
      } catch {
        args = pageArgs;
      }
      let plan: Plan | null;
      try {
        plan = planFetch(ctx, args);
      } catch {
        plan = null;
      }
      if (plan === null) return Reflect.apply(nativeFetch, thisArg, args);
      const sent = Reflect.apply(nativeFetch, thisArg, plan.args) as Promise<Response>;
      try {
        if (plan.replay !== null) return recover(ctx, nativeFetch, thisArg, plan, sent);
        const ex = plan;
        if (ex.identity) {
          // The page's promise settles with the native's outcome, once the identity was read.
          return sent.then(
            async (res) => {
              await holdFor(ctx, report(ctx, ex, res, {}));
              return res;
            },
            (err: unknown) => {
              reportError(ctx, ex, err);
              throw err;
            },
          );
        }
        sent.then(
          (res) => void report(ctx, ex, res, {}),
          (err: unknown) => reportError(ctx, ex, err),
        );
      } catch {
        // fall through to the native promise
      }
      return sent;
    },
  });
}
