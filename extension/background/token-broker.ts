/**
 * Rung 2 of the recovery ladder (docs/architecture.md §3): fresh bearer tokens, single-flight, behind a
 * circuit breaker.
 *
 * One refresh per identity however many tabs and requests fail at once: concurrent requests
 * of the same identity join one flight, and a request that reports a token older than the
 * one already obtained gets that one without a new refresh. The identity is the monitored
 * document's origin and the refresh endpoint (or OAuth client) together with the tab's agent,
 * user and organisation (src/recovery/refresh-identity.ts): after a tab switches organisation (seed 002) its
 * refreshes are its new identity's, and it is never handed a token obtained for the old one.
 * The fresh token lives only in this worker's memory and in the pages that already use it; it
 * is never persisted nor logged (only its 16-hex SHA-256 prefix is compared).
 *
 * Circuit breaker, one per identity (src/recovery/refresh-breakers.ts): after 5 consecutive
 * failed refreshes the endpoint is left alone for 60 s ("Token refresh paused for N s after 5
 * failures", returned at once as the refresh's error), then one refresh probes it. The
 * breakers live in `storage.session` under {@link BREAKERS_KEY}, so a worker restart does not
 * reset them.
 *
 * Strategies: `cookie-endpoint` POSTs to `tokenRefresh.refreshUrl` with the softphone origin's
 * cookies and no body (the answer is an RFC 6749 §5.1 token response) — inside one of the
 * softphone's own documents when the endpoint is on the softphone's origin, where the page's
 * own refresh would run and its cookies are sent whatever their partition; from this worker
 * otherwise (a top-level softphone whose documents are gone, an endpoint on another origin).
 * An embedded softphone's refresh runs only in its documents: its cookies are partitioned by
 * the embedding site and this worker's request carries none of them ({@link TokenScope}); `oauth-silent` runs a
 * `prompt=none` authorization code + PKCE flow (./oauth-silent.ts). When both are configured
 * the other one is tried after the chosen one fails.
 */
import browser from 'webextension-polyfill';
import type { Config } from '../../src/policy/schema';
import { createSingleFlight, decideTokenUse } from '../../src/recovery/single-flight';
import { tokenIdentityKey } from '../../src/recovery/refresh-identity';
import type { TokenIdentity } from '../../src/recovery/refresh-identity';
import { admitRefresh, parseBreakerBook, recordRefresh } from '../../src/recovery/refresh-breakers';
import type { BreakerBook } from '../../src/recovery/refresh-breakers';
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

export type { TokenIdentity };

/**
 * Where a token belongs: the monitored document's origin and, for a document embedded in
 * another site's page, that page's origin — its cookies are partitioned by that site (CHIPS),
 * so its token is its own: never shared with the same origin at top level or under another
 * embedding site.
 */
export interface TokenScope {
  /** The monitored document's origin (`refreshUrl` is resolved against it). */
  origin: string;
  /** Origin of the top-level page embedding the document; absent for a top-level softphone. */
  partition?: string;
  /**
   * Runs the cookie-endpoint POST inside a document of this scope (./in-document-refresh.ts),
   * where the document's cookies are sent whatever their partition (a top-level softphone may
   * mark its cookies `Partitioned` too: then this worker's own request carries none of them
   * either). Needed when `partition` is set. Resolves with the HTTP status and JSON body;
   * rejects when no document could run it.
   */
  cookieFetch?: (url: string) => Promise<{ status: number; body: unknown }>;
}

/** Refresh endpoint answers slower than this count as failures, ms. */
export const REFRESH_TIMEOUT_MS = 10_000;
/** `storage.session` key: the {@link BreakerBook}, breaker state per identity key (never a token). */
export const BREAKERS_KEY = 'tokenRefreshBreakers';

const cache = new Map<string, FreshToken>();
const flights = createSingleFlight<string, FreshToken>();

let breakers: BreakerBook = {};
let breakersLoaded: Promise<void> | null = null;
let breakersSaved: Promise<void> = Promise.resolve();

/** Reads the stored breakers once per worker life; a failed read starts from all closed. */
function loadBreakers(): Promise<void> {
  breakersLoaded ??= browser.storage.session
    .get(BREAKERS_KEY)
    .then((r) => {
      // Changes made before the read finished win over the stored ones.
      breakers = { ...parseBreakerBook(r[BREAKERS_KEY]), ...breakers };
    })
    .catch(() => undefined);
  return breakersLoaded;
}

