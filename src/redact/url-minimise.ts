/**
 * URL minimisation: what is kept of a URL the softphone used, once it is stored, exported,
 * sent as telemetry or logged. A contact centre's URLs carry its customers — phone numbers
 * in paths and queries (`/contacts/+15551234567`, `?ani=tel:+1…`), e-mail addresses,
 * names (`customerName=`), one-time secrets (`otp=`, `pin=`) — and diagnosis needs none of
 * them: it needs the endpoint. docs/export-bundle.md ("What is kept of a URL") is the
 * user-facing statement of these rules.
 *
 * Kept: scheme, host and port, and the path with every identifier-like segment replaced by
 * {@link ID_PLACEHOLDER}; of the query and the fragment only the parameter names
 * (`?ani&dnis`, no values), in their order, duplicates once. Dropped: user information,
 * every query and fragment value.
 *
 * A path segment (percent-decoded for the test, kept as written otherwise) is an identifier
 * when it holds
 * - a run of 7 or more digits, also with a leading `+` and with separators between them
 *   (`+1 (555) 123-4567`, `5551234567`, `+44.20.7946.0958`): phone numbers, account and
 *   record numbers (E.164 numbers have at most 15 digits, ITU-T E.164 §6; 7 is the shortest
 *   subscriber number worth hiding);
 * - a `tel:`, `sip:` or `sips:` value (RFC 3966, RFC 3261 §19.1);
 * - an e-mail address (text on both sides of an `@`);
 * - a run of 16 or more hexadecimal characters with a digit in it (Twilio's call SIDs,
 *   `CA` + 32 hex digits; hashes; opaque record keys);
 * - a UUID (RFC 9562 §4: 8-4-4-4-12 hex digits) — it names a record (`/conversations/<uuid>`,
 *   `/contacts/<uuid>`) unless the segment before it is one of {@link ENDPOINT_COLLECTIONS},
 *   collections whose members are endpoints of the platform rather than customer records
 *   (Genesys's notification channels, `wss://streaming.<region>/stream/channels/streaming-<uuid>`;
 *   deployments; organisations): there the segment is kept. The same exception holds for the
 *   hexadecimal rule. Digit runs, `tel:` and e-mail addresses are replaced after any segment;
 * - after a segment that names a one-time secret ({@link SECRET_KEY_SEGMENTS}: `/otp/123456`,
 *   `/pin/4321`, `/verify/A7K2Q9`), any segment with a digit in it, short codes included,
 *   except a version tag (`/otp/v2/…`).
 *
 * Matrix parameters (`;jsessionid=…`) of a segment are reduced to their names like the query.
 * Query and fragment parameter names that are themselves identifiers become
 * {@link ID_PLACEHOLDER}. A fragment without `=` is a client-side route (`#/contacts/+1555…`)
 * and is minimised like a path.
 *
 * Accepts anything and never throws: absolute URLs of any scheme (`http`, `https`, `ws`,
 * `wss`, `blob:` with its inner URL, `tel:` / `mailto:` → `tel:{id}`), relative references
 * (`/api/v2/x?y=1` → `/api/v2/x?y`), protocol-relative ones, and malformed input, which is
 * minimised piecewise without parsing; a non-string gives {@link UNREADABLE_URL}.
 */

/** What replaces an identifier in a path segment or parameter name. */
export const ID_PLACEHOLDER = '{id}';
/** What a non-string URL becomes. */
export const UNREADABLE_URL = '{url}';

/**
 * Collections whose UUID- or hex-named members are endpoints, not customer records (compared
 * case-insensitively). `channels`: Genesys Cloud notification and streaming channels
 * (purecloud-platform-client-v2 `NotificationsApi` `/api/v2/notifications/channels/{channelId}`;
 * genesys-cloud-streaming-client `wss://streaming.<host>/stream/channels/<channelId>`).
 */
