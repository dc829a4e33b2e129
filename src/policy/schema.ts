/**
 * The configuration contract (docs/architecture.md §4). Every key is optional in managed storage and in
 * user settings; {@link DEFAULT_CONFIG} supplies the rest. `public/managed-schema.json` is
 * Chrome's managed-storage schema for the same keys; tests/unit/policy/schema-drift.test.ts
 * fails when the two disagree.
 */
import { z } from 'zod';

/**
 * Built-in match patterns: the main vendors' softphone hosts, nothing else (least privilege). Any
 * other page (an in-house softphone, the lab of tests/lab/README.md) is named by whoever
 * configures the extension: a policy or the options page. The hosts are the page hosts of the
 * profiles in ./profiles.ts, which cites for each the vendor client's file and commit.
 */
export const DEFAULT_SOFTPHONE_URL_PATTERNS: readonly string[] = [
  'https://*.mypurecloud.com/*',
  'https://*.mypurecloud.ie/*',
  'https://*.mypurecloud.de/*',
  'https://*.mypurecloud.jp/*',
  'https://*.mypurecloud.com.au/*',
  'https://*.pure.cloud/*',
  'https://*.my.connect.aws/*',
  'https://*.awsapps.com/*',
  'https://flex.twilio.com/*',
];

const ms = z.number().int().nonnegative();
const urlString = z.string().max(2048);

export const TokenRefreshSchema = z.object({
  strategy: z.enum(['cookie-endpoint', 'oauth-silent', 'reload-when-idle', 'off']),
  /** `cookie-endpoint`: absolute URL, or a path resolved against the softphone page's origin. */
  refreshUrl: urlString,
  authorizeUrl: urlString,
  tokenUrl: urlString,
  clientId: z.string().max(256),
  scope: z.string().max(1024),
  /** Refresh this many seconds before a known expiry (`expires_in`, RFC 6749 §5.1). */
  refreshAheadSeconds: z.number().int().nonnegative(),
  /**
   * Origins besides the document's own and the refresh and token endpoints' to which a fresh
   * token may be sent, in match-pattern host syntax (`https://api.mypurecloud.com`,
   * `https://*.my.connect.aws`); src/recovery/token-audience.ts.
   */
  audience: z.array(z.string().max(2048)),
});

/**
 * Vendor profiles (src/policy/profiles.ts): each supplies the default of every other key from
 * what the vendor's own client code shows. `custom` is {@link DEFAULT_CONFIG}.
 */
export const PROFILES = ['custom', 'genesys-cloud', 'amazon-connect', 'twilio-flex'] as const;
export type ProfileName = (typeof PROFILES)[number];

/**
 * One place the softphone carries its token, as policy writes it (src/recovery/token-carriers.ts).
 * One object for every type, since Chrome's policy schema has no unions: which fields each type
 * needs is checked at resolution (src/policy/token-carrier-check.ts).
 */
export const TokenCarrierSchema = z.object({
  type: z.enum(['header', 'query', 'ws-message']),
  /** `header`, `query`: the header or parameter name. */
  name: z.string().max(256).optional(),
  /** `header`: the authentication scheme before the token (`Bearer`); absent: the whole value. */
  scheme: z.string().max(64).optional(),
  /** `ws-message`: a regular expression with exactly one capture group, the token. */
  pattern: z.string().max(1024).optional(),
  /** `ws-message`: a known message format instead of a pattern. */
  format: z.enum(['xmpp-sasl-plain']).optional(),
  /** `ws-message` `xmpp-sasl-plain`: what precedes the token in the SASL PLAIN password. */
  prefix: z.string().max(256).optional(),
});
export type TokenCarrierInput = z.infer<typeof TokenCarrierSchema>;

export const RetrySchema = z.object({
  baseDelayMs: ms,
  maxDelayMs: ms,
  maxAttempts: z.number().int().nonnegative(),
  statuses: z.array(z.number().int().min(100).max(599)),
});

export const WatchdogSchema = z.object({
  reconnectGraceMs: ms,
  /**
   * Milliseconds an open signalling socket may go without an incoming message before it counts
   * as stalled (rung 3 then closes it after `reconnectGraceMs`). Only a socket that received a
   * message, or that reconnects to an endpoint that carried messages in the tab, is watched; a
   * socket that never hears anything is left alone. 0 switches stall detection off.
   */
  heartbeatTimeoutMs: ms,
});

export const MediaSchema = z.object({
  /**
   * Where rung 4 may set a blocked microphone back to allow besides the origins it saw granted
   * before (src/recovery/media-origin.ts `microphoneRestoreRule`): a list of origins in
   * match-pattern host syntax (`https://apps.mypurecloud.com`, `https://*.my.connect.aws`), `*`
   * or `true` for every monitored origin, `[]` for none (a block the agent set on an origin
   * never seen granted stays), `false` to never touch the setting. Chrome's policy schema has no
   * unions: a policy file gives the list form (`["*"]` for `true`).
   */
  grantMicrophone: z.union([z.boolean(), z.array(z.string().max(2048))]),
  reacquireOnLoss: z.boolean(),
});

