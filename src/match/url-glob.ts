/**
 * URL globs as used by `protectedRequestPatterns` and `agentIdentity.requestPattern`
 * (DESIGN.md §4): `*` matches any run of characters (including none and including `/`), every
 * other character matches itself, and the whole URL must match.
 *
 * A pattern without `?` is matched against the URL with its query string and fragment
 * removed, so `*\/api/v2/users/me` matches `https://x/api/v2/users/me?expand=org`. A pattern
 * with `?` is matched against the URL without its fragment.
 */

/** A compiled glob: call {@link UrlGlob.test} per URL. */
export interface UrlGlob {
  readonly source: string;
  test(url: string): boolean;
}

const cache = new Map<string, UrlGlob>();

/**
 * Compiles a glob. Compilation is cached per pattern string.
 * @param pattern the glob, at most 2,048 characters
 * @throws {RangeError} when the pattern is empty or longer than 2,048 characters
 */
export function compileUrlGlob(pattern: string): UrlGlob {
  const hit = cache.get(pattern);
  if (hit) return hit;
  if (pattern.length === 0 || pattern.length > 2048) {
    throw new RangeError(`URL glob must be 1–2048 characters, got ${pattern.length}`);
  }
  const withQuery = pattern.includes('?');
  // Collapse runs of `*` so the regex stays linear-time on hostile input.
  const body = pattern
    .replace(/\*+/g, '*')
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${body}$`, 's');
  const glob: UrlGlob = {
    source: pattern,
    test(url: string): boolean {
      const noFragment = url.split('#', 1)[0] ?? '';
      const subject = withQuery ? noFragment : (noFragment.split('?', 1)[0] ?? '');
      return re.test(subject);
    },
  };
  if (cache.size > 256) cache.clear();
  cache.set(pattern, glob);
  return glob;
}

/**
 * True when any of the globs matches the URL. Invalid patterns are skipped (policy validation
 * reports them; matching must never throw).
 */
export function matchesAnyUrlGlob(patterns: readonly string[], url: string): boolean {
  for (const p of patterns) {
    try {
      if (compileUrlGlob(p).test(url)) return true;
    } catch {
      // skipped: reported by policy validation
    }
  }
  return false;
}
