/**
 * Requests the page probe cannot see: `chrome.webRequest` observes the fetch/XHR requests
 * (type `xmlhttprequest`) to the softphone's hosts, including those made from dedicated and
 * shared workers (Amazon Connect's CCP talks through a SharedWorker). Only the status,
 * method, URL and time are used: no headers, no bodies.
 *
 * Where a request came from (measured on Chromium 156 against the lab): a dedicated Worker's
 * requests carry the tab, frame and document of the page that started it, exactly like the
 * page's own; a SharedWorker's carry no tab (`tabId` −1, no frame, no document), only their
 * `initiator` origin. A page request is attributed to the session of its tab and frame
 * (src/session/session-key.ts), when that document has a live relay; a SharedWorker's to the
 * session of a live document of its initiator's origin that started a SharedWorker
 * (./relay-ports.ts `sessionForSharedWorkerRequest`) — never to a tab of an unmonitored site,
 * never to a document that did not start one. A protected 401 the probe did not report came
 * from where no fresh token can be put: it is reported with its `reach` (`worker`: the
 * document started a dedicated Worker; `shared-worker`), and rung 5 takes over
 * (src/recovery/safe-reload.ts). WebSockets of a SharedWorker are not reported to
 * webRequest at all (measured likewise): its signalling is seen only through what its pages do.
 *
 * Listened to: `onCompleted` and `onErrorOccurred`, for every path of the hosts of the
 * effective `softphoneUrlPatterns` and of the configured token audience
 * (src/match/web-request-filter.ts `observedRequestPatterns` makes the filter's `urls`).
 * Why scoped: Chrome dispatches every request matching a listener's filter to the worker and
 * wakes a stopped worker for it (measured on Chromium 156), so a `<all_urls>` filter woke
 * and busied it for every fetch and XHR of every site the agent browses. Each reported URL
 * is checked again against the configuration in force (`matchesAnyPattern`), as a second
 * guard. No usable pattern, no listener: `urls: []` matches every URL.
 *
 * WebSocket handshakes: `onHeadersReceived` (type `websocket`, the same hosts with the `ws`/`wss`
 * schemes). A 401 on an upgrade, which the page sees only as a failed socket, starts the
 * refresh the 401 path would (./relay-ports.ts `onUpgradeRefused`): the softphone's next
 * attempt carries the fresh token.
 *
 * A failure (status ≥ 400, or a network error) becomes an `http` observation with transport
 * `webrequest` unless the probe reported the same exchange (same session, method, URL and
 * status) within {@link MATCH_WINDOW_MS}; the decision waits that long so the probe's report
 * can arrive first. A success is reported only for a protected request of a session whose
 * worker's 401 is open (it may have signed in again by itself). Requests the extension
 * itself makes (its token refresh) are ignored.
 * Its `durationMs` is 0, meaning unknown: the details of `onCompleted` and `onErrorOccurred`
 * carry only the time of their own signal (`timeStamp`, ms since the epoch), no start time
 * (https://developer.chrome.com/docs/extensions/reference/api/webRequest), and listening to
 * `onBeforeRequest` for one would double the dispatches.
 *
 * Registration (MV3: a listener added after the worker's first task misses the event that
 * woke it): {@link observeWebRequests} registers at once with the patterns known
 * synchronously, the built-in defaults until config-source has read policy and user
 * settings, then removes and re-adds both listeners whenever the effective filter list
 * changes. Chrome keeps the last registered filter for a stopped worker and wakes it for
 * matching requests only. Caveats: a request to an origin that only the policy adds, which
 * itself wakes a stopped worker before the configuration has been read, can be missed (the
 * fresh worker's first listeners have the defaults' filter); and a request that completes
 * in the moment between removal and re-adding on a configuration change is not reported.
 * While a softphone tab is open its relay port keeps the worker alive, and the probe
 * reports the page's own requests.
 */
import type { HttpObservation } from '../../src/protocol/page';
import { matchesAnyUrlGlob } from '../../src/match/url-glob';
import { matchesAnyPattern } from '../../src/match/match-pattern';
import { observedRequestPatterns, sameFilterUrls, socketFilterUrls, webRequestFilterUrls } from '../../src/match/web-request-filter';
import { sessionKey } from '../../src/session/session-key';
import type { RequestReach, SessionState } from '../../src/session/types';
import type { Config } from '../../src/policy/schema';
import type { z } from 'zod';
import { currentConfig, onConfigChange } from './config-source';
import { warn } from './log';
import { ingest, sessionOf, settled } from './session-hub';
import { onUpgradeRefused, relayLink, sessionForSharedWorkerRequest } from './relay-ports';

type Http = z.infer<typeof HttpObservation>;

/** How long a probe report and a webRequest report of one exchange may be apart, ms. */
export const MATCH_WINDOW_MS = 2000;

