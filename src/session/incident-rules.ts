/**
 * Which event opens, folds, steps or resolves which incident (the detection rules), and the
 * rules that fire on the passage of time alone. Every resolution appends the step that
 * explains it, so the timeline says why each incident ended.
 *
 * | kind            | opened by                                              | resolved by |
 * |-----------------|--------------------------------------------------------|-------------|
 * | abnormal-close  | `ws-close` with `wasClean` false or code ∉ {1000, 1001} | next `ws-open` |
 * | unauthorized    | protected `http` 401, `token-needed`, failed `http-retry` | recovered `http-retry`, protected `http` 2xx/3xx |
 * | rate-limited    | `http` 429 (per request key)                           | success on the same key, recovered backoff `http-retry`, or 60 s without recurrence (not while a retry is pending) |
 * | request-timeout | `http` 408 (per request key)                           | same |
 * | server-error    | `http` 5xx or 0 (per request key)                      | same |
 * | ice-failed      | `pc-state` with ICE or connection state `failed`       | ICE `connected`/`completed` or connection `connected`; the failed connection closing; `hello` |
 * | permission-lost | `media-permission` denied (or reset to prompt), `gum` NotAllowedError | `gum` or rung 4's `media-reacquired` ok while not denied |
 * | track-ended     | `track-ended` of an audio track (none while permission-lost is open) | same; `hello` |
 *
 * Normal closes are 1000 and 1001 (RFC 6455 §7.4.1); 1006 is reserved for a connection lost
 * without a Close frame.
 *
 * The probe's backoff retries (DESIGN.md §3 rung 1) are `request-retry` steps of the HTTP
 * incident: a failure reported `hiddenFromPage` adds a pending step (the probe is waiting to
 * send it again), the backoff `http-retry` settles it (`ok` resolves the incident), and a
 * failure reported with `retryGivenUp` adds a failed step saying why it was not retried.
 *
 * The microphone rules, with rung 4's steps, are in src/recovery/media-incidents.ts.
 */
import { RELOADING_DETAIL_PREFIX } from '../recovery/safe-reload';
import { applyMediaRules } from '../recovery/media-incidents';
import type { PageObservation } from '../protocol/page';
import { MAX_RETRY_WAIT_MS } from '../recovery/backoff';
import type { Incident, IncidentKind, RecoveryStep, SessionState, WorkerEvent } from './types';
import {
  KEYED_BY_REQUEST,
  findOpen,
  isOpen,
  lastStep,
  raiseIncident,
  replaceIncident,
  resolved,
  withSettledStep,
  withStep,
} from './incidents';
import { requestKey, shownPath } from './request-path';

/** WebSocket close codes that mean a deliberate close (RFC 6455 §7.4.1). */
export const NORMAL_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001]);

/**
 * An HTTP incident with no recurrence for this long is resolved, ms. Product rule: twice the
 * 30 s backoff cap of the transparent retry (DESIGN.md §3), so a request still being retried
 * keeps its incident open.
 */
export const HTTP_QUIET_RESOLVE_MS = 60_000;

const MAX_STEP_DETAIL = 120;

function clip(text: string): string {
  return text.length > MAX_STEP_DETAIL ? `${text.slice(0, MAX_STEP_DETAIL - 1)}…` : text;
}

function passive(at: number, outcome: 'ok' | 'failed', detail: string): RecoveryStep {
  return { at, action: 'none', outcome, detail };
}

/** Resolves the open incident of a cause, if any, with the explaining step. */
function resolveOpen(
  state: SessionState,
  kind: IncidentKind,
  at: number,
  step: RecoveryStep,
  key?: string,
): SessionState {
  const open = findOpen(state.incidents, kind, key);
  return open ? replaceIncident(state, resolved(open, at, step)) : state;
}

/** Applies `update` to the open incident of a cause, if any. */
function updateOpen(
  state: SessionState,
  kind: IncidentKind,
  update: (incident: Incident) => Incident,
): SessionState {
  const open = findOpen(state.incidents, kind);
  return open ? replaceIncident(state, update(open)) : state;
}

function raiseUnauthorized(state: SessionState, url: string, at: number, extra: RecoveryStep[] = []): SessionState {
  const steps: RecoveryStep[] = state.refreshInFlight ? [{ at, action: 'token-refresh', outcome: 'pending' }] : [];
  return raiseIncident(
    state,
    {
      kind: 'unauthorized',
      summary: `Token rejected (401) on ${shownPath(url)}`,
      detail: { status: 401, url },
      steps: [...steps, ...extra],
    },
    at,
  );
}

