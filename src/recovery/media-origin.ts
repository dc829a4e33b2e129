/**
 * Which microphone content setting rung 4 may change for a page: that of the page's own
 * origin, and only when the page is a configured softphone page (`softphoneUrlPatterns`).
 * The page URL must come from the extension's side of the port (`port.sender`), never from
 * a message the page could write.
 */
import { matchesAnyPattern } from '../match/match-pattern';

/** The content setting to change: `pattern` for `set`, `primaryUrl` for `get`. */
export interface MicrophoneSettingTarget {
  /**
   * The origin as a content-setting pattern with its port spelled out
   * (`https://apps.example.com:443/*`): a pattern without a port matches every port of the
   * host (chrome.contentSettings, "Content setting patterns"), which is more than the origin.
   */
  pattern: string;
  /** The origin's root URL, e.g. `https://apps.example.com/`. */
  primaryUrl: string;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * The microphone setting target for a page, or null when rung 4 must leave it alone: the URL
 * does not parse, is not http(s), has no host, or matches none of `softphoneUrlPatterns`.
 * @param pageUrl the document URL from `port.sender.url`
 * @param softphoneUrlPatterns Chrome match patterns (`config.softphoneUrlPatterns`)
 */
export function microphoneSettingTarget(pageUrl: string, softphoneUrlPatterns: readonly string[]): MicrophoneSettingTarget | null {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined || url.hostname === '') return null;
  if (!matchesAnyPattern(softphoneUrlPatterns, url.href)) return null;
  const port = url.port === '' ? defaultPort : url.port;
  return { pattern: `${url.protocol}//${url.hostname}:${port}/*`, primaryUrl: `${url.origin}/` };
}
