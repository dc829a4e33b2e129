/**
 * Builders for reducer tests. Every page observation built here is parsed with the page
 * schema, so a test can only feed the reducer what the relay would let through.
 */
import type { PageObservation } from '../../../src/protocol/page';
import { PageObservationSchema, STALL_CLOSE_CODE } from '../../../src/protocol/page';
import type { ReducerContext, SessionEffect, SessionEvent } from '../../../src/session/reducer';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionState, WorkerEvent } from '../../../src/session/types';

export const TAB = 7;
export const T0 = 1_700_000_000_000;
export const CTX: ReducerContext = { reconnectGraceMs: 10_000, heartbeatTimeoutMs: 30_000 };
export const ORIGIN = 'https://apps.mypurecloud.com';
export const WS_URL = 'wss://streaming.mypurecloud.com/channels/c1?access_token=[redacted]';

function valid<T extends PageObservation>(obs: T): T {
  return PageObservationSchema.parse(obs) as T;
}

let requestSeq = 0;
const nextRequestId = (): string => `r${++requestSeq}`;

/** Page observations and worker events, with defaults from the seeds' softphone. */
export const ev = {
  hello: (at: number, href = `${ORIGIN}/directory/`): PageObservation => valid({ type: 'hello', at, href, probeVersion: '0.1.0' }),
  identity: (at: number, userId = 'u-1', orgId = 'org-a'): PageObservation =>
    valid({ type: 'identity', at, userId, name: 'Ada Agent', orgId }),
  wsOpen: (at: number, socketId = 's1', url = WS_URL): PageObservation => valid({ type: 'ws-open', at, socketId, url, protocol: '' }),
  wsClose: (
    at: number,
    code: number,
    wasClean: boolean,
    socketId = 's1',
    reason = '',
    closedBy?: 'stall' | 'org-switch',
  ): PageObservation =>
    valid({ type: 'ws-close', at, socketId, url: WS_URL, code, reason, wasClean, ...(closedBy === undefined ? {} : { closedBy }) }),
  /** The probe's close of a silent socket on `close-stalled-socket` (code 4000, `closedBy: 'stall'`). */
  wsStallClose: (at: number, socketId = 's1', code = STALL_CLOSE_CODE): PageObservation =>
    valid({ type: 'ws-close', at, socketId, url: WS_URL, code, reason: 'no heartbeat', wasClean: code !== 1006, closedBy: 'stall' }),
  orgSwitch: (at: number, fromOrgId = 'org-a', toOrgId = 'org-b', closedSockets = 1, closedPeerConnections = 1): PageObservation =>
    valid({ type: 'org-switch', at, fromOrgId, toOrgId, closedSockets, closedPeerConnections }),
  wsActivity: (at: number, socketId = 's1', lastMessageAt = at, messagesIn = 1): PageObservation =>
    valid({ type: 'ws-activity', at, socketId, messagesIn, lastMessageAt }),
  http: (
    at: number,
    status: number,
    path: string,
    opts: {
      protected?: boolean;
      retryAfter?: string;
      method?: string;
      error?: string;
      hiddenFromPage?: boolean;
      retryGivenUp?: 'wait-too-long';
      transport?: 'fetch' | 'xhr' | 'webrequest';
      reach?: 'worker' | 'shared-worker' | 'unhooked';
    } = {},
  ): PageObservation =>
    valid({
      type: 'http',
      at,
      requestId: nextRequestId(),
      transport: opts.transport ?? 'fetch',
      method: opts.method ?? 'GET',
      url: `${ORIGIN}${path}`,
      status,
      durationMs: 120,
      protected: opts.protected ?? path.startsWith('/api/v2/'),
      ...(opts.retryAfter === undefined ? {} : { retryAfter: opts.retryAfter }),
      ...(opts.error === undefined ? {} : { error: opts.error }),
      ...(opts.hiddenFromPage === undefined ? {} : { hiddenFromPage: opts.hiddenFromPage }),
      ...(opts.retryGivenUp === undefined ? {} : { retryGivenUp: opts.retryGivenUp }),
      ...(opts.reach === undefined ? {} : { reach: opts.reach }),
    }),
  httpRetry: (
    at: number,
    outcome: 'recovered' | 'failed',
    path: string,
    status = outcome === 'recovered' ? 200 : 401,
    reason: 'unauthorized' | 'backoff' = 'unauthorized',
    method = 'GET',
  ): PageObservation =>
    valid({
      type: 'http-retry',
      at,
      requestId: nextRequestId(),
      transport: 'xhr',
      method,
      url: `${ORIGIN}${path}`,
      reason,
      status,
      outcome,
      durationMs: 80,
    }),
  wsAuthRefused: (at: number, via: 'sasl-failure' | 'message' | 'close' | 'upgrade' = 'sasl-failure', socketId = 's1'): PageObservation =>
    valid({ type: 'ws-auth-refused', at, socketId, url: WS_URL, via, reason: 'not-authorized' }),
  tokenNeeded: (at: number, path: string): PageObservation =>
    valid({ type: 'token-needed', at, requestId: nextRequestId(), url: `${ORIGIN}${path}`, tokenHash: '0123456789abcdef' }),
  pcState: (
    at: number,
    ice: 'new' | 'checking' | 'connected' | 'completed' | 'failed' | 'disconnected' | 'closed',
    conn: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed',
    pcId = 'pc1',
  ): PageObservation => valid({ type: 'pc-state', at, pcId, iceConnectionState: ice, connectionState: conn, signalingState: 'stable' }),
  pcStats: (
    at: number,
    inboundAudioBytes: number,
    q: { rttMs?: number | null; jitterMs?: number | null; packetLossPct?: number | null; mos?: number | null } = {},
    pcId = 'pc1',
  ): PageObservation =>
    valid({
      type: 'pc-stats',
      at,
      pcId,
      rttMs: q.rttMs === undefined ? 40 : q.rttMs,
      jitterMs: q.jitterMs === undefined ? 3 : q.jitterMs,
      packetLossPct: q.packetLossPct === undefined ? 0 : q.packetLossPct,
      mos: q.mos === undefined ? 4.3 : q.mos,
      inboundAudioBytes,
      outboundAudioBytes: inboundAudioBytes,
    }),
  permission: (at: number, state: 'granted' | 'denied' | 'prompt'): PageObservation => valid({ type: 'media-permission', at, state }),
  gum: (at: number, ok: boolean, errorName?: string, audio = true): PageObservation =>
    valid({ type: 'gum', at, ok, audio, video: false, ...(errorName === undefined ? {} : { errorName }) }),
  /** The probe saw the page start a Worker or SharedWorker. */
  workerStarted: (at: number, kind: 'worker' | 'shared-worker', url: string, name?: string): PageObservation =>
    valid({ type: 'worker-started', at, kind, url, ...(name === undefined ? {} : { name }) }),
  trackEnded: (at: number, kind: 'audio' | 'video' = 'audio'): PageObservation => valid({ type: 'track-ended', at, kind }),
  refreshStarted: (at: number): WorkerEvent => ({ type: 'refresh-started', at }),
  refreshSucceeded: (at: number, expiresAt?: number): WorkerEvent =>
    expiresAt === undefined ? { type: 'refresh-succeeded', at } : { type: 'refresh-succeeded', at, expiresAt },
  refreshFailed: (at: number, error = 'refresh endpoint returned 401'): WorkerEvent => ({ type: 'refresh-failed', at, error }),
  stallCloseRequested: (at: number, socketId = 's1', silentSeconds = 40): WorkerEvent => ({
    type: 'stall-close-requested',
    at,
    socketId,
    silentSeconds,
  }),
  tick: (at: number): WorkerEvent => ({ type: 'tick', at }),
};

