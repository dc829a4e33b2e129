/**
 * Where a softphone carries its bearer token, and how the probe reads and replaces it there
 * (policy key `tokenCarriers`, docs/architecture.md §3 rung 2):
 *
 * - `header`: a request header, optionally with an authentication scheme
 *   (`Authorization: Bearer <token>`, RFC 6750 §2.1; `X-Amz-Bearer: <token>`);
 * - `query`: a URI query parameter (`access_token`, RFC 6750 §2.3) of a request or socket URL;
 * - `ws-message` with `pattern`: a text frame the softphone sends on a WebSocket, the token being
 *   the pattern's one capture group (socket.io's `40{"token":"…"}` CONNECT packet, Twilio's
 *   `listen`). A capture inside a JSON string may hold JSON escapes (`\/`, `\u002e`): the token
 *   is the unescaped text, and a replacement is written escaped the same way (RFC 8259 §7);
 * - `ws-message` with `format: 'xmpp-sasl-plain'`: the SASL PLAIN `<auth>` element of XMPP
 *   (RFC 6120 §6.4.2, RFC 4616 §2: base64 of `authzid NUL authcid NUL passwd`), the token being
 *   the password after `prefix` (Genesys Cloud's `authKey:`).
 *
 * Pure string work: no `atob`, `JSON`, `URL` or `TextEncoder`, and wherever a token (stale or
 * fresh) is read, written or compared, only the built-ins of ./intrinsics.ts (captured at
 * document_start in the page probe) and index loops: a page that patches `String.prototype`,
 * `RegExp.prototype`, `Array.prototype` or those globals later sees no token pass through them.
 */
import type { TokenCarrierInput } from '../policy/schema';
import type { TokenLedger } from './token-substitution';
import {
  charCodeAt,
  codePointAt,
  decodeUriComponent,
  encodeUriComponent,
  exec,
  fromCharCode,
  fromCodePoint,
  includes,
  indexOf,
  join,
  mapGet,
  mapSet,
  newRegExp,
  push,
  slice,
  split,
  startsWith,
  test,
  toLower,
} from './intrinsics';

/** A request header that carries the token, optionally after an authentication scheme. */
export interface HeaderCarrier {
  readonly type: 'header';
  /** Header name as configured; matched case-insensitively (RFC 9110 §5.1). */
  readonly name: string;
  /** Authentication scheme before the token (`Bearer`), case-insensitive (RFC 9110 §11.1); none: the whole value. */
  readonly scheme?: string;
}

/** A URI query parameter that carries the token. */
export interface QueryCarrier {
  readonly type: 'query';
  readonly name: string;
}

/** A text WebSocket frame matching `pattern`; its one capture group is the token. */
export interface WsPatternCarrier {
  readonly type: 'ws-message';
  /** A regular expression (no flags) with exactly one capture group, checked at policy resolution. */
  readonly pattern: string;
}

/** XMPP SASL PLAIN `<auth>`: the password after `prefix` is the token. */
export interface WsSaslCarrier {
  readonly type: 'ws-message';
  readonly format: 'xmpp-sasl-plain';
  /** What precedes the token in the password; '' when the password is the token. */
  readonly prefix: string;
}

/** One place a token travels. */
export type TokenCarrier = HeaderCarrier | QueryCarrier | WsPatternCarrier | WsSaslCarrier;
export type WsCarrier = WsPatternCarrier | WsSaslCarrier;

/** Where tokens are looked for when the policy says nothing: RFC 6750 §2.1 and §2.3. */
export const DEFAULT_TOKEN_CARRIERS: readonly TokenCarrier[] = [
  { type: 'header', name: 'Authorization', scheme: 'Bearer' },
  { type: 'query', name: 'access_token' },
];

/** Longest text frame the probe reads for a token, characters: larger frames are media or data, not sign-in. */
export const MAX_SCANNED_FRAME = 64 * 1024;

