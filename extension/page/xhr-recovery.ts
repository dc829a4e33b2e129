/**
 * The transparent retries for XMLHttpRequest (docs/architecture.md §3 rungs 1 and 2), once xhr-hook.ts
 * has stopped the HEADERS_RECEIVED event of an answer it retries and set the object's view to
 * "in flight". What to do with each answer is the request's ladder's decision
 * (src/recovery/request-ladder.ts, shared with fetch); this file only sends, holds and replays.
 *
 * A retry is a native XHR sending the same method, URL, headers (in order), body,
 * `responseType`, `withCredentials` and `timeout`, stale tokens substituted; the page's
 * getters read from it and its events are re-dispatched on the page's object (readyState 2,
 * 3, 4, progress, load / error / timeout, loadend). Two kinds, in one loop per page request
 * (the rungs never nest): after a 401, once, with a fresh token; after a retryable status,
 * at most `retry.maxAttempts` times, each after its backoff wait (src/recovery/backoff.ts).
 * A retry whose own answer is retried in turn is held the same way as the original: its
 * events recorded, the page's view back to "in flight".
 *
 * Giving up (no fresh token, the retry could not be sent): the current subject's recorded
 * events are re-dispatched, each with the readyState it had, and the page sees that answer.
 * Otherwise the last retry's outcome, whatever it is, is what the page gets.
 */
import { apply, construct, push, weakDelete, weakGet, weakSet, withAt } from '../../src/recovery/intrinsics';
import type { LadderStep, RetryReason } from '../../src/recovery/request-ladder';
import { readRequestToken, substituteHeaderToken, substituteUrl } from '../../src/recovery/token-carriers';
import { call } from './natives';
import { IN_FLIGHT, XHR_EVENTS, headerCarrierOf, setTokenHeader, tokenHeaderReader } from './xhr-kit';
import type { RecordedEvent, XhrKit, XhrState } from './xhr-kit';
import { readXhrIdentity, reportXhr, retryAfterOf } from './xhr-report';

/** A retry the ladder decided: get a fresh token, or wait `delayMs` and send again. */
export type XhrStep = Exclude<LadderStep, { kind: 'deliver' }>;

/** The recovery steps xhr-hook.ts calls. */
export interface XhrRecovery {
  /**
   * Asks the exchange's ladder about the answer `subject` has received (HEADERS_RECEIVED):
   * the retry to make, or null when the page gets it (a give-up is kept for the report).
   */
  decide(st: XhrState, subject: XMLHttpRequest): XhrStep | null;
  /** Starts `step` for the hidden exchange of `xhr`: then retries, or gives the answer back. */
  begin(xhr: XMLHttpRequest, st: XhrState, step: XhrStep): void;
  /** Cancels the retry in flight or the wait, if any, without a trace on the page's object. */
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
  const { natives } = ctx;
  const { ledger } = ctx.doc;
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

  /** Reports the current subject (original or latest retry) as replaced by a retry. */
  const reportReplaced = (xhr: XMLHttpRequest, st: XhrState): void => {
    const { ladder } = st;
    if (st.retry === null) reportXhr(kit, st, xhr, { hidden: true, errorKind: null });
    else reportXhr(kit, st, st.retry, { hidden: true, requestId: ladder.retryId(), startedAt: ladder.retryStartedAt, errorKind: null });
  };

  const abortNative = (r: XMLHttpRequest): void => {
    weakDelete(owners, r);
    try {
      call(x.abort, r);
    } catch {
      // already gone
    }
  };

  const dropRetry = (st: XhrState): void => {
    if (st.timer !== undefined) ctx.cancel(st.timer);
    st.timer = undefined;
    const r = st.retry;
    st.retry = null;
    st.held = false;
    if (r !== null) abortNative(r);
  };

