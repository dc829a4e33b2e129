/**
 * Which content scripts the worker keeps registered (`chrome.scripting.registerContentScripts`)
 * for the effective `softphoneUrlPatterns` (docs/architecture.md §2, §4), and how to get there from what
 * the browser holds now. Pure: the worker (extension/background/content-scripts.ts) reads the
 * registrations, asks {@link planContentScripts} and carries the plan out.
 *
 *   effective config ──▶ injectablePatterns ──▶ desiredContentScripts ─┐
 *                                                                      ├─▶ planContentScripts ─▶ register / update / unregister
 *   getRegisteredContentScripts() ─────────────────────────────────────┘
 *
 * Chromium rejects a whole `registerContentScripts` / `updateContentScripts` call when one
 * match pattern is invalid, so every pattern passes {@link canonicalPattern} first; a pattern
 * it cannot vouch for is left out (src/policy/resolve.ts has already reported it).
 * Patterns are written the way Chromium echoes them back (measured on Chromium 156:
 * `http://localhost:*` comes back as `http://localhost/*`, `bücher.example` as
 * `xn--bcher-kva.example`), so comparing what is registered with what is wanted does not
 * see a change where there is none.
 */
import { parseMatchPattern } from '../match/match-pattern';

/** Registration id of the page probe (MAIN world). */
export const PROBE_SCRIPT_ID = 'sg-probe';
/** Registration id of the relay (ISOLATED world). */
export const RELAY_SCRIPT_ID = 'sg-relay';

/** Schemes of pages the probe and relay are for (the same set resolve.ts accepts). */
const PAGE_SCHEMES = new Set(['http', 'https', '*', 'file']);

/**
 * A content script registration, in the shape of `chrome.scripting.RegisteredContentScript`
 * (only the fields this extension sets).
 */
export interface ContentScriptSpec {
  id: string;
  js: string[];
  matches: string[];
  runAt: 'document_start';
  allFrames: true;
  world: 'MAIN' | 'ISOLATED';
  persistAcrossSessions: true;
}

/** What the browser reports for one registration (`getRegisteredContentScripts`), loosely. */
export interface RegisteredScript {
  id: string;
  js?: string[];
  matches?: string[];
  excludeMatches?: string[];
  css?: string[];
  runAt?: string;
  allFrames?: boolean;
  world?: string;
  persistAcrossSessions?: boolean;
  matchOriginAsFallback?: boolean;
}

/** The built files of the two scripts, relative to the extension root. */
export interface ScriptFiles {
  /** The page probe, a standalone classic script (e.g. `extension/page/probe.iife.js`). */
  probe: string;
  /** The relay, likewise (e.g. `extension/relay/relay.iife.js`). */
  relay: string;
}

/** The calls that bring the registrations to the wanted state, in this order. */
export interface RegistrationPlan {
  /** `updateContentScripts`: ids that exist but differ. Changing matches in place leaves no gap. */
  update: ContentScriptSpec[];
  /** `registerContentScripts`: wanted ids that do not exist. */
  register: ContentScriptSpec[];
  /** `unregisterContentScripts`: ids that exist and are not wanted (none left to match, or stale). */
  unregister: string[];
}

