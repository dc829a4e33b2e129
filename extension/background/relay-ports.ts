/**
 * The worker's side of the relay ports: one port per monitored document — a top-level tab or
 * a frame of another site's page (docs/architecture.md §2 "Frames and workers"). Tab, frame,
 * document and the embedding page come from `port.sender`, never from a message; the session
 * is keyed by tab and frame (src/session/session-key.ts). On connect the worker pushes the
 * probe configuration and marks the tab not auto-discardable (./prevention.ts); observations,
 * each parsed here against the page schema (the relay only gates them by hand; one that fails is
 * dropped, the rest of its batch kept, src/protocol/port.ts `readRelayMessage`), go to the session hub; `token-needed` goes to the token broker and its answer back to the
 * tab, when its URL is in the document's token audience (src/recovery/token-audience.ts; the
 * audience is resolved per document and sent in its probe configuration). Each document's
 * agent (user and organisation, from its `identity` observations) is remembered with its
 * port: tokens are obtained, shared and pushed per document origin and identity
 * (./token-broker.ts `tokenKey`), so a tab that switched organisation never gets the old
 * one's token, nor a page on one monitored origin a token obtained for another.
 * When a document's identity becomes known or changes, the latest token of that identity, if
 * any, is pushed to it.
 *
 * A subframe is served when its URL matches and the tab's top-level page is not itself a
 * monitored softphone page (whose own frames belong to it). An embedded document's tokens are
 * keyed by the embedding page's origin as well (./token-broker.ts `TokenScope`): its cookies
 * are partitioned by that site. A cookie-endpoint refresh on the softphone's origin runs
 * inside one of its documents (./in-document-refresh.ts), where its cookies are whatever their
 * partition — never from this worker for an embedded one, whose requests carry none of them
 * (docs/architecture.md §7).
 *
 * Workers: a document's `worker-started` observations name the SharedWorkers it uses; the
 * webRequest observer attributes a SharedWorker's requests (which carry no tab) through
 * {@link sessionForSharedWorkerRequest}, and rung 5 reloads every document sharing one
 * together ({@link sharedWorkerPeers}).
 *
 * Only documents whose URL matches the effective `softphoneUrlPatterns` are served. A relay
 * injected under a wider configuration (the policy narrowed afterwards) is ignored: its port
 * stays open so it does not reconnect in a loop, its messages are dropped and it is told
 * nothing; a served document the configuration stops matching is dropped likewise and its
 * session ends. The decision waits until the stored configuration has been read once after a
 * worker start ({@link startRelayPorts}): a relay reconnecting to a restarted worker is then
 * judged by the policy in force, not by the defaults. That read takes milliseconds after a
 * worker restart and 2–5 s right after the browser starts (docs/architecture.md §7); messages that
 * arrive meanwhile are kept (up to {@link MAX_PENDING_MESSAGES}) and handled once the
 * document is served.
 */
import type { Runtime } from 'webextension-polyfill';
import { readRelayMessage, RELAY_PORT_NAME } from '../../src/protocol/port';
import type { SingleRelayMessage, WorkerToRelay } from '../../src/protocol/port';
import type { PageCommand, PageObservation } from '../../src/protocol/page';
import { toProbeConfig } from '../../src/policy/probe-config';
import { inTokenAudience, resolveTokenAudience } from '../../src/recovery/token-audience';
import { currentConfig } from './config-source';
import { ingest, sessionOf, settled } from './session-hub';
import { notePageHttp } from './web-request-observer';
import { latestToken, obtainFreshToken, tokenKey } from './token-broker';
import type { FreshToken, TokenIdentity } from './token-broker';
import { sameIdentity } from '../../src/recovery/refresh-identity';
import { keepTabLoaded } from './prevention';
import { matchesAnyPattern } from '../../src/match/match-pattern';
import { endSession } from './session-hub';
import { sessionKey, TOP_FRAME_ID } from '../../src/session/session-key';
import type { TokenScope } from './token-broker';
import { refreshInDocument } from './in-document-refresh';
import { readUrlToken, toTokenCarriers } from '../../src/recovery/token-carriers';
import { tokenHash } from './token-hash';

/** Messages kept per port while its document's fate waits for the configuration, at most. */
export const MAX_PENDING_MESSAGES = 500;