/** The open HTTP incident of a request key with a pending retry step, else any open one of the key. */
function openForRequest(state: SessionState, key: string): Incident | undefined {
  const open = state.incidents.filter((i) => isOpen(i) && KEYED_BY_REQUEST.has(i.kind) && i.detail.url === key);
  return open.find((i) => i.steps.some((s) => s.action === 'request-retry' && s.outcome === 'pending')) ?? open[0];
}

/**
 * After an HTTP failure was folded into its incident: the probe's backoff retry as a step
 * (pending while the probe waits to send it again; failed when it gave up on the wait).
 */
function withRetryNote(
  state: SessionState,
  kind: IncidentKind,
  key: string,
  event: Extract<PageObservation, { type: 'http' }>,
): SessionState {
  const { at } = event;
  let step: RecoveryStep | null = null;
  if (event.hiddenFromPage && event.transport !== 'webrequest') {
    const wait = event.retryAfter === undefined ? 'with backoff' : `after the server's Retry-After (${clip(event.retryAfter)})`;
    step = { at, action: 'request-retry', outcome: 'pending', detail: `Sending ${event.method} ${shownPath(event.url)} again ${wait}.` };
  } else if (event.retryGivenUp === 'wait-too-long') {
    const asked = event.retryAfter === undefined ? '' : ` (Retry-After: ${clip(event.retryAfter)})`;
    step = {
      at,
      action: 'request-retry',
      outcome: 'failed',
      detail: `Not retried: the server asked to wait${asked} longer than ${seconds(MAX_RETRY_WAIT_MS)}.`,
    };
  }
  if (step === null) return state;
  const open = findOpen(state.incidents, kind, key);
  return open ? replaceIncident(state, withStep(open, step)) : state;
}

function onHttp(state: SessionState, event: Extract<PageObservation, { type: 'http' }>): SessionState {
  const raised = raiseHttp(state, event);
  if (raised === state) return raised;
  const { status } = event;
  const kind: IncidentKind | null =
    status === 429 ? 'rate-limited' : status === 408 ? 'request-timeout' : status === 0 || status >= 500 ? 'server-error' : null;
  return kind === null ? raised : withRetryNote(raised, kind, requestKey(event.url), event);
}

function raiseHttp(state: SessionState, event: Extract<PageObservation, { type: 'http' }>): SessionState {
  const { status, at } = event;
  const key = requestKey(event.url);
  const path = shownPath(event.url);
  if (status === 401 && event.protected) return raiseUnauthorized(state, event.url, at);
  if (status === 429) {
    return raiseIncident(
      state,
      {
        kind: 'rate-limited',
        summary: `Rate limited (429) on ${path}`,
        detail: { status, url: key, ...(event.retryAfter === undefined ? {} : { retryAfter: event.retryAfter }) },
      },
      at,
    );
  }
  if (status === 408) {
    return raiseIncident(
      state,
      { kind: 'request-timeout', summary: `Request timed out (408) on ${path}`, detail: { status, url: key } },
      at,
    );
  }
  if (status === 0 || status >= 500) {
    return raiseIncident(
      state,
      {
        kind: 'server-error',
        summary: status === 0 ? `Network error on ${path}` : `Server error (${status}) on ${path}`,
        detail: { status, url: key, ...(event.error === undefined ? {} : { reason: event.error }) },
      },
      at,
    );
  }
  if (status >= 200 && status < 400) {
    let next = state;
    for (const kind of KEYED_BY_REQUEST) {
      next = resolveOpen(next, kind, at, passive(at, 'ok', `A later request to ${path} succeeded.`), key);
    }
    if (event.protected) {
      next = resolveOpen(next, 'unauthorized', at, passive(at, 'ok', `A later protected request (${path}) succeeded.`));
    }
    return next;
  }
  return state;
}

