/**
 * Pieces of (already redacted) URLs for display. URLs here may be any string, so nothing
 * parses with `URL` or throws.
 */

const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;
const PATH = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i;

/**
 * The host (with port, without user info) of an absolute URL: `https://u@a.example:8443/x` →
 * `a.example:8443`. Undefined when the string is not an absolute URL with a host.
 */
export function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const authority = AUTHORITY.exec(url)?.[1];
  if (!authority) return undefined;
  const at = authority.lastIndexOf('@');
  return (at === -1 ? authority : authority.slice(at + 1)) || undefined;
}

/**
 * The path of a request, without scheme, host, query or fragment, at most `max` characters
 * (longer ones end in `…`): `https://h/api/v2/x?y=1` → `/api/v2/x`. A string that is not an
 * absolute URL is taken as a path.
 */
export function pathOf(url: string, max = 80): string {
  const m = PATH.exec(url);
  const raw = m ? (m[1] ?? '') : (url.split(/[?#]/, 1)[0] ?? '');
  const path = raw || '/';
  return path.length > max ? `${path.slice(0, max - 1)}…` : path;
}
