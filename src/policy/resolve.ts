/**
 * Resolution of the effective configuration (docs/architecture.md §4): enterprise policy (managed
 * storage) over the user's settings over the defaults, decided per leaf key.
 *
 * The `profile` leaf is resolved first (policy > user > `custom`); the default of every other
 * leaf is then the value of that profile's configuration (src/policy/profiles.ts; `custom` is
 * {@link DEFAULT_CONFIG}). Such a value's source is still `'default'`; `config.profile` says
 * which profile is in force.
 *
 * Leaf keys are the top-level scalars and lists (`softphoneUrlPatterns`, `riskWindows`, …)
 * and the fields of the object-valued keys, dotted (`tokenRefresh.strategy`,
 * `telemetry.headers`). A list is one leaf: it is taken whole from one source.
 *
 * For each leaf the first source whose value is valid wins. A value that fails the schema
 * (src/policy/schema.ts) or a sense check (unknown IANA time zone, an invalid match pattern
 * or one for no web page, a URL glob that can never match an absolute URL, a delay or count
 * past {@link SENSE_LIMITS}, a relative URL where an absolute one is needed, …) is reported
 * as a {@link ConfigProblem} and the next source stays in force.
 * `null` counts as "not set".
 *
 * Then the checks that span several leaves (`retry.maxDelayMs` ≥ `retry.baseDelayMs`, a
 * strategy's required settings) run on the result. When one fails, the leaf from the
 * lowest-priority source among those involved falls back to its next source (on a tie, the
 * dependent setting: `maxDelayMs`, `refreshUrl`, …) and is reported; this repeats until all
 * hold. Every profile's defaults satisfy every check (tests/unit/policy/profiles.test.ts), so it ends.
 *
 * Unknown keys are reported and ignored. {@link resolveConfig} never throws.
 */
import { z } from 'zod';
import { ConfigSchema, DEFAULT_CONFIG } from './schema';
import type { Config } from './schema';
import { parseMatchPattern } from '../match/match-pattern';
import { MAX_URL_GLOB_LENGTH } from '../match/url-glob';
import { redactString, redactValue } from '../redact/redact';
import { MAX_RETRY_WAIT_MS } from '../recovery/backoff';
import { PROBE_MAX_RETRY_ATTEMPTS } from './probe-config';
import { MAX_AUDIENCE_ENTRIES, audienceEntryError } from '../recovery/token-audience';
import { tokenCarriersError } from './token-carrier-check';
import { MAX_MICROPHONE_GRANT_ENTRIES, microphoneGrantEntryError } from '../recovery/media-origin';
import { profileConfig } from './profiles';

/** Where a leaf's effective value came from. */
export type ConfigSource = 'policy' | 'user' | 'default';

/** Top-level keys whose value is an object of leaves. */
type GroupKey = {
  [K in keyof Config]: Config[K] extends readonly unknown[] ? never : Config[K] extends object ? K : never;
}[keyof Config];

/** Every leaf key, dotted: `'retry.baseDelayMs'`, `'softphoneUrlPatterns'`, … */
export type ConfigKey = Exclude<keyof Config, GroupKey> | { [G in GroupKey]: `${G}.${keyof Config[G] & string}` }[GroupKey];

/** A value that was not used, and why. */
export interface ConfigProblem {
  /** The leaf key (`'retry.maxDelayMs'`), a group (`'retry'`), an unknown key, or `'(root)'`. */
  key: string;
  source: Exclude<ConfigSource, 'default'>;
  /** One sentence for the options page; holds no secret. */
  message: string;
  /** The rejected value, redacted and size-bounded (headers: values replaced). */
  value: unknown;
}

/** The outcome of {@link resolveConfig}. */
export interface ResolvedConfig {
  config: Config;
  /** For every {@link ConfigKey}: the source of its effective value. */
  sources: Record<ConfigKey, ConfigSource>;
  problems: ConfigProblem[];
}

/** The two inputs, as read from `storage.managed` and the user's settings: anything at all. */
export interface ConfigInputs {
  managed: unknown;
  user: unknown;
}

