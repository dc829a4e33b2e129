/**
 * What every hook of the probe shares: the captured natives, the wrapper factory, the
 * channel, the current configuration, the token broker and a few helpers.
 */
import { matchesAnyUrlGlob } from '../../src/match/url-glob';
import type { PageObservation, ProbeConfig, ProbeRetry } from '../../src/protocol/page';
import type { TokenLedger } from '../../src/recovery/token-substitution';
import type { Disguise } from './disguise';
import { DEFAULT_PROBE_RETRY } from './default-config';
import { call } from './natives';
import type { Natives } from './natives';
import type { TokenBroker } from './token-broker';

/** Longest URL an observation carries (the schema's bound). */
export const MAX_URL = 2048;
/** Longest free text an observation carries (the schema's bound). */
export const MAX_TEXT = 256;

/** Shared by the hooks; see the module comment. */
export interface ProbeContext {
  readonly natives: Natives;
  readonly disguise: Disguise;
  readonly broker: TokenBroker;
  readonly ledger: TokenLedger;
  /** The configuration in force (default until the first `config` command). */
  config(): ProbeConfig;
  post(obs: PageObservation): void;
  /** The retry settings in force: the config's, or the defaults when it carries none. */
  retryPolicy(): ProbeRetry;
  /** Epoch ms, from the captured `Date.now`. */
  now(): number;
  /** Uniform in [0, 1), from the captured `Math.random` (backoff jitter). */
  random(): number;
  /** A new id, unique in this document: `prefix` + a per-document tag + a counter. */
  nextId(prefix: string): string;
  /** `raw` resolved against the document base URL; `raw` itself when it does not parse. */
  absoluteUrl(raw: string): string;
  isProtected(url: string): boolean;
  isIdentity(url: string): boolean;
  /** Captured `setTimeout` on the window; ms. */
  later(fn: () => void, ms: number): number;
  cancel(handle: number): void;
}

/** Truncates to at most `max` characters (URLs and texts have schema bounds). */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max);
}

/** Builds the shared context. The config holder is read on every use, so updates apply at once. */
export function createContext(parts: {
  natives: Natives;
  disguise: Disguise;
  broker: TokenBroker;
  post(obs: PageObservation): void;
  config(): ProbeConfig;
}): ProbeContext {
  const { natives } = parts;
  const tag = Math.floor(call<number>(natives.random, Math) * 36 ** 4).toString(36);
  let counter = 0;
  return {
    ...parts,
    ledger: parts.broker.ledger,
    retryPolicy: () => parts.config().retry ?? DEFAULT_PROBE_RETRY,
    now: () => call<number>(natives.dateNow, Date),
    random: () => call<number>(natives.random, Math),
    nextId: (prefix) => `${prefix}-${tag}-${(++counter).toString(36)}`,
    absoluteUrl(raw) {
      if (/^(?:https?|wss?):\/\//i.test(raw) || !natives.URL) return raw;
      try {
        return new natives.URL(raw, natives.win.document.baseURI).href;
      } catch {
        return raw;
      }
    },
    isProtected: (url) => matchesAnyUrlGlob(parts.config().protectedRequestPatterns, url),
    isIdentity: (url) => matchesAnyUrlGlob([parts.config().identityRequestPattern], url),
    later: (fn, ms) => call<number>(natives.setTimeout, natives.win, fn, ms),
    cancel: (handle) => call(natives.clearTimeout, natives.win, handle),
  };
}