/** Replaces the breakers and stores them (writes in order; a failed write is not retried). */
function saveBreakers(next: BreakerBook): void {
  if (next === breakers) return;
  breakers = next;
  breakersSaved = breakersSaved.then(() => browser.storage.session.set({ [BREAKERS_KEY]: breakers })).catch(() => undefined);
}

/** When a token was obtained and when it expires (epoch ms): all a listener learns of it. */
export interface TokenTimes {
  obtainedAt: number;
  expiresAt?: number;
}
const obtainedListeners = new Set<(key: string, times: TokenTimes) => void>();

/**
 * Calls `fn` whenever a refresh (401-driven or ahead of time) produced a new token, with the
 * identity's {@link tokenKey} and the token's times — never the token itself.
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
 * The configured side of an identity: the primary strategy's endpoint (the cookie jar or the
 * OAuth client), or null when refreshing is off.
 */
export function refreshKey(config: Config, pageOrigin: string): string | null {
  const [primary] = strategyChain(config);
  if (primary === 'oauth-silent') return `oauth:${config.tokenRefresh.tokenUrl}#${config.tokenRefresh.clientId}`;
  if (primary === 'cookie-endpoint') return refreshEndpoint(config, pageOrigin);
  return null;
}

/**
 * The identity a refresh is single-flighted, cached, pushed and circuit-broken under: the
 * monitored document's origin (with the embedding page's, {@link TokenScope}), {@link refreshKey} and the tab's agent (user and organisation,
 * when known), or null when refreshing is off. The origin is part of it so that a page on one
 * monitored origin is never handed a token obtained for another, even when both share an
 * endpoint or OAuth client and an agent (docs/architecture.md §2, §3 rung 2).
 */
export function tokenKey(config: Config, scope: TokenScope, identity: TokenIdentity | undefined): string | null {
  const endpoint = refreshKey(config, scope.origin);
  const where = scope.partition === undefined ? scope.origin : `${scope.origin} in ${scope.partition}`;
  return endpoint === null ? null : tokenIdentityKey(`${where} ${endpoint}`, identity);
}

async function toFresh(accessToken: string, expiresAt: number | undefined, obtainedAt: number): Promise<FreshToken> {
  return { accessToken, hash: await tokenHash(accessToken), obtainedAt, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/**
 * The cookie-endpoint POST: inside one of the scope's documents (`scope.cookieFetch`) when the
 * endpoint is on the document's origin or the scope is embedded; from this worker otherwise,
 * and for a top-level scope whose documents could not run it.
 * @throws TokenResponseError for an answer that is no usable token response
 * @throws Error when an embedded scope has no document to run it in, or the request failed
 */
async function refreshWithCookie(endpoint: string, scope: TokenScope): Promise<FreshToken> {
  let answer: { status: number; body: unknown } | null = null;
  const embedded = scope.partition !== undefined;
  if (scope.cookieFetch && (embedded || new URL(endpoint).origin === scope.origin)) {
    try {
      answer = await scope.cookieFetch(endpoint);
    } catch (error) {
      if (embedded) throw error;
    }
  } else if (embedded) {
    throw new Error('the embedded softphone has no document to refresh its token in');
  }
  let status: number;
  let body: unknown;
  if (answer) {
    ({ status, body } = answer);
    if (status === 0) throw new Error("the refresh request from the softphone's document failed");
  } else {
    const response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'include',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
    });
    status = response.status;
    body = await response.json().catch(() => null);
  }
  const obtainedAt = Date.now();
  const parsed = parseTokenResponse(status, body, obtainedAt);
  return toFresh(parsed.accessToken, parsed.expiresAt, obtainedAt);
}

/**
 * Runs the strategy chain once.
 * @throws {SignInRequiredError} when every strategy failed and the last word was "sign in"
 * @throws {Error} the last strategy's error otherwise
 */
async function fetchFresh(config: Config, scope: TokenScope): Promise<FreshToken> {
  let lastError: unknown = new Error(`token refresh strategy "${config.tokenRefresh.strategy}" is not configured`);
  let signIn = false;
  for (const strategy of strategyChain(config)) {
    try {
      if (strategy === 'oauth-silent') {
        const obtainedAt = Date.now();
        const r = await obtainTokenSilently(config);
        return await toFresh(r.accessToken, r.expiresAt, obtainedAt);
      }
      const endpoint = refreshEndpoint(config, scope.origin);
      if (!endpoint) throw new Error('cookie-endpoint has no refreshUrl');
      return await refreshWithCookie(endpoint, scope);
    } catch (error) {
      lastError = error;
      if (error instanceof SignInRequiredError) signIn = true;
      if (error instanceof TokenResponseError && (error.status === 400 || error.status === 401)) signIn = true;
    }
  }
  if (signIn) throw new SignInRequiredError(lastError instanceof Error ? lastError.message.slice(0, 80) : 'login_required');
  throw lastError;
}