  /** No retry after all: the page sees the current subject's answer. */
  const giveUp = (xhr: XMLHttpRequest, st: XhrState): void => {
    const gen = st.gen;
    const subject = st.retry ?? xhr;
    if (subject === xhr) st.hiding = false;
    else st.held = false;
    const list = st.recorded;
    st.recorded = [];
    for (const rec of list) {
      if (st.gen !== gen) return; // a handler re-opened the object
      weakSet(views, xhr, { subject, readyState: rec.readyState });
      fire(xhr, rec.type, rec);
    }
    if (st.gen !== gen) return;
    if (subject === xhr) {
      weakDelete(views, xhr);
      if (st.originalEnded) reportXhr(kit, st, xhr);
    } else {
      weakSet(views, xhr, { subject, readyState: null });
      const { ladder } = st;
      if (st.originalEnded) reportXhr(kit, st, subject, { requestId: ladder.retryId(), startedAt: ladder.retryStartedAt, errorKind: null });
    }
  };

  /** Holds the latest retry's answer: `ev` (its HEADERS_RECEIVED) and what follows are recorded. */
  const hold = (xhr: XMLHttpRequest, st: XhrState, r: XMLHttpRequest, ev: Event): void => {
    st.held = true;
    st.recorded = [record(r, ev)];
    st.originalEnded = false;
    weakSet(views, xhr, IN_FLIGHT);
  };

  const onRetryEvent = function (this: XMLHttpRequest, ev: Event): void {
    try {
      const xhr = weakGet(owners, this);
      const st = xhr ? weakGet(states, xhr) : undefined;
      if (!xhr || !st || st.retry !== this) return;
      const type = ev.type;
      if (st.held) {
        st.recorded.push(record(this, ev));
        if (type === 'loadend') st.originalEnded = true;
        return;
      }
      if (type === 'readystatechange') {
        const rs = kit.readyState(this);
        if (rs < 2) return; // the page saw OPENED already
        if (st.ladder.awaitingAnswer) {
          st.ladder.answered(kit.status(this));
          const step = rs === 2 ? decide(st, this) : null;
          if (step !== null) {
            hold(xhr, st, this, ev);
            begin(xhr, st, step);
            return;
          }
        }
        // Before the page's DONE handlers, as for the page's own object (xhr-hook.ts).
        if (st.identity && rs === 4) readXhrIdentity(kit, st, this);
        fire(xhr, type);
        return;
      }
      if (type === 'loadend') {
        st.ladder.answered(kit.status(this)); // if not yet: no answer at all (network error)
        reportXhr(kit, st, this, { requestId: st.ladder.retryId(), startedAt: st.ladder.retryStartedAt, errorKind: null });
      }
      fire(xhr, type, ev as ProgressEvent);
    } catch {
      // best effort
    }
  };

