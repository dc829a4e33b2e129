/**
 * The one redaction choke point. Everything bound for storage, export, telemetry or the
 * console goes through {@link redactValue} (or {@link redactString} / {@link redactUrl} for
 * a single string) first.
 *
 * What is removed, each replaced by {@link REDACTED}:
 * - credentials after an auth scheme: `Bearer <b64token>` (RFC 6750 §2.1), `Basic <base64>`
 *   (RFC 7617) when it decodes to `user:password` or is long enough to be one;
 * - JWTs / JWEs anywhere (`eyJ…` with two to four more base64url segments, RFC 7519 §7.2);
 * - values of sensitive names in `name=value`, `name: value`, `"name": "value"` (also
 *   escaped JSON inside JSON) and URL query/fragment parameters: `access_token`,
 *   `refresh_token`, `id_token` and anything else ending in `token`, `client_secret` and
 *   anything containing `secret` or `password`, `authorization`, `cookie`, `set-cookie`,
 *   API keys, `code_verifier`, `client_assertion`, AWS presigned-URL credentials; in URLs also
 *   `code`, `key`, `sig`, `signature`, `ticket`;
 * - the rest of the line after an `Authorization:`, `Proxy-Authorization:`, `Cookie:` or
 *   `Set-Cookie:` header name;
 * - user information in URLs (`https://user:pass@host` → `https://[redacted]@host`);
 * - IP addresses (IPv4 and IPv6) in ICE candidates (`candidate:…`, RFC 8839 §5.1) and in SDP
 *   `c=`/`o=` lines (`IN IP4 …`, RFC 8866 §5.7);
 * - caller data: phone numbers written E.164-like (`+` and 7–15 digits, separators allowed),
 *   `tel:` values, e-mail addresses (also with `%40`), and the values of one-time secrets
 *   (`otp`, `pin`, `passcode`, `SAMLResponse`, `PHPSESSID`; in URLs also `sid`, `auth`, and
 *   the caller-number parameters `ani`, `dnis`, `msisdn`).
 *
 * {@link redactForStorage} — what the worker stores, exports, sends and logs — also minimises
 * every URL (src/redact/url-minimise.ts): origin and templated path, parameter names only.
 *
 * Every rule finds its secret spans in the *original* string and the spans are merged before
 * anything is replaced, so no rule can hide a secret from another by rewriting its context.
 * URLs stay readable: scheme, host, path and harmless parameters are kept.
 */

import { minimiseUrl } from './url-minimise';

/** The marker that replaces every removed secret. */
export const REDACTED = '[redacted]';

/** Limits for {@link redactValue}; every field optional. */
export interface RedactOptions {
  /** Nesting depth below which values become `[depth limit]`; default 10. */
  maxDepth?: number;
  /** Longest string kept, in UTF-16 code units, after redaction; default 8,192. */
  maxStringLength?: number;
  /** Array items kept; default 1,000. */
  maxArrayLength?: number;
  /** Object keys kept; default 1,000. */
  maxKeys?: number;
  /** Total values visited before the rest becomes `[truncated]`; default 20,000. */
  maxNodes?: number;
}

/**
 * The walk's settings: the limits, and whether URLs are minimised too (src/redact/url-minimise.ts):
 * strings under URL-valued keys ({@link isUrlKey}) become `minimiseUrl` of themselves, and
 * every absolute URL inside any other string is replaced by its minimised form. False for
 * {@link redactValue} (configuration shown to an administrator keeps its URLs); true for
 * everything stored, exported, sent or logged ({@link redactForStorage}).
 */
interface WalkOptions extends Required<RedactOptions> {
  minimiseUrls: boolean;
}

const DEFAULTS: WalkOptions = {
  maxDepth: 10,
  maxStringLength: 8192,
  maxArrayLength: 1000,
  maxKeys: 1000,
  maxNodes: 20_000,
  minimiseUrls: false,
};

/** Keys whose string value (or array of strings) is a URL: `url`, `href`, `last401Url`, `heartbeatEndpoints`, … */
const URL_KEY_RE = /^(?:ur[il]s?|href|src|endpoints?|referr?er|location|[\w-]*(?:url|uri|href|endpoint)s?)$/i;
/**
 * A URL inside free text, up to whitespace, a quote, a bracket or a backslash: absolute, or a
 * path of two or more segments at the start of a word (`on /api/v2/contacts/5551234567`).
 */