export const ENDPOINT_COLLECTIONS: ReadonlySet<string> = new Set([
  'channels',
  'deployments',
  'webdeployments',
  'organizations',
  'orgs',
  'regions',
  'edges',
]);

/**
 * Path segments after which a value is a one-time secret (compared case-insensitively), as the
 * same names are in a query (src/redact/redact.ts masks `otp=`, `pin=`, `passcode=`, `code=`).
 */
export const SECRET_KEY_SEGMENTS: ReadonlySet<string> = new Set([
  'otp',
  'totp',
  'hotp',
  'pin',
  'pincode',
  'passcode',
  'code',
  'mfa',
  '2fa',
  'tan',
  'verify',
  'verification',
  'verification-code',
  'verification_code',
  'verificationcode',
  'one-time-password',
  'token',
]);

/** Longest URL looked at, UTF-16 code units; the rest is cut (the page protocol allows 2,048). */
const MAX_INPUT = 8192;
/** Longest parameter name kept as is; longer ones are no names but data. */
const MAX_NAME = 64;
/** Most distinct parameter names kept per query or fragment. */
const MAX_NAMES = 32;

const DIGIT_RUN_RE = /\d(?:[\s().-]{0,2}\d){6,}/;
const DIAL_URI_RE = /^(?:tel|sips?|callto|fax|modem):/i;
const EMAIL_RE = /[^@\s]@[^@\s]/;
const HEX_RUN_RE = /(?=[0-9a-f]*\d)[0-9a-f]{16,}/i;
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const VERSION_TAG_RE = /^v\d+(?:\.\d+)*$/i;
const SCHEME_RE = /^([a-z][a-z0-9+.-]*):/i;
const HIERARCHICAL_RE = /^([a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)(.*)$/is;

/** True when `raw` (one path segment, or a parameter name) names a record or carries caller data. */
export function isIdentifierSegment(raw: string, previous = ''): boolean {
  const s = safeDecode(raw);
  if (DIGIT_RUN_RE.test(s) || DIAL_URI_RE.test(s) || EMAIL_RE.test(s)) return true;
  const before = safeDecode(previous).toLowerCase();
  if (SECRET_KEY_SEGMENTS.has(before) && /\d/.test(s) && !VERSION_TAG_RE.test(s)) return true;
  if (!UUID_RE.test(s) && !HEX_RUN_RE.test(s)) return false;
  return !ENDPOINT_COLLECTIONS.has(before);
}

/**
 * The minimised form of `url` described in the module comment: origin and templated path,
 * parameter names only, no user information. Idempotent. Never throws.
 */
export function minimiseUrl(url: unknown): string {
  if (typeof url !== 'string') return UNREADABLE_URL;
  try {
    return minimise(url.length > MAX_INPUT ? url.slice(0, MAX_INPUT) : url);
  } catch {
    return UNREADABLE_URL;
  }
}

/**
 * OpenTelemetry `url.path` of a URL: the minimised path alone (`/api/v2/contacts/{id}`),
 * `/` when it has none. Never throws.
 */
export function urlPathTemplate(url: unknown): string {
  const m = minimiseUrl(url);
  const rest = HIERARCHICAL_RE.exec(m)?.[3] ?? m.replace(SCHEME_RE, '');
  const end = rest.search(/[?#]/);
  const path = end === -1 ? rest : rest.slice(0, end);
  return path.startsWith('/') ? path : `/${path}`;
}

/** OpenTelemetry `server.address`: the host of an absolute URL, lower-case, or undefined. */
export function serverAddress(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const authority = HIERARCHICAL_RE.exec(url)?.[2];
  if (authority === undefined) return undefined;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '');
  if (host === '') return undefined;
  return host.startsWith('[') ? minimiseAuthority(host) : minimiseHost(host.toLowerCase());
}

// ---------------------------------------------------------------------------------------------

function minimise(url: string): string {
  const trimmed = url.trim();
  const scheme = SCHEME_RE.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'blob') return `blob:${minimise(trimmed.slice(5))}`;
  const hier = HIERARCHICAL_RE.exec(trimmed);
  if (hier) {
    const [, schemePart = '', authority = '', rest = ''] = hier;
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    return `${schemePart.toLowerCase()}//${minimiseAuthority(hostPort)}${minimiseRest(rest)}`;
  }
  if (scheme !== undefined && !/^[a-z]:[\\/]/i.test(trimmed)) {
    // `tel:`, `mailto:`, `sip:`, `urn:`, `data:`, `about:blank`: the whole value is data,
    // unless it is a plain word (`about:blank`, `javascript:void(0)` is cut at the parenthesis).
    const value = trimmed.slice(scheme.length + 1);
    if (scheme === 'data') return 'data:';
    if (/^[a-z0-9-]*$/i.test(value) && !isIdentifierSegment(value)) return `${scheme}:${value}`;
    return `${scheme}:${ID_PLACEHOLDER}`;
  }
  return minimiseRest(trimmed);
}

/** Host and port; labels that are identifiers (a digit run as a subdomain) become `{id}`. */
function minimiseAuthority(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.replace(/[^\w:.[\]%-]/g, '');
  const m = /^(.*?)(:\d*)?$/.exec(hostPort);
  const host = m?.[1] ?? hostPort;
  return `${minimiseHost(host)}${m?.[2] ?? ''}`;
}

function minimiseHost(host: string): string {
  if (/^[\d.]+$/.test(host)) return host; // IPv4
  return host
    .split('.')
    .map((label) => (isIdentifierSegment(label, 'host') || /[^\w-]/.test(safeDecode(label)) ? ID_PLACEHOLDER : label))
    .join('.');
}

/** Path, query and fragment of a URL (or a relative reference). */
function minimiseRest(rest: string): string {
  const hash = rest.indexOf('#');
  const beforeHash = hash === -1 ? rest : rest.slice(0, hash);
  const fragment = hash === -1 ? undefined : rest.slice(hash + 1);
  const q = beforeHash.indexOf('?');
  const path = q === -1 ? beforeHash : beforeHash.slice(0, q);
  const query = q === -1 ? undefined : beforeHash.slice(q + 1);
  let out = minimisePath(path);
  if (query !== undefined) out += `?${paramNames(query)}`;
  if (fragment !== undefined) out += `#${minimiseFragment(fragment)}`;
  return out;
}

function minimisePath(path: string): string {
  const segments = path.split('/');
  let previous = '';
  return segments
    .map((segment) => {
      const semi = segment.indexOf(';');
      const main = semi === -1 ? segment : segment.slice(0, semi);
      const matrix = semi === -1 ? '' : `;${names(segment.slice(semi + 1), ';')}`;
      const kept = isIdentifierSegment(main, previous) ? ID_PLACEHOLDER : main;
      previous = main;
      return kept + matrix;
    })
    .join('/');
}

/** A fragment with parameters keeps their names; a route-like fragment is minimised as a path. */
function minimiseFragment(fragment: string): string {
  const q = fragment.indexOf('?');
  const head = q === -1 ? fragment : fragment.slice(0, q);
  const tail = q === -1 ? undefined : fragment.slice(q + 1);
  const headOut = head.includes('=') ? paramNames(head) : minimisePath(head);
  return tail === undefined ? headOut : `${headOut}?${paramNames(tail)}`;
}

/** `a=1&b=2&a=3` → `a&b`. */
function paramNames(query: string): string {
  return names(query, '&');
}

function names(list: string, separator: string): string {
  const seen: string[] = [];
  for (const part of list.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const raw = eq === -1 ? part : part.slice(0, eq);
    if (raw === '') continue;
    const name = raw.length > MAX_NAME || isIdentifierSegment(raw) || /[\s"'<>\\]/.test(raw) ? ID_PLACEHOLDER : raw;
    if (!seen.includes(name)) seen.push(name);
    if (seen.length >= MAX_NAMES) break;
  }
  return seen.join(separator);
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