export const isHeaderCarrier = (c: TokenCarrier): c is HeaderCarrier => c.type === 'header';
export const isQueryCarrier = (c: TokenCarrier): c is QueryCarrier => c.type === 'query';
export const isWsCarrier = (c: TokenCarrier): c is WsCarrier => c.type === 'ws-message';
export const isSaslCarrier = (c: TokenCarrier): c is WsSaslCarrier => c.type === 'ws-message' && 'format' in c;

/** The probe's form of checked carriers (`prefix` of SASL defaults to ''). Call after src/policy/token-carrier-check.ts `tokenCarriersError`. */
export function toTokenCarriers(list: readonly TokenCarrierInput[]): TokenCarrier[] {
  return list.map((c): TokenCarrier => {
    if (c.type === 'header')
      return c.scheme ? { type: 'header', name: c.name ?? '', scheme: c.scheme } : { type: 'header', name: c.name ?? '' };
    if (c.type === 'query') return { type: 'query', name: c.name ?? '' };
    return c.format !== undefined
      ? { type: 'ws-message', format: c.format, prefix: c.prefix ?? '' }
      : { type: 'ws-message', pattern: c.pattern ?? '' };
  });
}

// --- headers ----------------------------------------------------------------------------------

const lower = toLower;

function splitScheme(carrier: HeaderCarrier, value: string): { head: string; token: string; tail: string } | null {
  const lead = exec(/^\s*/, value)?.[0] ?? '';
  const trail = exec(/\s*$/, value)?.[0] ?? '';
  const body = slice(value, lead.length, value.length - trail.length);
  if (body.length === 0) return null;
  if (carrier.scheme === undefined || carrier.scheme === '') {
    return test(/\s/, body) ? null : { head: lead, token: body, tail: trail };
  }
  const m = exec(/^(\S+)([ \t]+)(\S+)$/, body);
  if (!m || lower(m[1] ?? '') !== lower(carrier.scheme)) return null;
  return { head: `${lead}${m[1] ?? ''}${m[2] ?? ''}`, token: m[3] ?? '', tail: trail };
}

/** The token in a header value of this carrier, else null. */
export function readHeaderToken(carrier: HeaderCarrier, value: string): string | null {
  return splitScheme(carrier, value)?.token ?? null;
}

/** The header value with a stale token replaced by the fresh one (spelling kept), else null. */
export function substituteHeaderToken(carrier: HeaderCarrier, value: string, ledger: TokenLedger): string | null {
  if (!ledger.active) return null;
  const parts = splitScheme(carrier, value);
  const fresh = parts ? ledger.replacementFor(parts.token) : null;
  return parts && fresh !== null ? `${parts.head}${fresh}${parts.tail}` : null;
}

// --- query ------------------------------------------------------------------------------------

interface QueryParts {
  head: string;
  params: string[];
  tail: string;
}

function splitQuery(url: string): QueryParts | null {
  const hash = indexOf(url, '#');
  const beforeHash = hash < 0 ? url : slice(url, 0, hash);
  const q = indexOf(beforeHash, '?');
  if (q < 0) return null;
  return { head: slice(beforeHash, 0, q + 1), params: split(slice(beforeHash, q + 1), '&'), tail: hash < 0 ? '' : slice(url, hash) };
}

/** application/x-www-form-urlencoded decoding (WHATWG URL §5.1): `+` is a space; bad escapes kept. */
function formDecode(s: string): string {
  const spaced = join(split(s, '+'), ' ');
  try {
    return decodeUriComponent(spaced);
  } catch {
    return spaced;
  }
}

function paramValue(param: string, name: string): string | null {
  const eq = indexOf(param, '=');
  if (eq < 0) return null;
  return formDecode(slice(param, 0, eq)) === name ? formDecode(slice(param, eq + 1)) : null;
}

/** The (decoded) value of the first non-empty query parameter `name`, else null. */
export function readQueryToken(url: string, name: string): string | null {
  if (!includes(url, name)) return null;
  const parts = splitQuery(url);
  if (!parts) return null;
  for (let i = 0; i < parts.params.length; i++) {
    const v = paramValue(parts.params[i] as string, name);
    if (v !== null && v.length > 0) return v;
  }
  return null;
}

