/**
 * The "as last observed" part of a session: signalling, media, auth, agent and page URL.
 * Each event updates the views it speaks about and nothing else; incidents and health are
 * derived afterwards (`incident-rules.ts`, `health.ts`). All updates are immutable.
 */
import type { PageObservation } from '../protocol/page';
import type { MediaView, SessionState, SignallingView, SocketView, WorkerEvent, WorkerView } from './types';
import { MAX_HEARTBEAT_ENDPOINTS, MAX_WORKERS } from './types';
import { requestKey } from './request-path';

type Sockets = SessionState['sockets'];

/**
 * Socket ids come from the page and may be `__proto__` or `constructor`: the map is only
 * ever read with `Object.hasOwn` and built with `Object.fromEntries` (own data properties).
 */
function withSocket(sockets: Sockets, socketId: string, entry: SocketView): Sockets {
  return Object.fromEntries([...Object.entries(sockets).filter(([id]) => id !== socketId), [socketId, entry]]);
}

function withoutSocket(sockets: Sockets, socketId: string): Sockets {
  return Object.fromEntries(Object.entries(sockets).filter(([id]) => id !== socketId));
}

function signallingWith(view: SignallingView, sockets: Sockets, patch: Partial<SignallingView>): SignallingView {
  const openSockets = Object.keys(sockets).length;
  const state = openSockets > 0 ? 'open' : view.state === 'none' && patch.lastClose === undefined ? 'none' : 'closed';
  return { ...view, ...patch, openSockets, state };
}

/** Rung 4's outcomes that leave the microphone blocked, and what the view says about them. */
const MIC_BLOCKED_BY = {
  failed: 'browser',
  'not-allowed': 'policy',
  'not-monitored': 'not-monitored',
  limited: 'limit',
  embedded: 'embedded',
} as const;

/** Fields of {@link MediaView} that describe one peer connection (cleared when another one is reported). */
const PER_CONNECTION: readonly (keyof MediaView)[] = [
  'pcId',
  'iceConnectionState',
  'connectionState',
  'signalingState',
  'rttMs',
  'jitterMs',
  'packetLossPct',
  'mos',
  'inboundAudioBytes',
  'statsAt',
];

/** Most peer connections remembered as connected per tab (a softphone has one or two). */
const MAX_CONNECTED_PCS = 16;

/**
 * `ids` after a `pc-state`: its connection added while it is connected (connection state
 * `connected`, or ICE `connected`/`completed`), removed otherwise.
 */
function withConnected(ids: readonly string[], event: Extract<PageObservation, { type: 'pc-state' }>): string[] {
  const ice = event.iceConnectionState;
  const connected = event.connectionState === 'connected' || ice === 'connected' || ice === 'completed';
  const rest = ids.filter((id) => id !== event.pcId);
  return connected ? [...rest, event.pcId].slice(-MAX_CONNECTED_PCS) : rest;
}

/**
 * The media view pointed at `pcId`. The view describes the most recently reported peer
 * connection; when another connection reports, its per-connection fields start empty so a
 * byte counter or a state is never compared across connections. `inboundGrewAt`,
 * `micPermission` and `lastGumError` belong to the tab and are kept.
 */
function mediaFor(media: MediaView, pcId: string): MediaView {
  if (media.pcId === pcId) return media;
  const next: MediaView = { ...media };
  for (const key of PER_CONNECTION) delete next[key];
  next.pcId = pcId;
  return next;
}

/**
 * Applies one event to the views. `ws-activity` moves the tab's `lastMessageAt` and the
 * socket's own; of a socket the session does not know, only the tab's (sockets are added by
 * `ws-open` alone). `org-switch` is remembered as the tab's last switch; the agent follows
 * the `identity` observation that comes with it. `hello` means a new document:
 * the previous document's sockets and peer connections are gone without close events, so the
 * socket map and the per-connection media fields are cleared.
 */