/** A served document as its port's sender named it (never a message): tab, frame, document, origin, URL, embedding page. */
export interface RelayLinkView {
  tabId: number;
  /** 0 for a top-level document. */
  frameId: number;
  /** `port.sender.documentId`, when the browser gave one. */
  documentId?: string;
  origin: string;
  url: string;
  /** For a subframe: the origin of the page embedding it. */
  embedderOrigin?: string;
  incognito: boolean;
}

interface Link extends RelayLinkView {
  port: Runtime.Port;
  /**
   * `served` while `softphoneUrlPatterns` matches the document; `ignored` for good once it
   * does not (served again only after a reload under a configuration that matches it);
   * `pending` while that cannot be told yet (see the module comment).
   */
  state: 'pending' | 'served' | 'ignored';
  /** Messages received while `pending`, already parsed (src/protocol/port.ts `readRelayMessage`). */
  queued: SingleRelayMessage[];
  /** The session key (src/session/session-key.ts): tab and frame. */
  key: number;
  /** For a subframe: the tab's top-level URL (never shown or stored; tells whether it is itself monitored). */
  topUrl?: string;
  /**
   * SharedWorkers the document started (its `worker-started` observations), as
   * `<script URL> <name>`: documents of one partition naming the same are one worker's pages.
   */
  sharedWorkers: Set<string>;
  /** The document's agent, from its latest `identity` observation; absent until then. */
  identity?: TokenIdentity;
  /**
   * Settles once a reconnecting relay's document has been given the session's agent
   * ({@link assumeKnownIdentity}); a token request waits for it, so the refresh it starts
   * is the agent's and not an unknown identity's (whose token the tab would then refuse).
   */
  identityReady?: Promise<void>;
  /** The relay's document id from its hello (src/protocol/port.ts); observations are deduplicated by it. */
  doc?: string;
  /** Highest `seq` stored and not yet acknowledged in this task (acknowledge()). */
  ackPending?: number;
}

/** A token command without requestId, for every waiter and later request of the tab. */
function tokenCommand(token: FreshToken): Extract<PageCommand, { type: 'token' }> {
  return { type: 'token', accessToken: token.accessToken, ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}) };
}

/** The token identity key of a link's document under `config` (null when refreshing is off). */
function keyOf(config: ReturnType<typeof currentConfig>, link: Link): string | null {
  return tokenKey(config, scopeOf(link), link.identity);
}

/**
 * Where a link's tokens belong (./token-broker.ts `TokenScope`): its origin and, for a
 * subframe, the embedding page's origin, whose partition holds its cookies. The cookie-endpoint
 * refresh runs in a served document of the same origin and partition, this one first.
 */
function scopeOf(link: Link): TokenScope {
  const partition = link.embedderOrigin;
  const cookieFetch = (url: string): ReturnType<typeof refreshInDocument> => {
    const same = [link, ...[...links.values()].filter((l) => l !== link && l.origin === link.origin && l.embedderOrigin === partition)];
    return refreshInDocument(
      same
        .filter((l) => l.state === 'served')
        .map((l) => ({ tabId: l.tabId, frameId: l.frameId, ...(l.documentId === undefined ? {} : { documentId: l.documentId }) })),
      url,
    );
  };
  return partition === undefined ? { origin: link.origin, cookieFetch } : { origin: link.origin, partition, cookieFetch };
}

/** Served documents, by session key (tab and frame). */
const links = new Map<number, Link>();
/** Resolves once the stored configuration has been read ({@link startRelayPorts}). */
let configReady: Promise<void> = Promise.resolve();
/** True once {@link configReady} has resolved. */
let configSettled = false;

/**
 * Tells the ports when the stored configuration has been read: until then no document is
 * served or ignored. Call once, synchronously, at worker start.
 * @param opts.configLoaded resolves (or rejects) once policy and user settings have been read
 */
export function startRelayPorts(opts: { configLoaded: Promise<unknown> }): void {
  configReady = opts.configLoaded
    .catch(() => undefined)
    .then(() => {
      configSettled = true;
    });
}

/** True when the configuration in force monitors the document at `url`. */
function monitored(url: string): boolean {
  return matchesAnyPattern(currentConfig().softphoneUrlPatterns, url);
}

/** Stops serving a document the configuration no longer monitors; its session ends. */
function ignore(link: Link): void {
  link.state = 'ignored';
  link.queued = [];
  if (links.get(link.key) === link) {
    links.delete(link.key);
    void endSession(link.key, Date.now());
  }
}

