/**
 * Requests the page probe cannot see: `chrome.webRequest` observes every request of a
 * monitored softphone origin, including those made from dedicated, shared and service
 * workers (Amazon Connect's CCP talks through a SharedWorker). Only the status, method, URL
 * and timing are used: no headers, no bodies.
 *
 * A failure (status ≥ 400, or a network error) becomes an `http` observation with transport
 * `webrequest` unless the probe reported the same exchange (same tab, method, URL and
 * status) within {@link MATCH_WINDOW_MS}; the decision waits that long so the probe's report
 * can arrive first. Requests the extension itself makes (its token refresh) are ignored.
 */
import type { HttpObservation } from '../../src/protocol/page';
import { matchesAnyUrlGlob } from '../../src/match/url-glob';
import { matchesAnyPattern } from '../../src/match/match-pattern';
import type { z } from 'zod';
import { currentConfig } from './config-source';
import { ingest, liveSessionForOrigin } from './session-hub';

type Http = z.infer<typeof HttpObservation>;

/** How long a probe report and a webRequest report of one exchange may be apart, ms. */
export const MATCH_WINDOW_MS = 2000;

const pageReports = new Map<string, number[]>();
const keyOf = (tabId: number, method: string, url: string, status: number): string =>
  `${tabId} ${method.toUpperCase()} ${url.split('#', 1)[0]} ${status}`;

/** Called for every `http` observation the probe sent, so the observer can skip its twin. */
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
  method: string;
  url: string;
  initiator?: string;
  timeStamp: number;
  statusCode?: number;
  error?: string;
}

const started = new Map<string, number>();

function report(d: Done): void {
  if (d.initiator?.startsWith('chrome-extension://')) return;
  const status = d.statusCode ?? 0;
  if (d.error === undefined && status < 400) return;
  if (d.error === 'net::ERR_ABORTED') return; // the page cancelled it; not a failure of the service
  const config = currentConfig();
  if (!matchesAnyPattern(config.softphoneUrlPatterns, d.url)) return;
  const begin = started.get(d.requestId);
  started.delete(d.requestId);
  setTimeout(() => {
    const tabId = d.tabId >= 0 ? d.tabId : liveSessionForOrigin(d.initiator ?? new URL(d.url).origin);
    if (tabId === undefined) return;
    if (takePageReport(keyOf(tabId, d.method, d.url, status))) return;
    const obs: Http = {
      type: 'http',
      at: Math.round(d.timeStamp),
      requestId: `wr-${d.requestId}`.slice(0, 64),
      transport: 'webrequest',
      method: d.method.slice(0, 16),
      url: d.url.slice(0, 2048),
      status,
      durationMs: begin === undefined ? 0 : Math.max(0, Math.round(d.timeStamp - begin)),
      protected: matchesAnyUrlGlob(config.protectedRequestPatterns, d.url),
      ...(d.error !== undefined ? { error: d.error.slice(0, 256) } : {}),
    };
    void ingest(tabId, obs);
  }, MATCH_WINDOW_MS);
}

/** Registers the webRequest listeners; call once, synchronously, at worker start. */
export function observeWebRequests(): void {
  const filter: chrome.webRequest.RequestFilter = { urls: ['<all_urls>'], types: ['xmlhttprequest'] };
  chrome.webRequest.onBeforeRequest.addListener((d) => {
    if (started.size > 5000) started.clear();
    started.set(d.requestId, d.timeStamp);
    return undefined;
  }, filter);
  chrome.webRequest.onCompleted.addListener((d) => report(d), filter);
  chrome.webRequest.onErrorOccurred.addListener((d) => report(d), filter);
}