/**
 * The URL with every stale value of query parameter `name` replaced by the fresh token
 * (percent-encoded); every other byte kept. Null when nothing is to be replaced.
 */
export function substituteQueryToken(url: string, name: string, ledger: TokenLedger): string | null {
  if (!ledger.active || !includes(url, name)) return null;
  const parts = splitQuery(url);
  if (!parts) return null;
  let changed = false;
  const params = parts.params;
  for (let i = 0; i < params.length; i++) {
    const p = params[i] as string;
    const v = paramValue(p, name);
    const fresh = v === null ? null : ledger.replacementFor(v);
    if (fresh === null) continue;
    let encoded: string;
    try {
      encoded = encodeUriComponent(fresh);
    } catch {
      continue; // lone surrogate: not a usable token
    }
    changed = true;
    params[i] = `${slice(p, 0, indexOf(p, '=') + 1)}${encoded}`;
  }
  return changed ? `${parts.head}${join(params, '&')}${parts.tail}` : null;
}

// --- requests ---------------------------------------------------------------------------------

/** Reads one header of a request by lower-case name; null when absent. */
export type HeaderReader = (lowerName: string) => string | null;

/** The first token the request carries, in carrier order, else null. */
export function readRequestToken(carriers: readonly TokenCarrier[], header: HeaderReader, url: string): string | null {
  for (let i = 0; i < carriers.length; i++) {
    const c = carriers[i] as TokenCarrier;
    if (isHeaderCarrier(c)) {
      const v = header(lower(c.name));
      const t = v === null ? null : readHeaderToken(c, v);
      if (t !== null) return t;
    } else if (isQueryCarrier(c)) {
      const t = readQueryToken(url, c.name);
      if (t !== null) return t;
    }
  }
  return null;
}

/** What {@link substituteRequest} changes: headers to set (configured spelling) and the new URL. */
export interface RequestRewrite {
  headers: [name: string, value: string][];
  url: string | null;
}

/** The request's stale tokens replaced in every header and query carrier, or null when none is. */
export function substituteRequest(
  carriers: readonly TokenCarrier[],
  header: HeaderReader,
  url: string,
  ledger: TokenLedger,
): RequestRewrite | null {
  if (!ledger.active) return null;
  const headers: [string, string][] = [];
  let newUrl: string | null = null;
  for (let i = 0; i < carriers.length; i++) {
    const c = carriers[i] as TokenCarrier;
    if (isHeaderCarrier(c)) {
      const name = lower(c.name);
      const v = header(name);
      const s = v === null ? null : substituteHeaderToken(c, v, ledger);
      let seen = false;
      for (let k = 0; k < headers.length; k++) if (lower((headers[k] as [string, string])[0]) === name) seen = true;
      if (s !== null && !seen) push(headers, [c.name, s]);
    } else if (isQueryCarrier(c)) {
      newUrl = substituteQueryToken(newUrl ?? url, c.name, ledger) ?? newUrl;
    }
  }
  return headers.length > 0 || newUrl !== null ? { headers, url: newUrl } : null;
}

/** The URL's first token in a query carrier, else null (socket URLs carry no headers the page sets). */
export function readUrlToken(carriers: readonly TokenCarrier[], url: string): string | null {
  return readRequestToken(carriers, () => null, url);
}

/** The URL with stale tokens replaced in every query carrier, else null. */
export function substituteUrl(carriers: readonly TokenCarrier[], url: string, ledger: TokenLedger): string | null {
  return substituteRequest(carriers, () => null, url, ledger)?.url ?? null;
}

// --- JSON string escapes (RFC 8259 §7) -------------------------------------------------------

