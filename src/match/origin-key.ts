/**
 * The page's half of token-audience matching (docs/architecture.md §3 rung 2): the worker
 * compiles the document's audience into anchored regular-expression sources over an origin key
 * (./audience-match.ts `compileTokenAudience`), and the probe only builds the key of a request's
 * URL and tests it. No pattern parsing in the page.
 *
 * Pure and import-free: the probe passes the parts of a URL it read with captured getters.
 */

/**
 * `scheme//host:port` of an http(s) or ws(s) URL, as the compiled audience tests it: `ws:` and
 * `wss:` count as `http:` and `https:` (the handshake is an HTTP request to that origin,
 * RFC 6455 §4.1), the port is explicit (80 or 443 when the URL names none) and the host loses
 * one trailing dot (the URL parser already lower-cases it). Null for any other scheme.
 * @param protocol `URL.protocol`, with its colon
 * @param hostname `URL.hostname`
 * @param port `URL.port` (empty for the scheme's default)
 */
export function originKey(protocol: string, hostname: string, port: string): string | null {
  const scheme = protocol === 'wss:' || protocol === 'https:' ? 'https:' : protocol === 'ws:' || protocol === 'http:' ? 'http:' : null;
  if (scheme === null) return null;
  const last = hostname.length - 1;
  const host = last > 0 && hostname[last] === '.' ? hostname.slice(0, last) : hostname;
  return `${scheme}//${host}:${port === '' ? (scheme === 'https:' ? '443' : '80') : port}`;
}
