/**
 * `XMLHttpRequest`: stale-token substitution, `http` / `identity` observations, and the
 * transparent retries of docs/architecture.md §3 — with backoff on a retryable status (rung 1) and with
 * a fresh token on a 401 (rung 2) — the same as fetch, for SDKs that use axios or superagent.
 *
 * Wrapped (transparently): the constructor, and on the prototype `open`, `setRequestHeader`,
 * `send` and `abort`; the response getters are in xhr-view.ts, the retries in
 * xhr-recovery.ts, the observations in xhr-report.ts.
 *
 * How a failure is hidden: the probe's listeners are registered in the constructor, so they
 * are the first on every object. Chromium calls an XHR's listeners in registration order (a
 * capture flag gives no priority on a target without a path), so being first is what lets
 * the probe, when `readystatechange` reports HEADERS_RECEIVED with a status it will retry —
 * 401 on a request that may get a fresh token (async, protected, bearer token, token refresh
 * on), or a retryable status on an async, protected, idempotent request — stop that event
 * and every later one of the exchange before the page's handlers run
 * (`stopImmediatePropagation`), and record them. From then on the getters show the page an
 * exchange still in flight (readyState 1, status 0) until a retry answers or the original
 * is given back. Synchronous requests are observed and substituted, never retried.
 *
 * Identity responses are read on the DONE `readystatechange` (the body is complete then),
 * before the page's handlers of that event and its `load` run: an org switch (org-switch.ts)
 * has torn the old org's sessions down by the time the page sees the new identity, with no
 * delay at all. A retry's DONE is read the same way before it is re-dispatched to the page.
 */
import { apply, construct, push, toLower, weakDelete, weakGet, weakSet, withAt } from '../../src/recovery/intrinsics';
import { isRetryableMethod } from '../../src/recovery/backoff';
import { readRequestToken, substituteHeaderToken, substituteUrl } from '../../src/recovery/token-carriers';
import { MAX_URL, clip, requestLadder } from './context';
import type { ProbeContext } from './context';
import { call } from './natives';
import { createUrlClassifier } from './fetch-classify';
import type { UrlClassifier } from './fetch-classify';
import { IN_FLIGHT, XHR_EVENTS, createXhrKit, headerCarrierOf, setTokenHeader, tokenHeaderReader } from './xhr-kit';
import type { XhrKit, XhrState } from './xhr-kit';
import { createXhrRecovery } from './xhr-recovery';
import type { XhrRecovery } from './xhr-recovery';
import { readXhrIdentity, reportXhr } from './xhr-report';
import { stringifyLeading } from './string-args';
import { installXhrViews } from './xhr-view';

/**
 * The retry loop of the exchange `send` starts: a 401 may get a fresh token when the request is
 * async, protected, carries a bearer token and token refresh is on; a retryable status may be
 * retried with backoff when it is async, protected and idempotent (src/recovery/backoff.ts).
 * Synchronous requests are never retried.
 */
function ladderOf(
  ctx: ProbeContext,
  st: Pick<XhrState, 'method' | 'url' | 'async' | 'protected' | 'headers'>,
  bearer: string | null,
): XhrState['ladder'] {
  const policy = ctx.retryPolicy();
  // An index loop, no `some` or destructuring: a recorded value may carry the fresh token.
  let hasIdempotencyKey = false;
  for (let i = 0; i < st.headers.length; i++) {
    const h = st.headers[i]!;
    if (h[1] !== '' && toLower(h[0]) === 'idempotency-key') hasIdempotencyKey = true;
  }
  return requestLadder(ctx, {
    transport: 'xhr',
    method: st.method,
    url: clip(st.url, MAX_URL),
    hasIdempotencyKey,
    tokenRetry: st.async && st.protected && bearer !== null && ctx.config().tokenRefresh,
    bearer,
    backoff:
      st.async && st.protected && policy.maxAttempts > 0 && policy.statuses.length > 0 && isRetryableMethod(st.method, hasIdempotencyKey),
  });
}

