/**
 * `window.fetch`: stale-token substitution before sending, `http` / `identity` observations
 * after, and the transparent 401 retry of DESIGN.md §3 rung 2.
 *
 * The hot path (an unprotected request, no stale token known) is: read the URL, two glob
 * tests, call the native, attach one reaction that posts only on failure. The native promise
 * itself is returned. Only a protected request carrying a bearer token, with token refresh
 * on, gets a replayable copy (its Request cloned before sending, or its init kept; never a
 * ReadableStream body) and a promise of the probe's own, which resolves with the retry's
 * response when a fresh token came and the retry was sent, else with the original response.
 */
import { extractIdentity } from '../../src/identity/extract-identity';
import { bearerOf, methodOf, readFetchCall, substituteFetchArgs } from './fetch-args';
import type { FetchCall } from './fetch-args';
import { MAX_TEXT, MAX_URL, clip } from './context';
import type { ProbeContext } from './context';

type NativeFetch = typeof fetch;

interface Exchange {
  requestId: string;
  url: string;
  method: string;
  protected: boolean;
  identity: boolean;
  startedAt: number;
}

interface Plan extends Exchange {
  /** What goes to the native fetch. */
  args: unknown[];
  /** The bearer token sent, when the request may be recovered. */
  bearer: string | null;
  /** Builds the retry's arguments (stale tokens substituted), null when it would not change. */
  replay: (() => unknown[] | null) | null;
}

const isAbort = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';

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
    args,
    bearer: null,
    replay: null,
  };
  const recoverable = isProtected && ctx.config().tokenRefresh && bearerOf(natives, call) !== null;
  // The copy must exist before the first send: sending (or rewriting) consumes a Request's body.
  const spare = recoverable ? replayable(ctx, call) : null;
  if (ledger.active) plan.args = substituteFetchArgs(natives, call, ledger) ?? args;
  if (spare) {
    plan.bearer = bearerOf(natives, plan.args === args ? call : readFetchCall(natives, plan.args));
    plan.replay = () => substituteFetchArgs(natives, readFetchCall(natives, spare), ledger);
  }
  return plan;
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

function report(ctx: ProbeContext, ex: Exchange, res: Response, extra: { hidden?: boolean; requestId?: string }): void {
  try {
    if (res.type === 'opaque' || res.type === 'opaqueredirect') return; // status 0 by design, not a failure
    const status = res.status;
    if (status >= 400 || ex.protected || ex.identity) {
      const retryAfter = status >= 400 ? res.headers.get('retry-after') : null;
      ctx.post({
        type: 'http',
        at: ctx.now(),
        requestId: extra.requestId ?? (ex.requestId ||= ctx.nextId('f')),
        transport: 'fetch',
        method: ex.method,
        url: clip(ex.url, MAX_URL),
        status,
        durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - ex.startedAt)),
        protected: ex.protected,
        ...(retryAfter !== null ? { retryAfter: clip(retryAfter, MAX_TEXT) } : {}),
        ...(extra.hidden ? { hiddenFromPage: true } : {}),
      });
    }
    if (ex.identity && status === 200 && !extra.hidden) readIdentity(ctx, res);
  } catch {
    // observation is best effort
  }
}

function readIdentity(ctx: ProbeContext, res: Response): void {
  if (!/json/i.test(res.headers.get('content-type') ?? '')) return;
  // The clone is read by the probe only; the page's body is untouched.
  res
    .clone()
    .json()
    .then((json: unknown) => {
      const id = extractIdentity(json, ctx.config().identityFields);
      if (id) ctx.post({ type: 'identity', at: ctx.now(), ...id });
    })
    .catch(() => undefined);
}

function reportError(ctx: ProbeContext, ex: Exchange, err: unknown): void {
  try {
    if (isAbort(err)) return; // the page cancelled it
    const name = typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name) : 'Error';
    ctx.post({
      type: 'http',
      at: ctx.now(),
      requestId: ex.requestId || ctx.nextId('f'),
      transport: 'fetch',
      method: ex.method,
      url: clip(ex.url, MAX_URL),
      status: 0,
      durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - ex.startedAt)),
      protected: ex.protected,
      error: clip(name, MAX_TEXT),
    });
  } catch {
    // best effort
  }
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
  if (res.status !== 401 || plan.bearer === null || plan.replay === null) {
    report(ctx, plan, res, {});
    return res;
  }
  plan.requestId ||= ctx.nextId('f');
  const fresh = await ctx.broker.obtainFresh(plan.bearer, plan.url, plan.requestId);
  let retryArgs: unknown[] | null;
  try {
    retryArgs = fresh === null ? null : plan.replay();
  } catch {
    retryArgs = null;
  }
  if (retryArgs === null) {
    report(ctx, plan, res, {});
    return res;
  }

  const retryStarted = ctx.now();
  const retry: Exchange = { ...plan, requestId: clip(`${plan.requestId}-r`, 64), startedAt: retryStarted };
  let res2: Response;
  try {
    res2 = await (Reflect.apply(nativeFetch, thisArg, retryArgs) as Promise<Response>);
  } catch (err) {
    report(ctx, plan, res, {});
    postRetry(ctx, plan, 0, retryStarted);
    if (isAbort(err)) throw err;
    return res;
  }
  // The retry's outcome goes first, so the incident records "retried" before "later request succeeded".
  report(ctx, plan, res, { hidden: true });
  postRetry(ctx, plan, res2.status, retryStarted);
  report(ctx, retry, res2, { requestId: retry.requestId });
  return res2;
}

function postRetry(ctx: ProbeContext, plan: Plan, status: number, startedAt: number): void {
  ctx.post({
    type: 'http-retry',
    at: ctx.now(),
    requestId: plan.requestId,
    transport: 'fetch',
    method: plan.method,
    url: clip(plan.url, MAX_URL),
    reason: 'unauthorized',
    status,
    outcome: status > 0 && status < 400 ? 'recovered' : 'failed',
    durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - startedAt)),
  });
}

/** Wraps `window.fetch`. @throws never */
export function hookFetch(ctx: ProbeContext): void {
  const { natives } = ctx;
  if (!natives.fetch) return;
  ctx.disguise.replaceMethod<NativeFetch>(natives.win, 'fetch', {
    apply(nativeFetch, thisArg, args) {
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
        sent.then(
          (res) => report(ctx, ex, res, {}),
          (err: unknown) => reportError(ctx, ex, err),
        );
      } catch {
        // fall through to the native promise
      }
      return sent;
    },
  });
}
