/**
 * How HTTP incidents name the request they are about. URLs reaching the reducer are already
 * redacted, but they may be anything the schema allows (any string up to 2,048 characters),
 * so nothing here parses with `URL` or throws.
 */

const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
const MAX_SHOWN_PATH = 120;

/**
 * The URL without its query string and fragment: the key under which HTTP incidents of one
 * kind are folded and resolved ("the same URL path"). `https://h/a?x=1#f` → `https://h/a`.
 */
export function requestKey(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The path of a request for a sentence shown to the agent: scheme, host, query and fragment
 * removed, at most 120 characters (longer paths end in `…`). `https://h/api/v2/x?y` → `/api/v2/x`.
 */
export function shownPath(url: string): string {
  const path = requestKey(url).replace(SCHEME_AND_AUTHORITY, '') || '/';
  return path.length > MAX_SHOWN_PATH ? `${path.slice(0, MAX_SHOWN_PATH - 1)}…` : path;
}
