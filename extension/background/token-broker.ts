/**
 * Rung 2 of the recovery ladder (DESIGN.md §3): fresh bearer tokens, single-flight.
 *
 * One refresh per identity however many tabs and requests fail at once: concurrent requests
 * for the same refresh endpoint join one flight, and a request that reports a token older
 * than the one already obtained gets that one without a new refresh. The fresh token lives
 * only in this worker's memory and in the pages that already use it; it is never persisted
 * nor logged (only its 16-hex SHA-256 prefix is compared).
 *
 * Strategies: `cookie-endpoint` POSTs to `tokenRefresh.refreshUrl` with the softphone origin's
 * cookies and no body (the answer is an RFC 6749 §5.1 token response); `oauth-silent` runs a
 * `prompt=none` authorization code + PKCE flow (./oauth-silent.ts). When both are configured
 * the other one is tried after the chosen one fails.
 */
import type { Config } from '../../src/policy/schema';
import { createSingleFlight, decideTokenUse } from '../../src/recovery/single-flight';
import { TokenResponseError, parseTokenResponse } from '../../src/recovery/token-response';
import { SignInRequiredError } from '../../src/recovery/oauth-silent';
import { obtainTokenSilently } from './oauth-silent';
import { tokenHash } from './token-hash';

/** A token obtained by the broker. */
export interface FreshToken {
  accessToken: string;
  hash: string;
  obtainedAt: number;
  /** Epoch ms, from `expires_in` when given. */
  expiresAt?: number;
}

/** Outcome reported to the session reducer and the probe. */
export type TokenOutcome =
  /** `refreshed`: this call started the refresh (false when it reused a token or joined a flight). */
  | { ok: true; token: FreshToken; refreshed: boolean }
  /** `signInRequired`: every configured strategy failed and only an interactive sign-in can help. */
  | { ok: false; error: string; signInRequired: boolean };

/** Refresh endpoint answers slower than this count as failures, ms. */
export const REFRESH_TIMEOUT_MS = 10_000;

const cache = new Map<string, FreshToken>();
const flights = createSingleFlight<string, FreshToken>();

/** When a token was obtained and when it expires (epoch ms): all a listener learns of it. */
export interface TokenTimes {
  obtainedAt: number;
  expiresAt?: number;
}
const obtainedListeners = new Set<(key: string, times: TokenTimes) => void>();

/**
 * Calls `fn` whenever a refresh (401-driven or ahead of time) produced a new token, with the
 * identity's {@link refreshKey} and the token's times — never the token itself.
 */
export function onTokenObtained(fn: (key: string, times: TokenTimes) => void): void {
  obtainedListeners.add(fn);
}

function remember(key: string, token: FreshToken): void {
  if (cache.get(key) === token) return;
  cache.set(key, token);
  const times: TokenTimes = { obtainedAt: token.obtainedAt, ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}) };
  for (const fn of obtainedListeners) fn(key, times);
}

/**
 * The absolute cookie-endpoint refresh URL for a page, or null when none is configured.
 * `refreshUrl` may be relative to the softphone origin (the default is a path).
 */
export function refreshEndpoint(config: Config, pageOrigin: string): string | null {
  if (!config.tokenRefresh.refreshUrl) return null;
  try {
    return new URL(config.tokenRefresh.refreshUrl, pageOrigin).href;
  } catch {
    return null;
  }
}

const oauthConfigured = (config: Config): boolean =>
  Boolean(config.tokenRefresh.authorizeUrl && config.tokenRefresh.tokenUrl && config.tokenRefresh.clientId);

/**
 * The strategies to try, in order: the configured one, then the other one when it is
 * configured too (so "sign-in needed" is said only when both failed).
 */
export function strategyChain(config: Config): Array<'cookie-endpoint' | 'oauth-silent'> {
  const { strategy } = config.tokenRefresh;
  if (strategy === 'cookie-endpoint') return oauthConfigured(config) ? ['cookie-endpoint', 'oauth-silent'] : ['cookie-endpoint'];
  if (strategy === 'oauth-silent') return oauthConfigured(config) ? ['oauth-silent', 'cookie-endpoint'] : ['cookie-endpoint'];
  return [];
}

/**
 * The identity a refresh is single-flighted and cached under: the primary strategy's
 * endpoint (the cookie jar or the OAuth client), or null when refreshing is off.
 */
export function refreshKey(config: Config, pageOrigin: string): string | null {
  const [primary] = strategyChain(config);
  if (primary === 'oauth-silent') return `oauth:${config.tokenRefresh.tokenUrl}#${config.tokenRefresh.clientId}`;
  if (primary === 'cookie-endpoint') return refreshEndpoint(config, pageOrigin);
  return null;
}

