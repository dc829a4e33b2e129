/**
 * The `urls` of the `chrome.webRequest` filter with which the worker observes softphone
 * requests (extension/background/web-request-observer.ts), from the effective
 * `softphoneUrlPatterns` (docs/architecture.md §4).
 *
 * A RequestFilter's `urls` are match patterns tested against the request's URL
 * (https://developer.chrome.com/docs/extensions/reference/api/webRequest#type-RequestFilter).
 * Three facts of the API shape this list:
 *
 * - One invalid pattern disables the whole listener: `addListener` returns normally and
 *   the browser then never calls it (measured on Chromium 156 with an uppercase scheme, `*`
 *   inside a host, no path, port 99999, `@` or a backslash in the host, `urn:*`, and the
 *   empty string). One bad policy value would end all observation, and nothing tells the
 *   worker so. Each pattern therefore passes `canonicalPattern` (src/policy/registrations.ts:
 *   valid per src/match/match-pattern.ts and written the way Chromium stores it); one it
 *   cannot vouch for is left out. Every output of a test set of 103 patterns (IDN, IPv6, odd hosts and
 *   paths, ports, wildcards) was accepted by Chromium 156.
 * - An empty `urls` list matches every URL, like `<all_urls>` (measured likewise). The
 *   caller must register no listener at all for an empty result, never one with `urls: []`.
 * - webRequest reports only http and https requests (the `xmlhttprequest` type never has
 *   another scheme), so `file`, `ws`, `wss` and `ftp` patterns would only widen the filter's
 *   text, never what it matches: they are left out.
 */
import { canonicalPattern } from '../policy/registrations';

/** Schemes whose patterns can match a request webRequest reports (`*` = http or https). */
const REQUEST_SCHEMES = new Set(['http', 'https', '*']);

/**
 * The filter `urls` for these patterns: valid, canonical (lower-case host, IDN as punycode,
 * no `:*` port), http(s) only, without duplicates, sorted, so two results compare with
 * {@link sameFilterUrls}. Never throws.
 * @param patterns Chrome match patterns (the effective `softphoneUrlPatterns`); non-strings
 *   and unusable patterns are left out
 * @returns the list to pass as `RequestFilter.urls`; empty when no pattern is usable (then
 *   register nothing: an empty `urls` means every URL)
 */
export function webRequestFilterUrls(patterns: readonly unknown[]): string[] {
  const kept = new Set<string>();
  for (const p of patterns) {
    if (typeof p !== 'string') continue;
    const canonical = canonicalPattern(p);
    if (canonical === null) continue;
    // A canonical pattern is `<all_urls>` or starts with `<scheme>://`.
    if (canonical !== '<all_urls>' && !REQUEST_SCHEMES.has(canonical.slice(0, canonical.indexOf('://')))) continue;
    kept.add(canonical);
  }
  return [...kept].sort();
}

/** The WebSocket scheme(s) a page pattern's scheme stands for (RFC 6455 §3: `ws` is http's, `wss` https's). */
const SOCKET_SCHEMES: Readonly<Record<string, readonly string[]>> = {
  http: ['ws'],
  https: ['wss'],
  '*': ['ws', 'wss'],
};

/**
 * The filter `urls` for the WebSocket handshakes (`types: ['websocket']`) of the hosts these
 * patterns name: each http(s) pattern written with its socket scheme (`https://h/*` →
 * `wss://h/*`, `*://h/*` → both; `ws`/`wss` patterns themselves are no page patterns and are
 * left out, as {@link webRequestFilterUrls} does). Measured on Chromium 156: a `websocket` request is reported
 * only to a filter whose pattern has the `ws`/`wss` scheme (neither `http://h/*` nor `*://h/*`
 * matches it), only when the extension holds a `ws`/`wss` host permission for it and one for
 * the page that opened it, and its status (a refused upgrade's 401) only to an
 * `onHeadersReceived` listener registered with `extraHeaders`; without it the refusal reaches
 * the extension as `onErrorOccurred` `net::ERR_FAILED` alone. `<all_urls>` is kept as it is
 * (it covers ws and wss). Valid, canonical, sorted, without duplicates, like
 * {@link webRequestFilterUrls}. Never throws.
 * @param patterns match patterns (the output of {@link observedRequestPatterns})
 * @returns the list to pass as `RequestFilter.urls`; empty when none is usable (register nothing)
 */
export function socketFilterUrls(patterns: readonly unknown[]): string[] {
  const kept = new Set<string>();
  for (const p of patterns) {
    if (typeof p !== 'string') continue;
    const canonical = canonicalPattern(p);
    if (canonical === null) continue;
    if (canonical === '<all_urls>') {
      kept.add(canonical);
      continue;
    }
    const cut = canonical.indexOf('://');
    // The rest of a canonical http(s) pattern is the canonical rest of its socket twin.
    for (const scheme of SOCKET_SCHEMES[canonical.slice(0, cut)] ?? []) kept.add(scheme + canonical.slice(cut));
  }
  return [...kept].sort();
}

/** True when two results of {@link webRequestFilterUrls} are the same list. */
export function sameFilterUrls(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((url, i) => url === b[i]);
}

/**
 * The match patterns of the requests the worker observes: every path of the hosts the
 * softphone pages are on (a softphone's API and token endpoints are rarely under its page's
 * path: Amazon Connect's CCP is `/ccp-v2/`, its API `/api`, its token `/auth/authorize`), and
 * of the configured token audience (`tokenRefresh.audience`: the softphone's API origins).
 * Patterns that are not `http(s)`/`*` page patterns are passed through unchanged (the filter
 * then leaves them out). Never throws.
 * @param softphoneUrlPatterns effective `softphoneUrlPatterns`
 * @param audience effective `tokenRefresh.audience` entries (origins in match-pattern host syntax)
 * @returns patterns for {@link webRequestFilterUrls} and for checking a reported URL again
 */
export function observedRequestPatterns(softphoneUrlPatterns: readonly unknown[], audience: readonly unknown[] = []): string[] {
  const out = new Set<string>();
  for (const p of softphoneUrlPatterns) {
    if (typeof p !== 'string') continue;
    const canonical = canonicalPattern(p);
    if (canonical === null || canonical === '<all_urls>') {
      out.add(p);
      continue;
    }
    const m = /^([a-z*]+):\/\/([^/]*)\//.exec(canonical);
    out.add(m && REQUEST_SCHEMES.has(m[1] ?? '') ? `${m[1]}://${m[2]}/*` : p);
  }
  for (const entry of audience) {
    // The policy takes `HTTPS://API.Example` (src/recovery/token-audience.ts); the browser
    // refuses a pattern with an upper-case scheme: write it the way Chromium stores it.
    const m = typeof entry === 'string' ? /^(https?):\/\/([^/?#@\s]+)$/i.exec(entry) : null;
    if (!m) continue;
    const pattern = `${(m[1] ?? '').toLowerCase()}://${m[2] ?? ''}/*`;
    out.add(canonicalPattern(pattern) ?? pattern);
  }
  return [...out];
}
