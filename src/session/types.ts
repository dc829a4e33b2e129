/**
 * The state of one monitored softphone tab, as the health reducer keeps it and the popup
 * shows it. Plain data (structured-clone safe, JSON safe): it is persisted to IndexedDB and
 * sent to the popup as is. All times are epoch ms; every URL in here is already redacted.
 */

/** Worst-first ordering is given by {@link HEALTH_ORDER}. */
export type Health = 'healthy' | 'degraded' | 'recovering' | 'down';

/** Health from best to worst; the toolbar badge shows the worst across sessions. */
export const HEALTH_ORDER: readonly Health[] = ['healthy', 'degraded', 'recovering', 'down'];

/** The agent the session belongs to, from the identity response. */
export interface AgentIdentity {
  userId: string;
  name?: string;
  orgId?: string;
}

/** Signalling (notification WebSocket) as last observed. */
export interface SignallingView {
  /** `none` before any socket was seen. */
  state: 'none' | 'open' | 'closed';
  /** Sockets currently open in the tab. */
  openSockets: number;
  /** Redacted URL of the most recent socket. */
  url?: string;
  lastOpenAt?: number;
  lastClose?: { at: number; code: number; reason: string; wasClean: boolean };
  /** Last incoming message on any open socket (heartbeat age = now − this). */
  lastMessageAt?: number;
  /**
   * Socket endpoints (redacted URL without query, `requestKey`) that carried incoming messages
   * in this tab, oldest first, at most {@link MAX_HEARTBEAT_ENDPOINTS}: a later socket to one
   * of them is expected to hear a heartbeat even before its first message.
   */
  heartbeatEndpoints?: string[];
}

/** How many heartbeat-bearing socket endpoints a session remembers. */
export const MAX_HEARTBEAT_ENDPOINTS = 8;

/** Media (peer connection and microphone) as last observed. */
export interface MediaView {
  pcId?: string;
  iceConnectionState?: string;
  connectionState?: string;
  signalingState?: string;
  rttMs?: number | null;
  jitterMs?: number | null;
  packetLossPct?: number | null;
  mos?: number | null;
  inboundAudioBytes?: number;
  /** When `inboundAudioBytes` last grew (a call is active while this is recent). */
  inboundGrewAt?: number;
  /**
   * The document's peer connections whose latest `pc-state` said connected (any of them,
   * not only the one the view points at); absent when none. A call is active while one is.
   */
  connectedPcIds?: string[];
  statsAt?: number;
  micPermission?: 'granted' | 'denied' | 'prompt';
  lastGumError?: string;
  /**
   * Why the microphone stays blocked although rung 4 exists: `policy` = configuration
   * (`media.grantMicrophone: false`) forbids touching the content setting; `not-monitored` =
   * the page is not a configured softphone page; `browser` = the setting could not be changed,
   * or changing it did not unblock the page; `limit` = it was restored too often within the
   * hour. Cleared when the permission is granted again.
   */
  micBlockedBy?: 'policy' | 'not-monitored' | 'browser' | 'limit' | 'embedded';
}

/** Authentication as last observed. Never holds a token. */
export interface AuthView {
  last401At?: number;
  /** Redacted URL of the last request that got 401. */
  last401Url?: string;
  lastRefreshAt?: number;
  lastRefreshOutcome?: 'ok' | 'failed';
  lastRefreshError?: string;
  /** Why the last refresh was made ahead of time (no 401), e.g. `Refreshed ahead of Mon 06:00 America/Chicago`. */
  lastRefreshNote?: string;
  /** The last refresh failed in a way only an interactive sign-in can fix. */
  signInRequired?: boolean;
  /** Epoch ms when the current token expires, when known. */
  tokenExpiresAt?: number;
  refreshCount: number;
  /** Requests the probe retried transparently, and how many the page saw succeed. */
  retries: number;
  retriesRecovered: number;
}

/** What a detected problem was. */
export type IncidentKind =
  | 'abnormal-close'
  /** An open socket received nothing for longer than `watchdog.heartbeatTimeoutMs` (one per socket). */
  | 'signalling-stalled'
  | 'unauthorized'
  | 'rate-limited'
  | 'request-timeout'
  | 'server-error'
  | 'ice-failed'
  | 'permission-lost'
  | 'track-ended';

/** One thing the extension did about an incident. */
export interface RecoveryStep {
  at: number;
  /** `stall-close`: rung 3 asked the probe to close a silent socket so the app reconnects. */
  action: 'token-refresh' | 'request-retry' | 'app-reconnected' | 'stall-close' | 'safe-reload' | 'mic-grant' | 'media-reacquire' | 'none';
  outcome: 'pending' | 'ok' | 'failed';
  detail?: string;
}

