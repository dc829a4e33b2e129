/**
 * Rung 3's silent stalls (docs/architecture.md §3 "Signalling watchdog"): a socket that still claims to
 * be OPEN but received nothing for longer than `watchdog.heartbeatTimeoutMs` brings no calls
 * in, however healthy it looks. Each such socket gets one `signalling-stalled` incident (keyed
 * by socket id); the worker closes the socket once the incident outlasts `reconnectGraceMs`
 * (./signalling-watchdog.ts) so the app's own reconnect runs. The reducer's incident rules hand
 * the signalling events here; health asks `stallHealth` in src/session/health.ts.
 *
 * | event                                        | effect |
 * |----------------------------------------------|--------|
 * | any event (time rule, tick included)         | opens one for each open socket expected to hear a heartbeat (it received a message, or an earlier socket of the tab to the same endpoint did) that heard nothing for longer than `heartbeatTimeoutMs` (since its last message, or its open); none while `heartbeatTimeoutMs` is 0 |
 * | `ws-activity` with a newer message on it     | resolves it ("A message arrived on the socket again") |
 * | `stall-close-requested` (worker)             | pending `stall-close` step |
 * | `ws-close` `closedBy: 'stall'`               | settles that step ok; stays open until a new socket opens (the abnormal-close incident opened beside it carries the reconnect grace and rung 5) |
 * | `ws-close` `closedBy: 'org-switch'`, or a normal close (1000/1001) by the page | resolves it: the socket is gone on purpose |
 * | any other `ws-close` of the socket           | nothing: stays open until a new socket opens (abnormal-close takes over) |
 * | `ws-open`                                    | resolves every one whose socket is no longer open, or whose id just opened again |
 * | `hello`                                      | resolves all: a new document has no old sockets |
 *
 * A socket to an endpoint that never sent the tab anything is left alone: a missing heartbeat
 * needs a heartbeat first, and a page may keep sockets that only ever send (telemetry,
 * logging), which closing every `heartbeatTimeoutMs + reconnectGraceMs` would break. A
 * reconnect to an endpoint that did carry messages is watched from its open, so a server that
 * accepts the new upgrade and then says nothing is caught too. The price: a stall of the very
 * first socket before its first message goes unnoticed.
 *
 * Heartbeat intervals the default timeout (30 s) is built on: docs/architecture.md §6 (Genesys pings
 * every 14 s and drops on the 2nd miss; Amazon Connect heartbeats every 10 s).
 */
import type { PageObservation } from '../protocol/page';
import type { Incident, RecoveryStep, SessionState, SocketView, WorkerEvent } from '../session/types';
import { requestKey } from '../session/request-path';
import { findOpen, isOpen, raiseIncident, replaceIncident, resolved, withSettledStep, withStep } from '../session/incidents';

/** WebSocket close codes that mean a deliberate close (RFC 6455 §7.4.1). */
const NORMAL_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001]);

/** The events handled here. */
export type StallEvent =
  | Extract<PageObservation, { type: 'ws-open' | 'ws-close' | 'ws-activity' | 'hello' }>
  | Extract<WorkerEvent, { type: 'stall-close-requested' }>;

/** Whole seconds, rounded down, never negative. */
const wholeSeconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

/**
 * How long a socket has been silent at `at`, ms: since its last message, or since it opened
 * when it never received one.
 */
export function silenceMs(socket: SocketView, at: number): number {
  return at - (socket.lastMessageAt ?? socket.openedAt);
}

/** The open socket of that id, read safely (ids come from the page and may be `__proto__`). */
export function openSocket(state: SessionState, socketId: string): SocketView | undefined {
  return Object.hasOwn(state.sockets, socketId) ? state.sockets[socketId] : undefined;
}

function passive(at: number, detail: string): RecoveryStep {
  return { at, action: 'none', outcome: 'ok', detail };
}

function resolveStall(state: SessionState, socketId: string, at: number, step: RecoveryStep): SessionState {
  const open = findOpen(state.incidents, 'signalling-stalled', socketId);
  return open ? replaceIncident(state, resolved(open, at, step)) : state;
}

function resolveAll(state: SessionState, which: (incident: Incident) => boolean, at: number, step: RecoveryStep): SessionState {
  let next = state;
  for (const incident of state.incidents) {
    if (incident.kind === 'signalling-stalled' && isOpen(incident) && which(incident)) {
      next = replaceIncident(next, resolved(incident, at, step));
    }
  }
  return next;
}

