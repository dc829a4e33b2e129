/**
 * Keeps the page probe (MAIN world) and the relay (ISOLATED world) registered with
 * `chrome.scripting.registerContentScripts` for exactly the effective `softphoneUrlPatterns`
 * (policy over user settings over the built-in vendor presets), so a policy widens or narrows
 * what is monitored without a rebuild. The manifest declares no content scripts.
 *
 * Each sync reads what is registered and carries out the pure plan of
 * src/policy/registrations.ts: nothing when nothing changed, `updateContentScripts` in place
 * when only the patterns changed (never a moment with nothing registered), register or
 * unregister otherwise. Syncs run one at a time; calls made while one runs share the next.
 *
 * Registrations persist across browser restarts, so the previous ones keep injecting while a
 * restarted worker reads its configuration. Nothing is registered or changed before policy
 * and user settings have both been read once, not even on first install: a worker must not
 * register the defaults where the policy narrows them, and the first policy read can take
 * 2–5 s after the browser starts (docs/architecture.md §7). Pages loaded before that are not monitored
 * until they reload, as tabs open before an install never are.
 *
 * Should the browser still reject a pattern that src/match/match-pattern.ts accepts, it
 * rejects the whole call: then each pattern is tried alone (registered with itself as an
 * exclusion, so it never injects) and the call is repeated with those the browser accepts.
 */
/// <reference types="@crxjs/vite-plugin/client" />
import probeFile from '../page/probe.iife.ts?script';
import relayFile from '../relay/relay.iife.ts?script';
import { desiredContentScripts, planContentScripts, planIsEmpty } from '../../src/policy/registrations';
import type { ContentScriptSpec, RegistrationPlan, ScriptFiles } from '../../src/policy/registrations';
import { currentConfig } from './config-source';
import { warn } from './log';

/** The built probe and relay (crxjs emits them as standalone classic scripts, `*.iife.js`). */
export const SCRIPT_FILES: ScriptFiles = { probe: probeFile, relay: relayFile };

/** Id of the throwaway registration that tests one pattern. */
const PATTERN_CHECK_ID = 'sg-pattern-check';

let tail: Promise<void> = Promise.resolve();
let queued: Promise<void> | null = null;
let ready = false;
let readyResolve: () => void = () => undefined;
const whenReady = new Promise<void>((resolve) => {
  readyResolve = resolve;
});

/**
 * Brings the registrations in line with the configuration in force when the sync starts.
 * Never rejects: failures are logged and the registrations stay as they were.
 */
export function syncContentScripts(): Promise<void> {
  if (queued) return queued;
  const run = tail.then(async () => {
    queued = null;
    try {
      await syncOnce();
    } catch (error) {
      warn('content scripts not updated', error);
    }
  });
  queued = run;
  tail = run;
  return run;
}

async function syncOnce(): Promise<void> {
  const wanted = desiredContentScripts(currentConfig().softphoneUrlPatterns, SCRIPT_FILES);
  const registered = await chrome.scripting.getRegisteredContentScripts();
  const plan = planContentScripts(wanted, registered);
  if (planIsEmpty(plan)) return;
  try {
    await carryOut(plan);
  } catch (error) {
    warn('the browser refused the content script registration; checking each pattern', error);
    const accepted = await acceptedPatterns(wanted[0]?.matches ?? []);
    if (accepted.length === 0) return;
    const retry = desiredContentScripts(accepted, SCRIPT_FILES);
    await carryOut(planContentScripts(retry, await chrome.scripting.getRegisteredContentScripts()));
  }
}

function asChrome(spec: ContentScriptSpec): chrome.scripting.RegisteredContentScript {
  return { ...spec, js: [...spec.js], matches: [...spec.matches] };
}

async function carryOut(plan: RegistrationPlan): Promise<void> {
  if (plan.update.length > 0) await chrome.scripting.updateContentScripts(plan.update.map(asChrome));
  if (plan.register.length > 0) await chrome.scripting.registerContentScripts(plan.register.map(asChrome));
  if (plan.unregister.length > 0) await chrome.scripting.unregisterContentScripts({ ids: plan.unregister });
}

/** The patterns the browser accepts, each tried alone in a registration that never injects. */
async function acceptedPatterns(patterns: readonly string[]): Promise<string[]> {
  const accepted: string[] = [];
  for (const pattern of patterns) {
    try {
      await chrome.scripting.registerContentScripts([
        {
          id: PATTERN_CHECK_ID,
          js: [SCRIPT_FILES.relay],
          matches: [pattern],
          excludeMatches: [pattern],
          persistAcrossSessions: false,
        },
      ]);
      accepted.push(pattern);
    } catch (error) {
      warn(`match pattern "${pattern.slice(0, 100)}" left out`, error);
    }
    await chrome.scripting.unregisterContentScripts({ ids: [PATTERN_CHECK_ID] }).catch(() => undefined);
  }
  return accepted;
}

/**
 * Starts keeping the registrations in line. Call once, synchronously, at worker start: once
 * `configLoaded` settles, syncs with the configuration in force and then follows every change
 * ({@link handleConfigChange}).
 * @param opts.configLoaded resolves once policy and user settings have both been read
 */
export function startContentScripts(opts: { configLoaded: Promise<unknown> }): void {
  void opts.configLoaded
    .catch(() => undefined)
    .then(() => {
      ready = true;
      readyResolve();
      return syncContentScripts();
    });
}

/** `onConfigChange` listener: re-syncs once the first full read is done (before, start does). */
export function handleConfigChange(): void {
  if (ready) void syncContentScripts();
}

/** runtime.onInstalled listener: install and update re-sync, after the first full read. */
export function handleInstalled(): void {
  void whenReady.then(syncContentScripts);
}
