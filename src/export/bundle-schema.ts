/**
 * The diagnostics export bundle: one redacted JSON document for a support ticket, with the
 * environment, the sessions, incidents, stored events and per-call quality summaries.
 *
 * This zod schema is the contract. `docs/export-bundle.schema.json` is generated from it
 * (`z.toJSONSchema`, JSON Schema draft 2020-12) and `docs/export-bundle.md` documents every
 * field; tests/unit/export/json-schema.test.ts fails when the committed JSON Schema is out of
 * step. Any incompatible change bumps {@link EXPORT_BUNDLE_VERSION}.
 *
 * Times are epoch milliseconds (UTC) unless a field says otherwise; durations are ms.
 */
import { z } from 'zod';
import { ConfigSchema } from '../policy/schema';

/** The `format` value that identifies a bundle. */
export const EXPORT_BUNDLE_FORMAT = 'softphone-guard.export-bundle';
/**
 * Schema version; bumped on any incompatible change. 2: every URL is minimised (origin and
 * templated path, parameter names only; docs/export-bundle.md "What is kept of a URL") where
 * version 1 carried it whole.
 */
export const EXPORT_BUNDLE_VERSION = 2;

const epochMs = z.number().describe('Epoch milliseconds (UTC).');
const count = z.number().int().nonnegative();
const tabId = z
  .number()
  .int()
  .describe('Session key: the browser tab id of a top-level softphone; a negative number naming tab and frame for an embedded one.');

const HealthSchema = z
  .enum(['healthy', 'degraded', 'recovering', 'down'])
  .describe('Connection health, best to worst: healthy, degraded, recovering, down.');

export const IncidentKindSchema = z.enum([
  'abnormal-close',
  'signalling-stalled',
  'unauthorized',
  'rate-limited',
  'request-timeout',
  'server-error',
  'ice-failed',
  'permission-lost',
  'track-ended',
]);

export const RecoveryStepSchema = z.object({
  at: epochMs.describe('When the step was taken.'),
  action: z
    .enum(['token-refresh', 'request-retry', 'app-reconnected', 'stall-close', 'safe-reload', 'mic-grant', 'media-reacquire', 'none'])
    .describe('What the extension did (recovery ladder rung, docs/architecture.md §3).'),
  outcome: z.enum(['pending', 'ok', 'failed']).describe('How the step went; `pending` while it runs.'),
  detail: z.string().optional().describe('One sentence of detail, when the step has one.'),
});

export const IncidentSchema = z.object({
  id: z.string().describe('Unique across sessions: `${tabId}:${seq}`.'),
  tabId,
  kind: IncidentKindSchema.describe(
    'What went wrong: abnormal WebSocket close, silent socket, 401, 429, 408, 5xx, ICE failure, microphone permission lost, microphone track ended.',
  ),
  openedAt: epochMs.describe('When the incident opened.'),
  lastSeenAt: epochMs.optional().describe('When the latest observation was folded into the incident.'),
  resolvedAt: epochMs.optional().describe('When health for this cause came back; absent while open.'),
  summary: z.string().describe('One plain sentence, e.g. "WebSocket closed abnormally (1006)".'),
  detail: z
    .object({
      code: z.number().int().optional().describe('WebSocket close code (RFC 6455 §7.4).'),
      status: z.number().int().optional().describe('HTTP status.'),
      url: z.string().optional().describe('Redacted URL of the request or socket.'),
      reason: z.string().optional().describe('Redacted WebSocket close reason.'),
      retryAfter: z.string().optional().describe('`Retry-After` header verbatim (RFC 9110 §10.2.3).'),
      socketId: z.string().optional().describe("The page's id of the socket a `signalling-stalled` incident is about."),
      closedBy: z.literal('stall').optional().describe('`stall`: the extension closed the silent socket itself (rung 3).'),
      count: count.optional().describe('Observations folded into this incident while it was open.'),
      outOfReach: z
        .enum(['worker', 'shared-worker', 'unhooked'])
        .optional()
        .describe(
          "On a 401: it came from the softphone's Worker or SharedWorker (or outside the page's hooks), where no fresh token can be put.",
        ),
      socketRefusal: z
        .enum(['sasl-failure', 'message', 'close', 'upgrade'])
        .optional()
        .describe(
          'On a 401 a socket opened: how its credentials were refused (SASL failure, an incoming frame, a close, HTTP 401 on the upgrade).',
        ),
    })
    .describe('What identifies the cause; fields by kind.'),
  steps: z.array(RecoveryStepSchema).describe('What was done about it, oldest first.'),
});