export function applyToViews(state: SessionState, event: PageObservation | WorkerEvent): SessionState {
  switch (event.type) {
    case 'hello': {
      const media: MediaView = { ...state.media };
      for (const key of PER_CONNECTION) delete media[key];
      delete media.connectedPcIds;
      const signalling: SignallingView = {
        ...state.signalling,
        openSockets: 0,
        state: state.signalling.state === 'none' ? 'none' : 'closed',
      };
      return { ...state, href: event.href, sockets: {}, signalling, media };
    }
    case 'identity':
      return {
        ...state,
        agent: {
          userId: event.userId,
          ...(event.name === undefined ? {} : { name: event.name }),
          ...(event.orgId === undefined ? {} : { orgId: event.orgId }),
        },
      };
    case 'ws-open': {
      const sockets = withSocket(state.sockets, event.socketId, { url: event.url, openedAt: event.at });
      return {
        ...state,
        sockets,
        signalling: signallingWith(state.signalling, sockets, { url: event.url, lastOpenAt: event.at }),
      };
    }
    case 'ws-close': {
      const sockets = withoutSocket(state.sockets, event.socketId);
      const lastClose = { at: event.at, code: event.code, reason: event.reason, wasClean: event.wasClean };
      return { ...state, sockets, signalling: signallingWith(state.signalling, sockets, { lastClose }) };
    }
    case 'ws-activity': {
      let next = state;
      const socket = Object.hasOwn(state.sockets, event.socketId) ? state.sockets[event.socketId] : undefined;
      if (socket && (socket.lastMessageAt === undefined || socket.lastMessageAt < event.lastMessageAt)) {
        next = { ...next, sockets: withSocket(state.sockets, event.socketId, { ...socket, lastMessageAt: event.lastMessageAt }) };
        const endpoint = requestKey(socket.url);
        const known = state.signalling.heartbeatEndpoints ?? [];
        if (!known.includes(endpoint)) {
          const heartbeatEndpoints = [...known, endpoint].slice(-MAX_HEARTBEAT_ENDPOINTS);
          next = { ...next, signalling: { ...next.signalling, heartbeatEndpoints } };
        }
      }
      const previous = state.signalling.lastMessageAt;
      if (previous === undefined || previous < event.lastMessageAt) {
        next = { ...next, signalling: { ...next.signalling, lastMessageAt: event.lastMessageAt } };
      }
      return next;
    }
    case 'org-switch':
      return {
        ...state,
        orgSwitch: {
          at: event.at,
          fromOrgId: event.fromOrgId,
          toOrgId: event.toOrgId,
          closedSockets: event.closedSockets,
          closedPeerConnections: event.closedPeerConnections,
        },
      };
    case 'http': {
      if (event.status !== 401 || !event.protected) return state;
      return { ...state, auth: { ...state.auth, last401At: event.at, last401Url: event.url } };
    }
    case 'token-needed':
    case 'ws-auth-refused':
      return { ...state, auth: { ...state.auth, last401At: event.at, last401Url: event.url } };
    case 'http-retry':
      // The auth counters are about fresh tokens; backoff retries are steps of HTTP incidents.
      if (event.reason !== 'unauthorized') return state;
      return {
        ...state,
        auth: {
          ...state.auth,
          retries: state.auth.retries + 1,
          retriesRecovered: state.auth.retriesRecovered + (event.outcome === 'recovered' ? 1 : 0),
        },
      };
    case 'pc-state': {
      const media: MediaView = {
        ...mediaFor(state.media, event.pcId),
        iceConnectionState: event.iceConnectionState,
        connectionState: event.connectionState,
        signalingState: event.signalingState,
      };
      const connected = withConnected(state.media.connectedPcIds ?? [], event);
      if (connected.length > 0) media.connectedPcIds = connected;
      else delete media.connectedPcIds;
      return { ...state, media };
    }
    case 'pc-stats': {
      const base = mediaFor(state.media, event.pcId);
      // A connection's byte counter only grows; the first sample of a connection counts as
      // growth when it is above zero (erring towards "a call is active", the safe side for reloads).
      const grew = event.inboundAudioBytes > (base.inboundAudioBytes ?? 0);
      return {
        ...state,
        media: {
          ...base,
          rttMs: event.rttMs,
          jitterMs: event.jitterMs,
          packetLossPct: event.packetLossPct,
          mos: event.mos,
          inboundAudioBytes: event.inboundAudioBytes,
          statsAt: event.at,
          ...(grew ? { inboundGrewAt: event.at } : {}),
        },
      };
    }
    case 'media-permission': {
      const media: MediaView = { ...state.media, micPermission: event.state };
      if (event.state === 'granted') delete media.micBlockedBy;
      return { ...state, media };
    }
    case 'gum':
    case 'media-reacquired': {
      const media: MediaView = { ...state.media };
      if (event.ok) delete media.lastGumError;
      else media.lastGumError = event.errorName ?? 'unknown error';
      if (event.ok && (event.type === 'media-reacquired' || event.audio)) delete media.micBlockedBy;
      return { ...state, media };
    }
    case 'mic-grant': {
      const media: MediaView = { ...state.media };
      if (event.outcome === 'ok') delete media.micBlockedBy;
      else if (event.outcome !== 'pending') media.micBlockedBy = MIC_BLOCKED_BY[event.outcome];
      return { ...state, media };
    }
    case 'media-reacquire':
      return state;
    case 'track-ended':
      return state;
    case 'refresh-started':
      return { ...state, refreshInFlight: true, auth: { ...state.auth, refreshCount: state.auth.refreshCount + 1 } };
    case 'refresh-succeeded': {
      const auth = { ...state.auth, lastRefreshAt: event.at, lastRefreshOutcome: 'ok' as const };
      delete auth.lastRefreshError;
      delete auth.signInRequired;
      delete auth.lastRefreshNote;
      if (event.expiresAt !== undefined) auth.tokenExpiresAt = event.expiresAt;
      return { ...state, refreshInFlight: false, auth };
    }
    case 'refresh-failed': {
      const auth = {
        ...state.auth,
        lastRefreshAt: event.at,
        lastRefreshOutcome: 'failed' as const,
        lastRefreshError: event.error,
        ...(event.signInRequired ? { signInRequired: true } : {}),
      };
      delete auth.lastRefreshNote;
      return { ...state, refreshInFlight: false, auth };
    }
    case 'refresh-ahead': {
      // A refresh of its own, not part of a 401's recovery: refreshInFlight stays as it is.
      const auth = {
        ...state.auth,
        lastRefreshAt: event.at,
        lastRefreshOutcome: event.outcome,
        lastRefreshNote: event.note,
        refreshCount: state.auth.refreshCount + 1,
      };
      if (event.outcome === 'ok') {
        delete auth.lastRefreshError;
        delete auth.signInRequired;
        if (event.expiresAt !== undefined) auth.tokenExpiresAt = event.expiresAt;
      } else {
        auth.lastRefreshError = event.error ?? 'refresh failed';
      }
      return { ...state, auth };
    }
    case 'document': {
      if (event.frameId === 0) {
        if (state.embedded === undefined) return state;
        const { embedded: _gone, ...rest } = state;
        return rest;
      }
      const embedded = { frameId: event.frameId, ...(event.embedderOrigin === undefined ? {} : { embedderOrigin: event.embedderOrigin }) };
      const same = state.embedded?.frameId === embedded.frameId && state.embedded.embedderOrigin === embedded.embedderOrigin;
      return same ? state : { ...state, embedded };
    }
    case 'worker-started':
      return { ...state, workers: withWorker(state.workers ?? [], event) };
    case 'safe-reload':
    case 'reload-deferred':
    case 'stall-close-requested':
    case 'extension-update':
    case 'tick':
      return state;
  }
}

/** `workers` with the one a `worker-started` names moved to the end (newest), at most {@link MAX_WORKERS}. */
function withWorker(workers: readonly WorkerView[], event: Extract<PageObservation, { type: 'worker-started' }>): WorkerView[] {
  const same = (w: WorkerView): boolean => w.kind === event.kind && w.url === event.url && w.name === event.name;
  const entry: WorkerView = { kind: event.kind, url: event.url, ...(event.name === undefined ? {} : { name: event.name }), at: event.at };
  return [...workers.filter((w) => !same(w)), entry].slice(-MAX_WORKERS);
}