export const SafeReloadSchema = z.object({
  enabled: z.boolean(),
  quietMs: ms,
  maxPerHour: z.number().int().nonnegative(),
});

export const RiskWindowSchema = z.object({
  /** ISO weekday names, three letters: Mon … Sun. */
  days: z.array(z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])),
  /** Local wall-clock start, `HH:MM` (24 h). */
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  /** IANA time zone name, e.g. `America/Chicago`. */
  timeZone: z.string().min(1).max(64),
  durationMinutes: z.number().int().positive(),
  refreshAheadMinutes: z.number().int().nonnegative(),
});

export const AgentIdentitySchema = z.object({
  /** URL glob of the response that names the agent. */
  requestPattern: urlString,
  /** Dotted paths into that JSON response. */
  idField: z.string().max(128),
  nameField: z.string().max(128),
  orgField: z.string().max(128),
});

export const TelemetrySchema = z.object({
  otlpEndpoint: urlString,
  headers: z.record(z.string(), z.string()),
  exportIntervalSeconds: z.number().int().positive(),
});

/** The fully resolved configuration: every key present. */
export const ConfigSchema = z.object({
  profile: z.enum(PROFILES),
  softphoneUrlPatterns: z.array(z.string().max(2048)),
  protectedRequestPatterns: z.array(z.string().max(2048)),
  tokenRefresh: TokenRefreshSchema,
  tokenCarriers: z.array(TokenCarrierSchema),
  retry: RetrySchema,
  watchdog: WatchdogSchema,
  media: MediaSchema,
  safeReload: SafeReloadSchema,
  riskWindows: z.array(RiskWindowSchema),
  agentIdentity: AgentIdentitySchema,
  telemetry: TelemetrySchema,
  retentionDays: z.number().int().positive(),
  maxStoredEvents: z.number().int().positive(),
});
export type Config = z.infer<typeof ConfigSchema>;

/**
 * What managed storage or user settings may hold: every key optional, objects partial.
 * Unknown keys are stripped (Chrome drops keys the managed schema does not declare).
 */
export const PartialConfigSchema = z.object({
  profile: ConfigSchema.shape.profile.optional(),
  softphoneUrlPatterns: ConfigSchema.shape.softphoneUrlPatterns.optional(),
  protectedRequestPatterns: ConfigSchema.shape.protectedRequestPatterns.optional(),
  tokenRefresh: TokenRefreshSchema.partial().optional(),
  tokenCarriers: ConfigSchema.shape.tokenCarriers.optional(),
  retry: RetrySchema.partial().optional(),
  watchdog: WatchdogSchema.partial().optional(),
  media: MediaSchema.partial().optional(),
  safeReload: SafeReloadSchema.partial().optional(),
  riskWindows: ConfigSchema.shape.riskWindows.optional(),
  agentIdentity: AgentIdentitySchema.partial().optional(),
  telemetry: TelemetrySchema.partial().optional(),
  retentionDays: ConfigSchema.shape.retentionDays.optional(),
  maxStoredEvents: ConfigSchema.shape.maxStoredEvents.optional(),
});
export type PartialConfig = z.infer<typeof PartialConfigSchema>;

/**
 * Built-in defaults. Numbers: retry per docs/architecture.md §3 (full jitter, base 1 s, cap 30 s,
 * 4 attempts, on 408/429/503); `reconnectGraceMs` 10 s; `heartbeatTimeoutMs` 30 s, about two
 * missed 14 s Genesys pings (docs/architecture.md §6).
 */
export const DEFAULT_CONFIG: Config = {
  profile: 'custom',
  softphoneUrlPatterns: [...DEFAULT_SOFTPHONE_URL_PATTERNS],
  protectedRequestPatterns: ['*/api/v2/*'],
  tokenRefresh: {
    strategy: 'cookie-endpoint',
    refreshUrl: '/api/v2/authentication/refresh',
    authorizeUrl: '',
    tokenUrl: '',
    clientId: '',
    scope: '',
    refreshAheadSeconds: 60,
    audience: [],
  },
  tokenCarriers: [
    { type: 'header', name: 'Authorization', scheme: 'Bearer' },
    { type: 'query', name: 'access_token' },
  ],
  retry: { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 4, statuses: [408, 429, 503] },
  watchdog: { reconnectGraceMs: 10_000, heartbeatTimeoutMs: 30_000 },
  media: { grantMicrophone: [], reacquireOnLoss: true },
  safeReload: { enabled: true, quietMs: 60_000, maxPerHour: 2 },
  riskWindows: [
    { days: ['Mon'], start: '06:00', timeZone: 'America/Chicago', durationMinutes: 30, refreshAheadMinutes: 5 },
    { days: ['Fri'], start: '16:00', timeZone: 'America/Chicago', durationMinutes: 30, refreshAheadMinutes: 5 },
  ],
  agentIdentity: {
    requestPattern: '*/api/v2/users/me',
    idField: 'id',
    nameField: 'name',
    orgField: 'organization.id',
  },
  telemetry: { otlpEndpoint: '', headers: {}, exportIntervalSeconds: 60 },
  retentionDays: 30,
  maxStoredEvents: 100_000,
};