function newState(ctx: ProbeContext, urls: UrlClassifier, openArgs: unknown[], gen: number): XhrState {
  const openUrl = String(openArgs[1]);
  const url = urls.absolute(openUrl);
  const cls = urls.classify(url);
  const st: Omit<XhrState, 'ladder'> = {
    gen,
    openArgs,
    openUrl,
    url,
    method: String(openArgs[0]).toUpperCase().slice(0, 16) || 'GET',
    // open(method, url) is async; with a third argument, its truthiness decides (XHR §3.5.1).
    async: openArgs.length < 3 || Boolean(openArgs[2]),
    protected: cls.protected,
    identity: cls.identity,
    headers: [],
    tokenHeaders: [],
    body: undefined,
    startedAt: 0,
    token: null,
    errorKind: null,
    hiding: false,
    recorded: [],
    originalEnded: false,
    retry: null,
    held: false,
    timer: undefined,
  };
  return { ...st, ladder: ladderOf(ctx, st, null) };
}

/** The probe's listener on every page XHR: hides a failure it retries, reports the rest. */
function createGuard(kit: XhrKit, recovery: XhrRecovery): (this: XMLHttpRequest, ev: Event) => void {
  const { natives } = kit.ctx;
  return function guard(this: XMLHttpRequest, ev: Event): void {
    try {
      if (!ev.isTrusted) return; // the probe's own re-dispatched events
      const st = weakGet(kit.states, this);
      if (!st) return;
      const type = ev.type;
      if (st.hiding) {
        call(natives.stopImmediatePropagation, ev);
        // Once a retry is sent, the original is replaced for good: nothing to keep.
        if (st.retry === null) {
          st.recorded.push(recovery.record(this, ev));
          if (type === 'loadend') st.originalEnded = true;
        }
        return;
      }
      if (type === 'readystatechange') {
        if (st.identity && kit.readyState(this) === 4) readXhrIdentity(kit, st, this);
        const { request } = st.ladder;
        if ((request.tokenRetry || request.backoff) && kit.readyState(this) === 2) {
          const step = recovery.decide(st, this);
          if (step !== null) {
            call(natives.stopImmediatePropagation, ev);
            st.hiding = true;
            st.recorded.push(recovery.record(this, ev));
            weakSet(kit.views, this, IN_FLIGHT);
            recovery.begin(this, st, step);
          }
        }
        return;
      }
      if (type === 'error' || type === 'timeout' || type === 'abort') st.errorKind = type;
      else if (type === 'loadend') reportXhr(kit, st, this);
    } catch {
      // never break the page's own listeners
    }
  };
}

