/**
 * The page boundary: messages between the MAIN-world probe and the ISOLATED-world relay, on
 * the `MessagePort` the probe hands the relay at document_start (extension/page/handshake.ts):
 * arrays of observations ({@link MAX_PAGE_BATCH}) one way, commands in a tagged, versioned
 * envelope the other.
 *
 * The page is hostile: no page script can reach the port, but the probe runs in the page's
 * world, whose globals a page may alter. Every message is checked on receipt (the relay gates
 * observations by hand — type, rate, size, times: src/protocol/admit.ts — and the worker parses
 * each with these schemas, src/protocol/port.ts; the probe checks commands by hand with the same
 * rules, extension/page/command-check.ts), every string and array is bounded, and nothing in a
 * message chooses a URL, a storage key or an endpoint on the extension side.
 *
 * Times (`at`) are epoch milliseconds from the page's `Date.now()`; durations are ms.
 */
import { z } from 'zod';

// The constants and the observation type list live in a schema-free module the relay reads too.
import { MAX_PAGE_BATCH, MAX_PAGE_MESSAGE_BYTES, PAGE_CHANNEL, PAGE_OBSERVATION_TYPES, PAGE_PROTOCOL_VERSION } from './page-wire';
import type { PageObservationTypeName } from './page-wire';

export { MAX_PAGE_BATCH, MAX_PAGE_MESSAGE_BYTES, PAGE_CHANNEL, PAGE_OBSERVATION_TYPES, PAGE_PROTOCOL_VERSION };

const MAX_URL = 2048;
const MAX_TEXT = 256;

const at = z.number().finite().nonnegative();
const id = z.string().min(1).max(64);
const url = z.string().max(MAX_URL);
const text = z.string().max(MAX_TEXT);
const ms = z.number().finite().nonnegative().max(86_400_000);
/** A measurement that the browser may not have (null when absent). */
const metric = z.number().finite().nullable();

