/**
 * `window.fetch`: stale-token substitution before sending, `http` / `identity` observations
 * after, and the transparent retries of docs/architecture.md §3: with backoff on a retryable status
 * (rung 1, src/recovery/backoff.ts) and with a fresh token on a 401 (rung 2).
 *
 * The arguments are first read once the way the native reads them (fetch-normalize.ts), so
 * none of the probe's own reads is visible to the page.
 *
 * The hot path (an unprotected request, no stale token known) is: read the URL, look its
 * absolute form and its class (protected, identity, in the token audience) up in a small table
 * per URL string (fetch-classify.ts; the glob and audience tests run once per URL and
 * configuration), call the native, attach one reaction that posts only on failure. The native promise itself is returned.
 * Only a protected request that may be recovered — it carries a bearer token and token
 * refresh is on, or it is idempotent and retries are on — gets a replayable
 * copy (its Request cloned before sending, or its init kept; never a ReadableStream body)
 * and a promise of the probe's own. Failures are always posted; a protected success only
 * when the document's success gate says it can resolve an incident (success-gate.ts).
 *
 * What to do with each answer — retry with a fresh token, wait and retry, or hand it to the
 * page — is decided by the request's ladder (src/recovery/request-ladder.ts, shared with
 * XHR); this file only clones the request for each send and waits. A retry's outcome,
 * whatever it is (network error included), is what the page gets; an answer replaced by a
 * retry is reported with `hiddenFromPage` when the retry is decided, before any wait. The
 * page's AbortSignal ends a backoff wait at once, with the signal's reason, as the native
 * fetch would.
 *
 * An identity response (200, JSON) is read from a clone before the page gets it: the page's
 * promise resolves only once the clone's body was parsed and handed to `ctx.doc.onIdentity`
 * (which tears an old org's sessions down, org-switch.ts), or after
 * {@link IDENTITY_HOLD_MS} at most; the page's own body is untouched either way.
 */
import { extractIdentity } from '../../src/identity/extract-identity';
import { apply } from '../../src/recovery/intrinsics';
import { isRetryableMethod } from '../../src/recovery/backoff';
import { httpObservation } from '../../src/recovery/request-ladder';
import type { GivenUp, HttpReport, LadderStep, RequestLadder } from '../../src/recovery/request-ladder';
import { bearerOf, headerOf, isPlainObject, methodOf, readFetchCall, signalOf, substituteFetchArgs } from './fetch-args';
import type { FetchCall } from './fetch-args';
import { createUrlClassifier } from './fetch-classify';
import type { UrlClassifier } from './fetch-classify';
import { createFetchArgsNormalizer } from './fetch-normalize';
import { MAX_TEXT, MAX_URL, clip, requestLadder } from './context';
import type { ProbeContext } from './context';
import { call } from './natives';

type NativeFetch = typeof fetch;

/**
 * Longest the page's identity response is held while the probe reads its body, ms: an org
 * switch should tear the old sessions down before the page sees the new identity, but a slow
 * body must not stall the app. Past it, the page gets the response and the teardown follows.
 */
export const IDENTITY_HOLD_MS = 1000;

interface Exchange {
  /** The id of this exchange's reports, allocated on first use. */
  id(): string;
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
  signal: AbortSignal | null;
  /** Builds the next send's arguments from the spare copy, stale tokens substituted. */
  replay: (() => Replay) | null;
  /** The retry loop, when the request may be recovered (then `replay` is set too). */
  ladder: RequestLadder | null;
}

interface Replay {
  args: unknown[];
  /** A stale token was replaced (a 401 retry without a change would be refused again). */
  substituted: boolean;
}

const isAbort = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';