function onHttpRetry(state: SessionState, event: Extract<PageObservation, { type: 'http-retry' }>): SessionState {
  const { at } = event;
  const detail = `Retried ${event.method} ${shownPath(event.url)}: ${event.status}.`;
  if (event.reason === 'backoff') {
    const target = openForRequest(state, requestKey(event.url));
    if (!target) return state;
    const answer = event.status === 0 ? 'network error' : String(event.status);
    const said = `Retried ${event.method} ${shownPath(event.url)}: ${answer}.`;
    if (event.outcome === 'recovered') {
      return replaceIncident(state, { ...withSettledStep(target, 'request-retry', 'ok', at, said), resolvedAt: at });
    }
    return replaceIncident(state, withSettledStep(target, 'request-retry', 'failed', at, said));
  }
  if (event.outcome === 'recovered') {
    return updateOpen(state, 'unauthorized', (i) => ({
      ...withSettledStep(i, 'request-retry', 'ok', at, detail),
      resolvedAt: at,
    }));
  }
  if (!findOpen(state.incidents, 'unauthorized')) {
    return raiseUnauthorized(state, event.url, at, [{ at, action: 'request-retry', outcome: 'failed', detail }]);
  }
  return updateOpen(state, 'unauthorized', (i) => withSettledStep(i, 'request-retry', 'failed', at, detail));
}

function onPcState(
  prev: SessionState,
  state: SessionState,
  event: Extract<PageObservation, { type: 'pc-state' }>,
): SessionState {
  const { at, iceConnectionState: ice, connectionState: conn } = event;
  if (ice === 'failed' || conn === 'failed') {
    return raiseIncident(
      state,
      {
        kind: 'ice-failed',
        summary: ice === 'failed' ? 'Call audio connection failed (ICE failed)' : 'Call audio connection failed',
        detail: { reason: `ICE ${ice}, connection ${conn}` },
      },
      at,
    );
  }
  if (ice === 'connected' || ice === 'completed' || conn === 'connected') {
    return resolveOpen(state, 'ice-failed', at, passive(at, 'ok', 'The call audio connection is up again.'));
  }
  // The media view shows the connection that reported last; the failed one put itself there.
  if ((conn === 'closed' || ice === 'closed') && prev.media.pcId === event.pcId) {
    return resolveOpen(state, 'ice-failed', at, passive(at, 'ok', 'The failed connection was closed.'));
  }
  return state;
}

/**
 * Applies the detection rules for one event.
 * @param prev the state before the event (its views are the "before" picture)
 * @param state the state with the event already applied to the views
 */
export function applyIncidentRules(
  prev: SessionState,
  state: SessionState,
  event: PageObservation | WorkerEvent,
): SessionState {
  const { at } = event;
  switch (event.type) {
    case 'ws-close': {
      if (event.wasClean && NORMAL_CLOSE_CODES.has(event.code)) return state;
      return raiseIncident(
        state,
        {
          kind: 'abnormal-close',
          summary: `WebSocket closed abnormally (code ${event.code})`,
          detail: { code: event.code, url: event.url, ...(event.reason ? { reason: event.reason } : {}) },
        },
        at,
      );
    }
    case 'ws-open':
      return resolveOpen(state, 'abnormal-close', at, {
        at,
        action: 'app-reconnected',
        outcome: 'ok',
        detail: 'The softphone reopened its socket.',
      });
    case 'http':
      return onHttp(state, event);
    case 'token-needed':
      return raiseUnauthorized(state, event.url, at);
    case 'http-retry':
      return onHttpRetry(state, event);
    case 'refresh-started':
      return updateOpen(state, 'unauthorized', (i) => {
        const last = lastStep(i);
        if (last && last.action === 'token-refresh' && last.outcome === 'pending') return i;
        return withStep(i, { at, action: 'token-refresh', outcome: 'pending' });
      });
    case 'refresh-succeeded':
      return updateOpen(state, 'unauthorized', (i) =>
        withSettledStep(i, 'token-refresh', 'ok', at, 'Fresh token obtained.'),
      );
    case 'refresh-failed':
      return updateOpen(state, 'unauthorized', (i) => withSettledStep(i, 'token-refresh', 'failed', at, clip(event.error)));
    case 'pc-state':
      return onPcState(prev, state, event);
    case 'media-permission':
    case 'gum':
    case 'track-ended':
    case 'mic-grant':
    case 'media-reacquire':
    case 'media-reacquired':
      return applyMediaRules(prev, state, event);
    case 'hello': {
      const step = passive(at, 'ok', 'The page was reloaded; its connections and tracks are gone.');
      const reloaded = settleReloads(state, at);
      return resolveOpen(resolveOpen(reloaded, 'ice-failed', at, step), 'track-ended', at, step);
    }
    case 'safe-reload':
      return forReloadCause(state, event.cause, (i) =>
        withStep(i, { at, action: 'safe-reload', outcome: 'pending', detail: `${RELOADING_DETAIL_PREFIX} the tab: no call is active.` }),
      );
    case 'reload-deferred':
      return forReloadCause(state, event.cause, (i) => {
        const last = lastStep(i);
        const detail = RELOAD_DEFERRED[event.reason];
        if (last?.action === 'safe-reload' && last.outcome === 'pending' && last.detail === detail) return i;
        return withStep(i, { at, action: 'safe-reload', outcome: 'pending', detail });
      });
    case 'identity':
    case 'ws-activity':
    case 'pc-stats':
    case 'refresh-ahead':
    case 'tick':
      return state;
  }
}

