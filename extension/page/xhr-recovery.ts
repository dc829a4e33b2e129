/**
 * The transparent 401 retry for XMLHttpRequest (DESIGN.md §3 rung 2), once xhr-hook.ts has
 * stopped the HEADERS_RECEIVED event of a recoverable 401 and set the object's view to
 * "in flight".
 *
 * With a fresh token: a native XHR sends the same method, URL, headers (in order), body,
 * `responseType`, `withCredentials` and `timeout` with the stale token substituted; the
 * page's getters read from it and its events are re-dispatched on the page's object
 * (readyState 2, 3, 4, progress, load / error / timeout, loadend). Without one: the recorded
 * events are re-dispatched, each with the readyState it had, and the page sees the original
 * 401. One retry at most; its outcome, whatever it is, is what the page gets.
 */
import { substituteAccessToken, substituteBearer } from '../../src/recovery/token-substitution';
import { MAX_URL, clip } from './context';
import { call } from './natives';
import { IN_FLIGHT, XHR_EVENTS } from './xhr-kit';
import type { RecordedEvent, XhrKit, XhrState } from './xhr-kit';
import { reportXhr } from './xhr-report';

/** The recovery steps xhr-hook.ts calls. */
export interface XhrRecovery {
  /** Starts obtaining a token for the hidden exchange of `xhr`, then retries or gives up. */
  recover(xhr: XMLHttpRequest, st: XhrState): void;
  /** Cancels the retry in flight, if any, without a trace on the page's object. */
  dropRetry(st: XhrState): void;
  /**
   * The page called `abort()` on an exchange the probe is hiding: runs the native abort
   * (its events stay hidden) and shows the page what XHR `abort()` would (XHR §3.6.12: an
   * exchange in flight ends with readystatechange → DONE, `abort`, `loadend`; then UNSENT).
   */
  abortHidden(xhr: XMLHttpRequest, st: XhrState, abort: () => void): void;
  /** A snapshot of an event the page must not see now. */
  record(xhr: XMLHttpRequest, ev: Event): RecordedEvent;
}