const pageReports = new Map<string, number[]>();
const keyOf = (tabId: number, method: string, url: string, status: number): string =>
  `${tabId} ${method.toUpperCase()} ${url.split('#', 1)[0]} ${status}`;

/** Called for every `http` observation the probe sent (by session key), so the observer can skip its twin. */
export function notePageHttp(tabId: number, obs: Http): void {
  const key = keyOf(tabId, obs.method, obs.url, obs.status);
  const times = (pageReports.get(key) ?? []).filter((t) => Date.now() - t < 2 * MATCH_WINDOW_MS);
  times.push(Date.now());
  pageReports.set(key, times);
}

function takePageReport(key: string): boolean {
  const times = pageReports.get(key);
  if (!times) return false;
  const i = times.findIndex((t) => Date.now() - t < 2 * MATCH_WINDOW_MS);
  if (i < 0) {
    pageReports.delete(key);
    return false;
  }
  times.splice(i, 1);
  if (times.length === 0) pageReports.delete(key);
  return true;
}

interface Done {
  requestId: string;
  tabId: number;
  frameId: number;
  documentId?: string;
  method: string;
  url: string;
  initiator?: string;
  timeStamp: number;
  statusCode?: number;
  error?: string;
}

const observed = (config: Config): string[] => observedRequestPatterns(config.softphoneUrlPatterns, config.tokenRefresh.audience);

function report(d: Done): void {
  if (d.initiator?.startsWith('chrome-extension://')) return;
  const status = d.statusCode ?? 0;
  if (d.error === 'net::ERR_ABORTED') return; // the page cancelled it; not a failure of the service
  const config = currentConfig();
  if (!matchesAnyPattern(observed(config), d.url)) return;
  if (d.error === undefined && status < 400) {
    if (matchesAnyUrlGlob(config.protectedRequestPatterns, d.url)) void settled().then(() => attributeSuccess(d, status));
    return;
  }
  setTimeout(() => void settled().then(() => attribute(d, status, config)), MATCH_WINDOW_MS);
}

/**
 * The session a request belongs to, and where it came from. A request with a tab: the session
 * of its tab and frame, when that document has a live relay (and is the document the request
 * came from); `worker` when the probe did not report it and the document started a dedicated
 * Worker. Without a tab: a SharedWorker's, attributed by its initiator origin.
 */
function sessionOfRequest(d: Done): { key: number; session: SessionState; sharedWorker: boolean } | undefined {
  let key: number | undefined;
  const sharedWorker = d.tabId < 0;
  if (!sharedWorker) {
    key = sessionKey(d.tabId, Math.max(d.frameId, 0)) ?? undefined;
    const link = key === undefined ? undefined : relayLink(key);
    // A page of an unmonitored site calling a softphone host is not a softphone session
    // (docs/architecture.md §2), nor is a document the relay no longer speaks for.
    if (!link || (d.documentId !== undefined && link.documentId !== undefined && link.documentId !== d.documentId)) return undefined;
  } else if (d.initiator) {
    key = sessionForSharedWorkerRequest(d.initiator);
  }
  const session = key === undefined ? undefined : sessionOf(key);
  if (key === undefined || !session || session.endedAt !== undefined) return undefined;
  return { key, session, sharedWorker };
}

/** Where a 401 the probe did not report came from, when it is somewhere no token can be put. */
function reachOf(session: SessionState, sharedWorker: boolean): RequestReach | undefined {
  if (sharedWorker) return 'shared-worker';
  return session.workers?.some((w) => w.kind === 'worker') ? 'worker' : undefined;
}

/**
 * A protected request's success from a session whose worker's 401 is open: the worker signed
 * in again by itself, and the incident can end. Other successes are not reported.
 */
function attributeSuccess(d: Done, status: number): void {
  const found = sessionOfRequest(d);
  if (!found) return;
  const outOfReach = found.session.incidents.some(
    (i) => i.kind === 'unauthorized' && i.resolvedAt === undefined && i.detail.outOfReach !== undefined,
  );
  if (!outOfReach) return;
  void ingest(found.key, observation(d, status, true));
}

/**
 * The `http` observation of a request webRequest reported (transport `webrequest`, the bounds
 * of src/protocol/page.ts). Its `durationMs` is 0, meaning unknown: see the module comment.
 */
function observation(d: Done, status: number, isProtected: boolean, reach?: RequestReach): Http {
  return {
    type: 'http',
    at: Math.round(d.timeStamp),
    requestId: `wr-${d.requestId}`.slice(0, 64),
    transport: 'webrequest',
    method: d.method.slice(0, 16),
    url: d.url.slice(0, 2048),
    status,
    durationMs: 0,
    protected: isProtected,
    ...(d.error !== undefined ? { error: d.error.slice(0, 256) } : {}),
    ...(reach === undefined ? {} : { reach }),
  };
}

