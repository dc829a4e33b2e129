/**
 * The worker's half of token-audience matching: a document's resolved audience
 * (src/recovery/token-audience.ts `resolveTokenAudience`, origins in match-pattern host syntax)
 * compiled into the minimal form the probe tests (the `config` command's `tokenAudienceMatch`,
 * src/protocol/page.ts): one anchored regular-expression source per usable entry, over the
 * origin key ./origin-key.ts builds (`https://host:443`). The page then matches without parsing
 * a pattern (docs/benchmarks.md, "do no per-event work the worker could do").
 *
 * Same answers as `inTokenAudience` (tests/unit/match/audience-match.test.ts holds the two
 * together): an entry is usable when it is an `http(s)://host[:port]` origin, the host a name
 * or `*.`name (never `*` alone); without a port it matches any port; `*.host` matches the host
 * and its subdomains. The sources have no nested quantifier: a test is linear in the key.
 */
import { parseMatchPattern } from './match-pattern';

/** Most entries a compiled audience holds (the page protocol's bound). */
const MAX_ENTRIES = 64;
/** Longest source the page protocol carries. */
const MAX_SOURCE = 2048;
/** An entry that would match every host (as src/recovery/token-audience.ts refuses it). */
const ALL_HOSTS = /^(?:<all_urls>|[^:/]*:\/\/\*(?::[^/]*)?\/?\*?)$/;
const ORIGIN = /^(https?):\/\/([^/?#@\s]+)$/i;

const escape = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** The source for one audience entry, or null when the entry is no usable origin. */
function entrySource(entry: string): string | null {
  if (ALL_HOSTS.test(entry)) return null;
  const m = ORIGIN.exec(entry);
  if (!m) return null;
  let p;
  try {
    p = parseMatchPattern(`${(m[1] ?? '').toLowerCase()}://${m[2] ?? ''}/*`);
  } catch {
    return null;
  }
  if (p.kind !== 'pattern' || p.host === '') return null;
  const sub = p.matchSubdomains ? '(?:[^/:]+\\.)?' : '';
  const port = p.port === '*' ? '\\d+' : String(p.port);
  return `^${p.scheme}://${sub}${escape(p.host)}:${port}$`;
}

/**
 * The probe's form of a resolved token audience: one source per usable entry, deduplicated,
 * at most 64, none longer than 2,048 characters (a longer one, beyond any DNS name, is left out:
 * that origin then gets no token, the safe side).
 */
export function compileTokenAudience(audience: readonly string[]): string[] {
  const out = new Set<string>();
  for (const entry of audience) {
    const source = entrySource(entry);
    if (source !== null && source.length <= MAX_SOURCE) out.add(source);
  }
  return [...out].slice(0, MAX_ENTRIES);
}