/**
 * Acknowledges to the relay that its observations up to `seq` are stored (src/protocol/port.ts):
 * the acknowledgements of one task leave as one `ack` of the highest `seq`.
 */
function acknowledge(link: Link, seq: number): void {
  const pending = link.ackPending;
  link.ackPending = Math.max(pending ?? 0, seq);
  if (pending !== undefined) return;
  queueMicrotask(() => {
    const highest = link.ackPending;
    link.ackPending = undefined;
    if (highest === undefined) return;
    try {
      link.port.postMessage({ type: 'ack', seq: highest } satisfies WorkerToRelay);
    } catch {
      // The document went away; nothing is left to resend.
    }
  });
}

function send(link: Link, cmd: PageCommand): void {
  try {
    link.port.postMessage({ type: 'cmd', cmd } satisfies WorkerToRelay);
  } catch {
    // The document went away; its port's onDisconnect cleans up.
  }
}

/**
 * After a configuration change: stops serving documents `softphoneUrlPatterns` no longer
 * matches (they are told nothing) and pushes the probe configuration to the rest.
 */
export function broadcastConfig(): void {
  for (const link of [...links.values()]) if (!monitored(link.url)) ignore(link);
  const config = currentConfig();
  for (const link of links.values()) send(link, toProbeConfig(config, link.origin));
}

/**
 * Whether a `token-needed` may be answered: its URL's origin is in the document's token
 * audience (src/recovery/token-audience.ts), resolved here from the origin the port's sender
 * named. The probe only asks for such URLs; the page is hostile, so the worker checks again.
 */
function inDocumentAudience(link: Link, url: string): boolean {
  return inTokenAudience(resolveTokenAudience(currentConfig().tokenRefresh, link.origin), url);
}

/**
 * How a refused token is answered: the page's own `token-needed` (answered by its `requestId`)
 * or a refusal only the worker saw (a WebSocket upgrade's 401), whose token the fresh one
 * `replaces` in the page.
 */
type Refusal = { requestId: string } | { replaces: string };

/**
 * A fresh token for the document whose token (fingerprint `rejectedHash`) was refused: one
 * refresh per identity at a time (./token-broker.ts, single flight), recorded on the session,
 * sent to the document, and pushed to the other tabs of the identity when it is new.
 */
async function answerRefusal(link: Link, rejectedHash: string, refusal: Refusal, attempt = 0): Promise<void> {
  // A request resent to a restarted worker comes right after the relay's hello: the tab's
  // agent is known once the stored sessions are read, which takes a moment.
  if (link.identityReady) await link.identityReady;
  const config = currentConfig();
  const identity = link.identity;
  let waited = false;
  const outcome = await obtainFreshToken(config, scopeOf(link), identity, rejectedHash, () => {
    waited = true;
    void ingest(link.key, { type: 'refresh-started', at: Date.now() });
  });
  if (!outcome.ok) {
    void ingest(link.key, { type: 'refresh-failed', at: Date.now(), error: outcome.error, signInRequired: outcome.signInRequired });
    if ('requestId' in refusal) send(link, { type: 'token-failed', requestId: refusal.requestId, reason: outcome.error.slice(0, 256) });
    return;
  }
  const { token } = outcome;
  if (waited) {
    void ingest(link.key, {
      type: 'refresh-succeeded',
      at: Date.now(),
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    });
  }
  if (!sameIdentity(identity, link.identity)) {
    // The tab's identity became known or changed while the refresh ran: that token is not
    // its own. Once, the request is served with the identity's own token; a tab whose
    // identity keeps changing gets a refusal (the page then sees its 401).
    if (attempt === 0) return answerRefusal(link, rejectedHash, refusal, 1);
    if ('requestId' in refusal)
      send(link, { type: 'token-failed', requestId: refusal.requestId, reason: 'the tab switched identity during the refresh' });
    return;
  }
  send(link, { ...tokenCommand(token), ...refusal });
  if (outcome.refreshed) {
    // Other tabs of the same identity learn the token before their own requests fail.
    const key = tokenKey(config, scopeOf(link), identity);
    for (const other of links.values()) {
      if (other !== link && keyOf(config, other) === key) send(other, tokenCommand(token));
    }
  }
}

const onTokenNeeded = (link: Link, obs: Extract<PageObservation, { type: 'token-needed' }>): Promise<void> =>
  answerRefusal(link, obs.tokenHash, { requestId: obs.requestId });