/** A detected problem and what was done about it. */
export interface Incident {
  /** Unique across sessions: `${tabId}:${seq}`. */
  id: string;
  tabId: number;
  kind: IncidentKind;
  openedAt: number;
  /** When the latest observation was folded into this incident (recurrence timeouts count from here). */
  lastSeenAt?: number;
  /** Set when health for this cause came back. */
  resolvedAt?: number;
  /** One plain sentence for the popup, e.g. "WebSocket closed abnormally (1006)". */
  summary: string;
  detail: {
    code?: number;
    status?: number;
    url?: string;
    reason?: string;
    retryAfter?: string;
    /** The page's id of the socket a `signalling-stalled` incident is about (its cause key). */
    socketId?: string;
    /** On an abnormal-close: `stall` = the extension closed the silent socket itself (rung 3). */
    closedBy?: 'stall';
    /** How many observations were folded into this incident while it was open. */
    count?: number;
    /**
     * On an `unauthorized` incident: the request came from where the probe cannot put a fresh
     * token — the softphone's dedicated `worker`, its `shared-worker`, or elsewhere outside the
     * page's hooks (`unhooked`), as the worker's webRequest observer saw it. Only rung 5 is left.
     */
    outOfReach?: RequestReach;
    /**
     * On an `unauthorized` incident a socket opened: how the socket's credentials were refused
     * (src/protocol/page.ts `ws-auth-refused` `via`). After `upgrade` the socket's own reopening
     * ends the incident.
     */
    socketRefusal?: 'sasl-failure' | 'message' | 'close' | 'upgrade';
  };
  steps: RecoveryStep[];
}

/** One open socket of the tab. */
export interface SocketView {
  /** Redacted URL. */
  url: string;
  /** Epoch ms of `ws-open`. */
  openedAt: number;
  /** Epoch ms of the last incoming message (`ws-activity`); absent while it never received one. */
  lastMessageAt?: number;
}

/**
 * The tab's last organisation switch (seed 002, `org-switch` observation): the probe closed
 * the previous organisation's sockets and peer connections before the new sign-in went on.
 */
export interface OrgSwitchView {
  /** Epoch ms of the switch. */
  at: number;
  fromOrgId: string;
  toOrgId: string;
  /** WebSockets of `fromOrgId` the probe closed (code 1000). */
  closedSockets: number;
  /** Peer connections of `fromOrgId` the probe closed. */
  closedPeerConnections: number;
}

/**
 * Where a request the probe did not see came from (the webRequest observer's verdict):
 * `worker` = a dedicated Worker of the document (Chromium reports its requests with the
 * document's tab and frame); `shared-worker` = a SharedWorker (reported with no tab, by its
 * initiator origin); `unhooked` = the document's tab and frame, but not through the probe's
 * hooks (a service worker, a script that kept the native `fetch`).
 */
export type RequestReach = 'worker' | 'shared-worker' | 'unhooked';

/** A softphone embedded in another site's page (a subframe), as its relay's port named it. */
export interface EmbeddingView {
  /** The frame's id in its tab (never 0). */
  frameId: number;
  /** Origin of the top-level page that embeds the softphone (a CRM), when known; never its path. */
  embedderOrigin?: string;
}

/** A Worker or SharedWorker a document of the session started (`worker-started`). */
export interface WorkerView {
  kind: 'worker' | 'shared-worker';
  /** Redacted script URL. */
  url: string;
  /** The name the page gave it (`new SharedWorker(url, name)`), when any. */
  name?: string;
  /** Epoch ms it was last seen started. */
  at: number;
}

/** How many workers a session remembers (the newest). */
export const MAX_WORKERS = 8;

/**
 * Everything the reducer keeps for one softphone document's place: a tab, or a frame of a tab.
 */
export interface SessionState {
  /**
   * The session key (src/session/session-key.ts): the tab id for a top-level softphone, a
   * negative number naming tab and frame for an embedded one. Named `tabId` because that is
   * what it was when only top-level tabs were monitored, in the store and the export.
   */
  tabId: number;
  /** Set when the softphone is embedded in another site's page; absent for a top-level one. */
  embedded?: EmbeddingView;
  /** Workers the session's documents started, oldest first, at most {@link MAX_WORKERS}. */
  workers?: WorkerView[];
  /** Redacted page URL. */
  href?: string;
  agent?: AgentIdentity;
  health: Health;
  /** One sentence: what is wrong and what is being done, or that all is well. */
  healthReason: string;
  signalling: SignallingView;
  media: MediaView;
  auth: AuthView;
  /** Most recent first, at most {@link MAX_INCIDENTS_IN_STATE}. */
  incidents: Incident[];
  /** Open sockets by id: to count them, attribute closes and time each one's silence. */
  sockets: Record<string, SocketView>;
  /** The last organisation switch in this tab, if any. */
  orgSwitch?: OrgSwitchView;
  /** Token refreshes in flight for this tab's identity. */
  refreshInFlight: boolean;
  /** Sequence for incident ids. */
  nextIncidentSeq: number;
  startedAt: number;
  updatedAt: number;
  /** Set by the worker when the tab closed; the reducer leaves it alone. */
  endedAt?: number;
}

/** Incidents kept inline in the state; older ones live only in the event store. */
export const MAX_INCIDENTS_IN_STATE = 20;

/**
 * Why rung 5 reloads a tab: signalling not back within twice the grace; a 401 that fresh tokens
 * did not fix; a protected request whose retries all failed and that nothing fixed since.
 */
export type ReloadCause = 'signalling-not-recovered' | 'token-not-recovered' | 'request-not-recovered';

