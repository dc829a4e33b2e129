/**
 * Which event opens, folds, steps or resolves which incident (the detection rules), and the
 * rules that fire on the passage of time alone. Every resolution appends the step that
 * explains it, so the timeline says why each incident ended.
 *
 * | kind            | opened by                                              | resolved by |
 * |-----------------|--------------------------------------------------------|-------------|
 * | abnormal-close  | `ws-close` with `wasClean` false or code ∉ {1000, 1001}, unless `closedBy` `org-switch`; always for `closedBy` `stall` (summary: the extension closed it) | next `ws-open` |
 * | signalling-stalled | an open socket silent for longer than `heartbeatTimeoutMs` (time rule, per socket) | a message on it; the socket closing and a new one opening (src/recovery/stall-incidents.ts) |
 * | unauthorized    | protected `http` 401, `token-needed`, failed `http-retry` | recovered `http-retry`, protected `http` 2xx/3xx; `hello` when it came from a worker (`outOfReach`) |
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
 * The probe's backoff retries (docs/architecture.md §3 rung 1) are `request-retry` steps of the HTTP
 * incident: a failure reported `hiddenFromPage` adds a pending step (the probe is waiting to
 * send it again), the backoff `http-retry` settles it (`ok` resolves the incident), and a
 * failure reported with `retryGivenUp` adds a failed step saying why it was not retried. A
 * `hello` (new document) settles a pending one as failed: the page that waited for it is gone.
 *
 * The microphone rules, with rung 4's steps, are in src/recovery/media-incidents.ts; the
 * silent-stall rules, with rung 3's `stall-close` steps, in src/recovery/stall-incidents.ts.
 * Rung 5's reload steps go on the incident the worker names (`incidentId`), else on the one the
 * cause points at.
 */
import { NOT_RETRIED_DETAIL_PREFIX, RELOADING_DETAIL_PREFIX } from '../recovery/safe-reload';
import { applyMediaRules } from '../recovery/media-incidents';
import { applyStallRules, openStalls, stallClosedSummary } from '../recovery/stall-incidents';
import type { PageObservation } from '../protocol/page';
import { MAX_RETRY_WAIT_MS } from '../recovery/backoff';
import type { Incident, IncidentKind, RecoveryStep, ReloadCause, RequestReach, SessionState, WorkerEvent } from './types';
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
 * 30 s backoff cap of the transparent retry (docs/architecture.md §3), so a request still being retried
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
function resolveOpen(state: SessionState, kind: IncidentKind, at: number, step: RecoveryStep, key?: string): SessionState {
  const open = findOpen(state.incidents, kind, key);
  return open ? replaceIncident(state, resolved(open, at, step)) : state;
}

/** Applies `update` to the open incident of a cause, if any. */
function updateOpen(state: SessionState, kind: IncidentKind, update: (incident: Incident) => Incident): SessionState {
  const open = findOpen(state.incidents, kind);
  return open ? replaceIncident(state, update(open)) : state;
}

function raiseUnauthorized(
  state: SessionState,
  url: string,
  at: number,
  extra: RecoveryStep[] = [],
  socketRefusal?: Incident['detail']['socketRefusal'],
): SessionState {
  const steps: RecoveryStep[] = state.refreshInFlight ? [{ at, action: 'token-refresh', outcome: 'pending' }] : [];
  return raiseIncident(
    state,
    {
      kind: 'unauthorized',
      summary: `Token rejected (401) on ${shownPath(url)}`,
      detail: { status: 401, url, ...(socketRefusal === undefined ? {} : { socketRefusal }) },
      steps: [...steps, ...extra],
    },
    at,
  );
}

/** What an out-of-reach 401's step says: where the request came from and what is left. */
const OUT_OF_REACH_DETAIL: Record<RequestReach, string> = {
  worker: "From the softphone's Worker: a fresh token cannot be given to it. Reloading when no call is active.",
  'shared-worker':
    "From the softphone's SharedWorker: a fresh token cannot be given to it. Reloading its pages together when none is in a call.",
  unhooked: 'Not made through the page: a fresh token cannot be given to it. Reloading when no call is active.',
};