/** Creates the recovery steps for one kit. */
export function createXhrRecovery(kit: XhrKit): XhrRecovery {
  const { ctx, x, states, views } = kit;
  const { natives, ledger } = ctx;
  /** Retry XHR → the page's object it stands in for. */
  const owners = new WeakMap<XMLHttpRequest, XMLHttpRequest>();

  const fire = (target: XMLHttpRequest, type: string, progress?: RecordedEvent | ProgressEvent): void => {
    const ev =
      type === 'readystatechange' || !natives.ProgressEvent
        ? new natives.Event(type)
        : new natives.ProgressEvent(type, {
            lengthComputable: progress?.lengthComputable ?? false,
            loaded: progress?.loaded ?? 0,
            total: progress?.total ?? 0,
          });
    call(natives.dispatchEvent, target, ev);
  };

  const record = (o: XMLHttpRequest, ev: Event): RecordedEvent => {
    const p = ev as Partial<ProgressEvent>;
    return {
      type: ev.type,
      readyState: kit.readyState(o),
      lengthComputable: p.lengthComputable ?? false,
      loaded: p.loaded ?? 0,
      total: p.total ?? 0,
    };
  };

  const dropRetry = (st: XhrState): void => {
    const r = st.retry;
    st.retry = null;
    if (r === null) return;
    owners.delete(r);
    try {
      call(x.abort, r);
    } catch {
      // already gone
    }
  };

  /** No fresh token, or no retry possible: the page sees the original exchange after all. */
  const giveUp = (xhr: XMLHttpRequest, st: XhrState): void => {
    const gen = st.gen;
    st.hiding = false;
    const list = st.recorded;
    st.recorded = [];
    for (const rec of list) {
      if (st.gen !== gen) return; // a handler re-opened the object
      views.set(xhr, { subject: xhr, readyState: rec.readyState });
      fire(xhr, rec.type, rec);
    }
    if (st.gen !== gen) return;
    views.delete(xhr);
    if (st.originalEnded) reportXhr(kit, st, xhr);
  };

  const onRetryEvent = function (this: XMLHttpRequest, ev: Event): void {
    try {
      const xhr = owners.get(this);
      const st = xhr ? states.get(xhr) : undefined;
      if (!xhr || !st || st.retry !== this) return;
      const type = ev.type;
      if (type === 'readystatechange') {
        if (kit.readyState(this) >= 2) fire(xhr, type); // the page saw OPENED already
        return;
      }
      if (type === 'loadend') {
        const status = kit.status(this);
        reportXhr(kit, st, xhr, { hidden: true, errorKind: null });
        ctx.post({
          type: 'http-retry',
          at: ctx.now(),
          requestId: st.requestId,
          transport: 'xhr',
          method: st.method,
          url: clip(st.url, MAX_URL),
          reason: 'unauthorized',
          status,
          outcome: status > 0 && status < 400 ? 'recovered' : 'failed',
          durationMs: Math.min(86_400_000, Math.max(0, ctx.now() - st.retryStartedAt)),
        });
        reportXhr(kit, st, this, { requestId: clip(`${st.requestId}-r`, 64), startedAt: st.retryStartedAt, errorKind: null });
      }
      fire(xhr, type, ev as ProgressEvent);
    } catch {
      // best effort
    }
  };

  /** Sends the retry; false when it would carry the same token or could not be sent. */
  const retry = (xhr: XMLHttpRequest, st: XhrState): boolean => {
    const url = substituteAccessToken(st.openUrl, ledger) ?? st.openUrl;
    let changed = url !== st.openUrl;
    const headers = st.headers.map(([name, value]): [string, string] => {
      const s = name.toLowerCase() === 'authorization' ? substituteBearer(value, ledger) : null;
      if (s !== null) changed = true;
      return [name, s ?? value];
    });
    if (!changed) return false;
    const r = Reflect.construct(kit.NativeXhr, []) as XMLHttpRequest;
    const openArgs = st.openArgs.length >= 3 ? [st.openArgs[0], url, true, ...st.openArgs.slice(3)] : [st.openArgs[0], url];
    call(x.open, r, ...openArgs);
    for (const [name, value] of headers) call(x.setRequestHeader, r, name, value);
    r.responseType = kit.responseType(xhr) as XMLHttpRequestResponseType;
    if (x.withCredentials) r.withCredentials = call<boolean>(x.withCredentials, xhr);
    if (x.timeout) r.timeout = call<number>(x.timeout, xhr);
    for (const type of XHR_EVENTS) call(natives.addEventListener, r, type, onRetryEvent);
    owners.set(r, xhr);
    st.retry = r;
    st.retryStartedAt = ctx.now();
    views.set(xhr, { subject: r, readyState: null });
    try {
      call(x.send, r, st.body);
    } catch {
      owners.delete(r);
      st.retry = null;
      views.set(xhr, IN_FLIGHT);
      return false;
    }
    return true;
  };

  return {
    record,
    dropRetry,
    recover(xhr, st) {
      const gen = st.gen;
      st.requestId ||= ctx.nextId('x');
      void ctx.broker.obtainFresh(st.bearer ?? '', st.url, st.requestId).then((fresh) => {
        if (st.gen !== gen || states.get(xhr) !== st) return;
        let retried: boolean;
        try {
          retried = fresh !== null && retry(xhr, st);
        } catch {
          retried = false;
        }
        if (!retried) giveUp(xhr, st);
      }).catch(() => undefined);
    },
    abortHidden(xhr, st, abort) {
      const view = views.get(xhr);
      const shown = view?.readyState ?? (view?.subject ? kit.readyState(view.subject) : kit.readyState(xhr));
      const gen = (st.gen += 1);
      dropRetry(st);
      abort(); // its events stay hidden: st.hiding is still set
      st.hiding = false;
      if (shown >= 1 && shown <= 3) {
        views.set(xhr, { subject: null, readyState: 4 });
        fire(xhr, 'readystatechange');
        fire(xhr, 'abort');
        fire(xhr, 'loadend');
      }
      // Unless a handler re-opened the object, it is UNSENT now.
      if (states.get(xhr) === st && st.gen === gen) views.set(xhr, { subject: null, readyState: 0 });
    },
  };
}