/** What a safe reload reloads (see the `safe-reload` event). */
export type ReloadScope = 'tab' | 'frame' | 'shared-worker';

/** Events the worker itself feeds to the reducer, alongside page observations. */
export type WorkerEvent =
  | { type: 'refresh-started'; at: number }
  | { type: 'refresh-succeeded'; at: number; expiresAt?: number }
  /** `signInRequired`: every configured token strategy failed; only an interactive sign-in helps. */
  | { type: 'refresh-failed'; at: number; error: string; signInRequired?: boolean }
  /**
   * Rung 5: the worker reloaded the tab (no call was active). `incidentId`: the incident that
   * called for it (absent from older stored events: the cause's kind then finds it).
   */
  | {
      type: 'safe-reload';
      at: number;
      cause: ReloadCause;
      incidentId?: string;
      /**
       * What was reloaded: the `tab`, the softphone's `frame` only (embedded), or every page
       * that shares the softphone's SharedWorker (`shared-worker`, `pages` of them). Absent
       * in older stored events: the tab.
       */
      scope?: ReloadScope;
      pages?: number;
    }
  /**
   * The relay of a document of the session connected: where it lives. `embedderOrigin` for a
   * subframe (the top-level page's origin), absent for a top-level softphone.
   */
  | { type: 'document'; at: number; frameId: number; embedderOrigin?: string }
  /** Rung 5 was due but not allowed: a call is active, the hourly limit is reached, or reloads are disabled. */
  | { type: 'reload-deferred'; at: number; reason: 'call-active' | 'hourly-limit' | 'disabled'; cause: ReloadCause; incidentId?: string }
  /**
   * Rung 3, silent stall: the worker sent `close-stalled-socket` for `socketId`, silent for
   * `silentSeconds` (s); the probe's `ws-close` with `closedBy: 'stall'` follows.
   */
  | { type: 'stall-close-requested'; at: number; socketId: string; silentSeconds: number }
  /**
   * Prevention (docs/architecture.md §3): the worker refreshed the token before anything was rejected and
   * pushed it to the tab; `note` says what it was ahead of (`Refreshed ahead of …`).
   */
  | { type: 'refresh-ahead'; at: number; outcome: 'ok' | 'failed'; note: string; expiresAt?: number; error?: string }
  /**
   * Rung 4: what became of the softphone origin's microphone content setting. `pending` = the
   * worker is changing it (sent before it asks the browser); `ok` = set back to allow; `failed` = the browser refused, or the page stayed blocked (`detail` says how);
   * `not-allowed` = configuration (`media.grantMicrophone: false`) forbids touching it;
   * `not-monitored` = the page is not in `softphoneUrlPatterns`, so its setting is not the
   * extension's to change; `limited` = restored too often within the hour, left alone;
   * `embedded` = the softphone is in a frame of another site's page, whose microphone
   * permission is that page's (Chrome's permission delegation, `allow="microphone"`): the
   * softphone origin's setting does not decide it, and the embedding site is nobody's to change.
   */
  | {
      type: 'mic-grant';
      at: number;
      outcome: 'pending' | 'ok' | 'failed' | 'not-allowed' | 'not-monitored' | 'limited' | 'embedded';
      detail?: string;
    }
  /** Rung 4: the worker asked the probe to re-acquire the microphone (`reacquire-media`); the probe answers `media-reacquired`. */
  | { type: 'media-reacquire'; at: number }
  /**
   * A downloaded extension update and this session's document (src/recovery/update-apply.ts):
   * `deferred` — it waits because this session has a call in progress; `applying` — it is being
   * applied now, and the document will be reloaded after the restart; `reattached` — the new
   * version reloaded the document, which is monitored again; `reattach-failed` — the document
   * was gone; `reattach-skipped` — reloads are disabled (`safeReload.enabled: false`), so the
   * document stays unmonitored until it is reloaded. `version`: the update's version
   * (`deferred`, `applying`) or the running one.
   */
  | {
      type: 'extension-update';
      at: number;
      phase: 'deferred' | 'applying' | 'reattached' | 'reattach-failed' | 'reattach-skipped';
      version: string;
    }
  | { type: 'tick'; at: number };

/**
 * Every {@link WorkerEvent} type, at run time (tests tell stored worker events from page
 * observations with it). The `satisfies` clause fails to compile when a type is added to the
 * union and not here, or named here and not in the union.
 */
export const WORKER_EVENT_TYPES = [
  'refresh-started',
  'refresh-succeeded',
  'refresh-failed',
  'safe-reload',
  'document',
  'reload-deferred',
  'stall-close-requested',
  'refresh-ahead',
  'mic-grant',
  'media-reacquire',
  'extension-update',
  'tick',
] as const satisfies readonly WorkerEvent['type'][];
type MissingWorkerEventType = Exclude<WorkerEvent['type'], (typeof WORKER_EVENT_TYPES)[number]>;
/** Compile-time check that {@link WORKER_EVENT_TYPES} names every worker event type. */
export const WORKER_EVENT_TYPES_COMPLETE: MissingWorkerEventType extends never ? true : never = true;
