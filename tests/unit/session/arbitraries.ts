/**
 * fast-check generators of schema-valid events: every page observation type with values
 * drawn to hit the interesting cases (small id pools so opens and closes meet, Object.prototype
 * names as ids, boundary codes and statuses, nulls in metrics), plus the worker events.
 */
import fc from 'fast-check';
import type { PageObservation } from '../../../src/protocol/page';
import type { SessionEvent } from '../../../src/session/reducer';
import type { WorkerEvent } from '../../../src/session/types';

const id = fc.oneof(
  fc.constantFrom('s1', 's2', 's3', 'pc1', 'pc2', '__proto__', 'constructor', 'toString'),
  fc.string({ minLength: 1, maxLength: 64 }),
);
const url = fc.oneof(
  fc.constantFrom(
    'https://h.test/api/v2/presence/users/u',
    'https://h.test/api/v2/presence/users/u?x=1',
    'https://h.test/api/v2/communications/webRTC',
    'wss://h.test/ch?access_token=[redacted]',
    '',
    '?',
    '#',
  ),
  fc.string({ maxLength: 2048 }),
);
const text = fc.string({ maxLength: 256 });
const metric = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { nil: null });
const bytes = fc.oneof(fc.constantFrom(0, 1, 1000), fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e12 }));
const status = fc.oneof(fc.constantFrom(0, 200, 204, 304, 401, 408, 429, 500, 503), fc.integer({ min: 0, max: 599 }));
const method = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE');
const transport = fc.constantFrom('fetch' as const, 'xhr' as const);
const ice = fc.constantFrom('new', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed' as const);
const conn = fc.constantFrom('new', 'connecting', 'connected', 'disconnected', 'failed', 'closed' as const);
const sig = fc.constantFrom(
  'stable',
  'have-local-offer',
  'have-remote-offer',
  'have-local-pranswer',
  'have-remote-pranswer',
  'closed' as const,
);

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;
type Body = WithoutAt<PageObservation> | WithoutAt<WorkerEvent>;

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), href: url, probeVersion: fc.string({ maxLength: 32 }) }),
  fc.record(
    {
      type: fc.constant('identity' as const),
      userId: fc.string({ minLength: 1, maxLength: 256 }),
      name: text,
      orgId: text,
    },
    { requiredKeys: ['type', 'userId'] },
  ),
  fc.record({ type: fc.constant('ws-open' as const), socketId: id, url, protocol: text }),
  fc.record(
    {
      type: fc.constant('ws-close' as const),
      socketId: id,
      url,
      code: fc.oneof(fc.constantFrom(1000, 1001, 1005, 1006, 1011, 4000), fc.integer({ min: 0, max: 4999 })),
      reason: text,
      wasClean: fc.boolean(),
      closedBy: fc.constantFrom('stall' as const, 'org-switch' as const),
    },
    { requiredKeys: ['type', 'socketId', 'url', 'code', 'reason', 'wasClean'] },
  ),
  fc.record({
    type: fc.constant('org-switch' as const),
    fromOrgId: text,
    toOrgId: text,
    closedSockets: fc.integer({ min: 0, max: 1000 }),
    closedPeerConnections: fc.integer({ min: 0, max: 1000 }),
  }),
  fc.record({
    type: fc.constant('ws-activity' as const),
    socketId: id,
    messagesIn: fc.nat(),
    lastMessageAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  }),
  fc.record(
    {
      type: fc.constant('http' as const),
      requestId: id,
      transport,
      method,
      url,
      status,
      durationMs: fc.integer({ min: 0, max: 86_400_000 }),
      protected: fc.boolean(),
      retryAfter: text,
      hiddenFromPage: fc.boolean(),
      error: text,
      retryGivenUp: fc.constant('wait-too-long' as const),
      reach: fc.constantFrom('worker' as const, 'shared-worker' as const, 'unhooked' as const),
    },
    { requiredKeys: ['type', 'requestId', 'transport', 'method', 'url', 'status', 'durationMs', 'protected'] },
  ),
  fc.record({
    type: fc.constant('ws-auth-refused' as const),
    socketId: id,
    url,
    via: fc.constantFrom('sasl-failure' as const, 'message' as const, 'close' as const, 'upgrade' as const),
    reason: text,
  }),
  fc.record(
    { type: fc.constant('worker-started' as const), kind: fc.constantFrom('worker' as const, 'shared-worker' as const), url, name: text },
    { requiredKeys: ['type', 'kind', 'url'] },
  ),
  fc.record({
    type: fc.constant('http-retry' as const),
    requestId: id,
    transport,
    method,
    url,
    reason: fc.constantFrom('unauthorized' as const, 'backoff' as const),
    status,
    outcome: fc.constantFrom('recovered' as const, 'failed' as const),
    durationMs: fc.integer({ min: 0, max: 86_400_000 }),
  }),
  fc.record({
    type: fc.constant('token-needed' as const),
    requestId: id,
    url,
    tokenHash: fc.constantFrom('0123456789abcdef', 'ffffffffffffffff'),
  }),
  fc.record({
    type: fc.constant('pc-state' as const),
    pcId: id,
    iceConnectionState: ice,
    connectionState: conn,
    signalingState: sig,
  }),
  fc.record({
    type: fc.constant('pc-stats' as const),
    pcId: id,
    rttMs: metric,
    jitterMs: metric,
    packetLossPct: metric,
    mos: metric,
    inboundAudioBytes: bytes,
    outboundAudioBytes: bytes,
  }),
  fc.record({ type: fc.constant('media-permission' as const), state: fc.constantFrom('granted', 'denied', 'prompt' as const) }),
  fc.record(
    {
      type: fc.constant('gum' as const),
      ok: fc.boolean(),
      audio: fc.boolean(),
      video: fc.boolean(),
      errorName: fc.oneof(fc.constantFrom('NotAllowedError', 'NotFoundError', 'PermissionDeniedError'), text),
    },
    { requiredKeys: ['type', 'ok', 'audio', 'video'] },
  ),
  fc.record({ type: fc.constant('track-ended' as const), kind: fc.constantFrom('audio' as const, 'video' as const) }),
  fc.record(
    { type: fc.constant('media-reacquired' as const), ok: fc.boolean(), errorName: text, audioInputs: fc.integer({ min: 0, max: 1000 }) },
    { requiredKeys: ['type', 'ok', 'audioInputs'] },
  ),
  fc.record(
    {
      type: fc.constant('mic-grant' as const),
      outcome: fc.constantFrom(
        'ok' as const,
        'failed' as const,
        'not-allowed' as const,
        'not-monitored' as const,
        'limited' as const,
        'embedded' as const,
      ),
      detail: fc.string({ maxLength: 1000 }),
    },
    { requiredKeys: ['type', 'outcome'] },
  ),
  fc.record({ type: fc.constant('media-reacquire' as const) }),
  fc.record(
    {
      type: fc.constant('document' as const),
      frameId: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 22 - 1 })),
      embedderOrigin: url,
    },
    { requiredKeys: ['type', 'frameId'] },
  ),
  fc.record({ type: fc.constant('stall-close-requested' as const), socketId: id, silentSeconds: fc.integer({ min: 0, max: 86_400 }) }),
  fc.record(
    {
      type: fc.constant('safe-reload' as const),
      cause: fc.constantFrom('signalling-not-recovered' as const, 'token-not-recovered' as const, 'request-not-recovered' as const),
      incidentId: fc.constantFrom('7:1', '7:2', '7:3', 'nope'),
      scope: fc.constantFrom('tab' as const, 'frame' as const, 'shared-worker' as const),
      pages: fc.integer({ min: 1, max: 10 }),
    },
    { requiredKeys: ['type', 'cause'] },
  ),
  fc.record(
    {
      type: fc.constant('reload-deferred' as const),
      reason: fc.constantFrom('call-active' as const, 'hourly-limit' as const, 'disabled' as const),
      cause: fc.constantFrom('signalling-not-recovered' as const, 'token-not-recovered' as const, 'request-not-recovered' as const),
      incidentId: fc.constantFrom('7:1', '7:2', '7:3', 'nope'),
    },
    { requiredKeys: ['type', 'reason', 'cause'] },
  ),
  fc.record({ type: fc.constant('refresh-started' as const) }),
  fc.record(
    { type: fc.constant('refresh-succeeded' as const), expiresAt: fc.integer({ min: 0, max: 4_000_000_000_000 }) },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('refresh-failed' as const), error: fc.string({ maxLength: 1000 }) }),
  fc.record({ type: fc.constant('tick' as const) }),
);

/**
 * A sequence of events whose times mostly move forward (steps of 0 ms to 2 min, sometimes
 * backwards by up to 5 s, never below 0), starting anywhere in epoch-ms range.
 */
export const eventSequence: fc.Arbitrary<SessionEvent[]> = fc
  .tuple(
    fc.integer({ min: 0, max: 2_000_000_000_000 }),
    fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: -5_000, max: 0 })), body), {
      maxLength: 120,
    }),
  )
  .map(([start, steps]) => {
    let at = start;
    return steps.map(([delta, b]) => {
      at = Math.max(0, at + delta);
      return { ...b, at } as SessionEvent;
    });
  });

/** Watchdog thresholds as the config schema allows them (non-negative integers, ms). */
export const reducerContext = fc.record({
  reconnectGraceMs: fc.oneof(fc.constantFrom(0, 10_000), fc.integer({ min: 0, max: 600_000 })),
  heartbeatTimeoutMs: fc.oneof(fc.constantFrom(0, 30_000), fc.integer({ min: 0, max: 600_000 })),
});
