/**
 * Chrome match patterns, as used by `softphoneUrlPatterns` (docs/architecture.md §4), content-script
 * `matches` and host permissions.
 *
 * Grammar (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns):
 *
 *   <all_urls>
 *   <scheme>://<host>[:<port>]<path>
 *   scheme := '*' | 'http' | 'https' | 'ws' | 'wss' | 'ftp' | 'file'    ('*' = http or https)
 *   host   := '*' | '*.' <name> | <name>                                 (empty for file)
 *   port   := '*' | digits                                               (absent = any port)
 *   path   := '/' <any characters, '*' matches any run>
 *
 * The path is matched against the URL's path plus query string (as Chrome does); the
 * fragment is never part of the match. Host names compare case-insensitively and without a
 * trailing dot; `*.example.com` also matches `example.com` itself.
 */
import { wildcardMatch } from './wildcard';

/** A parsed pattern. `path` is kept verbatim; {@link matchesPattern} compiles it. */
export type MatchPattern =
  | { readonly kind: 'all-urls'; readonly source: string }
  | {
      readonly kind: 'pattern';
      readonly source: string;
      /** A concrete scheme, or `*` for http and https. */
      readonly scheme: string;
      /** Lower-case host without the `*.` prefix; empty for `*` and for `file`. */
      readonly host: string;
      /** True for `*` and `*.host` hosts. */
      readonly matchSubdomains: boolean;
      /** A port number, or `*` for any port (also when the pattern names none). */
      readonly port: number | '*';
      readonly path: string;
    };

/** Schemes a concrete pattern may name. */
const SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp', 'file']);
/** Schemes `<all_urls>` covers. */
const ALL_URLS_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443, 'ftp:': 21 };
const MAX_PATTERN_LENGTH = 2048;

/**
 * Parses a match pattern.
 * @throws {Error} with a message naming the problem, when the pattern is not a valid Chrome
 *   match pattern (unknown scheme, missing `://`, `*` inside a host, bad port, no path, more
 *   than 2,048 characters)
 */
export function parseMatchPattern(pattern: string): MatchPattern {
  if (typeof pattern !== 'string') throw new Error('Match pattern must be a string');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new Error(`Match pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  if (pattern === '<all_urls>') return { kind: 'all-urls', source: pattern };
  const sep = pattern.indexOf('://');
  if (sep < 0) throw new Error(`Match pattern "${pattern}" has no "://" after the scheme`);
  const scheme = pattern.slice(0, sep);
  if (scheme !== '*' && !SCHEMES.has(scheme)) {
    throw new Error(`Match pattern "${pattern}" has an unsupported scheme "${scheme}"`);
  }
  const rest = pattern.slice(sep + 3);
  const slash = rest.indexOf('/');
  if (slash < 0) throw new Error(`Match pattern "${pattern}" has no path (add "/*")`);
  const authority = rest.slice(0, slash);
  const path = rest.slice(slash);

  if (scheme === 'file') {
    if (authority !== '') throw new Error(`Match pattern "${pattern}": file patterns have no host ("file:///…")`);
    return { kind: 'pattern', source: pattern, scheme, host: '', matchSubdomains: false, port: '*', path };
  }

  let hostPart = authority;
  let port: number | '*' = '*';
  // The port follows the last ':' outside an IPv6 literal.
  const closeBracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  if (colon > closeBracket) {
    hostPart = authority.slice(0, colon);
    const portText = authority.slice(colon + 1);
    if (portText === '*') port = '*';
    else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65_535) port = Number(portText);
    else throw new Error(`Match pattern "${pattern}" has an invalid port "${portText}"`);
  }
  if (hostPart === '') throw new Error(`Match pattern "${pattern}" has an empty host`);
  if (hostPart.includes('@')) throw new Error(`Match pattern "${pattern}" may not contain user information`);

  let matchSubdomains = false;
  let host = hostPart;
  if (hostPart === '*') {
    matchSubdomains = true;
    host = '';
  } else if (hostPart.startsWith('*.')) {
    matchSubdomains = true;
    host = hostPart.slice(2);
    if (host === '') throw new Error(`Match pattern "${pattern}" has an empty host after "*."`);
  }
  if (host.includes('*')) {
    throw new Error(`Match pattern "${pattern}": "*" in a host must be the whole host or come first, followed by "."`);
  }
  if (/[\s/?#\\]/.test(host)) throw new Error(`Match pattern "${pattern}" has an invalid host "${host}"`);
  return { kind: 'pattern', source: pattern, scheme, host: normalizeHost(host), matchSubdomains, port, path };
}

/**
 * True when the URL matches the pattern. Never throws for a bad URL (it matches nothing).
 * @throws {Error} only when `pattern` is a string that {@link parseMatchPattern} rejects
 */
export function matchesPattern(pattern: MatchPattern | string, url: string): boolean {
  const p = typeof pattern === 'string' ? parseMatchPattern(pattern) : pattern;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (p.kind === 'all-urls') return ALL_URLS_SCHEMES.has(u.protocol);

  const scheme = u.protocol.slice(0, -1);
  if (p.scheme === '*' ? scheme !== 'http' && scheme !== 'https' : scheme !== p.scheme) return false;

  if (p.scheme !== 'file') {
    const host = normalizeHost(u.hostname);
    if (p.host !== '') {
      const exact = host === p.host;
      const sub = p.matchSubdomains && host.endsWith(`.${p.host}`);
      if (!exact && !sub) return false;
    }
    if (p.port !== '*') {
      const effective = u.port === '' ? DEFAULT_PORTS[u.protocol] : Number(u.port);
      if (effective !== p.port) return false;
    }
  }
  return wildcardMatch(p.path, u.pathname + u.search);
}

/**
 * True when any pattern matches the URL. Invalid patterns are skipped: policy resolution
 * reports them, and matching must never throw.
 */
export function matchesAnyPattern(patterns: readonly (MatchPattern | string)[], url: string): boolean {
  for (const p of patterns) {
    try {
      if (matchesPattern(p, url)) return true;
    } catch {
      // skipped: reported by policy validation
    }
  }
  return false;
}

/** IPv6 literals keep their brackets in `URL.hostname`; names lose case and a trailing dot. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export { wildcardMatch };