/** The result of feeding a sequence of events to a fresh (or given) session. */
export interface Run {
  state: SessionState;
  /** Effects of every step, in order. */
  effects: SessionEffect[];
  /** Effects of the last event only. */
  lastEffects: SessionEffect[];
  /** Health after each event. */
  healths: SessionState['health'][];
}

/** Feeds `events` in order, starting from `from` or a fresh session at {@link T0}. */
export function run(events: readonly SessionEvent[], ctx: ReducerContext = CTX, from?: SessionState): Run {
  let state = from ?? createSession(TAB, T0);
  const effects: SessionEffect[] = [];
  let lastEffects: SessionEffect[] = [];
  const healths: SessionState['health'][] = [];
  for (const e of events) {
    const out = reduceSession(state, e, ctx);
    state = out.state;
    lastEffects = out.effects;
    effects.push(...out.effects);
    healths.push(state.health);
  }
  return { state, effects, lastEffects, healths };
}

/** The health changes of a run as `from→to` strings, for compact assertions. */
export function healthChanges(effects: readonly SessionEffect[]): string[] {
  return effects.flatMap((e) => (e.type === 'health-changed' ? [`${e.from}→${e.to}`] : []));
}

/** Recursively freezes a value so any write to it throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** Seconds after {@link T0}, ms. */
export const s = (seconds: number): number => T0 + seconds * 1000;
