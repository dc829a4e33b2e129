/**
 * Bearer token substitution (docs/architecture.md §3 rung 2): once a protected request was rejected
 * with 401 and a fresh token is known, every later use of the rejected ("stale") token is
 * rewritten to the fresh one — in the `Authorization: Bearer` header (RFC 6750 §2.1) and in
 * the `access_token` URI query parameter (RFC 6750 §2.3) of requests and WebSocket URLs.
 *
 * Pure string work: no URL or Headers objects, so a URL keeps its exact spelling apart from
 * the replaced parameter value, and the functions run anywhere.
 */

/** Which tokens were rejected and which one replaces them. */
export interface TokenLedger {
  /** The fresh token, or null before the first one arrived. */
  readonly fresh: string | null;
  /** True when some token would be replaced: cheap guard for the hot path. */
  readonly active: boolean;
  /** Remembers a token the server rejected. The oldest is forgotten beyond the ledger's capacity. */
  markStale(token: string): void;
  /** Sets the fresh token; a fresh token is never stale itself. */
  setFresh(token: string): void;
  /**
   * Forgets the fresh token and every stale one: the tab now signs in as another identity
   * (seed 002 org switch), so none of them may be substituted any more.
   */
  clear(): void;
  isStale(token: string): boolean;
  /** The fresh token when `token` is stale and a different fresh token is known, else null. */
  replacementFor(token: string): string | null;
}

/**
 * Creates an empty ledger.
 * @param maxStale how many rejected tokens to remember (oldest dropped first), ≥ 1
 */
export function createTokenLedger(maxStale = 32): TokenLedger {
  const stale = new Set<string>();
  let fresh: string | null = null;
  return {
    get fresh() {
      return fresh;
    },
    get active() {
      return fresh !== null && stale.size > 0;
    },
    markStale(token) {
      if (token.length === 0) return;
      stale.delete(token);
      stale.add(token);
      while (stale.size > Math.max(1, maxStale)) {
        const oldest = stale.values().next().value;
        if (oldest === undefined) break;
        stale.delete(oldest);
      }
    },
    setFresh(token) {
      if (token.length === 0) return;
      fresh = token;
      stale.delete(token);
    },
    clear() {
      fresh = null;
      stale.clear();
    },
    isStale(token) {
      return stale.has(token);
    },
    replacementFor(token) {
      return fresh !== null && token !== fresh && stale.has(token) ? fresh : null;
    },
  };
}

const BEARER = /^(\s*bearer[ \t]+)(\S+)(\s*)$/i;

/**
 * The token of an `Authorization` header value with the Bearer scheme (RFC 6750 §2.1; the
 * scheme name is case-insensitive, RFC 9110 §11.1), else null.
 */
export function parseBearer(headerValue: string): string | null {
  const m = BEARER.exec(headerValue);
  return m ? (m[2] ?? null) : null;
}

/**
 * The header value with a stale bearer token replaced by the fresh one, keeping the scheme's
 * spelling; null when nothing is to be replaced.
 */
export function substituteBearer(headerValue: string, ledger: TokenLedger): string | null {
  if (!ledger.active) return null;
  const m = BEARER.exec(headerValue);
  if (!m || m[2] === undefined) return null;
  const fresh = ledger.replacementFor(m[2]);
  return fresh === null ? null : `${m[1] ?? ''}${fresh}${m[3] ?? ''}`;
}

interface QueryParts {
  /** URL up to and including `?`. */
  head: string;
  /** `name=value` pairs between `?` and `#`. */
  params: string[];
  /** `#fragment` or ''. */
  tail: string;
}

function splitQuery(url: string): QueryParts | null {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const q = beforeHash.indexOf('?');
  if (q < 0) return null;
  return {
    head: beforeHash.slice(0, q + 1),
    params: beforeHash.slice(q + 1).split('&'),
    tail: hash < 0 ? '' : url.slice(hash),
  };
}

/** application/x-www-form-urlencoded decoding (WHATWG URL §5.1): `+` is a space; bad escapes kept. */
function formDecode(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function accessTokenValue(param: string): string | null {
  const eq = param.indexOf('=');
  if (eq < 0) return null;
  return formDecode(param.slice(0, eq)) === 'access_token' ? formDecode(param.slice(eq + 1)) : null;
}

/** The (decoded) value of the first `access_token` query parameter (RFC 6750 §2.3), else null. */
export function readAccessToken(url: string): string | null {
  if (!url.includes('access_token')) return null;
  const parts = splitQuery(url);
  if (!parts) return null;
  for (const p of parts.params) {
    const v = accessTokenValue(p);
    if (v !== null && v.length > 0) return v;
  }
  return null;
}

/**
 * The URL with every stale `access_token` query parameter value replaced by the fresh token
 * (percent-encoded); everything else is kept byte for byte. Null when nothing is to be replaced.
 */
export function substituteAccessToken(url: string, ledger: TokenLedger): string | null {
  if (!ledger.active || !url.includes('access_token')) return null;
  const parts = splitQuery(url);
  if (!parts) return null;
  let changed = false;
  const params = parts.params.map((p) => {
    const v = accessTokenValue(p);
    const fresh = v === null ? null : ledger.replacementFor(v);
    if (fresh === null) return p;
    let encoded: string;
    try {
      encoded = encodeURIComponent(fresh);
    } catch {
      return p; // lone surrogate: not a usable token
    }
    changed = true;
    return `${p.slice(0, p.indexOf('=') + 1)}${encoded}`;
  });
  return changed ? `${parts.head}${params.join('&')}${parts.tail}` : null;
}
