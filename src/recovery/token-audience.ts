/**
 * The token audience (docs/architecture.md §3 rung 2, §4 `tokenRefresh.audience`): the origins a
 * fresh bearer token may be sent to. A token is substituted, and a request retried with it, only
 * towards these origins; the agent's identity is read only from their responses. A request to
 * any other origin is not protected: its 401 is recorded and left alone, so a script on a
 * monitored page (a third-party widget, an XSS) cannot make the extension hand it a token by
 * answering 401 from its own server.
 *
 * An audience entry is an origin in match-pattern host syntax (src/match/match-pattern.ts):
 * `https://api.mypurecloud.com`, `https://*.my.connect.aws`, `http://127.0.0.1:8787`. Without a
 * port it matches any port of that host. WebSocket URLs are judged as their http(s)
 * counterparts (`wss://h/…` as `https://h/…`), since the handshake is an HTTP request to that
 * origin (RFC 6455 §4.1).
 *
 * The audience of one document ({@link resolveTokenAudience}) is always its own origin and the
 * origins of `tokenRefresh.refreshUrl` (resolved against the document) and
 * `tokenRefresh.tokenUrl`, plus the configured entries — never "any host".
 *
 * Pure: no browser globals. The worker (extension/background/relay-ports.ts) and the policy
 * checks use these functions; the probe does not import them: the worker compiles each
 * document's audience into one anchored expression per origin (src/match/audience-match.ts
 * `tokenAudienceMatch`), which the probe tests with captured built-ins.
 */
import { matchesPattern, parseMatchPattern } from '../match/match-pattern';
import type { MatchPattern } from '../match/match-pattern';

/** Most entries of one document's resolved audience (the page protocol's bound). */
export const MAX_AUDIENCE_ENTRIES = 64;

/** An entry that would match every host: refused whatever else it says. */
const ALL_HOSTS = /^(?:<all_urls>|[^:/]*:\/\/\*(?::[^/]*)?\/?\*?)$/;

/**
 * An audience entry as a match pattern for its origin (`<entry>/*`), or the reason it is no
 * origin: it must be `http(s)://<host>[:<port>]`, the host a name or `*.`name — never `*`
 * alone, `<all_urls>`, a path, a query or user information.
 */
function parseEntry(entry: string): MatchPattern | string {
  if (ALL_HOSTS.test(entry)) return `"${entry.slice(0, 64)}" would send tokens to any host: name the softphone's API origins`;
  const m = /^(https?):\/\/([^/?#@\s]+)$/i.exec(entry);
  if (!m) return `"${entry.slice(0, 64)}" is not an http(s) origin such as "https://api.example.com" (no path, no trailing "/")`;
  try {
    const parsed = parseMatchPattern(`${(m[1] ?? '').toLowerCase()}://${m[2] ?? ''}/*`);
    if (parsed.kind === 'pattern' && parsed.host !== '') return parsed;
  } catch (e) {
    return e instanceof Error ? e.message : 'invalid origin';
  }
  return `"${entry.slice(0, 64)}" would send tokens to any host: name the softphone's API origins`;
}

/**
 * Why a configured audience entry is refused (policy validation, src/policy/resolve.ts), or
 * undefined when it is usable: an origin as {@link parseEntry} says, `https` — `http` only for
 * a loopback host (the local lab), since a token must not travel in clear text.
 */
export function audienceEntryError(entry: string): string | undefined {
  const parsed = parseEntry(entry);
  if (typeof parsed === 'string') return parsed;
  if (parsed.kind !== 'pattern' || parsed.scheme === 'https') return undefined;
  if (!parsed.matchSubdomains && isLoopback(parsed.host)) return undefined;
  return `"${entry.slice(0, 64)}" must be https (http only for localhost or 127.0.0.1): a token must not travel in clear text`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** The origin of `url` resolved against `base`, or null when it is not an http(s) URL. */
function originOf(url: string, base: string): string | null {
  try {
    const u = new URL(url, base);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The audience of one monitored document: its own origin, the origins of the refresh and token
 * endpoints, and the configured entries that are usable ({@link audienceEntryError}),
 * deduplicated, at most {@link MAX_AUDIENCE_ENTRIES}.
 * @param tokenRefresh `config.tokenRefresh`
 * @param documentOrigin the document's origin as its relay port's sender named it (never a message)
 */
export function resolveTokenAudience(
  tokenRefresh: { refreshUrl: string; tokenUrl: string; audience: readonly string[] },
  documentOrigin: string,
): string[] {
  const out = new Set<string>();
  const own = originOf(documentOrigin, documentOrigin);
  if (own) out.add(own);
  for (const endpoint of [tokenRefresh.refreshUrl, tokenRefresh.tokenUrl]) {
    if (endpoint === '') continue;
    const origin = originOf(endpoint, own ?? documentOrigin);
    if (origin) out.add(origin);
  }
  for (const entry of tokenRefresh.audience) if (audienceEntryError(entry) === undefined) out.add(entry);
  return [...out].slice(0, MAX_AUDIENCE_ENTRIES);
}

/** Parsed audiences, by the array given (the probe asks with the same array on every request). */
const parsedCache = new WeakMap<readonly string[], MatchPattern[]>();

function parsedAudience(audience: readonly string[]): MatchPattern[] {
  let parsed = parsedCache.get(audience);
  if (parsed) return parsed;
  parsed = [];
  for (const entry of audience) {
    const p = parseEntry(entry);
    if (typeof p !== 'string') parsed.push(p);
  }
  parsedCache.set(audience, parsed);
  return parsed;
}

/**
 * True when a fresh token may be sent to `url`: its origin matches an entry of `audience`.
 * `ws:` / `wss:` URLs count as `http:` / `https:`. Entries that are not usable origins match
 * nothing; a URL that does not parse is in no audience. Never throws.
 * @param url an absolute URL
 */
export function inTokenAudience(audience: readonly string[], url: string): boolean {
  let target = url;
  if (/^wss:/i.test(target)) target = `https:${target.slice(4)}`;
  else if (/^ws:/i.test(target)) target = `http:${target.slice(3)}`;
  for (const p of parsedAudience(audience)) {
    try {
      if (matchesPattern(p, target)) return true;
    } catch {
      // an entry that does not parse matches nothing
    }
  }
  return false;
}
