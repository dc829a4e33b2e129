/**
 * Single-flight token refresh (docs/architecture.md §3 rung 2): one refresh per identity however many
 * tabs and requests fail at once.
 *
 * {@link createSingleFlight} deduplicates concurrent calls per key; {@link decideTokenUse}
 * tells whether a page whose token was rejected can simply be given the token already
 * obtained, or whether a new one must be fetched.
 */

/** Concurrent calls per key share one flight. */
export interface SingleFlight<K, V> {
  /**
   * Runs `fn` for `key` unless a call for `key` is already in flight, in which case the
   * caller joins it: every caller of one flight gets the same value or the same error.
   * Once the flight settles (before any caller resumes) the key is free again, so the next
   * call starts a new flight. `fn` runs synchronously inside `run`; a synchronous throw
   * becomes the flight's rejection.
   */
  run(key: K, fn: () => Promise<V> | V): Promise<V>;
  /** True while a flight for `key` is in the air. */
  has(key: K): boolean;
  /** Flights in the air. */
  readonly size: number;
}

/** Creates an empty single-flight group. Keys compare with SameValueZero (as Map keys). */
export function createSingleFlight<K, V>(): SingleFlight<K, V> {
  const flights = new Map<K, Promise<V>>();
  return {
    run(key, fn) {
      const existing = flights.get(key);
      if (existing) return existing;
      let started: Promise<V>;
      try {
        started = Promise.resolve(fn());
      } catch (error) {
        started = Promise.reject(error);
      }
      const flight: Promise<V> = started.finally(() => {
        if (flights.get(key) === flight) flights.delete(key);
      });
      flights.set(key, flight);
      return flight;
    },
    has(key) {
      return flights.has(key);
    },
    get size() {
      return flights.size;
    },
  };
}

/** The token the worker holds for an identity. */
export interface HeldToken {
  /** First 16 hex digits of the token's SHA-256 (computed outside src/, see page protocol). */
  hash: string;
  /** Epoch ms when it was obtained. */
  obtainedAt: number;
  /** Epoch ms when it expires, when the token endpoint said (`expires_in`, RFC 6749 §5.1). */
  expiresAt?: number;
}

/** What {@link decideTokenUse} looks at. */
export interface TokenUseInput {
  /** The freshest token held for the identity, if any. */
  current: HeldToken | null | undefined;
  /** Hash of the token the page reports rejected (`token-needed`, 16 hex digits). */
  rejectedHash: string;
  /** Epoch ms now. */
  now: number;
  /** A held token this close to expiry counts as expired, ms; default {@link TOKEN_EXPIRY_SKEW_MS}. */
  expirySkewMs?: number;
  /** A held token older than this is not handed out again, ms; default: no limit. */
  maxAgeMs?: number;
}

/** `reuse`: hand out the held token. `refresh`: obtain a new one. */
export type TokenUse = 'reuse' | 'refresh';

/** Why {@link explainTokenUse} decided as it did (for the timeline). */
export type TokenUseReason = 'no-token' | 'own-token-rejected' | 'expiring' | 'too-old' | 'page-token-older';

/**
 * A held token within 30 s of its expiry is not handed out: the page would use it for the
 * retry and perhaps a socket, and a token that dies in flight costs one more 401.
 */
export const TOKEN_EXPIRY_SKEW_MS = 30_000;

/**
 * Decides between handing out the held token and refreshing.
 *
 * - no token held → `refresh`;
 * - the rejected token *is* the held one → `refresh` (our own latest token was refused);
 * - the held token expires within `expirySkewMs`, or is older than `maxAgeMs` → `refresh`;
 * - otherwise the page was using some other, older token (one already replaced, or the
 *   page's original) → `reuse`. Should the held token be dead too, the page's retry reports
 *   it, its hash then matches, and the next call refreshes: no loop.
 */
export function decideTokenUse(input: TokenUseInput): TokenUse {
  return explainTokenUse(input).use;
}

/** {@link decideTokenUse} with its reason. */
export function explainTokenUse(input: TokenUseInput): { use: TokenUse; reason: TokenUseReason } {
  const { current, now } = input;
  if (!current) return { use: 'refresh', reason: 'no-token' };
  if (input.rejectedHash.toLowerCase() === current.hash.toLowerCase()) {
    return { use: 'refresh', reason: 'own-token-rejected' };
  }
  const skew = input.expirySkewMs ?? TOKEN_EXPIRY_SKEW_MS;
  if (current.expiresAt !== undefined && now >= current.expiresAt - skew) return { use: 'refresh', reason: 'expiring' };
  if (input.maxAgeMs !== undefined && now - current.obtainedAt > input.maxAgeMs) {
    return { use: 'refresh', reason: 'too-old' };
  }
  return { use: 'reuse', reason: 'page-token-older' };
}