/** Wraps XMLHttpRequest. @throws never */
export function hookXhr(ctx: ProbeContext): void {
  const kit = createXhrKit(ctx);
  if (kit === null) return;
  const urls = createUrlClassifier(ctx);
  const { natives } = ctx;
  const { ledger } = ctx.doc;
  const { states, views } = kit;
  const proto = kit.NativeXhr.prototype;
  const recovery = createXhrRecovery(kit);
  const guard = createGuard(kit, recovery);
  const listened = new WeakSet<XMLHttpRequest>();

  const listen = (xhr: XMLHttpRequest): void => {
    if (listened.has(xhr)) return;
    listened.add(xhr);
    for (const type of XHR_EVENTS) call(natives.addEventListener, xhr, type, guard);
  };

  ctx.disguise.replaceConstructor<typeof XMLHttpRequest>(natives.win, 'XMLHttpRequest', {
    construct(native, args, newTarget) {
      const xhr = construct(native, args, newTarget) as XMLHttpRequest;
      try {
        listen(xhr);
      } catch {
        // observation only
      }
      return xhr;
    },
  });

  // open(method, url[, async[, user[, password]]])
  ctx.disguise.replaceMethod(proto, 'open', {
    apply(native, thisArg, pageArgs) {
      // method and url converted once: the probe reads them again below.
      const args = stringifyLeading(pageArgs, 2, 2);
      let callArgs = args;
      try {
        const url = ledger.active && args.length >= 2 ? urls.absolute(String(args[1])) : null;
        if (url !== null && urls.inAudience(urls.classify(url), url)) {
          const s = substituteUrl(ctx.carriers(), String(args[1]), ledger);
          if (s !== null) callArgs = withAt(args, 1, s);
        }
      } catch {
        callArgs = args;
      }
      const result = apply(native, thisArg, callArgs);
      try {
        const xhr = thisArg as XMLHttpRequest;
        const prev = weakGet(states, xhr);
        if (prev) {
          prev.gen += 1;
          recovery.dropRetry(prev);
        }
        weakDelete(views, xhr);
        weakSet(states, xhr, newState(ctx, urls, callArgs, (prev?.gen ?? 0) + 1));
      } catch {
        // observation only
      }
      return result;
    },
  });

  ctx.disguise.replaceMethod(proto, 'setRequestHeader', {
    apply(native, thisArg, pageArgs) {
      const args = stringifyLeading(pageArgs, 2, 2);
      let callArgs = args;
      try {
        const opened = ledger.active ? weakGet(states, thisArg as XMLHttpRequest) : undefined;
        if (opened && ctx.inAudience(opened.url) && args.length >= 2) {
          const carrier = headerCarrierOf(ctx, String(args[0]));
          const s = carrier ? substituteHeaderToken(carrier, String(args[1]), ledger) : null;
          if (s !== null) callArgs = withAt(args, 1, s);
        }
      } catch {
        callArgs = args;
      }
      const result = apply(native, thisArg, callArgs);
      try {
        const st = weakGet(states, thisArg as XMLHttpRequest);
        if (st && (st.protected || st.identity)) {
          const name = String(callArgs[0]);
          const value = String(callArgs[1]);
          if (st.protected) push(st.headers, [name, value]);
          if (headerCarrierOf(ctx, name)) setTokenHeader(st.tokenHeaders, name, value);
        }
      } catch {
        // observation only
      }
      return result;
    },
  });

  ctx.disguise.replaceMethod(proto, 'send', {
    apply(native, thisArg, args) {
      const xhr = thisArg as XMLHttpRequest;
      let st: XhrState | undefined;
      let before: XhrState | undefined;
      try {
        st = weakGet(states, xhr);
        if (st) {
          before = { ...st };
          st.startedAt = ctx.now();
          st.errorKind = null;
          st.hiding = false;
          st.recorded = [];
          st.originalEnded = false;
          st.body = st.protected ? args[0] : undefined;
          st.token = st.protected || st.identity ? readRequestToken(ctx.carriers(), tokenHeaderReader(st.tokenHeaders), st.openUrl) : null;
          st.ladder = ladderOf(ctx, st, st.protected ? st.token : null);
          listen(xhr);
        }
      } catch {
        // observation only
      }
      try {
        return apply(native, thisArg, args);
      } catch (err) {
        // send() refused (not opened, already sent): keep the state of the exchange in flight.
        if (st && before) Object.assign(st, before);
        throw err;
      }
    },
  });

  ctx.disguise.replaceMethod(proto, 'abort', {
    apply(native, thisArg, args) {
      let st: XhrState | undefined;
      try {
        st = weakGet(states, thisArg as XMLHttpRequest);
      } catch {
        st = undefined;
      }
      if (!st?.hiding) return apply(native, thisArg, args);
      try {
        recovery.abortHidden(thisArg as XMLHttpRequest, st, () => apply(native, thisArg, args));
      } catch {
        // the native abort ran, or the object is unusable
      }
      return undefined;
    },
  });

  installXhrViews(kit);
}
