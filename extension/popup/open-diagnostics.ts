/**
 * Opens the diagnostics page (extension/diagnostics/index.html) in a new tab, on one session
 * (`?tab=<tabId>`) or on all. A new tab because the popup closes when it loses focus.
 */
import browser from 'webextension-polyfill';

/** The page's path inside the extension. */
export const DIAGNOSTICS_PAGE = 'extension/diagnostics/index.html';

/** The diagnostics page URL, for a session's tab id or for all sessions. */
export function diagnosticsUrl(tabId?: number): string {
  return browser.runtime.getURL(tabId === undefined ? DIAGNOSTICS_PAGE : `${DIAGNOSTICS_PAGE}?tab=${encodeURIComponent(String(tabId))}`);
}

/** Opens it; a failure (the browser refusing a tab) leaves the popup as it is. */
export function openDiagnostics(tabId?: number): void {
  void browser.tabs.create({ url: diagnosticsUrl(tabId) }).catch(() => undefined);
}