/** Longest time `setTimeout` can wait: larger delays fire at once (HTML timers, int32 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The page protocol carries at most this many protected patterns (src/protocol/page.ts). */
export const MAX_PROTECTED_PATTERNS = 64;
/** Problems kept per resolution; one more says how many were left out. */
export const MAX_PROBLEMS = 100;
/**
 * Upper bounds past which a value the schema accepts makes no sense (the schema has only
 * lower bounds, as Chrome's policy schema allows). Each says why in {@link CHECKS}.
 */
export const SENSE_LIMITS = {
  /** Watchdog and quiet periods, ms: a grace or silence of over an hour never ends in practice. */
  waitMs: 60 * 60 * 1000,
  /** Retries per request: what the page protocol carries (src/protocol/page.ts ProbeRetrySchema). */
  retryAttempts: PROBE_MAX_RETRY_ATTEMPTS,
  /** Distinct retried statuses the page protocol carries. */
  retryStatuses: 32,
  /** Safe reloads per tab and hour: one a minute is already a reload loop. */
  reloadsPerHour: 60,
  /** Seconds: refreshing a token more than a day ahead of its expiry refreshes it without end. */
  refreshAheadSeconds: 24 * 60 * 60,
  /** Seconds between telemetry exports: more than a day is no monitoring. */
  exportIntervalSeconds: 24 * 60 * 60,
  /** Days of event history: ten years. */
  retentionDays: 3650,
  /** Stored events: ten million is far past what the popup and export can handle. */
  maxStoredEvents: 10_000_000,
} as const;

const MAX_LIST = 256;
const MAX_HEADERS = 32;
const WEEK_MINUTES = 7 * 24 * 60;
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header values may not break the header block (RFC 9110 §5.5: no CR, LF or NUL). */
const HEADER_VALUE_BAD_RE = /[\r\n\0]/;
const DOTTED_PATH_RE = /^[^.\s]+(?:\.[^.\s]+)*$/;

/** One leaf: its key, where it lives, its schema. */
interface Leaf {
  key: ConfigKey;
  group?: GroupKey;
  field: string;
  schema: z.ZodType;
}

const GROUPS: readonly GroupKey[] = Object.entries(ConfigSchema.shape)
  .filter(([, s]) => s instanceof z.ZodObject)
  .map(([k]) => k as GroupKey);

/** All leaves, in schema order. */
const LEAVES: readonly Leaf[] = Object.entries(ConfigSchema.shape).flatMap(([top, schema]): Leaf[] => {
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).map(([field, s]) => ({
      key: `${top}.${field}` as ConfigKey,
      group: top as GroupKey,
      field,
      schema: s,
    }));
  }
  return [{ key: top as ConfigKey, field: top, schema: schema as z.ZodType }];
});

/** Every leaf key, in schema order (for the options page). */
export const CONFIG_KEYS: readonly ConfigKey[] = LEAVES.map((l) => l.key);

// --- sense checks per leaf --------------------------------------------------------------------

