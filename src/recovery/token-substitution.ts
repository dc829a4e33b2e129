/**
 * Bearer token substitution (docs/architecture.md §3 rung 2): once a protected request was rejected
 * with 401 and a fresh token is known, every later use of the rejected ("stale") token is
 * rewritten to the fresh one in every place the softphone carries it (src/recovery/token-carriers.ts).
 * The ledger below is what decides which token replaces which.
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