/** Hosts Chromium would rewrite or reject: spaces, paths, queries, user info. */
const BAD_HOST_RE = /[\s/?#\\@%]/;

/**
 * The form in which Chromium stores and reports a match pattern, for a pattern it accepts.
 * Lower-case host (IDN as punycode), no `:*` port (Chromium drops it), path as given.
 * @returns the canonical pattern, or null when the pattern is not one to hand to the browser:
 *   invalid (src/match/match-pattern.ts), a scheme that is no web page (`ws`, `wss`, `ftp`),
 *   or a host that does not survive URL canonicalisation unchanged in meaning
 */
export function canonicalPattern(pattern: string): string | null {
  let parsed;
  try {
    parsed = parseMatchPattern(pattern);
  } catch {
    return null;
  }
  if (parsed.kind === 'all-urls') return parsed.source;
  if (!PAGE_SCHEMES.has(parsed.scheme)) return null;
  if (parsed.scheme === 'file') return `file://${parsed.path}`;
  let host = '';
  if (parsed.host !== '') {
    if (BAD_HOST_RE.test(parsed.host)) return null;
    try {
      host = new URL(`http://${parsed.host}/`).hostname;
    } catch {
      return null;
    }
    if (host === '') return null;
  }
  const hostPart = parsed.matchSubdomains ? (host === '' ? '*' : `*.${host}`) : host;
  const portPart = parsed.port === '*' ? '' : `:${parsed.port}`;
  return `${parsed.scheme}://${hostPart}${portPart}${parsed.path}`;
}

/**
 * The patterns to register: canonical, without duplicates, sorted.
 * @returns `patterns` to hand to the browser, and `skipped`: the inputs left out (invalid or
 *   for no web page)
 */
export function injectablePatterns(patterns: readonly string[]): { patterns: string[]; skipped: string[] } {
  const kept = new Set<string>();
  const skipped: string[] = [];
  for (const p of patterns) {
    const c = typeof p === 'string' ? canonicalPattern(p) : null;
    if (c === null) skipped.push(String(p));
    else kept.add(c);
  }
  return { patterns: [...kept].sort(), skipped };
}

/**
 * The registrations wanted for these match patterns: the probe in the MAIN world and the
 * relay in the ISOLATED world, both at `document_start`, in every frame whose URL matches —
 * a softphone framed by a CRM on another site included, whatever the top page is
 * (docs/architecture.md §2) — kept across browser restarts (so a restarted browser injects
 * before the worker has run). Empty when no pattern
 * is usable: the browser refuses a registration without matches.
 * @param patterns effective `softphoneUrlPatterns` (any; unusable ones are left out)
 * @param files the built script files
 */
export function desiredContentScripts(patterns: readonly string[], files: ScriptFiles): ContentScriptSpec[] {
  const matches = injectablePatterns(patterns).patterns;
  if (matches.length === 0) return [];
  const common = { matches, runAt: 'document_start', allFrames: true, persistAcrossSessions: true } as const;
  return [
    { id: PROBE_SCRIPT_ID, js: [files.probe], world: 'MAIN', ...common, matches: [...matches] },
    { id: RELAY_SCRIPT_ID, js: [files.relay], world: 'ISOLATED', ...common, matches: [...matches] },
  ];
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean => {
  const x = [...(a ?? [])].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** True when the browser's registration already is the wanted one. */
export function registrationMatches(wanted: ContentScriptSpec, registered: RegisteredScript): boolean {
  const canonical = (registered.matches ?? []).map((m) => canonicalPattern(m) ?? m);
  return (
    sameList(registered.js, wanted.js) &&
    sameList(canonical, wanted.matches) &&
    (registered.excludeMatches ?? []).length === 0 &&
    (registered.css ?? []).length === 0 &&
    (registered.runAt ?? 'document_idle') === wanted.runAt &&
    (registered.allFrames ?? false) === wanted.allFrames &&
    (registered.world ?? 'ISOLATED') === wanted.world &&
    (registered.persistAcrossSessions ?? true) === wanted.persistAcrossSessions &&
    !registered.matchOriginAsFallback
  );
}

/**
 * The calls from `registered` to `wanted`. Nothing to do gives three empty lists, so calling
 * this on every configuration change and worker start is idempotent. A script that exists
 * and differs is updated in place (never unregistered and registered again), so a change of
 * patterns leaves no moment with nothing registered.
 * @param wanted from {@link desiredContentScripts}
 * @param registered what `chrome.scripting.getRegisteredContentScripts()` returned
 */
export function planContentScripts(wanted: readonly ContentScriptSpec[], registered: readonly RegisteredScript[]): RegistrationPlan {
  const have = new Map(registered.map((r) => [r.id, r]));
  const wantedIds = new Set(wanted.map((w) => w.id));
  const plan: RegistrationPlan = { update: [], register: [], unregister: [] };
  for (const w of wanted) {
    const r = have.get(w.id);
    if (!r) plan.register.push(w);
    else if (!registrationMatches(w, r)) plan.update.push(w);
  }
  for (const r of registered) if (!wantedIds.has(r.id)) plan.unregister.push(r.id);
  return plan;
}

/** True when a plan has nothing to do. */
export function planIsEmpty(plan: RegistrationPlan): boolean {
  return plan.update.length === 0 && plan.register.length === 0 && plan.unregister.length === 0;
}
