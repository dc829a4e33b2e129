/**
 * What every hook of the probe shares: the captured natives, the wrapper factory, the
 * channel, the current configuration, the token broker and a few helpers — all fixed once
 * the probe starts — and the probe's state of its document ({@link DocumentState}), the one
 * place the hooks change.
 */
import type { ExtractedIdentity } from '../../src/identity/extract-identity';
import { matchesAnyUrlGlob } from '../../src/match/url-glob';
import type { PageObservation, ProbeConfig, ProbeRetry } from '../../src/protocol/page';
import { originKey } from '../../src/match/origin-key';
import { createRequestLadder } from '../../src/recovery/request-ladder';
import type { LadderRequest, RequestLadder } from '../../src/recovery/request-ladder';
import type { TokenLedger } from '../../src/recovery/token-substitution';
import { DEFAULT_TOKEN_CARRIERS } from '../../src/recovery/token-carriers';
import type { TokenCarrier } from '../../src/recovery/token-carriers';
import type { Disguise } from './disguise';
import { DEFAULT_PROBE_RETRY } from './default-config';
import { call, getter } from './natives';
import type { Natives } from './natives';
import { createOrgSwitch } from './org-switch';
import { createSuccessGate } from './success-gate';
import type { SuccessGate } from './success-gate';
import type { TokenBroker } from './token-broker';

/** Longest URL an observation carries (the schema's bound). */
export const MAX_URL = 2048;
/** Longest free text an observation carries (the schema's bound). */
export const MAX_TEXT = 256;

/** What the probe can do to the page's WebSockets (websocket-hook.ts). */
export interface SocketControl {
  /**
   * Closes (native `close(1000, 'Organization switched')`) every watched socket that is
   * CONNECTING or OPEN, except those whose URL `access_token` is `keepToken` (null: keep none).
   * Their `ws-close` carries `closedBy: 'org-switch'`.
   * @returns how many it closed
   */
  closeForOrgSwitch(keepToken: string | null): number;
  /**
   * The `close-stalled-socket` command: closes socket `socketId` if it is OPEN (code 4000,
   * reason `No heartbeat for <silentSeconds> s`); tells the page it closed (synthetic 1006)
   * when the close handshake does not finish within 3 s. Unknown or not OPEN: nothing.
   */
  closeStalled(socketId: string, silentSeconds: number): void;
}

/** What the probe can do to the page's peer connections (peer-connection-hook.ts). */
export interface PeerConnectionControl {
  /** Native `close()` of every watched connection not closed yet; @returns how many. */
  closeAll(): number;
  /**
   * Rung 4 during a call: every live connection's sender left with an ended audio track gets a
   * fresh capture via `replaceTrack` (sender-reattach.ts). @returns how many senders; never rejects
   */
  reattachEndedAudio(): Promise<number>;
}

/** Filled by each hook once installed; null while its API is left native. */
export interface SessionControls {
  sockets: SocketControl | null;
  peerConnections: PeerConnectionControl | null;
}

/**
 * The probe's state of its document, created once by {@link createContext}: shared by every
 * hook (a failure seen through XHR lets the next fetch success of the same request key
 * through, a socket the WebSocket hook watches is closed by an org switch seen through fetch).
 */
export interface DocumentState {
  /** Which successful exchanges the fetch and XHR hooks report (success-gate.ts). */
  readonly gate: SuccessGate;
  /** Stale and fresh bearer tokens (the token broker's ledger, token-broker.ts). */
  readonly ledger: TokenLedger;
  /** The page's sessions the probe can act on: each slot is filled by its hook once installed. */
  readonly sessions: SessionControls;
  /** A new id, unique in this document: `prefix` + a per-document tag + a counter. */
  nextId(prefix: string): string;
  /**
   * An identity response the page is about to see was read: posts `identity` and, when its
   * org differs from the document's previous identity's, tears the old org's sessions down
   * at once (org-switch.ts). `token`: the bearer token the identity request carried.
   * @throws never
   */
  onIdentity(identity: ExtractedIdentity, token: string | null): void;
}