/**
 * An HTTP 401 on a WebSocket upgrade of the document `key` (only the worker sees it: the page
 * gets a bare error and close 1006, WHATWG WebSockets "fail the WebSocket connection"). Counted
 * as a 401 on that socket (docs/architecture.md §3 rung 2, `ws-auth-refused` via `upgrade`);
 * when the socket's URL is in the document's token audience and carries a token in one of the
 * configured carriers, a fresh token is obtained (single flight with the page's own requests)
 * and sent with `replaces` naming the refused one, so the softphone's next attempt carries the
 * fresh token. Without a token in the URL (a cookie-authenticated socket) or without a refresh
 * strategy, the incident alone is recorded and the 401 path's safe reload takes over.
 * @param socketId `wr-<webRequest requestId>`, cut to the protocol's id length
 * @param at epoch ms of the refusal
 */
export async function onUpgradeRefused(key: number, url: string, socketId: string, at: number): Promise<void> {
  const link = links.get(key);
  if (!link || link.state !== 'served') return;
  void ingest(key, {
    type: 'ws-auth-refused',
    at,
    socketId,
    url: url.slice(0, 2048),
    via: 'upgrade',
    reason: 'HTTP 401 on the WebSocket upgrade',
  });
  if (!inDocumentAudience(link, url)) return;
  const config = currentConfig();
  // The strategies that produce a token of their own (as src/policy/probe-config.ts tells the probe).
  const { strategy } = config.tokenRefresh;
  if (strategy !== 'cookie-endpoint' && strategy !== 'oauth-silent') return;
  const stale = readUrlToken(toTokenCarriers(config.tokenCarriers), url);
  if (stale === null) return;
  await answerRefusal(link, await tokenHash(stale), { replaces: stale });
}

/**
 * An `org-switch` observation: the document's organisation changed. Its `identity`
 * observation names the new agent; should the switch come first, the tab is held as "an
 * unknown user of the new organisation" meanwhile, never as the old identity.
 */
function onOrgSwitch(link: Link, obs: Extract<PageObservation, { type: 'org-switch' }>): void {
  if (link.identity?.orgId === obs.toOrgId) return;
  link.identity = obs.toOrgId ? { orgId: obs.toOrgId } : {};
}

/**
 * A relay that reconnects (the worker restarted) speaks for the same document as before, whose
 * identity observation went to the previous worker: the session's agent stands in until the
 * next one. A new document (first connect) starts unknown, since it may belong to another
 * organisation than the tab's previous one.
 */
async function assumeKnownIdentity(link: Link): Promise<void> {
  await settled();
  const agent = sessionOf(link.key)?.agent;
  if (agent && !link.identity && links.get(link.key) === link) {
    link.identity = { userId: agent.userId, ...(agent.orgId ? { orgId: agent.orgId } : {}) };
  }
}

/** An `identity` observation: remember the document's agent; a new or changed one gets its identity's latest token. */
function onIdentity(link: Link, obs: Extract<PageObservation, { type: 'identity' }>): void {
  const identity: TokenIdentity = { userId: obs.userId, ...(obs.orgId ? { orgId: obs.orgId } : {}) };
  if (link.identity && sameIdentity(link.identity, identity)) return;
  link.identity = identity;
  const token = latestToken(currentConfig(), scopeOf(link), identity);
  if (token) send(link, tokenCommand(token));
}

/**
 * One message from a served document's relay.
 * @param noted true when an `http` observation was already passed to `notePageHttp` (queued)
 */
function onRelayMessage(link: Link, message: SingleRelayMessage, noted = false): void {
  if (message.type === 'relay-hello') {
    link.doc = message.doc;
    if (message.reconnects > 0) link.identityReady = assumeKnownIdentity(link).catch(() => undefined);
    return;
  }
  const obs = pageClaimsOnly(message.obs);
  if (obs.type === 'http' && !noted) notePageHttp(link.key, obs);
  if (obs.type === 'identity') onIdentity(link, obs);
  if (obs.type === 'org-switch') onOrgSwitch(link, obs);
  if (obs.type === 'worker-started' && obs.kind === 'shared-worker') noteSharedWorker(link, obs.url, obs.name);
  const { seq } = message;
  const doc = link.doc;
  void ingest(link.key, obs, seq !== undefined && doc ? { doc, seq, stored: () => acknowledge(link, seq) } : undefined);
  if (obs.type !== 'token-needed') return;
  if (inDocumentAudience(link, obs.url)) void onTokenNeeded(link, obs);
  // Not the probe's doing (it asks only for audience URLs): recorded, never refreshed for.
  else send(link, { type: 'token-failed', requestId: obs.requestId, reason: 'the request is not in the token audience' });
}