/** RTCIceConnectionState (W3C WebRTC §4.3.2). */
export const IceConnectionStateSchema = z.enum(['new', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed']);
/** RTCPeerConnectionState (W3C WebRTC §4.3.3). */
export const PeerConnectionStateSchema = z.enum(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed']);
/** RTCSignalingState (W3C WebRTC §4.3.1). */
export const SignalingStateSchema = z.enum([
  'stable',
  'have-local-offer',
  'have-remote-offer',
  'have-local-pranswer',
  'have-remote-pranswer',
  'closed',
]);
/** PermissionState of the `microphone` permission (W3C Permissions). */
export const PermissionStateSchema = z.enum(['granted', 'denied', 'prompt']);

/** The probe started in a document. */
export const HelloObservation = z.strictObject({
  type: z.literal('hello'),
  at,
  href: url,
  probeVersion: z.string().max(32),
});

/** The agent's identity, read from the configured identity response (default `/api/v2/users/me`). */
export const IdentityObservation = z.strictObject({
  type: z.literal('identity'),
  at,
  userId: z.string().min(1).max(MAX_TEXT),
  name: text.optional(),
  orgId: text.optional(),
});

/** A WebSocket reached OPEN. `url` may carry `access_token`: it is redacted on the extension side. */
export const WsOpenObservation = z.strictObject({
  type: z.literal('ws-open'),
  at,
  socketId: id,
  url,
  protocol: text,
});

/**
 * A WebSocket closed. Code 1006 (RFC 6455 §7.4.1) means the connection was lost without a
 * Close frame; `wasClean` is false for every abnormal close.
 */
export const WsCloseObservation = z.strictObject({
  type: z.literal('ws-close'),
  at,
  socketId: id,
  url,
  code: z.number().int().min(0).max(4999),
  reason: text,
  wasClean: z.boolean(),
  /**
   * Set when the probe itself closed the socket, on the worker's command: `stall` = no
   * heartbeat for longer than `watchdog.heartbeatTimeoutMs` (rung 3, `close-stalled-socket`;
   * code {@link STALL_CLOSE_CODE}); `org-switch` = the socket belonged to the organisation
   * the tab just left (code 1000).
   */
  closedBy: z.enum(['stall', 'org-switch']).optional(),
});

/**
 * Close code the probe uses on a socket it closes for a silent stall: 4000–4999 are for
 * private use (RFC 6455 §7.4.2). The page sees a close with this code (or, when the close
 * handshake cannot finish on the dead connection within {@link STALL_CLOSE_FALLBACK_MS}, a
 * synthetic close with 1006), so the app's own reconnect logic runs.
 */
export const STALL_CLOSE_CODE = 4000;
/** How long the probe waits for a stalled socket's close handshake before telling the page it closed, ms. */
export const STALL_CLOSE_FALLBACK_MS = 3000;

/** Incoming-message summary for an open socket, sent at most once per second per socket. */
export const WsActivityObservation = z.strictObject({
  type: z.literal('ws-activity'),
  at,
  socketId: id,
  messagesIn: z.number().int().nonnegative(),
  lastMessageAt: at,
});

/**
 * An HTTP exchange the probe saw complete (fetch or XHR). Sent for every failure (status 0 =
 * network error, or >= 400, including answers the page never saw because a retry replaced
 * them) and for every identity response. A success (2xx/3xx) on a protected request is sent
 * only when it can resolve an incident: the first after a failure of the same request key
 * (the URL without query and fragment), the first protected one after a protected 401,
 * `token-needed` or failed token retry, and otherwise at most once per second per request key
 * (src/limits/success-reports.ts). Other successes are not reported, to keep the channel quiet.
 */
export const HttpObservation = z.strictObject({
  type: z.literal('http'),
  at,
  requestId: id,
  /** `webrequest`: seen by the worker's `chrome.webRequest` observer, not by the probe (e.g. from a Worker). */
  transport: z.enum(['fetch', 'xhr', 'webrequest']),
  method: z.string().min(1).max(16),
  url,
  status: z.number().int().min(0).max(599),
  /** Time to the response, ms; 0 (unknown) for transport `webrequest`, which sees only a request's end. */
  durationMs: ms,
  protected: z.boolean(),
  /** `Retry-After` response header verbatim (RFC 9110 §10.2.3), when present. */
  retryAfter: text.optional(),
  /** Set when the page never saw this response because the probe replaced it by a retry. */
  hiddenFromPage: z.boolean().optional(),
  error: text.optional(),
  /**
   * Set when the status was worth a retry but the probe gave the page this answer instead:
   * `wait-too-long` = the wait the server asked for (`Retry-After`) would take the request's
   * backoff past 120 s (docs/architecture.md §3 rung 1, src/recovery/backoff.ts).
   */
  retryGivenUp: z.enum(['wait-too-long']).optional(),
  /**
   * Transport `webrequest` only: where the request came from, as the worker's observer tells
   * (src/session/types.ts `RequestReach`) — somewhere the probe cannot put a fresh token.
   */
  reach: z.enum(['worker', 'shared-worker', 'unhooked']).optional(),
});

/**
 * The probe transparently retried a request and the retry was answered; `status` and
 * `outcome` are the retry's. `reason`: `unauthorized` = sent again with a fresh token after a
 * 401 (rung 2); `backoff` = sent again after a retryable status (408/429/503 by default) and
 * its backoff wait (rung 1). A page request can be retried several times: one observation
 * per retry, all with the page request's `requestId`.
 */
export const HttpRetryObservation = z.strictObject({
  type: z.literal('http-retry'),
  at,
  requestId: id,
  transport: z.enum(['fetch', 'xhr']),
  method: z.string().min(1).max(16),
  url,
  reason: z.enum(['unauthorized', 'backoff']),
  status: z.number().int().min(0).max(599),
  outcome: z.enum(['recovered', 'failed']),
  durationMs: ms,
});

/**
 * A protected request got 401: the probe asks for a fresh bearer token (RFC 6750 §3.1
 * `invalid_token`). `tokenHash` is the first 16 hex digits of SHA-256 of the rejected token,
 * so the worker can tell "a token it already replaced" from "its latest token was rejected"
 * without ever receiving a token from the page.
 */
export const TokenNeededObservation = z.strictObject({
  type: z.literal('token-needed'),
  at,
  requestId: id,
  url,
  tokenHash: z.string().regex(/^[0-9a-f]{16}$/),
});

/** An RTCPeerConnection state change (any of the three states). */
export const PcStateObservation = z.strictObject({
  type: z.literal('pc-state'),
  at,
  pcId: id,
  iceConnectionState: IceConnectionStateSchema,
  connectionState: PeerConnectionStateSchema,
  signalingState: SignalingStateSchema,
});

/**
 * A compact `getStats()` summary of one peer connection, sent every poll interval while it
 * is connected. RTT from the nominated candidate pair or remote-inbound-rtp (ms), jitter from
 * inbound-rtp audio (ms), packet loss as a percentage of expected packets over the interval,
 * MOS from the simplified E-model (see src/quality/mos.ts).
 */
export const PcStatsObservation = z.strictObject({
  type: z.literal('pc-stats'),
  at,
  pcId: id,
  rttMs: metric,
  jitterMs: metric,
  packetLossPct: metric,
  mos: metric,
  inboundAudioBytes: z.number().nonnegative(),
  outboundAudioBytes: z.number().nonnegative(),
});

/** The microphone permission state, on start and on every change. */
export const MediaPermissionObservation = z.strictObject({
  type: z.literal('media-permission'),
  at,
  state: PermissionStateSchema,
});

/** A `getUserMedia` call finished; `errorName` is the DOMException name on failure. */
export const GetUserMediaObservation = z.strictObject({
  type: z.literal('gum'),
  at,
  ok: z.boolean(),
  audio: z.boolean(),
  video: z.boolean(),
  errorName: text.optional(),
});

/** A local capture track ended (device removed, permission revoked). */
export const TrackEndedObservation = z.strictObject({
  type: z.literal('track-ended'),
  at,
  kind: z.enum(['audio', 'video']),
});

/**
 * The answer to `reacquire-media` (docs/architecture.md §3 rung 4). The probe called the native
 * `getUserMedia({audio: true})` — only while the microphone permission is `granted`, so the
 * agent is never prompted — stopped the tracks at once, and re-enumerated the devices.
 * `errorName`: the DOMException name when it failed (`NotAllowedError` also when the
 * permission was not granted and no capture was tried). `audioInputs`: how many `audioinput`
 * devices `enumerateDevices()` listed afterwards. `reattached`: how many senders of a call in
 * progress that had lost their microphone got a fresh capture through `replaceTrack`
 * (extension/page/sender-reattach.ts); absent when none.
 */
export const MediaReacquiredObservation = z.strictObject({
  type: z.literal('media-reacquired'),
  at,
  ok: z.boolean(),
  errorName: text.optional(),
  audioInputs: z.number().int().min(0).max(1000),
  reattached: z.number().int().min(1).max(16).optional(),
});

/**
 * Seed 002: the tab started using another organisation. The identity response (configured
 * `identityRequestPattern`) named `toOrgId` while the document's previous identity was in
 * `fromOrgId`. Before the page saw that response, the probe closed (code 1000, `closedBy:
 * 'org-switch'`) every WebSocket opened before it whose `access_token` was not the new
 * identity's token, and `close()`d every peer connection created before it: the previous
 * organisation's signalling and media sessions, so they cannot collide with the new handshake.
 */
export const OrgSwitchObservation = z.strictObject({
  type: z.literal('org-switch'),
  at,
  fromOrgId: text,
  toOrgId: text,
  closedSockets: z.number().int().min(0).max(1000),
  closedPeerConnections: z.number().int().min(0).max(1000),
});

/** Every observation the probe may send; the relay forwards nothing else. */
/**
 * The page started a dedicated Worker or a SharedWorker (docs/architecture.md §2 "Frames and
 * workers"): the probe sees none of a worker's requests or sockets, the worker's webRequest
 * observer does, and attributes them to the session of the document that started it. `url`
 * is the script URL resolved against the document (redacted on the extension side); `name`
 * the name the page gave it (`new SharedWorker(url, name)` or `{name}`), which with the URL
 * tells SharedWorkers apart.
 */
export const WorkerStartedObservation = z.strictObject({
  type: z.literal('worker-started'),
  at,
  kind: z.enum(['worker', 'shared-worker']),
  url,
  name: text.optional(),
});

/**
 * The server refused the credentials a socket carried in one of its token carriers
 * (src/recovery/token-carriers.ts): a SASL `<failure>`, an incoming frame or a close naming auth
 * (`via`), reported by the probe; or an HTTP 401 on the socket's upgrade (`upgrade`), which only
 * the worker sees (extension/background/web-request-observer.ts; `socketId` is then `wr-<requestId>`). Counts as a 401 on the socket's URL (docs/architecture.md §3 rung 2): with a refresh
 * strategy a `token-needed` follows; without one, the 401 incident leads to a safe reload.
 * `reason`: the refusal's words, cut to {@link MAX_TEXT} (redacted on the extension side).
 */
export const WsAuthRefusedObservation = z.strictObject({
  type: z.literal('ws-auth-refused'),
  at,
  socketId: id,
  url,
  via: z.enum(['sasl-failure', 'message', 'close', 'upgrade']),
  reason: text,
});

export const PageObservationSchema = z.discriminatedUnion('type', [
  HelloObservation,
  IdentityObservation,
  WsOpenObservation,
  WsCloseObservation,
  WsActivityObservation,
  HttpObservation,
  HttpRetryObservation,
  TokenNeededObservation,
  PcStateObservation,
  PcStatsObservation,
  MediaPermissionObservation,
  GetUserMediaObservation,
  TrackEndedObservation,
  MediaReacquiredObservation,
  OrgSwitchObservation,
  WorkerStartedObservation,
  WsAuthRefusedObservation,
]);
export type PageObservation = z.infer<typeof PageObservationSchema>;
export type PageObservationType = PageObservation['type'];
/** Holds ./page-wire.ts `PAGE_OBSERVATION_TYPES` equal to the union's types, both ways (a type error otherwise). */
const observationTypesMatch: [PageObservationType] extends [PageObservationTypeName]
  ? [PageObservationTypeName] extends [PageObservationType]
    ? true
    : false
  : false = true;
void observationTypesMatch;

/** The retry settings the probe applies; bounds as in src/policy/probe-config.ts. */
export const ProbeRetrySchema = z.strictObject({
  /** Backoff base, ms. */
  baseDelayMs: z.number().int().min(0).max(120_000),
  /** Backoff cap, ms (at most the 120 s bound of a request's total wait). */
  maxDelayMs: z.number().int().min(0).max(120_000),
  /** Retries per page request at most. */
  maxAttempts: z.number().int().min(0).max(10),
  /** Statuses worth a retry. */
  statuses: z.array(z.number().int().min(100).max(599)).max(32),
});
export type ProbeRetry = z.infer<typeof ProbeRetrySchema>;

/**
 * Probe configuration pushed by the worker when the relay connects and on every change.
 * Patterns are URL globs where `*` matches any run of characters (see src/match/url-glob.ts).
 */
export const ConfigCommand = z.strictObject({
  type: z.literal('config'),
  protectedRequestPatterns: z.array(z.string().max(MAX_URL)).max(64),
  identityRequestPattern: z.string().max(MAX_URL),
  identityFields: z.strictObject({ id: text, name: text, org: text }),
  statsIntervalMs: z.number().int().min(250).max(60_000),
  /** False when `tokenRefresh.strategy` is `off` or `reload-when-idle`: 401s are reported only. */
  tokenRefresh: z.boolean(),
  /** How long a 401'd request waits for a fresh token before the page gets the 401, ms. */
  tokenWaitMs: z.number().int().min(100).max(60_000),
  /**
   * Transparent retry with backoff (`config.retry`, docs/architecture.md §3 rung 1) of protected,
   * idempotent requests. Absent: the probe's built-in defaults (base 1 s, cap 30 s,
   * 4 retries, on 408/429/503). `maxAttempts` 0 turns it off.
   */
  retry: ProbeRetrySchema.optional(),
  /**
   * The document's token audience (docs/architecture.md §3 rung 2, src/recovery/token-audience.ts):
   * origins in match-pattern host syntax, resolved by the worker for this document — its own
   * origin, the refresh and token endpoints' origins, `tokenRefresh.audience`. Only requests
   * to these origins are protected, substituted and read for the identity. Absent: the
   * probe's own document origin alone.
   */
  tokenAudience: z.array(z.string().max(MAX_URL)).max(64).optional(),
  /**
   * `tokenAudience` compiled by the worker (src/match/audience-match.ts): one anchored
   * regular-expression source per usable origin, over the key `scheme://host:port` that
   * src/match/origin-key.ts builds of a URL. The probe tests only this. Absent: the probe's own
   * document origin alone.
   */
  tokenAudienceMatch: z.array(z.string().max(MAX_URL)).max(64).optional(),
  /**
   * Where the softphone carries its token (`tokenCarriers`, src/recovery/token-carriers.ts),
   * checked by the worker at policy resolution (src/policy/token-carrier-check.ts). Absent: the
   * `Authorization: Bearer` header and the `access_token` query parameter (RFC 6750 §2.1, §2.3).
   */
  tokenCarriers: z
    .array(
      z.union([
        z.strictObject({ type: z.literal('header'), name: text, scheme: text.optional() }),
        z.strictObject({ type: z.literal('query'), name: text }),
        z.strictObject({ type: z.literal('ws-message'), pattern: z.string().max(1024) }),
        z.strictObject({ type: z.literal('ws-message'), format: z.literal('xmpp-sasl-plain'), prefix: text }),
      ]),
    )
    .max(16)
    .optional(),
});

/**
 * A fresh bearer token for this tab's identity. The probe substitutes it for every token it
 * saw rejected (Authorization header and `access_token` query parameter, RFC 6750 §2.1/§2.3).
 * `requestId` answers a `token-needed`; absent when pushed to every tab of the identity.
 */
export const TokenCommand = z.strictObject({
  type: z.literal('token'),
  requestId: id.optional(),
  accessToken: z.string().min(1).max(8192),
  /** Epoch ms when the token expires, when the token endpoint said (`expires_in`). */
  expiresAt: at.optional(),
  /**
   * A token the server refused where the probe could not see the refusal: the worker saw an
   * HTTP 401 on a WebSocket upgrade whose URL carried it (extension/background/web-request-observer.ts).
   * The probe marks it stale, so the softphone's next attempt with it carries `accessToken`.
   */
  replaces: z.string().min(1).max(8192).optional(),
});

/** No fresh token could be had; the probe hands the original 401 to the page. */
export const TokenFailedCommand = z.strictObject({
  type: z.literal('token-failed'),
  requestId: id,
  reason: text,
});

/**
 * Rung 4 (docs/architecture.md §3): the microphone was lost and its permission is granted (again). The
 * probe re-primes the native `getUserMedia` (audio only, tracks stopped at once), re-enumerates
 * the devices, dispatches `devicechange` so the app re-reads them, and answers with
 * `media-reacquired`.
 */
export const ReacquireMediaCommand = z.strictObject({
  type: z.literal('reacquire-media'),
});

/**
 * Rung 3 (docs/architecture.md §3), silent stall: the socket is OPEN but nothing arrived on it for longer
 * than `watchdog.heartbeatTimeoutMs`, and the grace (`reconnectGraceMs`) passed without a
 * message. The probe closes it (code {@link STALL_CLOSE_CODE}) so the app reconnects by its
 * own logic; the `ws-close` it then posts carries `closedBy: 'stall'`. Unknown or already
 * closed `socketId`: ignored.
 */
export const CloseStalledSocketCommand = z.strictObject({
  type: z.literal('close-stalled-socket'),
  socketId: id,
  /** Seconds without a message, for the close reason the page sees. */
  silentSeconds: z.number().int().min(0).max(86_400),
});

/** Every command the extension may send to the probe. */
export const PageCommandSchema = z.discriminatedUnion('type', [
  ConfigCommand,
  TokenCommand,
  TokenFailedCommand,
  ReacquireMediaCommand,
  CloseStalledSocketCommand,
]);
export type PageCommand = z.infer<typeof PageCommandSchema>;
export type ProbeConfig = z.infer<typeof ConfigCommand>;

/** The envelope of commands on the probe's port. `dir` keeps each side from reading its own posts. */
export const PageEnvelopeSchema = z.strictObject({
  channel: z.literal(PAGE_CHANNEL),
  v: z.literal(PAGE_PROTOCOL_VERSION),
  dir: z.enum(['to-ext', 'to-page']),
  msg: z.unknown(),
});
export type PageEnvelope = z.infer<typeof PageEnvelopeSchema>;