/** Shared by the hooks; see the module comment. */
export interface ProbeContext {
  readonly natives: Natives;
  readonly disguise: Disguise;
  readonly broker: TokenBroker;
  /** The probe's state of this document. */
  readonly doc: DocumentState;
  /** The configuration in force (default until the first `config` command). */
  config(): ProbeConfig;
  post(obs: PageObservation): void;
  /** The retry settings in force: the config's, or the defaults when it carries none. */
  retryPolicy(): ProbeRetry;
  /** Where tokens travel (the config's `tokenCarriers`, or `Authorization: Bearer` and `access_token`). */
  carriers(): readonly TokenCarrier[];
  /** Epoch ms, from the captured `Date.now`. */
  now(): number;
  /** Uniform in [0, 1), from the captured `Math.random` (backoff jitter). */
  random(): number;
  /** `raw` resolved against the document base URL; `raw` itself when it does not parse. */
  absoluteUrl(raw: string): string;
  /**
   * A fresh token may be sent to `url` (absolute): its origin is in the document's token
   * audience (the config's `tokenAudienceMatch`, compiled by the worker from `tokenAudience`,
   * src/match/audience-match.ts; else the document's own origin). Stale tokens are substituted
   * only in such requests.
   */
  inAudience(url: string): boolean;
  /** Matches `protectedRequestPatterns` and is in the token audience: only then retried or refreshed for. */
  isProtected(url: string): boolean;
  /** Matches the identity request pattern and is in the token audience: only then read for the agent. */
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
  const sessions: SessionControls = { sockets: null, peerConnections: null };
  const now = (): number => call<number>(natives.dateNow, Date);
  const orgSwitch = createOrgSwitch({ post: parts.post, now, sessions, onSwitch: () => parts.broker.forgetTokens() });
  const inAudience = createAudienceTest(natives, parts.config);
  const doc: DocumentState = {
    gate: createSuccessGate(now),
    ledger: parts.broker.ledger,
    sessions,
    nextId: (prefix) => `${prefix}-${tag}-${(++counter).toString(36)}`,
    onIdentity: orgSwitch.onIdentity,
  };
  return {
    ...parts,
    doc,
    retryPolicy: () => parts.config().retry ?? DEFAULT_PROBE_RETRY,
    carriers: () => parts.config().tokenCarriers ?? DEFAULT_TOKEN_CARRIERS,
    now,
    random: () => call<number>(natives.random, Math),
    absoluteUrl(raw) {
      if (/^(?:https?|wss?):\/\//i.test(raw) || !natives.URL) return raw;
      try {
        return new natives.URL(raw, natives.win.document.baseURI).href;
      } catch {
        return raw;
      }
    },
    inAudience,
    isProtected: (url) => matchesAnyUrlGlob(parts.config().protectedRequestPatterns, url) && inAudience(url),
    isIdentity: (url) => matchesAnyUrlGlob([parts.config().identityRequestPattern], url) && inAudience(url),
    later: (fn, ms) => call<number>(natives.setTimeout, natives.win, fn, ms),
    cancel: (handle) => call(natives.clearTimeout, natives.win, handle),
  };
}

/** `RegExp` and its `exec` as they were when the probe's script was evaluated, before any page script. */
const NativeRegExp = RegExp;
const regExpExec = RegExp.prototype.exec;

/**
 * The document's token-audience test (src/match/origin-key.ts): the origin key of a URL, read
 * with the `URL` getters captured at start, tested against the compiled sources of the config
 * in force (recompiled only when the config's array changes), or compared with the document's
 * own origin while the config carries none. A URL that does not parse, and a source that does
 * not compile, match nothing.
 */
function createAudienceTest(natives: Natives, config: () => ProbeConfig): (url: string) => boolean {
  const proto = natives.URL?.prototype;
  const part = { protocol: getter(proto, 'protocol'), hostname: getter(proto, 'hostname'), port: getter(proto, 'port') };
  const keyOf = (url: string): string | null => {
    if (!natives.URL) return null;
    try {
      const u = new natives.URL(url);
      return originKey(call<string>(part.protocol, u), call<string>(part.hostname, u), call<string>(part.port, u));
    } catch {
      return null;
    }
  };
  const ownKey = keyOf(`${natives.origin}/`);
  let sources: readonly string[] | undefined;
  let compiled = /$^/;
  return (url) => {
    const key = keyOf(url);
    if (key === null) return false;
    const match = config().tokenAudienceMatch;
    if (match === undefined) return key === ownKey;
    if (match !== sources) {
      sources = match;
      // One alternation of the anchored sources, built without the page's Array methods.
      let source = '';
      for (let i = 0; i < match.length; i++) source += `${i > 0 ? '|' : ''}(?:${match[i]})`;
      try {
        compiled = new NativeRegExp(source === '' ? '$^' : source);
      } catch {
        compiled = /$^/;
      }
    }
    return call(regExpExec, compiled, key) !== null;
  };
}

/** Request id prefix per transport: `f-…` for fetch, `x-…` for XHR. */
const ID_PREFIX = { fetch: 'f', xhr: 'x' } as const;

/**
 * The retry loop of one page request (src/recovery/request-ladder.ts), wired to this document:
 * its clock, randomness, retry settings in force, ids, channel and success gate.
 * @param request `url` as reported (cut to {@link MAX_URL})
 * @throws never
 */
export function requestLadder(ctx: ProbeContext, request: LadderRequest): RequestLadder {
  const prefix = ID_PREFIX[request.transport];
  return createRequestLadder(request, {
    now: ctx.now,
    random: ctx.random,
    policy: ctx.retryPolicy,
    newId: () => ctx.doc.nextId(prefix),
    post: ctx.post,
    unauthorized: (url) => ctx.doc.gate.failed(url, true),
  });
}