type Check = (value: never) => string | undefined;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function absoluteUrl(u: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(u);
    return schemes.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** https anywhere; http only for a loopback host (the local softphone lab). */
function secureUrl(u: string): boolean {
  if (absoluteUrl(u, ['https:'])) return true;
  if (!absoluteUrl(u, ['http:'])) return false;
  const host = new URL(u).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

function firstError(items: readonly string[], test: (item: string) => string | undefined): string | undefined {
  for (const [i, item] of items.entries()) {
    const e = test(item);
    if (e) return `item ${i + 1}: ${e}`;
  }
  return undefined;
}

/** A bound check: `what` says why the bound is there. */
function atMost(max: number, unit: string, what: string): Check {
  return ((v: number) => (v > max ? `must be at most ${max}${unit ? ` ${unit}` : ''}: ${what}` : undefined)) as Check;
}

/** A wait the watchdog or safe reload times (well within a timer's {@link MAX_TIMER_MS}). */
const waitCheck = atMost(SENSE_LIMITS.waitMs, 'ms', 'a wait of over an hour never ends in practice');

/** Retry delays: no page request waits longer than 120 s in total (docs/architecture.md §3 rung 1). */
const retryDelayCheck = atMost(MAX_RETRY_WAIT_MS, 'ms', 'no request waits longer than that in total');

/** Schemes of the URLs the probe tests URL globs against (always absolute, src/match/url-glob.ts). */
const GLOB_URL_SCHEMES = ['https://', 'http://', 'wss://', 'ws://'] as const;

/**
 * True when some absolute http(s)/ws(s) URL can match the glob: its text before the first `*`
 * must agree with one of those schemes. `/api/v2/*` or `api.example.com/*` never match, since
 * a glob is matched against the whole URL.
 */
function globCanMatch(p: string): boolean {
  const star = p.indexOf('*');
  const prefix = star < 0 ? p : p.slice(0, star);
  return GLOB_URL_SCHEMES.some((s) => prefix.startsWith(s) || s.startsWith(prefix));
}

function globError(p: string): string | undefined {
  if (p.length === 0 || p.length > MAX_URL_GLOB_LENGTH) return `URL glob must be 1–${MAX_URL_GLOB_LENGTH} characters, got ${p.length}`;
  if (!globCanMatch(p)) {
    return `"${p.slice(0, 64)}" never matches: a URL glob is matched against the whole URL, so start it with "*" or "https://"`;
  }
  return undefined;
}

/** Schemes of pages content scripts can run in; `ws`, `wss` and `ftp` patterns match no page. */
const PAGE_SCHEMES = new Set(['http', 'https', '*', 'file']);

const CHECKS: Partial<Record<ConfigKey, Check>> = {
  softphoneUrlPatterns: (v: string[]) =>
    firstError(v, (p) => {
      try {
        const parsed = parseMatchPattern(p);
        if (parsed.kind === 'pattern' && !PAGE_SCHEMES.has(parsed.scheme)) {
          return `"${p.slice(0, 64)}" matches no page: softphone pages are http or https`;
        }
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : 'invalid match pattern';
      }
    }),
  protectedRequestPatterns: (v: string[]) =>
    v.length > MAX_PROTECTED_PATTERNS ? `at most ${MAX_PROTECTED_PATTERNS} patterns` : firstError(v, globError),
  'agentIdentity.requestPattern': (v: string) => globError(v),
  'agentIdentity.idField': (v: string) => (DOTTED_PATH_RE.test(v) ? undefined : 'must be a dotted path such as "id"'),
  'agentIdentity.nameField': (v: string) =>
    v === '' || DOTTED_PATH_RE.test(v) ? undefined : 'must be empty or a dotted path such as "name"',
  'agentIdentity.orgField': (v: string) =>
    v === '' || DOTTED_PATH_RE.test(v) ? undefined : 'must be empty or a dotted path such as "organization.id"',
  'tokenRefresh.refreshUrl': (v: string) =>
    v === '' || (v.startsWith('/') && !v.startsWith('//')) || secureUrl(v)
      ? undefined
      : 'must be empty, a path starting with "/", or an absolute https URL (http only for localhost, 127.0.0.1 or [::1]): the refresh carries the session cookie',
  'tokenRefresh.authorizeUrl': (v: string) => (v === '' || secureUrl(v) ? undefined : 'must be empty or an absolute https URL'),
  'tokenRefresh.tokenUrl': (v: string) => (v === '' || secureUrl(v) ? undefined : 'must be empty or an absolute https URL'),
  'tokenRefresh.audience': (v: string[]) =>
    v.length > MAX_AUDIENCE_ENTRIES ? `at most ${MAX_AUDIENCE_ENTRIES} origins` : firstError(v, audienceEntryError),
  tokenCarriers: (v: Config['tokenCarriers']) => tokenCarriersError(v),
  'tokenRefresh.refreshAheadSeconds': atMost(
    SENSE_LIMITS.refreshAheadSeconds,
    's',
    'a token refreshed that far ahead of its expiry would be refreshed all the time',
  ),
  'media.grantMicrophone': (v: boolean | string[]) =>
    typeof v === 'boolean'
      ? undefined
      : v.length > MAX_MICROPHONE_GRANT_ENTRIES
        ? `at most ${MAX_MICROPHONE_GRANT_ENTRIES} origins`
        : firstError(v, microphoneGrantEntryError),
  'retry.baseDelayMs': retryDelayCheck,
  'retry.maxDelayMs': retryDelayCheck,
  'retry.maxAttempts': atMost(SENSE_LIMITS.retryAttempts, '', 'more retries only hold the softphone back'),
  'retry.statuses': (v: number[]) =>
    new Set(v).size > SENSE_LIMITS.retryStatuses
      ? `at most ${SENSE_LIMITS.retryStatuses} statuses`
      : firstError(v.map(String), (s) => (Number(s) >= 400 ? undefined : `${s} is not an error status (400–599)`)),
  'watchdog.reconnectGraceMs': waitCheck,
  'watchdog.heartbeatTimeoutMs': waitCheck,
  'safeReload.quietMs': waitCheck,
  'safeReload.maxPerHour': atMost(SENSE_LIMITS.reloadsPerHour, '', 'more would be a reload loop'),
  riskWindows: (v: Config['riskWindows']) => {
    if (v.length > 64) return 'at most 64 risk windows';
    for (const [i, w] of v.entries()) {
      const at = `window ${i + 1}`;
      if (!isTimeZone(w.timeZone)) return `${at}: unknown IANA time zone "${w.timeZone}"`;
      if (w.days.length === 0) return `${at}: no days given, it would never occur`;
      if (w.durationMinutes > WEEK_MINUTES) return `${at}: durationMinutes must be at most one week (${WEEK_MINUTES})`;
      if (w.refreshAheadMinutes > WEEK_MINUTES) return `${at}: refreshAheadMinutes must be at most one week (${WEEK_MINUTES})`;
    }
    return undefined;
  },
  'telemetry.otlpEndpoint': (v: string) =>
    v === '' || secureUrl(v)
      ? undefined
      : 'must be empty or an absolute https URL (http only for localhost, 127.0.0.1 or [::1]): telemetry and its headers must not travel in clear text',
  'telemetry.exportIntervalSeconds': atMost(SENSE_LIMITS.exportIntervalSeconds, 's', 'longer is no monitoring'),
  retentionDays: atMost(SENSE_LIMITS.retentionDays, 'days', 'ten years of events is more than anyone reads'),
  maxStoredEvents: atMost(SENSE_LIMITS.maxStoredEvents, '', 'more events than the timeline and export can handle'),
  'telemetry.headers': (v: Record<string, string>) => {
    const entries = Object.entries(v);
    if (entries.length > MAX_HEADERS) return `at most ${MAX_HEADERS} headers`;
    for (const [name, value] of entries) {
      if (!HEADER_NAME_RE.test(name)) return `"${name.slice(0, 64)}" is not a valid header name`;
      if (HEADER_VALUE_BAD_RE.test(value)) return `the value of "${name}" contains a line break or NUL`;
    }
    return undefined;
  },
};

// --- items dropped one by one -------------------------------------------------------------------

/**
 * Why a softphone URL pattern is refused although it is valid, or undefined: a pattern that
 * matches every site (`<all_urls>`, a `*` host with any scheme and path) or every site under a
 * top-level domain (`https://*.com/*`) would put the probe into every page the agent opens and
 * let the extension change the microphone setting of any of them (least privilege, README.md "Permissions").
 */
export function allSitesPatternError(pattern: string): string | undefined {
  let parsed;
  try {
    parsed = parseMatchPattern(pattern);
  } catch {
    return undefined;
  }
  const shown = `"${pattern.slice(0, 64)}"`;
  if (parsed.kind === 'all-urls') return `${shown} matches every site: name the softphone's hosts`;
  if (parsed.scheme === 'file' || !parsed.matchSubdomains) return undefined;
  if (parsed.host === '') return `${shown} matches every site: name the softphone's hosts`;
  if (!parsed.host.includes('.') && parsed.host !== 'localhost') {
    return `${shown} matches every site under ".${parsed.host}": name the softphone's hosts`;
  }
  return undefined;
}

/**
 * List leaves whose items are checked one by one: a refused item is reported and dropped, the
 * rest of the list stays in force. A list left empty that way counts as invalid as a whole.
 */
const ITEM_CHECKS: Partial<Record<ConfigKey, (item: string) => string | undefined>> = {
  softphoneUrlPatterns: allSitesPatternError,
};

// --- checks across leaves ---------------------------------------------------------------------

interface CrossCheck {
  keys: readonly ConfigKey[];
  /** Tie-break: which key gives way first when the sources are equal. */
  dependents: readonly ConfigKey[];
  test(c: Config): string | undefined;
}

const CROSS_CHECKS: readonly CrossCheck[] = [
  {
    keys: ['retry.baseDelayMs', 'retry.maxDelayMs'],
    dependents: ['retry.maxDelayMs', 'retry.baseDelayMs'],
    test: (c) =>
      c.retry.maxDelayMs < c.retry.baseDelayMs
        ? `retry.maxDelayMs (${c.retry.maxDelayMs}) is below retry.baseDelayMs (${c.retry.baseDelayMs})`
        : undefined,
  },
  {
    keys: ['tokenRefresh.strategy', 'tokenRefresh.refreshUrl'],
    dependents: ['tokenRefresh.refreshUrl', 'tokenRefresh.strategy'],
    test: (c) =>
      c.tokenRefresh.strategy === 'cookie-endpoint' && c.tokenRefresh.refreshUrl === ''
        ? 'strategy cookie-endpoint needs tokenRefresh.refreshUrl'
        : undefined,
  },
  ...(['authorizeUrl', 'tokenUrl', 'clientId'] as const).map((field): CrossCheck => ({
    keys: ['tokenRefresh.strategy', `tokenRefresh.${field}`],
    dependents: [`tokenRefresh.${field}`, 'tokenRefresh.strategy'],
    test: (c) =>
      c.tokenRefresh.strategy === 'oauth-silent' && c.tokenRefresh[field] === ''
        ? `strategy oauth-silent needs tokenRefresh.${field}`
        : undefined,
  })),
];

// --- resolution -------------------------------------------------------------------------------

const PRIORITY: Record<ConfigSource, number> = { policy: 0, user: 1, default: 2 };

interface Candidate {
  source: ConfigSource;
  value: unknown;
}

/**
 * Resolves the effective configuration.
 * @param inputs `managed`: what `storage.managed.get()` returned; `user`: the user's settings
 *   object. Either may be anything (undefined, null, a string, a huge or hostile object).
 * @returns the configuration (a fresh object, sharing nothing with the inputs or the defaults),
 *   the source of every leaf, and every value that was not used. Never throws.
 */
export function resolveConfig(inputs: ConfigInputs): ResolvedConfig {
  const problems = new ProblemList();
  try {
    return resolve(inputs, problems);
  } catch {
    problems.add({ key: '(root)', source: 'policy', message: 'configuration could not be read; defaults in force', value: null });
    return {
      config: structuredClone(DEFAULT_CONFIG),
      sources: Object.fromEntries(CONFIG_KEYS.map((k) => [k, 'default'])) as Record<ConfigKey, ConfigSource>,
      problems: problems.list(),
    };
  }
}

function resolve(inputs: ConfigInputs, problems: ProblemList): ResolvedConfig {
  const sources: { source: Exclude<ConfigSource, 'default'>; root: Record<string, unknown> | undefined }[] = [
    { source: 'policy', root: rootObject(read(inputs, 'managed'), 'policy', problems) },
    { source: 'user', root: rootObject(read(inputs, 'user'), 'user', problems) },
  ];

  // Every valid candidate per leaf, best first; the default closes each list.
  const candidates = new Map<ConfigKey, Candidate[]>();
  for (const leaf of LEAVES) candidates.set(leaf.key, []);
  for (const { source, root } of sources) {
    if (!root) continue;
    reportUnknownKeys(root, source, problems);
    const groups = new Map(GROUPS.map((g) => [g, groupObject(root, g, source, problems)]));
    for (const leaf of LEAVES) {
      const container = leaf.group ? groups.get(leaf.group) : root;
      if (!container) continue;
      const raw = read(container, leaf.field);
      if (raw === undefined || raw === null) continue;
      const checked = validate(leaf, raw);
      if (!checked.ok) {
        problems.add({ key: leaf.key, source, message: checked.message, value: shownValue(leaf.key, raw) });
        continue;
      }
      for (const d of checked.dropped) {
        problems.add({ key: leaf.key, source, message: `${d.message}; this entry is ignored`, value: shownValue(leaf.key, d.item) });
      }
      if (checked.dropped.length > 0 && (checked.value as unknown[]).length === 0) {
        problems.add({ key: leaf.key, source, message: 'no entry is left; this value is ignored', value: undefined });
        continue;
      }
      candidates.get(leaf.key)?.push({ source, value: checked.value });
    }
  }
  // The profile first: its configuration supplies every other leaf's default.
  const profileCandidate = candidates.get('profile')?.[0];
  const profile = (profileCandidate?.value as Config['profile'] | undefined) ?? DEFAULT_CONFIG.profile;
  const base = profileConfig(profile);
  for (const leaf of LEAVES) {
    const value = leaf.key === 'profile' ? DEFAULT_CONFIG.profile : defaultValue(leaf, base);
    candidates.get(leaf.key)?.push({ source: 'default', value });
  }

  const chosen = new Map<ConfigKey, number>(LEAVES.map((l) => [l.key, 0]));
  const pick = (key: ConfigKey): Candidate => (candidates.get(key) as Candidate[])[chosen.get(key) as number] as Candidate;
  const build = (): Config => {
    const config: Record<string, unknown> = {};
    for (const g of GROUPS) config[g] = {};
    for (const leaf of LEAVES) {
      const value = pick(leaf.key).value;
      if (leaf.group) (config[leaf.group] as Record<string, unknown>)[leaf.field] = value;
      else config[leaf.field] = value;
    }
    return config as Config;
  };

  let config = build();
  // Each round moves one leaf one step toward its default, so this ends.
  for (let round = 0; round < LEAVES.length * 3; round += 1) {
    const failing = CROSS_CHECKS.map((check) => ({ check, message: check.test(config) })).find((f) => f.message);
    if (!failing) break;
    const { check, message } = failing;
    const movable = check.keys.filter((k) => pick(k).source !== 'default');
    if (movable.length === 0) break;
    movable.sort(
      (a, b) => PRIORITY[pick(b).source] - PRIORITY[pick(a).source] || check.dependents.indexOf(a) - check.dependents.indexOf(b),
    );
    const key = movable[0] as ConfigKey;
    const dropped = pick(key);
    problems.add({
      key,
      source: dropped.source as Exclude<ConfigSource, 'default'>,
      message: `${message}; this value is ignored`,
      value: shownValue(key, dropped.value),
    });
    chosen.set(key, (chosen.get(key) as number) + 1);
    config = build();
  }

  const resolvedSources = Object.fromEntries(LEAVES.map((l) => [l.key, pick(l.key).source])) as Record<ConfigKey, ConfigSource>;
  return { config, sources: resolvedSources, problems: problems.list() };
}

/** The outcome of checking one value for one leaf. */
export type LeafCheck = { ok: true; value: unknown } | { ok: false; message: string };
/** {@link LeafCheck}, plus the list items dropped one by one ({@link ITEM_CHECKS}). */
type Validated = { ok: true; value: unknown; dropped: { item: string; message: string }[] } | { ok: false; message: string };

const LEAF_BY_KEY = new Map<string, Leaf>(LEAVES.map((l) => [l.key, l]));

/**
 * Checks one value for one leaf exactly as {@link resolveConfig} does (the schema, then the
 * sense checks), for an editor that validates a field before anything is saved. Checks that
 * span several leaves are not run here: resolve the whole candidate for those.
 * @param key a leaf key; an unknown key gives `{ ok: false }`
 * @param raw anything
 * @returns the value to use (a fresh copy) or a one-sentence message holding no secret.
 *   `undefined` and `null` mean "not set" and give `{ ok: false }`. Never throws.
 */
export function checkLeaf(key: string, raw: unknown): LeafCheck {
  const leaf = LEAF_BY_KEY.get(key);
  if (!leaf) return { ok: false, message: 'unknown setting' };
  if (raw === undefined || raw === null) return { ok: false, message: 'no value' };
  try {
    const checked = validate(leaf, raw);
    if (!checked.ok) return checked;
    // An editor refuses what resolution would drop: the user sees why before saving.
    const first = checked.dropped[0];
    return first ? { ok: false, message: first.message } : { ok: true, value: checked.value };
  } catch {
    return { ok: false, message: 'invalid value' };
  }
}

function validate(leaf: Leaf, raw: unknown): Validated {
  if (Array.isArray(raw) && raw.length > MAX_LIST) return { ok: false, message: `at most ${MAX_LIST} items` };
  const parsed = leaf.schema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: describeIssue(parsed.error) };
  const check = CHECKS[leaf.key] as ((v: unknown) => string | undefined) | undefined;
  const error = check?.(parsed.data);
  if (error) return { ok: false, message: redactString(error) };
  // zod returns fresh arrays and objects, but not for every schema: copy to share nothing.
  const value: unknown = structuredClone(parsed.data);
  const itemCheck = ITEM_CHECKS[leaf.key];
  if (!itemCheck || !Array.isArray(value)) return { ok: true, value, dropped: [] };
  const dropped: { item: string; message: string }[] = [];
  const kept = (value as string[]).filter((item, i) => {
    const message = itemCheck(item);
    if (message) dropped.push({ item, message: redactString(`item ${i + 1}: ${message}`) });
    return !message;
  });
  return { ok: true, value: kept, dropped };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  const where = path ? `at ${path}: ` : '';
  return redactString(`${where}${issue.message}`).slice(0, 300);
}

function defaultValue(leaf: Leaf, base: Config): unknown {
  const top = base[(leaf.group ?? leaf.field) as keyof Config];
  const value = leaf.group ? (top as unknown as Record<string, unknown>)[leaf.field] : top;
  return structuredClone(value);
}

/** Problem values are shown to people: redacted, small, and header values never. */
function shownValue(key: string, value: unknown): unknown {
  if (key === 'telemetry.headers' && value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = safeKeys(value).slice(0, 32);
    return Object.fromEntries(keys.map((k) => [redactString(k).slice(0, 64), '[redacted]']));
  }
  return redactValue(value, { maxDepth: 4, maxStringLength: 256, maxArrayLength: 20, maxKeys: 20, maxNodes: 200 });
}

function rootObject(v: unknown, source: Exclude<ConfigSource, 'default'>, problems: ProblemList): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  problems.add({ key: '(root)', source, message: 'settings must be an object; ignored', value: shownValue('', v) });
  return undefined;
}