const SignallingSchema = z.object({
  state: z.enum(['none', 'open', 'closed']).describe('Signalling socket state; `none` before any socket was seen.'),
  openSockets: count.describe('WebSockets open in the tab now.'),
  url: z.string().optional().describe('Redacted URL of the most recent socket.'),
  lastOpenAt: epochMs.optional().describe('When the most recent socket opened.'),
  lastClose: z
    .object({
      at: epochMs.describe('When it closed.'),
      code: z.number().int().describe('Close code (RFC 6455 §7.4.1; 1006 = lost without a close frame).'),
      reason: z.string().describe('Close reason, redacted.'),
      wasClean: z.boolean().describe('Whether the closing handshake completed.'),
    })
    .optional()
    .describe('The last close: code (RFC 6455 §7.4), redacted reason, whether the close handshake completed.'),
  lastMessageAt: epochMs.optional().describe('Last incoming message on any open socket (heartbeat age = now − this).'),
  heartbeatEndpoints: z.array(z.string()).optional().describe('Redacted socket endpoints that carried incoming messages.'),
});

const nullableMetric = z.number().nullable().optional();

const MediaSchema = z.object({
  pcId: z.string().optional().describe("The page's id of the peer connection last observed."),
  iceConnectionState: z.string().optional().describe('RTCIceConnectionState (W3C WebRTC §4.3.2).'),
  connectionState: z.string().optional().describe('RTCPeerConnectionState (W3C WebRTC §4.3.3).'),
  signalingState: z.string().optional().describe('RTCSignalingState (W3C WebRTC §4.3.1).'),
  rttMs: nullableMetric.describe('Round-trip time, ms.'),
  jitterMs: nullableMetric.describe('Inbound audio jitter (RFC 3550 §6.4.1), ms.'),
  packetLossPct: nullableMetric.describe('Inbound audio packet loss over the last interval, percent.'),
  mos: nullableMetric.describe('Simplified E-model MOS estimate, 1–4.5 (src/quality/mos.ts).'),
  inboundAudioBytes: z.number().nonnegative().optional().describe('Cumulative inbound audio bytes.'),
  inboundGrewAt: epochMs.optional().describe('When inbound audio bytes last grew (a call is active while recent).'),
  connectedPcIds: z
    .array(z.string())
    .optional()
    .describe("The page's ids of the peer connections whose latest state was connected (a call is active while one is)."),
  statsAt: epochMs.optional().describe('When the last stats sample arrived.'),
  micPermission: z.enum(['granted', 'denied', 'prompt']).optional().describe('Microphone permission state (W3C Permissions).'),
  lastGumError: z.string().optional().describe('Name of the last getUserMedia error.'),
  micBlockedBy: z
    .enum(['policy', 'not-monitored', 'browser', 'limit', 'embedded'])
    .optional()
    .describe(
      'Why the microphone stays blocked: configuration forbids restoring it, page not monitored, the browser refused, or restored too often this hour.',
    ),
});

const AuthSchema = z.object({
  last401At: epochMs.optional().describe('When a request last got 401.'),
  last401Url: z.string().optional().describe('Redacted URL of the last request that got 401.'),
  lastRefreshAt: epochMs.optional().describe('When a token was last refreshed (or tried).'),
  lastRefreshOutcome: z.enum(['ok', 'failed']).optional().describe('Outcome of the last token refresh.'),
  lastRefreshError: z.string().optional().describe('Why the last refresh failed (redacted).'),
  lastRefreshNote: z.string().optional().describe('Why the last refresh was made ahead of time.'),
  signInRequired: z.boolean().optional().describe('Every token strategy failed: only an interactive sign-in helps.'),
  tokenExpiresAt: epochMs.optional().describe('When the current token expires, when known (never the token).'),
  refreshCount: count.describe('Token refreshes in this session.'),
  retries: count.describe('Requests retried transparently.'),
  retriesRecovered: count.describe('Retried requests the page saw succeed.'),
});

