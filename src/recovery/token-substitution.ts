/**
 * Bearer token substitution (docs/architecture.md §3 rung 2): once a protected request was rejected
 * with 401 and a fresh token is known, every later use of the rejected ("stale") token is
 * rewritten to the fresh one in every place the softphone carries it (src/recovery/token-carriers.ts).
 * The ledger below is what decides which token replaces which.
 */

// Captured when the module is evaluated: in the page probe that is document_start, before any
// page script, so a page that later replaces `Set.prototype.delete` (or the others) never sees
// a token go by (docs/architecture.md, the probe↔relay channel).
const reflectApply = Reflect.apply;
const setAdd = Set.prototype.add;
const setDelete = Set.prototype.delete;
const setHas = Set.prototype.has;
const setClear = Set.prototype.clear;
const setValues = Set.prototype.values;
const setIteratorNext = Object.getPrototypeOf(new Set<string>().values()).next as () => IteratorResult<string>;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')?.get as () => number;
const sizeOf = (set: Set<string>): number => reflectApply(setSize, set, []);

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
      return fresh !== null && sizeOf(stale) > 0;
    },
    markStale(token) {
      if (token.length === 0) return;
      reflectApply(setDelete, stale, [token]);
      reflectApply(setAdd, stale, [token]);
      while (sizeOf(stale) > (maxStale > 1 ? maxStale : 1)) {
        const oldest = reflectApply(setIteratorNext, reflectApply(setValues, stale, []), []).value;
        if (oldest === undefined) break;
        reflectApply(setDelete, stale, [oldest]);
      }
    },
    setFresh(token) {
      if (token.length === 0) return;
      fresh = token;
      reflectApply(setDelete, stale, [token]);
    },
    clear() {
      fresh = null;
      reflectApply(setClear, stale, []);
    },
    isStale(token) {
      return reflectApply(setHas, stale, [token]);
    },
    replacementFor(token) {
      return fresh !== null && token !== fresh && reflectApply(setHas, stale, [token]) ? fresh : null;
    },
  };
}
