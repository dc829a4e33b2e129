/**
 * Rung 2 of the recovery ladder (DESIGN.md §3): fresh bearer tokens, single-flight.
 *
 * One refresh per identity however many tabs and requests fail at once: concurrent requests
 * for the same refresh endpoint join one flight, and a request that reports a token older
 * than the one already obtained gets that one without a new refresh. The fresh token lives
 * only in this worker's memory and in the pages that already use it; it is never persisted
 * nor logged (only its 16-hex SHA-256 prefix is compared).
 *
 * Strategy `cookie-endpoint`: POST to `tokenRefresh.refreshUrl` with the softphone origin's
 * cookies and no body; the answer is an RFC 6749 §5.1 token response.
 */
import type { Config } from '../../src/policy/schema';
import { createSingleFlight, decideTokenUse } from '../../src/recovery/single-flight';
import { parseTokenResponse } from '../../src/recovery/token-response';
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
  | { ok: false; error: string };

/** Refresh endpoint answers slower than this count as failures, ms. */
export const REFRESH_TIMEOUT_MS = 10_000;

const cache = new Map<string, FreshToken>();
const flights = createSingleFlight<string, FreshToken>();

/**
 * The absolute refresh URL for a page, or null when the strategy has none.
 * `refreshUrl` may be relative to the softphone origin (the default is a path).
 */
export function refreshEndpoint(config: Config, pageOrigin: string): string | null {
  if (config.tokenRefresh.strategy !== 'cookie-endpoint' || !config.tokenRefresh.refreshUrl) return null;
  try {
    return new URL(config.tokenRefresh.refreshUrl, pageOrigin).href;
  } catch {
    return null;
  }
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
  return {
    accessToken: parsed.accessToken,
    hash: await tokenHash(parsed.accessToken),
    obtainedAt,
    ...(parsed.expiresAt !== undefined ? { expiresAt: parsed.expiresAt } : {}),
  };
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
  const endpoint = refreshEndpoint(config, pageOrigin);
  if (!endpoint) return { ok: false, error: `token refresh strategy "${config.tokenRefresh.strategy}" has no refresh endpoint` };
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
      return refreshWithCookie(endpoint);
    });
    cache.set(endpoint, token);
    return { ok: true, token, refreshed: started };
  } catch (error) {
    cache.delete(endpoint);
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'refresh failed' };
  }
}

/** The latest token for a page origin, if one was obtained (to push to tabs that reconnect). */
export function latestToken(config: Config, pageOrigin: string): FreshToken | undefined {
  const endpoint = refreshEndpoint(config, pageOrigin);
  return endpoint ? cache.get(endpoint) : undefined;
}