/**
 * Ingests a failure into the session it belongs to ({@link sessionOfRequest}), unless the
 * probe reported the same exchange.
 */
function attribute(d: Done, status: number, config: Config): void {
  const found = sessionOfRequest(d);
  if (!found) return;
  const { key: tabId, session } = found;
  if (!found.sharedWorker && takePageReport(keyOf(tabId, d.method, d.url, status))) return;
  const isProtected = matchesAnyUrlGlob(config.protectedRequestPatterns, d.url);
  const reach = status === 401 && isProtected ? reachOf(session, found.sharedWorker) : undefined;
  void ingest(tabId, observation(d, status, isProtected, reach));
}

const onCompleted = (d: chrome.webRequest.OnCompletedDetails): void => report(d);
const onErrorOccurred = (d: chrome.webRequest.OnErrorOccurredDetails): void => report(d);

/**
 * A WebSocket handshake's response: an HTTP 401 instead of `101 Switching Protocols` (RFC 6455
 * §4.1: the client then fails the connection; the page sees only `error` and close 1006) is
 * a refusal of the token the socket's URL carried, handed to ./relay-ports.ts
 * `onUpgradeRefused` for the document that opened it. Other statuses are left to the probe,
 * which sees the socket fail.
 */
function onSocketHeaders(d: chrome.webRequest.OnHeadersReceivedDetails): undefined {
  if (d.statusCode !== 401 || d.initiator?.startsWith('chrome-extension://')) return undefined;
  const url = d.url;
  if (!matchesAnyPattern(socketFilterUrls(observed(currentConfig())), url)) return undefined;
  void settled().then(() => {
    const found = d.tabId < 0 ? undefined : sessionOfRequest(d);
    if (found) return onUpgradeRefused(found.key, url, `wr-${d.requestId}`.slice(0, 64), Math.round(d.timeStamp));
    return undefined;
  });
  return undefined;
}

/** The filter `urls` both request listeners are registered with now; empty = not registered. */
let registered: readonly string[] = [];
/** The filter `urls` the socket handshake listener is registered with now; empty = not registered. */
let registeredSockets: readonly string[] = [];

function removeListeners(): void {
  chrome.webRequest.onCompleted.removeListener(onCompleted);
  chrome.webRequest.onErrorOccurred.removeListener(onErrorOccurred);
}

/**
 * Registers both request listeners, and the socket handshake listener, for the filter `urls`
 * of these patterns, replacing a registration when (and only when) its list differs. Never
 * throws: it runs in the worker's first task, where an exception would stop every
 * registration after it.
 */
function syncListeners(patterns: readonly string[]): void {
  syncSocketListener(patterns);
  const wanted = webRequestFilterUrls(patterns);
  if (sameFilterUrls(wanted, registered)) return;
  removeListeners();
  registered = wanted;
  if (wanted.length === 0) return; // `urls: []` would match every URL
  const filter: chrome.webRequest.RequestFilter = { urls: [...wanted], types: ['xmlhttprequest'] };
  try {
    chrome.webRequest.onCompleted.addListener(onCompleted, filter);
    chrome.webRequest.onErrorOccurred.addListener(onErrorOccurred, filter);
  } catch (error) {
    removeListeners();
    warn('webRequest listeners not registered', error);
  }
}

/**
 * The handshake listener: `onHeadersReceived` for `websocket` requests of the observed hosts,
 * with `extraHeaders`, without which a refused upgrade's status never reaches an extension
 * (measured on Chromium 156; src/match/web-request-filter.ts `socketFilterUrls`). It reads
 * no header and changes nothing: it returns nothing, so no request waits on it.
 */
function syncSocketListener(patterns: readonly string[]): void {
  const wanted = socketFilterUrls(patterns);
  if (sameFilterUrls(wanted, registeredSockets)) return;
  chrome.webRequest.onHeadersReceived.removeListener(onSocketHeaders);
  registeredSockets = wanted;
  if (wanted.length === 0) return;
  try {
    chrome.webRequest.onHeadersReceived.addListener(onSocketHeaders, { urls: [...wanted], types: ['websocket'] }, ['extraHeaders']);
  } catch (error) {
    chrome.webRequest.onHeadersReceived.removeListener(onSocketHeaders);
    warn('webRequest socket listener not registered', error);
  }
}

/**
 * Registers the `onCompleted` and `onErrorOccurred` listeners for the effective
 * `softphoneUrlPatterns` and keeps them in line with every configuration change
 * (`onConfigChange`). Call once, synchronously, at worker start, so the listeners exist
 * before the event that woke the worker is dispatched.
 */
export function observeWebRequests(): void {
  syncListeners(observed(currentConfig()));
  onConfigChange((config) => syncListeners(observed(config)));
}
