/**
 * The one wildcard matcher behind URL globs and match-pattern paths.
 */

/**
 * Whole-string wildcard match where `*` matches any run of characters (including none) and
 * every other character matches itself. Iterative with one backtrack point, so the cost is
 * at most O(pattern × text) however many `*` the pattern holds (a backtracking regex is
 * exponential on patterns like `*a*a*a…b`).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p += 1;
      t += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