function planFetch(ctx: ProbeContext, urls: UrlClassifier, args: unknown[]): Plan {
  const { natives } = ctx;
  const { ledger } = ctx.doc;
  const call = readFetchCall(natives, args);
  const url = urls.absolute(call.rawUrl);
  const cls = urls.classify(url);
  const isProtected = cls.protected;
  let requestId = '';
  const plan: Plan = {
    id: () => (requestId ||= ctx.doc.nextId('f')),
    url,
    method: methodOf(call),
    protected: isProtected,
    identity: cls.identity,
    startedAt: ctx.now(),
    token: null,
    args,
    signal: null,
    replay: null,
    ladder: null,
  };
  let tokenRetry = false;
  let backoff = false;
  let hasIdempotencyKey = false;
  // The token the page's own arguments carry, read at most once (undefined: not read yet).
  let pageBearer: string | null | undefined;
  if (isProtected) {
    const policy = ctx.retryPolicy();
    if (ctx.config().tokenRefresh) pageBearer = bearerOf(natives, call, ctx.carriers());
    tokenRetry = pageBearer !== undefined && pageBearer !== null;
    hasIdempotencyKey = (headerOf(natives, call, 'idempotency-key') ?? '') !== '';
    backoff = policy.maxAttempts > 0 && policy.statuses.length > 0 && isRetryableMethod(plan.method, hasIdempotencyKey);
  }
  // The copy must exist before the first send: sending (or rewriting) consumes a Request's body.
  const spare = tokenRetry || backoff ? replayable(ctx, call) : null;
  // Stale tokens are replaced only towards the token audience (src/recovery/token-audience.ts);
  // a protected request is in it already.
  const audience = isProtected || (ledger.active && urls.inAudience(cls, url));
  if (ledger.active && audience) plan.args = substituteFetchArgs(natives, call, ledger, ctx.carriers()) ?? args;
  // The token the first send carries (the page's own unless a stale one was replaced), read once.
  let sentToken: string | null | undefined;
  const sentBearer = (): string | null => {
    if (sentToken === undefined) {
      sentToken =
        plan.args === args
          ? pageBearer !== undefined
            ? pageBearer
            : bearerOf(natives, call, ctx.carriers())
          : bearerOf(natives, readFetchCall(natives, plan.args), ctx.carriers());
    }
    return sentToken;
  };
  if (plan.identity) plan.token = sentBearer();
  if (spare) {
    const bearer = tokenRetry ? sentBearer() : null;
    const ladder = requestLadder(ctx, {
      transport: 'fetch',
      method: plan.method,
      url: clip(url, MAX_URL),
      hasIdempotencyKey,
      tokenRetry: bearer !== null,
      bearer,
      backoff,
    });
    plan.ladder = ladder;
    plan.id = ladder.id;
    plan.signal = signalOf(natives, call);
    plan.replay = () => {
      const copy = copyOf(ctx, spare);
      const substituted =
        ledger.active && audience ? substituteFetchArgs(natives, readFetchCall(natives, copy), ledger, ctx.carriers()) : null;
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

/** What every `http` report of `ex` says; `url` as reported. */
function exchangeReport(ex: Exchange, url: string, status: number): HttpReport {
  return { transport: 'fetch', requestId: ex.id(), method: ex.method, url, status, startedAt: ex.startedAt, protected: ex.protected };
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
      const more = { retryAfter: retryAfter === null ? null : clip(retryAfter, MAX_TEXT), hidden: extra.hidden, givenUp: extra.givenUp };
      ctx.post(httpObservation({ ...exchangeReport(ex, url, status), ...more }, ctx.now()));
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
  const { gate } = ctx.doc;
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
      if (id) ctx.doc.onIdentity(id, token);
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
    ctx.doc.gate.failed(url, false);
    ctx.post(httpObservation({ ...exchangeReport(ex, url, 0), error: clip(name, MAX_TEXT) }, ctx.now()));
  } catch {
    // best effort
  }
}

/**
 * The next send's arguments, once decided. Kept here, never the value of a promise: every
 * `await` reads the awaited promise's `constructor`, where a page's getter would get the
 * promise and could read its value with a `then` it saved (ECMA-262 §27.2.4.7.1
 * PromiseResolve), and these arguments carry the fresh token. Promises in this file settle
 * with booleans, Responses and nothing else.
 */
interface NextSend {
  args: unknown[] | null;
}

/**
 * Asks the ladder about `res` (the answer to `current`) and prepares the retry it decides in
 * `next.args`. @returns false at once when the page gets `res` (the common case: no promise,
 * no wait), else a promise of true when there is a retry to send, false when there is none
 */
function nextSend(
  ctx: ProbeContext,
  plan: Plan,
  ladder: RequestLadder,
  current: Exchange,
  res: Response,
  next: NextSend,
): false | Promise<boolean> {
  next.args = null;
  const replay = plan.replay;
  if (replay === null) return false;
  const opaque = res.type === 'opaque' || res.type === 'opaqueredirect';
  const step = ladder.decide({ status: opaque ? 0 : res.status, retryAfter: () => res.headers.get('retry-after') });
  if (step.kind === 'deliver') return false;
  return prepareRetry(ctx, plan, ladder, current, res, next, step, replay);
}

/** The retry `step` decided: waits for what it needs and builds the send in `next.args`. */
async function prepareRetry(
  ctx: ProbeContext,
  plan: Plan,
  ladder: RequestLadder,
  current: Exchange,
  res: Response,
  next: NextSend,
  step: Exclude<LadderStep, { kind: 'deliver' }>,
  replay: () => Replay,
): Promise<boolean> {
  switch (step.kind) {
    case 'token': {
      // Whether a token came, not the token: the replay reads it from the ledger.
      const P = ctx.natives.Promise;
      const got = await new P<boolean>((resolve) =>
        ctx.broker.obtainFresh(ladder.bearer ?? '', plan.url, ladder.id(), (fresh) => resolve(fresh !== null)),
      );
      let built: Replay | null;
      try {
        built = got ? replay() : null;
      } catch {
        built = null;
      }
      if (built === null || !built.substituted) return false;
      report(ctx, current, res, { hidden: true });
      next.args = built.args;
      return true;
    }
    case 'backoff':
      // Reported before the wait, so the incident opens when the failure happened.
      report(ctx, current, res, { hidden: true });
      await pause(ctx, step.delayMs, plan.signal);
      // Built after the wait: a token refreshed meanwhile is substituted.
      next.args = replay().args;
      return true;
    default: {
      const unhandled: never = step;
      return unhandled;
    }
  }
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

/** The token `args` carry in a carrier, or null. */
function bearerOfArgs(ctx: ProbeContext, args: unknown[]): string | null {
  try {
    return bearerOf(ctx.natives, readFetchCall(ctx.natives, args), ctx.carriers());
  } catch {
    return null;
  }
}

/** The retry loop of a recoverable request: sends what the ladder decides until the page gets an answer. */
async function recover(
  ctx: ProbeContext,
  nativeFetch: NativeFetch,
  thisArg: unknown,
  plan: Plan,
  ladder: RequestLadder,
  sent: Promise<Response>,
): Promise<Response> {
  let res: Response;
  try {
    res = await sent;
  } catch (err) {
    reportError(ctx, plan, err);
    throw err;
  }
  let current: Exchange = plan;
  const next: NextSend = { args: null };
  for (;;) {
    let again: boolean;
    try {
      const decided = nextSend(ctx, plan, ladder, current, res, next);
      again = decided === false ? false : await decided;
    } catch (err) {
      if (err instanceof PageAbort) throw err.reason;
      again = false; // the copy could not be made: the page gets the answer it has
    }
    if (!again || next.args === null) {
      const read = report(ctx, current, res, { givenUp: ladder.givenUp });
      if (read !== null) await holdFor(ctx, read);
      return res;
    }
    const args = next.args;
    next.args = null;
    const bearer = plan.identity || ladder.request.tokenRetry ? bearerOfArgs(ctx, args) : null;
    if (plan.identity) plan.token = bearer;
    const startedAt = ctx.now();
    ladder.sent(startedAt, bearer);
    const retryId = ladder.retryId();
    const retry: Exchange = { ...plan, id: () => retryId, startedAt };
    let res2: Response;
    try {
      res2 = await (apply(nativeFetch, thisArg, args) as Promise<Response>);
    } catch (err) {
      ladder.answered(0);
      reportError(ctx, retry, err);
      throw err;
    }
    // The retry's outcome goes first, so the incident records "retried" before "later request succeeded".
    ladder.answered(res2.status);
    current = retry;
    res = res2;
  }
}

/** Wraps `window.fetch`. @throws never */
export function hookFetch(ctx: ProbeContext): void {
  const { natives } = ctx;
  if (!natives.fetch) return;
  const normalize = createFetchArgsNormalizer(natives);
  const urls = createUrlClassifier(ctx);
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
        plan = planFetch(ctx, urls, args);
      } catch {
        plan = null;
      }
      if (plan === null) return apply(nativeFetch, thisArg, args);
      const sent = apply(nativeFetch, thisArg, plan.args) as Promise<Response>;
      try {
        if (plan.ladder !== null) return recover(ctx, nativeFetch, thisArg, plan, plan.ladder, sent);
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