const SIMPLE_UNESCAPE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON string content to text; null when an escape is malformed. */
export function unescapeJsonString(s: string): string | null {
  if (!includes(s, '\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i += 1) {
    const ch = s[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = s[i + 1];
    if (next === undefined) return null;
    if (next === 'u') {
      const hex = slice(s, i + 2, i + 6);
      if (!test(/^[0-9a-fA-F]{4}$/, hex)) return null;
      out += fromCharCode(hexValue(hex));
      i += 5;
    } else {
      const simple = SIMPLE_UNESCAPE[next];
      if (simple === undefined) return null;
      out += simple;
      i += 1;
    }
  }
  return out;
}

/** The value of four hex digits (checked by the caller). */
function hexValue(hex: string): number {
  let n = 0;
  for (let i = 0; i < hex.length; i++) {
    const c = charCodeAt(hex, i) | 0x20; // lower case
    n = n * 16 + (c >= 0x61 ? c - 0x57 : c - 0x30);
  }
  return n;
}

/** True when `s` holds a character a JSON string cannot carry as it is (`"`, `\`, U+0000–U+001F). */
function needsJsonEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' || ch === '\\' || charCodeAt(s, i) < 0x20) return true;
  }
  return false;
}

const HEX = '0123456789abcdef';

/** Text as JSON string content: `"`, `\` and control characters escaped; `/` too when `slashes`. */
export function escapeJsonString(s: string, slashes: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = charCodeAt(s, i);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '/' && slashes) out += '\\/';
    else if (code < 0x20) out += `\\u00${HEX[code >> 4] as string}${HEX[code & 15] as string}`;
    else out += ch;
  }
  return out;
}

// --- base64 and UTF-8 (RFC 4648 §4, RFC 3629) -------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8Encode(s: string): number[] {
  const out: number[] = [];
  const put = (b: number): void => push(out, b);
  for (let i = 0; i < s.length; i++) {
    const cp = codePointAt(s, i);
    if (cp > 0xffff) i++; // a surrogate pair: two code units
    if (cp < 0x80) put(cp);
    else if (cp < 0x800) {
      put(0xc0 | (cp >> 6));
      put(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      put(0xe0 | (cp >> 12));
      put(0x80 | ((cp >> 6) & 63));
      put(0x80 | (cp & 63));
    } else {
      put(0xf0 | (cp >> 18));
      put(0x80 | ((cp >> 12) & 63));
      put(0x80 | ((cp >> 6) & 63));
      put(0x80 | (cp & 63));
    }
  }
  return out;
}

/** UTF-8 bytes to text; null on an invalid sequence (a token that is not text is not read). */
function utf8Decode(bytes: readonly number[]): string | null {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] as number;
    const n = b < 0x80 ? 0 : b >> 5 === 6 ? 1 : b >> 4 === 14 ? 2 : b >> 3 === 30 ? 3 : -1;
    if (n < 0 || i + n >= bytes.length) return null;
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || c >> 6 !== 2) return null;
      cp = (cp << 6) | (c & 63);
    }
    out += fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

function base64Encode(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63] + (B64[(n >> 12) & 63] as string);
    out += b === undefined ? '=' : (B64[(n >> 6) & 63] as string);
    out += c === undefined ? '=' : (B64[n & 63] as string);
  }
  return out;
}

/** Base64 (whitespace ignored) to bytes; null when it is not base64. */
function base64Decode(text: string): number[] | null {
  let s = '';
  for (let i = 0; i < text.length; i++) if (!test(/\s/, text[i] as string)) s += text[i] as string;
  if (s.length % 4 !== 0 || !test(/^[A-Za-z0-9+/]*={0,2}$/, s)) return null;
  const out: number[] = [];
  const digit = (ch: string | undefined): number => (ch === '=' || ch === undefined ? 0 : indexOf(B64, ch));
  for (let i = 0; i < s.length; i += 4) {
    const n = (digit(s[i]) << 18) | (digit(s[i + 1]) << 12) | (digit(s[i + 2]) << 6) | digit(s[i + 3]);
    push(out, (n >> 16) & 255);
    if (s[i + 2] !== '=') push(out, (n >> 8) & 255);
    if (s[i + 3] !== '=') push(out, n & 255);
  }
  return out;
}

// --- WebSocket messages -----------------------------------------------------------------------

