/**
 * Policy resolution's check of `tokenCarriers` (src/policy/schema.ts `TokenCarrierSchema`) and
 * its conversion to the probe's carriers (src/recovery/token-carriers.ts). A carrier the probe
 * cannot use safely is refused here with a sentence for the options page, never in the page.
 */
import safeRegex from 'safe-regex2';
import type { TokenCarrierInput } from './schema';

/** Most carriers a policy may list: every one is tried on every request and frame. */
export const MAX_TOKEN_CARRIERS = 16;
/** Header names (RFC 9110 §5.1 token) and authentication schemes (§11.1). */
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Capture groups of a regular expression source, counted by the engine itself: the match of
 * `(?:source)|` against '' has one slot per group.
 * @throws SyntaxError when `source` is not a regular expression
 */
export function captureGroups(source: string): number {
  const m = new RegExp(`(?:${source})|`).exec('');
  return (m?.length ?? 1) - 1;
}

/**
 * Why `c` cannot be used, or undefined when it can:
 * - `header`: `name` a header name, `scheme` (optional) a scheme name;
 * - `query`: `name` non-empty;
 * - `ws-message`: exactly one of `pattern` and `format`; a pattern compiles, has exactly one
 *   capture group and passes the star-height check of safe-regex2 (no nested quantifiers,
 *   which backtrack catastrophically on a crafted frame);
 * - fields of another type are refused rather than silently ignored.
 */
export function tokenCarrierError(c: TokenCarrierInput): string | undefined {
  const stray = (fields: readonly (keyof TokenCarrierInput)[]): string | undefined => {
    const extra = fields.filter((f) => c[f] !== undefined);
    return extra.length > 0 ? `type ${c.type} takes no ${extra.join(', ')}` : undefined;
  };
  switch (c.type) {
    case 'header':
      if (c.name === undefined || !TOKEN_RE.test(c.name)) return 'type header needs "name", a header name such as "Authorization"';
      if (c.scheme !== undefined && !TOKEN_RE.test(c.scheme)) return `"${c.scheme.slice(0, 32)}" is not an authentication scheme name`;
      return stray(['pattern', 'format', 'prefix']);
    case 'query':
      if (c.name === undefined || c.name.length === 0) return 'type query needs "name", the parameter name such as "access_token"';
      return stray(['scheme', 'pattern', 'format', 'prefix']);
    case 'ws-message': {
      if ((c.pattern === undefined) === (c.format === undefined)) return 'type ws-message needs exactly one of "pattern" and "format"';
      const other = stray(['name', 'scheme']);
      if (other) return other;
      if (c.format !== undefined) return undefined;
      if (c.prefix !== undefined) return 'type ws-message takes "prefix" only with "format"';
      const pattern = c.pattern as string;
      let groups: number;
      try {
        groups = captureGroups(pattern);
      } catch (e) {
        return `pattern is not a regular expression: ${e instanceof Error ? e.message.slice(0, 120) : 'syntax error'}`;
      }
      if (groups !== 1) return `pattern must have exactly one capture group (the token), it has ${groups}; use (?:…) for the others`;
      if (!safeRegex(pattern))
        return 'pattern has nested quantifiers that can backtrack catastrophically (star height above 1); rewrite it without a repeated group inside a repetition';
      return undefined;
    }
  }
}

/** Why the list cannot be used (the first bad entry, numbered from 1), or undefined. */
export function tokenCarriersError(list: readonly TokenCarrierInput[]): string | undefined {
  if (list.length > MAX_TOKEN_CARRIERS) return `at most ${MAX_TOKEN_CARRIERS} carriers`;
  for (const [i, c] of list.entries()) {
    const e = tokenCarrierError(c);
    if (e) return `carrier ${i + 1}: ${e}`;
  }
  return undefined;
}