function failure(error: unknown): TokenOutcome {
  return {
    ok: false,
    error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'refresh failed',
    signInRequired: error instanceof SignInRequiredError,
  };
}

function noStrategy(config: Config): TokenOutcome {
  return { ok: false, error: `token refresh strategy "${config.tokenRefresh.strategy}" obtains no token`, signInRequired: false };
}

/**
 * One refresh for `key`, shared: joins the flight in the air, else asks the identity's
 * breaker and, when allowed, starts one whose outcome the breaker records.
 * @param onStart called when this call will wait on a refresh (one it starts or one it joins)
 * @returns never rejects; a refused breaker comes back as `{ok:false}` at once
 */
async function sharedRefresh(config: Config, scope: TokenScope, key: string, onStart: () => void): Promise<TokenOutcome> {
  await loadBreakers();
  if (!flights.has(key)) {
    const gate = admitRefresh(breakers, key, Date.now());
    saveBreakers(gate.book);
    if (!gate.allowed) return { ok: false, error: gate.message, signInRequired: false };
  }
  let started = false;
  onStart();
  try {
    const token = await flights.run(key, () => {
      started = true;
      return fetchFresh(config, scope).then(
        (fresh) => {
          saveBreakers(recordRefresh(breakers, key, 'success', Date.now()));
          return fresh;
        },
        (error: unknown) => {
          saveBreakers(recordRefresh(breakers, key, 'failure', Date.now()));
          throw error;
        },
      );
    });
    remember(key, token);
    return { ok: true, token, refreshed: started };
  } catch (error) {
    return failure(error);
  }
}

/**
 * A fresh token for the page whose token (fingerprint `rejectedHash`) was refused.
 * @param identity the tab's agent as its identity response named it (absent: not known yet)
 * @param onRefreshStart called when this call will wait on a refresh (one it starts or one it joins)
 * @returns never rejects; failures come back as `{ok:false}` with a message free of secrets
 *   (an open breaker: "Token refresh paused for N s after 5 failures", without `onRefreshStart`)
 */
export async function obtainFreshToken(
  config: Config,
  scope: TokenScope,
  identity: TokenIdentity | undefined,
  rejectedHash: string,
  onRefreshStart: () => void,
): Promise<TokenOutcome> {
  const key = tokenKey(config, scope, identity);
  if (!key) return noStrategy(config);
  const cached = cache.get(key);
  const decision = decideTokenUse({
    current: cached
      ? { hash: cached.hash, obtainedAt: cached.obtainedAt, ...(cached.expiresAt !== undefined ? { expiresAt: cached.expiresAt } : {}) }
      : null,
    rejectedHash,
    now: Date.now(),
  });
  if (decision === 'reuse' && cached) return { ok: true, token: cached, refreshed: false };
  const outcome = await sharedRefresh(config, scope, key, onRefreshStart);
  if (!outcome.ok) cache.delete(key);
  return outcome;
}

/**
 * Prevention (docs/architecture.md §3): a fresh token for an identity although none was rejected — ahead
 * of a risk window or of a known expiry. Single-flight with the 401 path: a refresh already in
 * the air for the same identity is joined, not doubled; an open breaker refuses it as it
 * refuses the 401 path. A failure leaves the token held so far in place (it was not refused,
 * only not renewed).
 * @returns never rejects; `refreshed` is false when it joined a flight; failures come back as
 *   `{ok:false}` with a message free of secrets
 */
export async function refreshAhead(config: Config, scope: TokenScope, identity: TokenIdentity | undefined): Promise<TokenOutcome> {
  const key = tokenKey(config, scope, identity);
  if (!key) return noStrategy(config);
  return sharedRefresh(config, scope, key, () => undefined);
}

/** The latest token of an identity, if one was obtained (to push to its tabs). */
export function latestToken(config: Config, scope: TokenScope, identity: TokenIdentity | undefined): FreshToken | undefined {
  const key = tokenKey(config, scope, identity);
  return key ? cache.get(key) : undefined;
}