async function toFresh(accessToken: string, expiresAt: number | undefined, obtainedAt: number): Promise<FreshToken> {
  return { accessToken, hash: await tokenHash(accessToken), obtainedAt, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

async function refreshWithCookie(endpoint: string): Promise<FreshToken> {
  const response = await fetch(endpoint, {
    method: 'POST',
    credentials: 'include',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
  });
  const body: unknown = await response.json().catch(() => null);
  const obtainedAt = Date.now();
  const parsed = parseTokenResponse(response.status, body, obtainedAt);
  return toFresh(parsed.accessToken, parsed.expiresAt, obtainedAt);
}

/**
 * Runs the strategy chain once.
 * @throws {SignInRequiredError} when every strategy failed and the last word was "sign in"
 * @throws {Error} the last strategy's error otherwise
 */
async function fetchFresh(config: Config, pageOrigin: string): Promise<FreshToken> {
  let lastError: unknown = new Error(`token refresh strategy "${config.tokenRefresh.strategy}" is not configured`);
  let signIn = false;
  for (const strategy of strategyChain(config)) {
    try {
      if (strategy === 'oauth-silent') {
        const obtainedAt = Date.now();
        const r = await obtainTokenSilently(config);
        return await toFresh(r.accessToken, r.expiresAt, obtainedAt);
      }
      const endpoint = refreshEndpoint(config, pageOrigin);
      if (!endpoint) throw new Error('cookie-endpoint has no refreshUrl');
      return await refreshWithCookie(endpoint);
    } catch (error) {
      lastError = error;
      if (error instanceof SignInRequiredError) signIn = true;
      if (error instanceof TokenResponseError && (error.status === 400 || error.status === 401)) signIn = true;
    }
  }
  if (signIn) throw new SignInRequiredError(lastError instanceof Error ? lastError.message.slice(0, 80) : 'login_required');
  throw lastError;
}

/**
 * A fresh token for the page whose token (fingerprint `rejectedHash`) was refused.
 * @param onRefreshStart called when this call will wait on a refresh (one it starts or one it joins)
 * @returns never rejects; failures come back as `{ok:false}` with a message free of secrets
 */
export async function obtainFreshToken(
  config: Config,
  pageOrigin: string,
  rejectedHash: string,
  onRefreshStart: () => void,
): Promise<TokenOutcome> {
  const endpoint = refreshKey(config, pageOrigin);
  if (!endpoint) return { ok: false, error: `token refresh strategy "${config.tokenRefresh.strategy}" obtains no token`, signInRequired: false };
  const cached = cache.get(endpoint);
  const decision = decideTokenUse({
    current: cached ? { hash: cached.hash, obtainedAt: cached.obtainedAt, ...(cached.expiresAt !== undefined ? { expiresAt: cached.expiresAt } : {}) } : null,
    rejectedHash,
    now: Date.now(),
  });
  if (decision === 'reuse' && cached) return { ok: true, token: cached, refreshed: false };
  let started = false;
  onRefreshStart();
  try {
    const token = await flights.run(endpoint, () => {
      started = true;
      return fetchFresh(config, pageOrigin);
    });
    remember(endpoint, token);
    return { ok: true, token, refreshed: started };
  } catch (error) {
    cache.delete(endpoint);
    return {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'refresh failed',
      signInRequired: error instanceof SignInRequiredError,
    };
  }
}

/**
 * Prevention (DESIGN.md §3): a fresh token for the page origin's identity although none was
 * rejected — ahead of a risk window or of a known expiry. Single-flight with the 401 path: a
 * refresh already in the air for the same identity is joined, not doubled. A failure leaves
 * the token held so far in place (it was not refused, only not renewed).
 * @returns never rejects; `refreshed` is false when it joined a flight; failures come back as
 *   `{ok:false}` with a message free of secrets
 */
export async function refreshAhead(config: Config, pageOrigin: string): Promise<TokenOutcome> {
  const key = refreshKey(config, pageOrigin);
  if (!key) return { ok: false, error: `token refresh strategy "${config.tokenRefresh.strategy}" obtains no token`, signInRequired: false };
  let started = false;
  try {
    const token = await flights.run(key, () => {
      started = true;
      return fetchFresh(config, pageOrigin);
    });
    remember(key, token);
    return { ok: true, token, refreshed: started };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'refresh failed',
      signInRequired: error instanceof SignInRequiredError,
    };
  }
}

/** The latest token for a page origin, if one was obtained (to push to tabs that reconnect). */
export function latestToken(config: Config, pageOrigin: string): FreshToken | undefined {
  const key = refreshKey(config, pageOrigin);
  return key ? cache.get(key) : undefined;
}
