/**
 * Finds softphone tabs the browser does not let the extension into, so the popup can say so
 * instead of showing nothing. A tab is a candidate when its URL matches the effective
 * `softphoneUrlPatterns` and no relay of it is connected. The candidate is confirmed with a
 * no-op `chrome.scripting.executeScript` (a function returning `true` in the ISOLATED world):
 * the browser's refusal names the cause (src/policy/host-access.ts). A tab the extension can
 * script is not listed (its page was loaded before the extension was, say).
 *
 * Tabs are checked shortly after they finish loading (`tabs.onUpdated` complete, after
 * {@link SETTLE_MS} so the relay of a monitored page has connected) and all at once when the
 * popup asks ({@link unmonitoredTabs}, at most every {@link RESCAN_MS}). Reading the URL of a
 * tab on a host the policy blocks needs the `tabs` permission: without it Chromium hides the
 * URL of exactly those tabs.
 */
import type { UnmonitoredTab } from '../../src/protocol/ui';
import { classifyInjectionError, pageOrigin } from '../../src/policy/host-access';
import { matchesAnyPattern } from '../../src/match/match-pattern';
import { currentConfig } from './config-source';
import { relayLink } from './relay-ports';
import { updateBadge } from './badge';

/** Wait after a tab finished loading before checking it, ms (relays connect at document_start). */
export const SETTLE_MS = 1000;
/** The popup polls every second; all tabs are checked again at most this often, ms. */
export const RESCAN_MS = 5000;
/** Longest a popup request waits for a check in progress, ms. */
export const ANSWER_WAIT_MS = 500;

interface Entry extends UnmonitoredTab {
  /** The tab's URL when checked (never shown; used to re-test against changed patterns). */
  url: string;
}

const unmonitored = new Map<number, Entry>();
let lastScanAt = -Infinity;
let scanning: Promise<void> | null = null;

/** The badge says "off" while a softphone tab is open that the browser keeps the extension out of. */
function showCount(): void {
  void updateBadge({ unmonitoredTabs: unmonitored.size });
}

function isCandidate(tabId: number, url: string | undefined): url is string {
  return url !== undefined && pageOrigin(url) !== null && matchesAnyPattern(currentConfig().softphoneUrlPatterns, url) && !relayLink(tabId);
}

/**
 * Checks one tab and records or clears it. Never rejects.
 * @param tabId the tab
 * @param url its URL as `chrome.tabs` reports it (needs the `tabs` permission for blocked hosts)
 */
export async function checkTab(tabId: number, url: string | undefined): Promise<void> {
  try {
    await recheck(tabId, url);
  } finally {
    showCount();
  }
}

async function recheck(tabId: number, url: string | undefined): Promise<void> {
  if (!isCandidate(tabId, url)) {
    unmonitored.delete(tabId);
    return;
  }
  const origin = pageOrigin(url) as string;
  try {
    await chrome.scripting.executeScript({ target: { tabId }, func: () => true, injectImmediately: true });
    unmonitored.delete(tabId);
  } catch (error) {
    const reason = classifyInjectionError(error instanceof Error ? error.message : String(error));
    if (reason) unmonitored.set(tabId, { tabId, origin, reason, url });
    else unmonitored.delete(tabId);
  }
}

/** `tabs.onUpdated` listener: a tab that finished loading is checked after {@link SETTLE_MS}. */
function handleTabUpdated(tabId: number, change: chrome.tabs.OnUpdatedInfo): void {
  if (change.url !== undefined) unmonitored.delete(tabId);
  if (change.status !== 'complete') return;
  setTimeout(() => {
    chrome.tabs.get(tabId).then(
      (tab) => checkTab(tabId, tab.url),
      () => unmonitored.delete(tabId),
    );
  }, SETTLE_MS);
}

/** `tabs.onRemoved` listener. */
function handleTabRemoved(tabId: number): void {
  if (unmonitored.delete(tabId)) showCount();
}

/**
 * Registers the tab listeners; call once, synchronously, at worker start. (`tabs.onUpdated`
 * takes no filter in Chromium 156: "This event does not support filters".)
 */
export function observeTabs(): void {
  chrome.tabs.onUpdated.addListener(handleTabUpdated);
  chrome.tabs.onRemoved.addListener(handleTabRemoved);
}

async function scanAll(): Promise<void> {
  const tabs = await chrome.tabs.query({});
  const open = new Set<number>();
  await Promise.all(
    tabs.map((tab) => {
      if (tab.id === undefined) return undefined;
      open.add(tab.id);
      return checkTab(tab.id, tab.url);
    }),
  );
  for (const id of [...unmonitored.keys()]) if (!open.has(id)) unmonitored.delete(id);
  showCount();
}

/**
 * The open softphone tabs the extension may not run in, for the popup's `get-state`. Starts a
 * check of every tab when the last one is older than {@link RESCAN_MS} and waits for it up to
 * {@link ANSWER_WAIT_MS}. Never rejects.
 * @returns one entry per tab, ordered by tab id; those the current patterns no longer match
 *   or whose relay has connected since are left out
 */
export async function unmonitoredTabs(): Promise<UnmonitoredTab[]> {
  if (!scanning && Date.now() - lastScanAt >= RESCAN_MS) {
    lastScanAt = Date.now();
    scanning = scanAll()
      .catch(() => undefined)
      .finally(() => {
        scanning = null;
      });
  }
  if (scanning) await Promise.race([scanning, new Promise((resolve) => setTimeout(resolve, ANSWER_WAIT_MS))]);
  return [...unmonitored.values()]
    .filter((e) => isCandidate(e.tabId, e.url))
    .sort((a, b) => a.tabId - b.tabId)
    .map(({ tabId, origin, reason }) => ({ tabId, origin, reason }));
}
