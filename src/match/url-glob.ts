/**
 * URL globs as used by `protectedRequestPatterns` and `agentIdentity.requestPattern`
 * (docs/architecture.md §4): `*` matches any run of characters (including none and including `/`), every
 * other character matches itself, and the whole URL must match.
 *
 * A pattern without `?` is matched against the URL with its query string and fragment
 * removed, so `*\/api/v2/users/me` matches `https://x/api/v2/users/me?expand=org`. A pattern
 * with `?` is matched against the URL without its fragment.
 *
 * Matching runs in O(pattern × URL) whatever the pattern (see ./wildcard.ts): patterns come
 * from policy and are tested on every request the page makes, so no backtracking regex.
 */
import { wildcardMatch } from './wildcard';

/** Longest accepted glob, in characters. */
export const MAX_URL_GLOB_LENGTH = 2048;

/**
 * True when `pattern` matches `url`.
 * @throws {RangeError} when the pattern is empty or longer than {@link MAX_URL_GLOB_LENGTH}
 */
export function testUrlGlob(pattern: string, url: string): boolean {
  if (pattern.length === 0 || pattern.length > MAX_URL_GLOB_LENGTH) {
    throw new RangeError(`URL glob must be 1–${MAX_URL_GLOB_LENGTH} characters, got ${pattern.length}`);
  }
  return globMatch(pattern, url);
}

/** {@link testUrlGlob} for a pattern already known to be within bounds. */
function globMatch(pattern: string, url: string): boolean {
  const noFragment = url.split('#', 1)[0] ?? '';
  const subject = pattern.includes('?') ? noFragment : (noFragment.split('?', 1)[0] ?? '');
  return wildcardMatch(pattern, subject);
}

/**
 * True when any of the globs matches the URL. Invalid patterns are skipped (policy validation
 * reports them; matching must never throw).
 */
export function matchesAnyUrlGlob(patterns: readonly string[], url: string): boolean {
  for (const p of patterns) {
    if (p.length > 0 && p.length <= MAX_URL_GLOB_LENGTH && globMatch(p, url)) return true;
  }
  return false;
}