  /**
   * Sends the next retry; false when it could not be sent, or (after a 401) when it would carry
   * the same token. The answer it replaces is reported now for a 401 (before a backoff wait
   * for the others, in `begin`).
   */
  const retry = (xhr: XMLHttpRequest, st: XhrState, reason: RetryReason): boolean => {
    const url = substituteUrl(ctx.carriers(), st.openUrl, ledger) ?? st.openUrl;
    let changed = url !== st.openUrl;
    const tokenHeaders: Array<[string, string]> = [];
    const headers: Array<[string, string]> = [];
    // Index loops and the captured built-ins only (src/recovery/intrinsics.ts): the headers and
    // the URL carry the fresh token from here on.
    for (let i = 0; i < st.headers.length; i++) {
      const name = st.headers[i]![0];
      const value = st.headers[i]![1];
      const carrier = headerCarrierOf(ctx, name);
      const s = carrier ? substituteHeaderToken(carrier, value, ledger) : null;
      if (s !== null) changed = true;
      if (carrier) setTokenHeader(tokenHeaders, name, s ?? value);
      push(headers, [name, s ?? value]);
    }
    if (reason === 'unauthorized' && !changed) return false;
    const r = construct(kit.NativeXhr, []) as XMLHttpRequest;
    const openArgs = withAt(st.openArgs.length >= 3 ? withAt(st.openArgs, 2, true) : [st.openArgs[0]], 1, url);
    if (!x.open || !x.setRequestHeader) return false;
    apply(x.open, r, openArgs);
    for (let i = 0; i < headers.length; i++) apply(x.setRequestHeader, r, headers[i]!);
    // The captured setters: the page's would get `r`, bound for the fresh token.
    if (x.setResponseType) call(x.setResponseType, r, kit.responseType(xhr));
    if (x.withCredentials && x.setWithCredentials) call(x.setWithCredentials, r, call<boolean>(x.withCredentials, xhr));
    if (x.timeout && x.setTimeout) call(x.setTimeout, r, call<number>(x.timeout, xhr));
    for (const type of XHR_EVENTS) call(natives.addEventListener, r, type, onRetryEvent);
    weakSet(owners, r, xhr);
    const startedAt = ctx.now();
    try {
      call(x.send, r, st.body);
    } catch {
      weakDelete(owners, r);
      return false;
    }
    if (reason === 'unauthorized') reportReplaced(xhr, st);
    const previous = st.retry;
    if (previous !== null) abortNative(previous);
    st.retry = r;
    st.held = false;
    st.recorded = [];
    st.originalEnded = false;
    st.tokenHeaders = tokenHeaders;
    st.token = readRequestToken(ctx.carriers(), tokenHeaderReader(tokenHeaders), url);
    st.ladder.sent(startedAt, st.token);
    weakSet(views, xhr, { subject: r, readyState: null });
    return true;
  };

  const decide = (st: XhrState, subject: XMLHttpRequest): XhrStep | null => {
    const step = st.ladder.decide({ status: kit.status(subject), retryAfter: () => retryAfterOf(kit, subject) });
    return step.kind === 'deliver' ? null : step;
  };

  const begin = (xhr: XMLHttpRequest, st: XhrState, step: XhrStep): void => {
    const gen = st.gen;
    const { ladder } = st;
    const current = (): boolean => st.gen === gen && weakGet(states, xhr) === st;
    const sendOrGiveUp = (reason: RetryReason): void => {
      let sent: boolean;
      try {
        sent = retry(xhr, st, reason);
      } catch {
        sent = false;
      }
      if (!sent) giveUp(xhr, st);
    };
    if (step.kind === 'token') {
      // A callback, no promise: see TokenBroker.obtainFresh.
      ctx.broker.obtainFresh(ladder.bearer ?? '', st.url, ladder.id(), (fresh) => {
        if (!current()) return;
        if (fresh === null) giveUp(xhr, st);
        else sendOrGiveUp('unauthorized');
      });
      return;
    }
    // Reported before the wait, so the incident opens when the failure happened.
    reportReplaced(xhr, st);
    st.timer = ctx.later(() => {
      st.timer = undefined;
      if (current()) sendOrGiveUp('backoff');
    }, step.delayMs);
  };

  return {
    record,
    decide,
    begin,
    dropRetry,
    abortHidden(xhr, st, abort) {
      const view = weakGet(views, xhr);
      const shown = view?.readyState ?? (view?.subject ? kit.readyState(view.subject) : kit.readyState(xhr));
      const gen = (st.gen += 1);
      dropRetry(st);
      abort(); // its events stay hidden: st.hiding is still set
      st.hiding = false;
      if (shown >= 1 && shown <= 3) {
        weakSet(views, xhr, { subject: null, readyState: 4 });
        fire(xhr, 'readystatechange');
        fire(xhr, 'abort');
        fire(xhr, 'loadend');
      }
      // Unless a handler re-opened the object, it is UNSENT now.
      if (weakGet(states, xhr) === st && st.gen === gen) weakSet(views, xhr, { subject: null, readyState: 0 });
    },
  };
}