/**
 * An observation as a page may make it: `reach` (where a request the probe did not see came
 * from) is the webRequest observer's to say, never the page's.
 */
function pageClaimsOnly(obs: PageObservation): PageObservation {
  if (obs.type !== 'http' || obs.reach === undefined) return obs;
  const { reach: _claimed, ...rest } = obs;
  return rest;
}

/** Most SharedWorkers remembered per document. */
const MAX_SHARED_WORKERS = 8;

/** Remembers a SharedWorker the document started, by script URL (without fragment) and name. */
function noteSharedWorker(link: Link, url: string, name: string | undefined): void {
  let script: URL;
  try {
    script = new URL(url);
  } catch {
    return;
  }
  // A SharedWorker's script is same-origin with the document that starts it: the HTML
  // standard's SharedWorker constructor refuses another origin's script with a SecurityError.
  if (script.origin !== link.origin) return;
  script.hash = '';
  if (link.sharedWorkers.size >= MAX_SHARED_WORKERS) return;
  link.sharedWorkers.add(`${script.href} ${name ?? ''}`);
}

/**
 * Once the configuration has been read: serves a pending document `softphoneUrlPatterns`
 * matches and its queued messages, and ignores one it does not match.
 */
function decide(link: Link): void {
  if (link.state !== 'pending') return;
  if (!configSettled) {
    void configReady.then(() => decide(link));
    return;
  }
  if (!monitored(link.url) || (link.embedderOrigin !== undefined && link.topUrl !== undefined && monitored(link.topUrl))) {
    ignore(link);
    return;
  }
  const queued = link.queued;
  link.queued = [];
  link.state = 'served';
  links.set(link.key, link);
  keepTabLoaded(link.tabId);
  void ingest(link.key, {
    type: 'document',
    at: Date.now(),
    frameId: link.frameId,
    ...(link.embedderOrigin === undefined ? {} : { embedderOrigin: link.embedderOrigin }),
  });
  send(link, toProbeConfig(currentConfig(), link.origin));
  for (const message of queued) onRelayMessage(link, message, true);
}

/** runtime.onConnect listener. */
export function handleConnect(port: Runtime.Port): void {
  if (port.name !== RELAY_PORT_NAME) return;
  const tab = port.sender?.tab;
  const frameId = port.sender?.frameId ?? TOP_FRAME_ID;
  const url = port.sender?.url ?? (frameId === TOP_FRAME_ID ? tab?.url : undefined);
  const key = tab?.id === undefined ? null : sessionKey(tab.id, frameId);
  if (tab?.id === undefined || !url || key === null) {
    port.disconnect();
    return;
  }
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    port.disconnect();
    return;
  }
  const topUrl = frameId === TOP_FRAME_ID ? undefined : tab.url;
  let embedderOrigin: string | undefined;
  if (frameId !== TOP_FRAME_ID) {
    try {
      embedderOrigin = topUrl ? new URL(topUrl).origin : 'null';
    } catch {
      embedderOrigin = 'null';
    }
  }
  const link: Link = {
    port,
    state: 'pending',
    queued: [],
    key,
    tabId: tab.id,
    frameId,
    ...(port.sender?.documentId === undefined ? {} : { documentId: port.sender.documentId }),
    origin,
    url,
    ...(embedderOrigin === undefined ? {} : { embedderOrigin }),
    ...(topUrl === undefined ? {} : { topUrl }),
    incognito: tab.incognito,
    sharedWorkers: new Set(),
  };
  port.onDisconnect.addListener(() => {
    link.queued = [];
    if (link.state === 'pending') link.state = 'ignored';
    if (links.get(link.key) === link) links.delete(link.key);
  });
  port.onMessage.addListener((raw: unknown) => {
    if (link.state === 'ignored') return;
    // Each observation parsed on its own (the relay only gates them): an invalid one is dropped, its siblings kept.
    const read = readRelayMessage(raw, Date.now());
    if (!read) return;
    for (const message of read.messages) {
      if (link.state === 'served') {
        onRelayMessage(link, message);
        continue;
      }
      if (link.state !== 'pending' || link.queued.length >= MAX_PENDING_MESSAGES) return;
      // The webRequest observer holds its twin of a failed exchange for 2 s only: note it now.
      if (message.type === 'obs' && message.obs.type === 'http') notePageHttp(link.key, message.obs);
      link.queued.push(message);
    }
  });
  decide(link);
}

