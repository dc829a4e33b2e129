/**
 * Why a softphone tab has no probe: the browser refuses the extension that host. Two causes
 * are told apart by the error `chrome.scripting.executeScript` gives on that tab (texts
 * measured on Chromium 156, `tests/e2e/blocked-host.spec.ts` keeps them honest):
 *
 * - `blocked-by-policy`: an `ExtensionSettings` policy lists the host in `runtime_blocked_hosts`
 *   (and not in `runtime_allowed_hosts`): "This page cannot be scripted due to an
 *   ExtensionsSettings policy." (sic: "Extensions" with an s).
 * - `no-host-access`: the extension lacks the host permission, e.g. the user set site access
 *   to "On click" or "On specific sites": "Cannot access contents of url "…". Extension
 *   manifest must request permission to access this host." (without the `tabs` permission:
 *   "Cannot access contents of the page. …").
 *
 * Any other error (the tab closed or navigated, an error page) says nothing about access.
 */

/** Why a tab that matches `softphoneUrlPatterns` is not monitored. */
export type UnmonitoredReason = 'blocked-by-policy' | 'no-host-access';

const BLOCKED_BY_POLICY_RE = /ExtensionS?Settings policy/i;
const NO_HOST_ACCESS_RE = /Cannot access contents of|must request permission to access/i;

/**
 * Classifies the error of an `executeScript` call on a tab.
 * @param message the error's message (anything; non-strings classify as null)
 * @returns the reason, or null when the error is not about host access
 */
export function classifyInjectionError(message: unknown): UnmonitoredReason | null {
  if (typeof message !== 'string') return null;
  if (BLOCKED_BY_POLICY_RE.test(message)) return 'blocked-by-policy';
  if (NO_HOST_ACCESS_RE.test(message)) return 'no-host-access';
  return null;
}

/**
 * The origin of a page URL for display (`https://apps.example.com`), or null for a URL with
 * no web origin (`about:blank`, `file:`, unparsable).
 */
export function pageOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}