/** Why a due reload waits; shown as the pending step's detail. */
const RELOAD_DEFERRED: Record<'call-active' | 'hourly-limit' | 'disabled', string> = {
  'call-active': 'Not reloading: a call is active. The tab is never reloaded during a call.',
  'hourly-limit': 'Not reloading: the hourly reload limit is reached.',
  disabled: 'Not reloading: safe reload is turned off by configuration.',
};

/** Applies `update` to the open incident behind a reload cause. */
function forReloadCause(
  state: SessionState,
  cause: 'signalling-not-recovered' | 'token-not-recovered',
  update: (incident: Incident) => Incident,
): SessionState {
  return updateOpen(state, cause === 'signalling-not-recovered' ? 'abnormal-close' : 'unauthorized', update);
}

/** A new document after a safe reload: the reload step is done. */
function settleReloads(state: SessionState, at: number): SessionState {
  let next = state;
  for (const incident of state.incidents) {
    const last = lastStep(incident);
    if (incident.resolvedAt === undefined && last?.action === 'safe-reload' && last.outcome === 'pending' && last.at <= at && last.detail?.startsWith(RELOADING_DETAIL_PREFIX)) {
      next = replaceIncident(next, withSettledStep(incident, 'safe-reload', 'ok', at, 'The tab reloaded.'));
    }
  }
  return next;
}

/**
 * Rules that fire on time alone, checked after every event (the worker's `tick` makes sure
 * they are checked while the page is quiet). Returns `state` itself when nothing changed.
 * - An abnormal close open for longer than `reconnectGraceMs` gets one failed `none` step
 *   ("did not reconnect"): the recovery ladder's rung 3 escalates from here (DESIGN.md §3).
 * - An unauthorized incident with no step at all for longer than `reconnectGraceMs` gets the
 *   same kind of step: no refresh came, so nothing is recovering it.
 * - HTTP incidents with no recurrence for {@link HTTP_QUIET_RESOLVE_MS} are resolved, except
 *   while the probe's retry of it is pending (a backoff wait may last up to
 *   {@link MAX_RETRY_WAIT_MS}; after that plus the quiet time the pending step is let go).
 * @param at now, epoch ms (the event's time)
 * @param reconnectGraceMs `watchdog.reconnectGraceMs`, ms
 */
export function applyTimeRules(state: SessionState, at: number, reconnectGraceMs: number): SessionState {
  let changed = false;
  const incidents = state.incidents.map((i) => {
    if (!isOpen(i)) return i;
    const graceOver = at - i.openedAt > reconnectGraceMs;
    if (i.kind === 'abnormal-close' && graceOver && !i.steps.some((s) => s.action === 'none')) {
      changed = true;
      return withStep(i, passive(at, 'failed', `The softphone did not reconnect within ${seconds(reconnectGraceMs)}.`));
    }
    if (i.kind === 'unauthorized' && graceOver && i.steps.length === 0) {
      changed = true;
      return withStep(i, passive(at, 'failed', `No fresh token within ${seconds(reconnectGraceMs)}.`));
    }
    if (KEYED_BY_REQUEST.has(i.kind) && at - (i.lastSeenAt ?? i.openedAt) >= HTTP_QUIET_RESOLVE_MS && !retryPending(i, at)) {
      changed = true;
      return resolved(i, at, passive(at, 'ok', `No recurrence for ${seconds(HTTP_QUIET_RESOLVE_MS)}.`));
    }
    return i;
  });
  return changed ? { ...state, incidents } : state;
}

/** The incident's last step is a retry the probe has not reported back on yet, and may still. */
function retryPending(incident: Incident, at: number): boolean {
  const last = lastStep(incident);
  return last?.action === 'request-retry' && last.outcome === 'pending' && at - last.at < MAX_RETRY_WAIT_MS + HTTP_QUIET_RESOLVE_MS;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