export const SessionSchema = z.object({
  tabId,
  alive: z.boolean().describe('True while the tab is open.'),
  href: z.string().optional().describe('Redacted page URL.'),
  embedded: z
    .object({
      frameId: count.describe("The softphone frame's id in its tab."),
      embedderOrigin: z.string().optional().describe('Origin of the page that embeds the softphone (never its path).'),
    })
    .optional()
    .describe("Set when the softphone is a frame of another site's page."),
  workers: z
    .array(
      z.object({
        kind: z.enum(['worker', 'shared-worker']).describe('Dedicated Worker or SharedWorker.'),
        url: z.string().describe('Redacted script URL.'),
        name: z.string().optional().describe('The name the page gave it.'),
        at: epochMs.describe('When it was last seen started.'),
      }),
    )
    .optional()
    .describe("Workers the softphone's documents started, oldest first (at most 8)."),
  agent: z
    .object({
      userId: z.string().describe('User id from the identity response.'),
      name: z.string().optional().describe('Display name (redacted).'),
      orgId: z.string().optional().describe('Organisation id.'),
    })
    .optional()
    .describe('The agent, from the identity response.'),
  health: HealthSchema,
  healthReason: z.string().describe('One sentence: what is wrong and what is being done.'),
  signalling: SignallingSchema.describe('The notification WebSocket as last observed.'),
  media: MediaSchema.describe('Peer connection and microphone as last observed.'),
  auth: AuthSchema.describe('Authentication as last observed; never holds a token.'),
  incidents: z.array(IncidentSchema).describe('Most recent first, at most 20 (all of them are in `incidents`).'),
  sockets: z
    .record(
      z.string(),
      z.object({
        url: z.string().describe('Redacted socket URL.'),
        openedAt: epochMs.describe('When the socket opened.'),
        lastMessageAt: epochMs.optional().describe('Last incoming message; absent while none arrived.'),
      }),
    )
    .describe('Open sockets by the page’s socket id; URLs redacted.'),
  orgSwitch: z
    .object({
      at: epochMs.describe('When the switch happened.'),
      fromOrgId: z.string().describe('Organisation left.'),
      toOrgId: z.string().describe('Organisation joined.'),
      closedSockets: count.describe('WebSockets of the old organisation closed (code 1000).'),
      closedPeerConnections: count.describe('Peer connections of the old organisation closed.'),
    })
    .optional()
    .describe('The last organisation switch in the tab.'),
  refreshInFlight: z.boolean().describe('A token refresh for this identity is running.'),
  nextIncidentSeq: count.describe('Sequence number the next incident id of the tab will use.'),
  startedAt: epochMs.describe('When the session was first seen.'),
  updatedAt: epochMs.describe('When the last event was applied.'),
  endedAt: epochMs.optional().describe('When the tab closed.'),
});

export const StoredEventSchema = z.object({
  seq: z.number().int().optional().describe('Store sequence number (ascending in arrival order).'),
  tabId: tabId.describe('Tab the event belongs to.'),
  at: epochMs.describe('When it happened (page clock for page observations).'),
  type: z.string().describe('Observation or worker event type (`ws-close`, `http`, `pc-stats`, `refresh-succeeded`, …).'),
  data: z.record(z.string(), z.unknown()).describe('The rest of the event, redacted (src/protocol/page.ts, src/session/types.ts).'),
});

const MetricSummarySchema = z
  .object({
    samples: count.describe('Samples with a value.'),
    median: z.number().nullable().describe('Median (mean of the two middle values for an even count).'),
    p95: z.number().nullable().describe('95th percentile (nearest rank).'),
    min: z.number().nullable().describe('Smallest value.'),
    max: z.number().nullable().describe('Largest value.'),
    beyondThreshold: count.describe('Samples past the quality threshold (`thresholds`).'),
  })
  .describe('Distribution of one metric over the stored samples; null when no sample had it.');

export const CallStatsSchema = z.object({
  tabId,
  pcId: z.string().describe("The page's id of the peer connection."),
  firstAt: epochMs.describe('First stored sample.'),
  lastAt: epochMs.describe('Last stored sample.'),
  samples: count.describe(
    'Stored `pc-stats` samples (the probe posts the summary of a good call about every 5 s and every poll of a poor one).',
  ),
  rttMs: MetricSummarySchema.describe('Round-trip time, ms; threshold above 400.'),
  jitterMs: MetricSummarySchema.describe('Jitter, ms; threshold above 30.'),
  packetLossPct: MetricSummarySchema.describe('Packet loss, percent; threshold above 1.'),
  mos: MetricSummarySchema.describe('MOS estimate (simplified E-model); threshold below 3.0.'),
  inboundAudioBytes: z.number().nonnegative().describe('Cumulative inbound audio bytes at the last sample.'),
});