/** The connected documents of one token identity. */
export interface IdentityTabs {
  /** Where the identity's tokens belong (origin, partition; the cookie-endpoint refresh runs there). */
  scope: TokenScope;
  identity: TokenIdentity | undefined;
  /** Session keys (src/session/session-key.ts) of its documents. */
  tabs: number[];
}

/**
 * The token identities of the connected tabs under `config` (./token-broker.ts `tokenKey`),
 * each with its tabs; empty when refreshing is off.
 */
export function connectedIdentities(config: ReturnType<typeof currentConfig>): Map<string, IdentityTabs> {
  const byKey = new Map<string, IdentityTabs>();
  for (const link of links.values()) {
    const key = keyOf(config, link);
    if (key === null) continue;
    const entry = byKey.get(key);
    if (entry) entry.tabs.push(link.key);
    else byKey.set(key, { scope: scopeOf(link), identity: link.identity, tabs: [link.key] });
  }
  return byKey;
}

/**
 * Pushes a token to every connected tab of one identity (`key`, ./token-broker.ts `tokenKey`)
 * as a `token` command without requestId.
 * @returns the tabs it was sent to
 */
export function pushToken(key: string, token: FreshToken): number[] {
  const config = currentConfig();
  const cmd = tokenCommand(token);
  const tabs: number[] = [];
  for (const link of links.values()) {
    if (keyOf(config, link) !== key) continue;
    send(link, cmd);
    tabs.push(link.key);
  }
  return tabs;
}

/**
 * The connected document of a session (src/session/session-key.ts) as its port's sender named
 * it; undefined when no relay of it is connected.
 */
export function relayLink(key: number): RelayLinkView | undefined {
  const link = links.get(key);
  return (
    link && {
      tabId: link.tabId,
      frameId: link.frameId,
      ...(link.documentId === undefined ? {} : { documentId: link.documentId }),
      origin: link.origin,
      url: link.url,
      ...(link.embedderOrigin === undefined ? {} : { embedderOrigin: link.embedderOrigin }),
      incognito: link.incognito,
    }
  );
}

/**
 * Sends a command to the probe of a session's document.
 * @returns false when no relay of it is connected
 */
export function commandSession(key: number, cmd: PageCommand): boolean {
  const link = links.get(key);
  if (!link) return false;
  send(link, cmd);
  return true;
}

/** Session keys with a connected relay now. */
export function connectedSessions(): number[] {
  return [...links.keys()];
}

/** The partition a link's SharedWorkers live in: the embedding site's origin, or '' at top level. */
const partitionOf = (link: Link): string => link.embedderOrigin ?? '';

/**
 * The sessions whose documents share a SharedWorker with the session `key` (same script, name
 * and storage partition), itself included when it has one; just `[key]` when it started none.
 * A SharedWorker outlives the reload of one of its pages: a reload that is to restart it must
 * reload all of them together (docs/architecture.md §3 rung 5).
 */
export function sharedWorkerPeers(key: number): number[] {
  const link = links.get(key);
  if (!link || link.sharedWorkers.size === 0) return [key];
  const peers = [...links.values()].filter(
    (l) => l.state === 'served' && partitionOf(l) === partitionOf(link) && [...l.sharedWorkers].some((w) => link.sharedWorkers.has(w)),
  );
  return peers.some((l) => l === link) ? peers.map((l) => l.key) : [key, ...peers.map((l) => l.key)];
}

/**
 * The session a request of a SharedWorker belongs to (webRequest reports it with no tab, frame
 * or document, only its `initiator` origin): the most recently connected served document of
 * that origin that started a SharedWorker — never a document that did not, nor one without a
 * live relay (docs/architecture.md §3 "Token audience"). Undefined when there is none.
 */
export function sessionForSharedWorkerRequest(initiator: string): number | undefined {
  let found: Link | undefined;
  for (const link of links.values()) {
    if (link.state === 'served' && link.origin === initiator && link.sharedWorkers.size > 0) found = link;
  }
  return found?.key;
}
