/**
 * Which microphone content setting rung 4 may change for a page: that of the page's own
 * origin, and only when the page is a configured softphone page (`softphoneUrlPatterns`).
 * The page URL must come from the extension's side of the port (`port.sender`), never from
 * a message the page could write.
 */
import { matchesAnyPattern, matchesPattern, parseMatchPattern } from '../match/match-pattern';
import type { MatchPattern } from '../match/match-pattern';

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

/** Most origins {@link rememberGrantedOrigin} keeps (the oldest observed go first). */
export const MAX_GRANTED_ORIGINS = 64;

/** Most entries of a `media.grantMicrophone` list. */
export const MAX_MICROPHONE_GRANT_ENTRIES = 64;

/**
 * Why an entry of a `media.grantMicrophone` list is refused (policy validation,
 * src/policy/resolve.ts), or undefined when it is usable. An entry is an origin in match-pattern
 * host syntax, as `tokenRefresh.audience` (src/recovery/token-audience.ts):
 * `https://apps.mypurecloud.com`, `https://*.my.connect.aws`, `http://127.0.0.1:8787` (no port:
 * any port); or `*`, every monitored origin (the list form of `true`, for policy files, whose
 * schema has no unions). Rung 4 only ever acts on monitored pages, so no entry reaches further.
 */
export function microphoneGrantEntryError(entry: string): string | undefined {
  const parsed = entryPattern(entry);
  return typeof parsed === 'string' && parsed !== '*' ? parsed : undefined;
}

/** A list entry as a match pattern for its origin (`<entry>/*`), `*` as itself, or why it is neither. */
function entryPattern(entry: string): MatchPattern | '*' | string {
  if (entry === '*') return '*';
  const m = /^(https?):\/\/([^/?#@\s]+)$/i.exec(entry);
  if (!m) return `"${entry.slice(0, 64)}" is not an http(s) origin such as "https://apps.example.com" (no path, no trailing "/"), nor "*"`;
  try {
    const parsed = parseMatchPattern(`${(m[1] ?? '').toLowerCase()}://${m[2] ?? ''}/*`);
    if (parsed.kind === 'pattern' && parsed.host !== '') return parsed;
  } catch (e) {
    return e instanceof Error ? e.message : 'invalid origin';
  }
  return `"${entry.slice(0, 64)}": write "*" for every monitored origin`;
}

/**
 * True when `media.grantMicrophone` names the origin of `pageUrl`: `true`, a `*` entry, or an
 * entry whose origin pattern matches. Unusable entries name nothing; `false` names nothing.
 * Never throws.
 */
export function microphoneNamed(grantMicrophone: boolean | readonly string[], pageUrl: string): boolean {
  if (typeof grantMicrophone === 'boolean') return grantMicrophone;
  return grantMicrophone.some((entry) => {
    const pattern = entryPattern(entry);
    if (pattern === '*') return true;
    if (typeof pattern === 'string') return false;
    try {
      return matchesPattern(pattern, pageUrl);
    } catch {
      return false;
    }
  });
}

/**
 * Whether rung 4 may set a blocked microphone back to allow on a page's origin (issue: respect
 * the agent's choice):
 * - `observed-grant`: the extension saw the microphone granted on this origin before it was
 *   lost, so the block undoes a state the agent had chosen;
 * - `named`: configuration names the origin (`media.grantMicrophone`: `true`, `*`, or an entry);
 * - `agent-choice`: neither — a block present before any grant the extension saw, on an origin
 *   nobody named, is the agent's (or the browser's) choice and stays;
 * - `off`: `media.grantMicrophone` is `false`: the setting is never touched.
 * @param grantMicrophone `config.media.grantMicrophone`
 * @param origin the page's origin as its relay port's sender named it
 * @param pageUrl the page's URL, likewise
 * @param grantedOrigins origins where a grant was observed (persisted by the worker)
 */
export function microphoneRestoreRule(args: {
  grantMicrophone: boolean | readonly string[];
  origin: string;
  pageUrl: string;
  grantedOrigins: readonly string[];
}): 'observed-grant' | 'named' | 'agent-choice' | 'off' {
  const { grantMicrophone, origin, pageUrl } = args;
  if (grantMicrophone === false) return 'off';
  if (args.grantedOrigins.includes(origin)) return 'observed-grant';
  return microphoneNamed(grantMicrophone, pageUrl) ? 'named' : 'agent-choice';
}

/**
 * The list of origins with an observed grant after one more: `origin` moved to the end (most
 * recent), at most {@link MAX_GRANTED_ORIGINS} kept. Returns `list` itself when `origin` is
 * already its last entry (nothing to store).
 */
export function rememberGrantedOrigin(list: readonly string[], origin: string): readonly string[] {
  if (list[list.length - 1] === origin) return list;
  return [...list.filter((o) => o !== origin), origin].slice(-MAX_GRANTED_ORIGINS);
}

/**
 * What the worker remembers per tab to tell a grant seen on the tab's current origin from a
 * `micPermission` carried over in the session view from a document of another origin (the
 * view belongs to the tab, src/session/views.ts).
 */
export interface GrantWatch {
  origin: string;
  /** The view's permission last seen under the tab's previous origin; null when there was none. */
  carried: 'granted' | 'denied' | 'prompt' | undefined | null;
  /** The permission last seen. */
  last: 'granted' | 'denied' | 'prompt' | undefined;
  /** The permission changed since this origin's document came. */
  changed: boolean;
}

/**
 * One look at a tab: whether the microphone is seen granted on `origin` now, and what to
 * remember for the next look. `granted` only when the view says `granted` and that value is
 * this origin's: it changed since the origin's document came, or it was not carried over as
 * `granted` from another origin. (A tab first seen by this worker has nothing carried: `null`.)
 * @param watch what the previous look returned, or undefined for a tab not seen yet
 * @param origin the page's origin as its relay port's sender named it
 * @param permission `session.media.micPermission`
 */
export function observeGrant(
  watch: GrantWatch | undefined,
  origin: string,
  permission: GrantWatch['last'],
): { watch: GrantWatch; granted: boolean } {
  let next: GrantWatch;
  if (!watch) next = { origin, carried: null, last: permission, changed: false };
  else if (watch.origin !== origin) next = { origin, carried: watch.last, last: permission, changed: false };
  else next = { ...watch, last: permission, changed: watch.changed || watch.last !== permission };
  const granted = permission === 'granted' && (next.changed || next.carried !== 'granted');
  return { watch: next, granted };
}