const BoundSchema = z
  .object({
    limit: count.describe('Most records the bundle holds (newest kept).'),
    included: count.describe('Records in the bundle.'),
    stored: count.describe('Records in the store when the bundle was made.'),
    truncated: z.boolean().describe('True when older records were left out (`stored` > `included`).'),
  })
  .describe('How a bounded list was cut: the newest `limit` records are kept.');

export const EnvironmentSchema = z.object({
  extensionVersion: z.string().describe('`version` of the extension manifest.'),
  browser: z
    .object({
      userAgent: z.string().describe('`navigator.userAgent` of the service worker.'),
      brands: z
        .array(
          z.object({
            brand: z.string().describe('Brand name, e.g. `Google Chrome`, `Microsoft Edge`, `Chromium`.'),
            version: z.string().describe('Its version.'),
          }),
        )
        .describe('User-Agent Client Hints brands with full versions when available (`fullVersionList`), else major versions.'),
      platform: z.string().describe('Client Hints platform (`Windows`, `macOS`, `Linux`, …), or empty when unknown.'),
    })
    .describe('The browser the extension runs in.'),
  timeZone: z.string().describe('IANA time zone of the machine, e.g. `America/Chicago`.'),
  config: ConfigSchema.describe('The effective configuration, redacted (telemetry header values, secrets in URLs).'),
  configSources: z
    .record(z.string(), z.enum(['policy', 'user', 'default']))
    .describe('For every leaf key (`retry.baseDelayMs`): where its value came from.'),
  configSourceCounts: z
    .object({
      policy: count.describe('Leaf keys set by enterprise policy (managed storage).'),
      user: count.describe('Leaf keys set in the options page.'),
      default: count.describe('Leaf keys at their built-in default.'),
    })
    .describe('How many leaf keys came from each source.'),
  configProblems: z
    .array(
      z.object({
        key: z.string().describe('The leaf key, group, unknown key or `(root)`.'),
        source: z.enum(['policy', 'user']).describe('Where the rejected value came from.'),
        message: z.string().describe('Why it was rejected (the rejected value itself is left out).'),
      }),
    )
    .describe('Configuration values not in force because they were invalid.'),
  policyLoaded: z.boolean().describe('False when the policy had not been read yet since the worker started.'),
});

export const ExportBundleSchema = z.object({
  format: z.literal(EXPORT_BUNDLE_FORMAT).describe('Identifies the document as a Softphone Guard export bundle.'),
  version: z.literal(EXPORT_BUNDLE_VERSION).describe('Schema version; changes on any incompatible change.'),
  generatedAt: z.string().describe('When the bundle was made, ISO 8601 UTC.'),
  environment: EnvironmentSchema.describe('Browser, extension version and configuration in force.'),
  sessions: z.array(SessionSchema).describe('Sessions of open tabs first, then ended ones; newest first.'),
  incidents: z.array(IncidentSchema).describe('Stored incidents, newest first.'),
  incidentsBound: BoundSchema.describe('How `incidents` was cut (newest 2,000 kept).'),
  events: z.array(StoredEventSchema).describe('Stored events, oldest first.'),
  eventsBound: BoundSchema.describe('How `events` was cut (newest 20,000 kept).'),
  callStats: z.array(CallStatsSchema).describe('One summary per peer connection with stored `pc-stats` samples.'),
  thresholds: z
    .object({
      rttMs: z.number().describe('RTT above this, ms (400).'),
      jitterMs: z.number().describe('Jitter above this, ms (30).'),
      packetLossPct: z.number().describe('Packet loss above this, percent (1).'),
      mos: z.number().describe('MOS below this (3.0).'),
    })
    .describe('Quality thresholds used for `beyondThreshold` (Twilio, docs/architecture.md §6).'),
});

export type ExportBundle = z.infer<typeof ExportBundleSchema>;
export type BundleSession = z.infer<typeof SessionSchema>;
export type BundleIncident = z.infer<typeof IncidentSchema>;
export type BundleEvent = z.infer<typeof StoredEventSchema>;
export type CallStats = z.infer<typeof CallStatsSchema>;
export type MetricSummary = z.infer<typeof MetricSummarySchema>;
export type BundleEnvironment = z.infer<typeof EnvironmentSchema>;