const EMBEDDED_URL_RE =
  /\b(?:https?|wss?|blob:https?|tel|sips?):(?:\/\/)?[^\s"'<>\\()[\]{}]+|(?<![^\s"'(=:])\/[^\s"'<>\\()[\]{}/]+\/[^\s"'<>\\()[\]{}]*/gi;
/** Sentence punctuation after a URL in text, not part of it. */
const TRAILING_PUNCTUATION_RE = /[.,:;!?]+$/;

/**
 * Names whose values are secret, as a regex source (matched case-insensitively, whole name).
 * `tokenHash` and `tokenRefresh` do not match: only names *ending* in `token` do.
 */
const SENSITIVE_NAME = [
  String.raw`[\w-]*token`,
  String.raw`[\w-]*secret[\w-]*`,
  String.raw`[\w-]*passw(?:or)?d[\w-]*`,
  'pwd',
  'authorization',
  'proxy-authorization',
  'cookies?',
  'set-cookie',
  String.raw`(?:x-)?api[-_]?key`,
  String.raw`private[-_]?key`,
  'credentials?',
  String.raw`client[-_]assertion`,
  String.raw`code[-_]verifier`,
  'jwt',
  String.raw`[\w-]*session[-_]?id`,
  String.raw`x-amz-(?:signature|credential|security-token)`,
  // One-time secrets (issue: `otp=`, `pin=`, SAML assertions, PHP's session cookie).
  'otp',
  'pin',
  'passcode',
  String.raw`saml(?:response|request)`,
  'phpsessid',
].join('|');

const SENSITIVE_KEY_RE = new RegExp(`^(?:${SENSITIVE_NAME})$`, 'i');
/** Header names whose whole line is secret when written as `Name: value`. */
const HEADER_LINE_RE = /^(?:authorization|proxy-authorization|cookies?|set-cookie)$/i;

/**
 * `name` + optional closing quote (possibly escaped, or percent-encoded) + `:` or `=` (also
 * `%3A` / `%3D`, as in a URL nested in a parameter). The value follows the match.
 */
const KEY_VALUE_RE = new RegExp(String.raw`(?<![\w-])(${SENSITIVE_NAME})(\\*["']|%2[27])?\s*([:=]|%3[ADad])\s*`, 'gi');
/** Parameters secret in URLs only (too common as plain words elsewhere). */
const URL_ONLY_PARAM_RE = /(?<=[?&#;])(?:code|key|sig|signature|ticket|sid|auth|ani|dnis|msisdn)=([^&#\s"'<>\\]*)/dgi;
/**
 * A phone number written E.164-like: `+`, then 7 to 15 digits (ITU-T E.164 §6), with at most
 * two separators (space, `(`, `)`, `.`, `-`) between digits. Not after a word character or
 * a base64 one (ICE passwords, tokens), not before one. Timestamps (`+00:00`), ports and
 * millisecond figures carry no `+` with 7 digits and are left alone.
 */
const PHONE_RE = /(?<![\w+=%.-])\+\d(?:[ ().-]{0,2}\d){6,14}(?![\w])/g;
/** The value of a `tel:` URI (RFC 3966) written in text. */
const TEL_RE = /(?<![\w+.-])(?:tel|callto):([^\s"'<>\\,]+)/dgi;
/**
 * An e-mail address, also with `%40` for `@` (percent-encoded in a URL): local part and a
 * dotted domain (RFC 5322 §3.4.1, simplified). Group 1 is the local part alone.
 */
const EMAIL_RE = /(?<![\w.+%-])([\w.+%-]{1,64})(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/dg;
const BEARER_RE = /bearer(?:\s+|(?:%20)+|\+)([A-Za-z0-9\-._~+/=%]+)/dgi;
const BASIC_RE = /(?<![\w-])basic(?:\s+|(?:%20)+|\+)([A-Za-z0-9+/=%]{4,})/gi;
/**
 * A dotted run of base64url segments with at least three segments, from its start (the
 * lookbehind keeps the scan linear). Runs holding `eyJ` are JWTs; see {@link jwtSpans}.
 */
const DOTTED_RUN_RE = /(?<![A-Za-z0-9_.-])[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,}/g;
const USERINFO_RE = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/([^/\s@?#"'<>\\]+)@/dgi;
const CANDIDATE_RE = /candidate:[^\r\n"'\\]*/gi;
const SDP_ADDRESS_RE = /\bIN IP[46] ([^\s"'\\]+)/dg;
const IPV4_RE = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;
/** A run of hex digits and colons with at least two colons, optionally with a zone id. */
const IPV6_RE = /(?<![\w:.\]])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}(?:%[\w.-]+)?/g;
/** Characters that end an unquoted secret value. */
const VALUE_END_RE = /[\s&#;,"'<>)}\]\\]/;

type Span = [start: number, end: number];

/** True when an object key or header name holds a secret (`authorization`, `accessToken`, …). */
export function isSensitiveKey(name: string): boolean {
  return name.length <= 128 && SENSITIVE_KEY_RE.test(name);
}

/**
 * Returns `s` with every secret listed in the module comment replaced by {@link REDACTED}.
 * Idempotent. Linear in the length of `s`; does not truncate. A non-string gives `''`.
 */
export function redactString(s: string): string {
  if (typeof s !== 'string') return '';
  if (s.length === 0) return s;
  const spans: Span[] = [];
  keyValueSpans(s, spans);
  groupSpans(s, URL_ONLY_PARAM_RE, spans);
  groupSpans(s, BEARER_RE, spans);
  for (const m of s.matchAll(BASIC_RE)) {
    const cred = m[1] ?? '';
    if (looksLikeBasicCredentials(cred)) pushSpan(spans, m.index + m[0].length - cred.length, m.index + m[0].length);
  }
  jwtSpans(s, spans);
  groupSpans(s, USERINFO_RE, spans);
  personalSpans(s, spans);
  for (const m of s.matchAll(CANDIDATE_RE)) ipSpans(m[0], m.index, spans);
  groupSpans(s, SDP_ADDRESS_RE, spans);
  return applySpans(s, spans);
}

/**
 * Redacts a URL for display and storage: credentials in the query, fragment, path or user
 * information go; scheme, host, path and other parameters stay as written (no re-encoding).
 * Accepts anything; a non-string gives `''`.
 */
export function redactUrl(u: string): string {
  return typeof u === 'string' ? redactString(u) : '';
}

/** True when a key's value is a URL (or a list of them) that {@link redactForStorage} minimises. */
export function isUrlKey(name: string): boolean {
  return name.length <= 64 && URL_KEY_RE.test(name);
}

/**
 * Free text bound for storage, export, telemetry or the console: {@link redactString}, with
 * every absolute URL in it minimised first (`…/contacts/{id}?ani`). A non-string gives `''`.
 */
export function redactText(s: string): string {
  if (typeof s !== 'string') return '';
  return redactString(minimiseEmbeddedUrls(s));
}

/**
 * The ingest choke point: {@link redactValue} with URL minimisation (`minimiseUrls`), for
 * everything the worker stores, exports, sends as telemetry or logs. Never throws.
 */
export function redactForStorage(v: unknown, options: RedactOptions = {}): unknown {
  return redactWith(v, { ...DEFAULTS, ...options, minimiseUrls: true });
}

function minimiseEmbeddedUrls(s: string): string {
  return s.replace(EMBEDDED_URL_RE, (u) => {
    const tail = TRAILING_PUNCTUATION_RE.exec(u)?.[0] ?? '';
    return minimiseUrl(u.slice(0, u.length - tail.length)) + tail;
  });
}

/**
 * Returns a redacted deep copy of `v`, safe to store, export, log or send: plain objects,
 * arrays, strings, numbers, booleans and null only (undefined kept where it was).
 *
 * - strings: {@link redactString}, then cut to `maxStringLength` (`…[truncated N chars]`);
 * - object keys for which {@link isSensitiveKey} holds: value replaced by {@link REDACTED}
 *   (null, undefined, booleans and `''` are kept: they carry no secret); `[name, value]`
 *   header pairs likewise; IP-valued keys (`address`, `relatedAddress`, `ip`) lose their IPs;
 * - Error → `{ name, message, stack }`, Date → ISO string, URL → redacted href, Map → object,
 *   Set → array, binary → `[binary N bytes]`, functions and symbols → `[function]`/`[symbol]`,
 *   bigint → decimal string;
 * - cycles → `[circular]`, deeper than `maxDepth` → `[depth limit]`, unreadable properties
 *   (throwing getters, revoked proxies) → `[unreadable]`.
 *
 * Never throws.
 */
export function redactValue(v: unknown, options: RedactOptions = {}): unknown {
  return redactWith(v, { ...DEFAULTS, ...options, minimiseUrls: false });
}

function redactWith(v: unknown, opts: WalkOptions): unknown {
  const budget = { nodes: opts.maxNodes };
  try {
    return walk(v, 0, new WeakSet<object>(), opts, budget);
  } catch {
    return '[unreadable]';
  }
}

// ---------------------------------------------------------------------------------------------

function walk(v: unknown, depth: number, ancestors: WeakSet<object>, opts: WalkOptions, budget: { nodes: number }): unknown {
  budget.nodes -= 1;
  if (budget.nodes < 0) return '[truncated]';
  switch (typeof v) {
    case 'string':
      return boundedRedact(v, opts.maxStringLength, opts.minimiseUrls ? minimiseEmbeddedUrls : undefined);
    case 'number':
    case 'boolean':
    case 'undefined':
      return v;
    case 'bigint':
      return v.toString();
    case 'symbol':
      return '[symbol]';
    case 'function':
      return '[function]';
    default:
      break;
  }
  if (v === null) return null;
  const obj = v as object;
  if (depth >= opts.maxDepth) return '[depth limit]';
  if (ancestors.has(obj)) return '[circular]';

  try {
    return walkObject(obj, depth, ancestors, opts, budget);
  } catch {
    // Revoked proxies throw on instanceof, exotic objects on enumeration.
    return '[unreadable]';
  }
}

function walkObject(obj: object, depth: number, ancestors: WeakSet<object>, opts: WalkOptions, budget: { nodes: number }): unknown {
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof URL) return opts.minimiseUrls ? redactString(minimiseUrl(obj.href)) : redactUrl(obj.href);
  if (obj instanceof RegExp) return boundedRedact(String(obj), opts.maxStringLength);
  if (obj instanceof ArrayBuffer) return `[binary ${obj.byteLength} bytes]`;
  if (ArrayBuffer.isView(obj)) return `[binary ${obj.byteLength} bytes]`;

  ancestors.add(obj);
  try {
    if (obj instanceof Error) return walkError(obj, depth, ancestors, opts, budget);
    if (Array.isArray(obj)) return walkArray(obj, depth, ancestors, opts, budget);
    if (obj instanceof Set) return walkArray([...obj], depth, ancestors, opts, budget);
    if (obj instanceof Map) {
      const entries: [string, unknown][] = [];
      for (const [k, val] of obj) entries.push([typeof k === 'string' ? k : String(k), val]);
      return walkEntries(entries, depth, ancestors, opts, budget);
    }
    const keys = Object.keys(obj);
    const entries: [string, unknown][] = [];
    const limit = Math.min(keys.length, opts.maxKeys);
    for (let i = 0; i < limit; i += 1) {
      const key = keys[i] as string;
      entries.push([key, readProperty(obj, key)]);
    }
    const out = walkEntries(entries, depth, ancestors, opts, budget);
    if (keys.length > opts.maxKeys) define(out, '…', `${keys.length - opts.maxKeys} more keys`);
    return out;
  } finally {
    ancestors.delete(obj);
  }
}

const UNREADABLE = Symbol('unreadable');

function readProperty(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

function walkEntries(
  entries: [string, unknown][],
  depth: number,
  ancestors: WeakSet<object>,
  opts: WalkOptions,
  budget: { nodes: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, val] of entries) {
    const key = boundedRedact(rawKey, 256);
    if (val === UNREADABLE) {
      define(out, key, '[unreadable]');
    } else if (isSensitiveKey(rawKey)) {
      define(out, key, harmless(val) ? val : REDACTED);
    } else if (opts.minimiseUrls && isUrlKey(rawKey) && typeof val === 'string') {
      define(out, key, boundedRedact(val, opts.maxStringLength, minimiseUrl));
    } else if (opts.minimiseUrls && isUrlKey(rawKey) && Array.isArray(val)) {
      const urls = walkArray(val, depth, ancestors, { ...opts, minimiseUrls: true }, budget);
      define(
        out,
        key,
        urls.map((u) => (typeof u === 'string' && !u.startsWith('[') ? minimiseUrl(u) : u)),
      );
    } else if (IP_KEY_RE.test(rawKey) && typeof val === 'string') {
      define(out, key, redactIps(boundedRedact(val, opts.maxStringLength)));
    } else {
      define(out, key, walk(val, depth + 1, ancestors, opts, budget));
    }
  }
  return out;
}

function walkArray(
  arr: readonly unknown[],
  depth: number,
  ancestors: WeakSet<object>,
  opts: WalkOptions,
  budget: { nodes: number },
): unknown[] {
  const length = arr.length;
  // `['Authorization', 'Bearer …']` / `['Cookie', 'sid=…']`: a header pair.
  if (length === 2 && typeof arr[0] === 'string' && isSensitiveKey(arr[0])) {
    const second = readIndex(arr, 1);
    return [boundedRedact(arr[0], 256), harmless(second) ? second : REDACTED];
  }
  const limit = Math.min(length, opts.maxArrayLength);
  const out: unknown[] = [];
  for (let i = 0; i < limit; i += 1) {
    const item = readIndex(arr, i);
    out.push(item === UNREADABLE ? '[unreadable]' : walk(item, depth + 1, ancestors, opts, budget));
  }
  if (length > limit) out.push(`[… ${length - limit} more]`);
  return out;
}

function readIndex(arr: readonly unknown[], i: number): unknown {
  try {
    return arr[i];
  } catch {
    return UNREADABLE;
  }
}

function walkError(
  err: Error,
  depth: number,
  ancestors: WeakSet<object>,
  opts: WalkOptions,
  budget: { nodes: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const name = readProperty(err, 'name');
  const message = readProperty(err, 'message');
  const stack = readProperty(err, 'stack');
  define(out, 'name', typeof name === 'string' ? boundedRedact(name, 256) : 'Error');
  define(out, 'message', typeof message === 'string' ? boundedRedact(message, opts.maxStringLength) : '');
  if (typeof stack === 'string') define(out, 'stack', boundedRedact(stack, opts.maxStringLength));
  const cause = readProperty(err, 'cause');
  if (cause !== undefined && cause !== UNREADABLE) define(out, 'cause', walk(cause, depth + 1, ancestors, opts, budget));
  return out;
}

/** Values under a sensitive key that carry no secret and are worth keeping. */
function harmless(v: unknown): boolean {
  return v === null || v === undefined || v === '' || typeof v === 'boolean';
}

/** Own data property, also for `__proto__` (plain assignment would set the prototype). */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Redacts, then cuts. Hostile megabyte strings are cut (with an 8 KiB margin, the largest
 * token the page protocol carries) *before* the regexes run, so the work stays bounded.
 */
function boundedRedact(s: string, max: number, before?: (s: string) => string): string {
  const pre = s.length > max + 8192 ? s.slice(0, max + 8192) : s;
  const red = redactString(before ? before(pre) : pre);
  if (red.length <= max && pre.length === s.length) return red;
  const kept = red.slice(0, max);
  return `${kept}…[truncated ${s.length - kept.length} chars]`;
}

// --- string rules ----------------------------------------------------------------------------

const IP_KEY_RE = /^(?:address|relatedaddress|related_address|ip|ipaddress|ip_address|raddr)$/i;

function redactIps(s: string): string {
  const spans: Span[] = [];
  ipSpans(s, 0, spans);
  return applySpans(s, spans);
}

function keyValueSpans(s: string, spans: Span[]): void {
  const re = new RegExp(KEY_VALUE_RE.source, KEY_VALUE_RE.flags);
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const name = m[1] ?? '';
    const sep = m[3] ?? '';
    const start = m.index + m[0].length;
    if (s.startsWith(REDACTED, start)) continue;
    let valueStart = start;
    let end: number;
    const quote = /^(\\*)(["'])/.exec(s.slice(start, start + 16));
    if (quote) {
      valueStart = start + quote[0].length;
      end = closingQuote(s, valueStart, quote[2] as string, (quote[1] as string).length);
    } else if (sep === ':' && HEADER_LINE_RE.test(name)) {
      end = lineEnd(s, start);
    } else {
      end = valueEnd(s, start, sep.startsWith('%'));
    }
    pushSpan(spans, valueStart, end);
    // Names inside a value already redacted need no second look (and rescanning them would
    // make hostile input quadratic).
    re.lastIndex = Math.max(re.lastIndex, end);
  }
}

/**
 * JWS (3 segments) and JWE (5 segments) compact serializations start with `eyJ`, the
 * base64url of `{"` (RFC 7515 §7.1, RFC 7516 §7.1). In each dotted run, everything from the
 * first `eyJ` that has two more segments after it is redacted, also when other characters
 * are glued in front of it.
 */
function jwtSpans(s: string, spans: Span[]): void {
  for (const m of s.matchAll(DOTTED_RUN_RE)) {
    const run = m[0];
    const segments = run.split('.');
    let offset = 0;
    for (let i = 0; i + 2 < segments.length; i += 1) {
      const seg = segments[i] as string;
      const at = seg.indexOf('eyJ');
      if (at >= 0) {
        pushSpan(spans, m.index + offset + at, m.index + run.length);
        break;
      }
      offset += seg.length + 1;
    }
  }
}

/**
 * End of a quoted value: the first `quote` preceded by at most `escapes` backslashes (deeper
 * escapes belong to text nested inside the value). End of string when unterminated.
 */
function closingQuote(s: string, from: number, quote: string, escapes: number): number {
  for (let i = s.indexOf(quote, from); i >= 0; i = s.indexOf(quote, i + 1)) {
    let backslashes = 0;
    for (let j = i - 1; j >= from && s[j] === '\\'; j -= 1) backslashes += 1;
    if (backslashes <= escapes) return i - backslashes;
  }
  return s.length;
}

function lineEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i += 1) {
    const c = s[i];
    if (c === '\n' || c === '\r') return i;
  }
  return s.length;
}

/** End of an unquoted value; inside a percent-encoded URL also at `%26` (&) and `%23` (#). */
function valueEnd(s: string, from: number, encoded: boolean): number {
  for (let i = from; i < s.length; i += 1) {
    const c = s[i] as string;
    if (VALUE_END_RE.test(c)) return i;
    if (encoded && c === '%' && (s.startsWith('%26', i) || s.startsWith('%23', i))) return i;
  }
  return s.length;
}

/** Adds the span of capture group 1 of every match (`re` carries the `d` flag). */
function groupSpans(s: string, re: RegExp, spans: Span[]): void {
  for (const m of s.matchAll(re)) {
    const span = m.indices?.[1];
    if (span) pushSpan(spans, span[0], span[1]);
  }
}

/**
 * Phone numbers, `tel:` values and e-mail addresses. An address inside a URL's authority
 * (`//user:pw@host`) is its user information: only its user part goes (as {@link USERINFO_RE} does), the host stays.
 */
function personalSpans(s: string, spans: Span[]): void {
  for (const m of s.matchAll(PHONE_RE)) pushSpan(spans, m.index, m.index + m[0].length);
  groupSpans(s, TEL_RE, spans);
  for (const m of s.matchAll(EMAIL_RE)) {
    const local = m.indices?.[1];
    const inAuthority = /\/\/[^/\s@?#"'<>\\]*$/.test(s.slice(Math.max(0, m.index - 256), m.index + 1));
    if (inAuthority && local) pushSpan(spans, local[0], local[1]);
    else pushSpan(spans, m.index, m.index + m[0].length);
  }
}

function ipSpans(text: string, offset: number, spans: Span[]): void {
  for (const m of text.matchAll(IPV4_RE)) pushSpan(spans, offset + m.index, offset + m.index + m[0].length);
  for (const m of text.matchAll(IPV6_RE)) pushSpan(spans, offset + m.index, offset + m.index + m[0].length);
}

function looksLikeBasicCredentials(cred: string): boolean {
  if (cred.length >= 16 || cred.includes('=') || cred.includes('%')) return true;
  try {
    return atob(cred).includes(':');
  } catch {
    return false;
  }
}

function pushSpan(spans: Span[], start: number, end: number): void {
  if (end > start) spans.push([start, end]);
}

/** Replaces the union of the spans, merging overlapping and touching ones into one marker. */
function applySpans(s: string, spans: Span[]): string {
  if (spans.length === 0) return s;
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let out = '';
  let cursor = 0;
  let curStart = -1;
  let curEnd = -1;
  for (const [start, end] of spans) {
    if (curStart >= 0 && start <= curEnd) {
      curEnd = Math.max(curEnd, end);
      continue;
    }
    if (curStart >= 0) {
      out += s.slice(cursor, curStart) + REDACTED;
      cursor = curEnd;
    }
    curStart = start;
    curEnd = end;
  }
  out += s.slice(cursor, curStart) + REDACTED + s.slice(curEnd);
  return out;
}