function onClose(prev: SessionState, state: SessionState, event: Extract<PageObservation, { type: 'ws-close' }>): SessionState {
  const { at, socketId } = event;
  const open = findOpen(state.incidents, 'signalling-stalled', socketId);
  if (!open) return state;
  if (event.closedBy === 'stall') {
    const socket = openSocket(prev, socketId);
    const silent = socket ? ` after ${wholeSeconds(silenceMs(socket, at))} s without a message` : '';
    return replaceIncident(state, withSettledStep(open, 'stall-close', 'ok', at, `The socket closed${silent} (code ${event.code}).`));
  }
  if (event.closedBy === 'org-switch') {
    return replaceIncident(state, resolved(open, at, passive(at, 'The socket belonged to the organisation the tab left; it was closed.')));
  }
  if (event.wasClean && NORMAL_CLOSE_CODES.has(event.code)) {
    return replaceIncident(state, resolved(open, at, passive(at, 'The softphone closed the silent socket itself.')));
  }
  return state;
}

/**
 * Applies the stall rules (table in the module comment) to one event.
 * @param prev the session before the event (its socket map still has a socket that just closed)
 * @param state the session with the event already applied to the views
 * @returns `state` itself when nothing changed
 */
export function applyStallRules(prev: SessionState, state: SessionState, event: StallEvent): SessionState {
  const { at } = event;
  switch (event.type) {
    case 'ws-activity': {
      const before = openSocket(prev, event.socketId);
      if (!before || (before.lastMessageAt !== undefined && before.lastMessageAt >= event.lastMessageAt)) return state;
      return resolveStall(state, event.socketId, at, passive(at, 'A message arrived on the socket again.'));
    }
    case 'stall-close-requested': {
      const open = findOpen(state.incidents, 'signalling-stalled', event.socketId);
      if (!open) return state;
      return replaceIncident(
        state,
        withStep(open, {
          at,
          action: 'stall-close',
          outcome: 'pending',
          detail: `Silent for ${event.silentSeconds} s: asked the page to close the socket, so the softphone reconnects by its own logic.`,
        }),
      );
    }
    case 'ws-close':
      return onClose(prev, state, event);
    case 'ws-open':
      return resolveAll(
        state,
        (i) => i.detail.socketId === event.socketId || openSocket(state, i.detail.socketId ?? '') === undefined,
        at,
        { at, action: 'app-reconnected', outcome: 'ok', detail: 'The softphone opened a new socket.' },
      );
    case 'hello':
      return resolveAll(state, () => true, at, passive(at, 'The page was reloaded; its sockets are gone.'));
  }
}

/**
 * True when the socket is expected to hear a heartbeat: it received a message, or an earlier
 * socket of the tab to the same endpoint did (a reconnect that hears nothing is a stall too).
 */
export function expectsHeartbeat(state: SessionState, socket: SocketView): boolean {
  if (socket.lastMessageAt !== undefined) return true;
  return state.signalling.heartbeatEndpoints?.includes(requestKey(socket.url)) ?? false;
}

/**
 * The time rule: opens a `signalling-stalled` incident for every open socket that
 * {@link expectsHeartbeat} and heard nothing for longer than `heartbeatTimeoutMs`, and has none open. Returns `state` itself when nothing changed.
 * @param at now, epoch ms
 * @param heartbeatTimeoutMs `watchdog.heartbeatTimeoutMs`, ms; 0 turns stall detection off
 */
export function openStalls(state: SessionState, at: number, heartbeatTimeoutMs: number): SessionState {
  if (heartbeatTimeoutMs <= 0) return state;
  let next = state;
  for (const [socketId, socket] of Object.entries(state.sockets)) {
    if (!expectsHeartbeat(state, socket) || silenceMs(socket, at) <= heartbeatTimeoutMs) continue;
    if (findOpen(next.incidents, 'signalling-stalled', socketId)) continue;
    const limit = `${Math.round(heartbeatTimeoutMs / 1000)} s`;
    const summary = `No heartbeat on the signalling socket for over ${limit}, although it is open`;
    next = raiseIncident(next, { kind: 'signalling-stalled', summary, detail: { socketId, url: socket.url } }, at);
  }
  return next;
}

/**
 * The summary of the abnormal-close incident a stall close opens: the extension closed the
 * socket on purpose, and says after how long a silence.
 * @param prev the session before the `ws-close` (it still holds the socket)
 */
export function stallClosedSummary(prev: SessionState, event: Extract<PageObservation, { type: 'ws-close' }>): string {
  const socket = openSocket(prev, event.socketId);
  if (!socket) return `Softphone Guard closed a silent signalling socket (code ${event.code})`;
  const silent = wholeSeconds(silenceMs(socket, event.at));
  return `Softphone Guard closed the silent signalling socket after ${silent} s without a heartbeat (code ${event.code})`;
}