/** A SASL `<auth>` element (RFC 6120 §6.4.2) with mechanism PLAIN: its opening tag and base64 content. */
const SASL_AUTH_RE = /(<auth\b[^>]*\bmechanism\s*=\s*(["'])PLAIN\2[^>]*>)([A-Za-z0-9+/=\s]*)(<\/auth\s*>)/;
/** The start of a SASL `<auth>` element, complete or not. */
const SASL_AUTH_START_RE = /<auth\b/;
/** A SASL `<failure>` (RFC 6120 §6.4.5), in its namespace. */
const SASL_FAILURE_RE = /<failure\b[^>]*urn:ietf:params:xml:ns:xmpp-sasl/;

interface Found {
  token: string;
  /** The frame with the token replaced by `to`. */
  replace(to: string): string | null;
}

function findSasl(carrier: WsSaslCarrier, text: string): Found | null {
  const m = exec(SASL_AUTH_RE, text);
  if (!m || m[3] === undefined) return null;
  const bytes = base64Decode(m[3]);
  const plain = bytes === null ? null : utf8Decode(bytes);
  if (plain === null) return null;
  // authzid NUL authcid NUL passwd (RFC 4616 §2)
  const parts = split(plain, '\u0000');
  if (parts.length !== 3) return null;
  const password = parts[2] as string;
  if (!startsWith(password, carrier.prefix) || password.length === carrier.prefix.length) return null;
  const at = m.index + (m[1] as string).length;
  return {
    token: slice(password, carrier.prefix.length),
    replace: (to) => {
      const encoded = base64Encode(utf8Encode(`${parts[0] ?? ''}\u0000${parts[1] ?? ''}\u0000${carrier.prefix}${to}`));
      return `${slice(text, 0, at)}${encoded}${slice(text, at + (m[3] as string).length)}`;
    },
  };
}

/** Compiled carrier patterns (no flags, so no `lastIndex` state): compiled once, not per frame. */
let compiled = new Map<string, RegExp | null>();
/** Most patterns kept compiled: a policy lists at most 16 carriers. */
const MAX_COMPILED = 64;

function compile(pattern: string): RegExp | null {
  let re = mapGet(compiled, pattern);
  if (re === undefined) {
    try {
      re = newRegExp(pattern);
    } catch {
      re = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled = new Map();
    mapSet(compiled, pattern, re);
  }
  return re;
}

function findPattern(carrier: WsPatternCarrier, text: string): Found | null {
  const re = compile(carrier.pattern);
  if (re === null) return null;
  const m = exec(re, text);
  const cap = m?.[1];
  if (!m || cap === undefined || cap.length === 0) return null;
  const token = unescapeJsonString(cap);
  if (token === null || token.length === 0) return null;
  // The group's offset: its first occurrence after the match start (`d` flag avoided for reach).
  const at = indexOf(text, cap, m.index);
  const escaped = cap !== token;
  return {
    token,
    replace: (to) => {
      const encoded = escaped || needsJsonEscape(to) ? escapeJsonString(to, includes(cap, '\\/')) : to;
      return `${slice(text, 0, at)}${encoded}${slice(text, at + cap.length)}`;
    },
  };
}

function find(carrier: WsCarrier, text: string): Found | null {
  if (text.length > MAX_SCANNED_FRAME) return null;
  return 'format' in carrier ? findSasl(carrier, text) : findPattern(carrier, text);
}

/**
 * The token a text frame carries in one of the `ws-message` carriers, else null. Binary
 * frames are not text: callers pass only strings.
 */
export function readMessageToken(carriers: readonly TokenCarrier[], text: string): string | null {
  for (let i = 0; i < carriers.length; i++) {
    const c = carriers[i] as TokenCarrier;
    if (!isWsCarrier(c)) continue;
    const f = find(c, text);
    if (f) return f.token;
  }
  return null;
}

/** The frame with its token `from` replaced by `to`, else null (no carrier holds `from`). */
export function replaceMessageToken(carriers: readonly TokenCarrier[], text: string, from: string, to: string): string | null {
  for (let i = 0; i < carriers.length; i++) {
    const c = carriers[i] as TokenCarrier;
    if (!isWsCarrier(c)) continue;
    const f = find(c, text);
    if (f && f.token === from) return f.replace(to);
  }
  return null;
}

/** The frame with a stale token replaced by the fresh one, else null. */
export function substituteMessage(carriers: readonly TokenCarrier[], text: string, ledger: TokenLedger): string | null {
  if (!ledger.active) return null;
  const token = readMessageToken(carriers, text);
  const fresh = token === null ? null : ledger.replacementFor(token);
  return token === null || fresh === null ? null : replaceMessageToken(carriers, text, token, fresh);
}

/** True for a SASL `<failure>` (RFC 6120 §6.4.5): the server refused the `<auth>`. */
export function isSaslFailure(text: string): boolean {
  return text.length <= MAX_SCANNED_FRAME && test(SASL_FAILURE_RE, text);
}

/**
 * Words and codes by which a server says a socket's credentials were refused: generic
 * (`unauthorized`, `not-authorized` of RFC 6120 §6.4.5, `invalid token`, `token expired`,
 * HTTP 401 in a close code 4401 or text) and Twilio's access-token errors as its client lists
 * them (@twilio/voice-sdk lib/twilio/errors/generated.ts: 20101 invalid access token, 20104
 * access token expired, 31204 JWT invalid, 31205 JWT expired; read at npm 2.18.5).
 */
const AUTH_REFUSAL_RE =
  /\b(?:unauthori[sz]ed|not[-_ ]?authori[sz]ed|invalid[-_ ]?(?:access[-_ ]?)?token|(?:access[-_ ]?)?token[-_ ]?(?:has[-_ ])?expired|expired[-_ ]?token|jwt[-_ ]?(?:is[-_ ])?(?:invalid|expired)|authentication[-_ ]?failed|20101|20104|31204|31205)\b/i;

/** True when an incoming text frame or a close reason says the socket's credentials were refused. */
export function namesAuthRefusal(text: string): boolean {
  return text.length <= MAX_SCANNED_FRAME && (isSaslFailure(text) || test(AUTH_REFUSAL_RE, text));
}

/** Close codes that mean "unauthorised" by the 4000 + HTTP status convention (RFC 6455 §7.4.2 private use). */
export const AUTH_CLOSE_CODES: readonly number[] = [4001, 4401, 4403];

/** True when a close (code, reason) says the socket's credentials were refused. */
export function closeNamesAuthRefusal(code: number, reason: string): boolean {
  return AUTH_CLOSE_CODES.includes(code) || (reason.length > 0 && namesAuthRefusal(reason));
}

/**
 * Joins a SASL `<auth>` element sent in several frames (RFC 7395 §3.3.3 asks for one complete
 * element per frame, but a framing layer may split it), so it can be read and rewritten whole.
 * `push` returns the frames to send now: the frame itself when it is no part of a split
 * `<auth>`, nothing while one is incomplete, the joined element once it completes. Holding
 * ends after {@link MAX_SCANNED_FRAME} characters: the held frames go out as they came.
 */
export interface FrameAssembler {
  push(frame: string): string[];
  /** Whatever is held, as it came (timeout, socket closing). */
  flush(): string[];
  readonly holding: boolean;
}

/** Creates an assembler for one socket. */
export function createFrameAssembler(): FrameAssembler {
  let held: string[] = [];
  let size = 0;
  const flush = (): string[] => {
    const out = held;
    held = [];
    size = 0;
    return out;
  };
  return {
    get holding() {
      return held.length > 0;
    },
    flush,
    push(frame) {
      if (held.length === 0) {
        const start = frame.search(SASL_AUTH_START_RE);
        if (start < 0 || /<\/auth\s*>/.test(frame.slice(start)) || /<auth\b[^>]*\/>/.test(frame.slice(start))) return [frame];
        held = [frame];
        size = frame.length;
        return [];
      }
      held.push(frame);
      size += frame.length;
      if (/<\/auth\s*>/.test(frame)) {
        const joined = held.join('');
        flush();
        return [joined];
      }
      return size > MAX_SCANNED_FRAME ? flush() : [];
    },
  };
}