/**
 * A protected 401 the probe did not see (transport `webrequest` with a `reach`): opened or
 * folded like any 401, marked `outOfReach`, with one failed step saying why no token helps.
 * Only rung 5 is left (src/recovery/safe-reload.ts).
 */
function raiseOutOfReach(state: SessionState, url: string, reach: RequestReach, at: number): SessionState {
  const raised = raiseUnauthorized(state, url, at);
  const open = findOpen(raised.incidents, 'unauthorized');
  if (!open) return raised;
  const detail = OUT_OF_REACH_DETAIL[reach];
  const noted = open.steps.some((st) => st.action === 'none' && st.detail === detail);
  const marked: Incident = { ...open, detail: { ...open.detail, outOfReach: reach } };
  return replaceIncident(raised, noted ? marked : withStep(marked, { at, action: 'none', outcome: 'failed', detail }));
}

/**
 * A new document in the session: an out-of-reach 401 is over, its worker gone with the old
 * document (a SharedWorker is reloaded with every page that shares it). Should the new one
 * fail again, its 401 opens a new incident.
 */
function settleOutOfReach(state: SessionState, at: number): SessionState {
  const open = state.incidents.find((i) => isOpen(i) && i.kind === 'unauthorized' && i.detail.outOfReach !== undefined);
  return open ? replaceIncident(state, resolved(open, at, passive(at, 'ok', 'The page was reloaded; its worker signed in again.'))) : state;
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
      detail: `${NOT_RETRIED_DETAIL_PREFIX}: the server asked to wait${asked} longer than ${seconds(MAX_RETRY_WAIT_MS)}.`,
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
  if (status === 401 && event.protected) {
    return event.transport === 'webrequest' && event.reach !== undefined
      ? raiseOutOfReach(state, event.url, event.reach, at)
      : raiseUnauthorized(state, event.url, at);
  }
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

function onPcState(prev: SessionState, state: SessionState, event: Extract<PageObservation, { type: 'pc-state' }>): SessionState {
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
export function applyIncidentRules(prev: SessionState, state: SessionState, event: PageObservation | WorkerEvent): SessionState {
  const { at } = event;
  switch (event.type) {
    case 'ws-close': {
      const next = applyStallRules(prev, state, event);
      if (event.closedBy === 'org-switch') return next;
      if (event.closedBy === 'stall') {
        return raiseIncident(
          next,
          {
            kind: 'abnormal-close',
            summary: stallClosedSummary(prev, event),
            detail: { code: event.code, url: event.url, closedBy: 'stall', ...(event.reason ? { reason: event.reason } : {}) },
          },
          at,
        );
      }
      if (event.wasClean && NORMAL_CLOSE_CODES.has(event.code)) return next;
      return raiseIncident(
        next,
        {
          kind: 'abnormal-close',
          summary: `WebSocket closed abnormally (code ${event.code})`,
          detail: { code: event.code, url: event.url, ...(event.reason ? { reason: event.reason } : {}) },
        },
        at,
      );
    }
    case 'ws-open': {
      const next = applyStallRules(prev, state, event);
      const reopened = resolveOpen(next, 'abnormal-close', at, {
        at,
        action: 'app-reconnected',
        outcome: 'ok',
        detail: 'The softphone reopened its socket.',
      });
      // A socket whose upgrade was refused (401) and that now opened was let in: its token is good again.
      const refused = findOpen(reopened.incidents, 'unauthorized');
      if (refused?.detail.socketRefusal !== 'upgrade' || requestKey(refused.detail.url ?? '') !== requestKey(event.url)) return reopened;
      return resolveOpen(reopened, 'unauthorized', at, passive(at, 'ok', `The socket ${shownPath(event.url)} was let in again.`));
    }
    case 'ws-activity':
    case 'stall-close-requested':
      return applyStallRules(prev, state, event);
    case 'http':
      return onHttp(state, event);
    case 'token-needed':
      return raiseUnauthorized(state, event.url, at);
    case 'ws-auth-refused':
      // A socket's refused credentials are a 401 on its URL (docs/architecture.md §3 rung 2).
      return raiseUnauthorized(state, event.url, at, [], event.via);
    case 'http-retry':
      return onHttpRetry(state, event);
    case 'refresh-started':
      return updateOpen(state, 'unauthorized', (i) => {
        const last = lastStep(i);
        if (last && last.action === 'token-refresh' && last.outcome === 'pending') return i;
        return withStep(i, { at, action: 'token-refresh', outcome: 'pending' });
      });
    case 'refresh-succeeded':
      return updateOpen(state, 'unauthorized', (i) => withSettledStep(i, 'token-refresh', 'ok', at, 'Fresh token obtained.'));
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
      const reloaded = applyStallRules(prev, settleOutOfReach(settleRetries(settleReloads(state, at), at), at), event);
      return resolveOpen(resolveOpen(reloaded, 'ice-failed', at, step), 'track-ended', at, step);
    }
    case 'safe-reload':
      return forReloadCause(state, event, (i) =>
        withStep(i, { at, action: 'safe-reload', outcome: 'pending', detail: reloadingDetail(event) }),
      );
    case 'reload-deferred':
      return forReloadCause(state, event, (i) => {
        const last = lastStep(i);
        const detail = RELOAD_DEFERRED[event.reason];
        if (last?.action === 'safe-reload' && last.outcome === 'pending' && last.detail === detail) return i;
        return withStep(i, { at, action: 'safe-reload', outcome: 'pending', detail });
      });
    case 'identity':
    case 'pc-stats':
    case 'org-switch':
    case 'refresh-ahead':
    case 'document':
    case 'worker-started':
    case 'extension-update':
    case 'tick':
      return state;
  }
}

/**
 * What a reload step says while the document reloads; each starts with
 * {@link RELOADING_DETAIL_PREFIX}. What was reloaded (`scope`): the tab, the softphone frame
 * alone (never the page embedding it), or every page sharing the softphone's SharedWorker.
 */
function reloadingDetail(event: Extract<WorkerEvent, { type: 'safe-reload' }>): string {
  const what =
    event.scope === 'frame'
      ? 'the softphone frame (not the page around it)'
      : event.scope === 'shared-worker'
        ? `the ${event.pages ?? 1} page${event.pages === 1 ? '' : 's'} sharing the softphone's SharedWorker together`
        : 'the tab';
  const why: Record<ReloadCause, string> = {
    'signalling-not-recovered': 'no call is active.',
    'token-not-recovered': 'no call is active.',
    'request-not-recovered': 'the request still failed after its retries, and no call is active.',
  };
  return `${RELOADING_DETAIL_PREFIX} ${what}: ${why[event.cause]}`;
}

/** Why a due reload waits; shown as the pending step's detail. */
const RELOAD_DEFERRED: Record<'call-active' | 'hourly-limit' | 'disabled', string> = {
  'call-active': 'Not reloading: a call is active. The tab is never reloaded during a call.',
  'hourly-limit': 'Not reloading: the hourly reload limit is reached.',
  disabled: 'Not reloading: safe reload is turned off by configuration.',
};

/**
 * Applies `update` to the open incident behind a reload: the one the worker named, else the
 * newest open one of the cause's kind (for `request-not-recovered`: of an HTTP kind whose
 * retries failed).
 */
function forReloadCause(
  state: SessionState,
  event: Extract<WorkerEvent, { type: 'safe-reload' | 'reload-deferred' }>,
  update: (incident: Incident) => Incident,
): SessionState {
  let target: Incident | undefined;
  if (event.incidentId !== undefined) {
    target = state.incidents.find((i) => i.id === event.incidentId && isOpen(i));
  } else if (event.cause === 'request-not-recovered') {
    target = state.incidents.find(
      (i) => isOpen(i) && KEYED_BY_REQUEST.has(i.kind) && i.steps.some((st) => st.action === 'request-retry' && st.outcome === 'failed'),
    );
  } else {
    target = findOpen(state.incidents, event.cause === 'signalling-not-recovered' ? 'abnormal-close' : 'unauthorized');
  }
  return target ? replaceIncident(state, update(target)) : state;
}

/**
 * A new document: a backoff retry the old one was waiting to send will never be answered, so
 * its pending step is settled as failed (the request's retries are over).
 */
function settleRetries(state: SessionState, at: number): SessionState {
  let next = state;
  for (const incident of state.incidents) {
    if (!isOpen(incident) || !KEYED_BY_REQUEST.has(incident.kind)) continue;
    if (!incident.steps.some((st) => st.action === 'request-retry' && st.outcome === 'pending')) continue;
    next = replaceIncident(
      next,
      withSettledStep(incident, 'request-retry', 'failed', at, 'The page was reloaded before the retry was answered.'),
    );
  }
  return next;
}

/** A new document after a safe reload: the reload step is done. */
function settleReloads(state: SessionState, at: number): SessionState {
  let next = state;
  for (const incident of state.incidents) {
    const last = lastStep(incident);
    if (
      incident.resolvedAt === undefined &&
      last?.action === 'safe-reload' &&
      last.outcome === 'pending' &&
      last.at <= at &&
      last.detail?.startsWith(RELOADING_DETAIL_PREFIX)
    ) {
      next = replaceIncident(next, withSettledStep(incident, 'safe-reload', 'ok', at, 'The page reloaded.'));
    }
  }
  return next;
}

/**
 * Rules that fire on time alone, checked after every event (the worker's `tick` makes sure
 * they are checked while the page is quiet). Returns `state` itself when nothing changed.
 * - An abnormal close open for longer than `reconnectGraceMs` gets one failed `none` step
 *   ("did not reconnect"): the recovery ladder's rung 3 escalates from here (docs/architecture.md §3).
 * - An unauthorized incident with no step at all for longer than `reconnectGraceMs` gets the
 *   same kind of step: no refresh came, so nothing is recovering it.
 * - HTTP incidents with no recurrence for {@link HTTP_QUIET_RESOLVE_MS} are resolved, except
 *   while the probe's retry of it is pending (a backoff wait may last up to
 *   {@link MAX_RETRY_WAIT_MS}; after that plus the quiet time the pending step is let go),
 *   and while its safe reload (`request-not-recovered`) waits for a call to end.
 * - An open socket silent for longer than `heartbeatTimeoutMs` opens a `signalling-stalled`
 *   incident (src/recovery/stall-incidents.ts).
 * @param at now, epoch ms (the event's time)
 * @param ctx `watchdog.reconnectGraceMs` and `watchdog.heartbeatTimeoutMs`, ms
 */
export function applyTimeRules(
  state: SessionState,
  at: number,
  ctx: { reconnectGraceMs: number; heartbeatTimeoutMs: number },
): SessionState {
  const { reconnectGraceMs } = ctx;
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
    if (
      KEYED_BY_REQUEST.has(i.kind) &&
      at - (i.lastSeenAt ?? i.openedAt) >= HTTP_QUIET_RESOLVE_MS &&
      !retryPending(i, at) &&
      !reloadWaitsForCall(i)
    ) {
      changed = true;
      return resolved(i, at, passive(at, 'ok', `No recurrence for ${seconds(HTTP_QUIET_RESOLVE_MS)}.`));
    }
    return i;
  });
  return openStalls(changed ? { ...state, incidents } : state, at, ctx.heartbeatTimeoutMs);
}

/**
 * The incident's reload is due but deferred because a call is active: quiet does not resolve
 * it, or the reload would be forgotten by the time the call ends (the request never came back).
 */
function reloadWaitsForCall(incident: Incident): boolean {
  const last = lastStep(incident);
  return last?.action === 'safe-reload' && last.outcome === 'pending' && last.detail === RELOAD_DEFERRED['call-active'];
}

/** The incident's last step is a retry the probe has not reported back on yet, and may still. */
function retryPending(incident: Incident, at: number): boolean {
  const last = lastStep(incident);
  return last?.action === 'request-retry' && last.outcome === 'pending' && at - last.at < MAX_RETRY_WAIT_MS + HTTP_QUIET_RESOLVE_MS;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