function groupObject(
  root: Record<string, unknown>,
  group: GroupKey,
  source: Exclude<ConfigSource, 'default'>,
  problems: ProblemList,
): Record<string, unknown> | undefined {
  const v = read(root, group);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  problems.add({ key: group, source, message: 'must be an object; ignored', value: shownValue(group, v) });
  return undefined;
}

const KNOWN_TOP = new Set<string>(Object.keys(ConfigSchema.shape));
const KNOWN_FIELDS = new Map<string, Set<string>>(GROUPS.map((g) => [g, new Set(LEAVES.filter((l) => l.group === g).map((l) => l.field))]));
const MAX_UNKNOWN_REPORTED = 20;

function reportUnknownKeys(root: Record<string, unknown>, source: Exclude<ConfigSource, 'default'>, problems: ProblemList): void {
  const unknown: string[] = [];
  for (const k of safeKeys(root)) {
    if (!KNOWN_TOP.has(k)) unknown.push(k);
    else if (KNOWN_FIELDS.has(k)) {
      const group = read(root, k);
      if (group && typeof group === 'object' && !Array.isArray(group)) {
        for (const f of safeKeys(group)) if (!KNOWN_FIELDS.get(k)?.has(f)) unknown.push(`${k}.${f}`);
      }
    }
    if (unknown.length > MAX_UNKNOWN_REPORTED) break;
  }
  for (const k of unknown.slice(0, MAX_UNKNOWN_REPORTED)) {
    problems.add({ key: redactString(k).slice(0, 128), source, message: 'unknown setting; ignored', value: undefined });
  }
  if (unknown.length > MAX_UNKNOWN_REPORTED) {
    problems.add({ key: '(root)', source, message: 'more unknown settings; ignored', value: undefined });
  }
}

/** Own enumerable keys, or none when the object refuses (a revoked proxy). */
function safeKeys(o: object): string[] {
  try {
    return Object.keys(o);
  } catch {
    return [];
  }
}

/** An own property, or undefined when absent or unreadable (a throwing getter). */
function read(o: object, key: string): unknown {
  try {
    return Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

class ProblemList {
  private readonly items: ConfigProblem[] = [];
  private dropped = 0;

  add(p: ConfigProblem): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push(p);
    else this.dropped += 1;
  }

  list(): ConfigProblem[] {
    if (this.dropped === 0) return this.items;
    return [...this.items, { key: '(root)', source: 'policy', message: `${this.dropped} more problems not listed`, value: undefined }];
  }
}
