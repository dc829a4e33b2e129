import { describe, expect, it } from 'vitest';
import {
  PROBE_SCRIPT_ID,
  RELAY_SCRIPT_ID,
  canonicalPattern,
  desiredContentScripts,
  injectablePatterns,
  planContentScripts,
  planIsEmpty,
} from '../../../src/policy/registrations';
import type { RegisteredScript } from '../../../src/policy/registrations';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';

const FILES = { probe: 'extension/page/probe.iife.js', relay: 'extension/relay/relay.iife.js' };

/** What Chromium 156 reports after registering `desired` (fields as measured). */
const asRegistered = (specs: ReturnType<typeof desiredContentScripts>): RegisteredScript[] =>
  specs.map((s) => ({ ...s, matchOriginAsFallback: false, matches: [...s.matches].reverse() }));

describe('canonicalPattern', () => {
  it('writes patterns as Chromium reports them back', () => {
    // Echoes measured with chrome.scripting.getRegisteredContentScripts on Chromium 156.
    expect(canonicalPattern('http://localhost:*/*')).toBe('http://localhost/*');
    expect(canonicalPattern('http://localhost:8080/*')).toBe('http://localhost:8080/*');
    expect(canonicalPattern('https://bücher.example/*')).toBe('https://xn--bcher-kva.example/*');
    expect(canonicalPattern('http://[::1]/*')).toBe('http://[::1]/*');
    expect(canonicalPattern('*://x.com/*')).toBe('*://x.com/*');
    expect(canonicalPattern('https://*.Example.com/Path*')).toBe('https://*.example.com/Path*');
    expect(canonicalPattern('http://*/*')).toBe('http://*/*');
    expect(canonicalPattern('<all_urls>')).toBe('<all_urls>');
    expect(canonicalPattern('file:///*')).toBe('file:///*');
  });

  it('refuses what the browser would reject or what is no web page', () => {
    // Chromium: "Invalid scheme." for these three.
    expect(canonicalPattern('HTTPS://x.com/*')).toBeNull();
    expect(canonicalPattern('ws://x.com/*')).toBeNull();
    expect(canonicalPattern('urn:*')).toBeNull();
    // Accepted by Chromium but not a softphone page.
    expect(canonicalPattern('ftp://x.com/*')).toBeNull();
    expect(canonicalPattern('https://x.com')).toBeNull();
    expect(canonicalPattern('https://a b/*')).toBeNull();
    expect(canonicalPattern('https://ex*ample.com/*')).toBeNull();
    expect(canonicalPattern('')).toBeNull();
  });
});

describe('injectablePatterns', () => {
  it('keeps usable patterns once, sorted, and names the rest', () => {
    const r = injectablePatterns(['https://b.example/*', 'ws://x/*', 'https://a.example/*', 'https://B.example/*']);
    expect(r.patterns).toEqual(['https://a.example/*', 'https://b.example/*']);
    expect(r.skipped).toEqual(['ws://x/*']);
  });

  it('takes every built-in vendor preset as it is', () => {
    const r = injectablePatterns(DEFAULT_SOFTPHONE_URL_PATTERNS);
    expect(r.skipped).toEqual([]);
    expect(r.patterns).toEqual([...DEFAULT_SOFTPHONE_URL_PATTERNS].sort());
  });
});

describe('desiredContentScripts', () => {
  it('registers the probe in the MAIN world and the relay in the ISOLATED world at document_start', () => {
    const [probe, relay, ...rest] = desiredContentScripts(['https://apps.example.com/*'], FILES);
    expect(rest).toEqual([]);
    expect(probe).toEqual({
      id: PROBE_SCRIPT_ID,
      js: [FILES.probe],
      matches: ['https://apps.example.com/*'],
      runAt: 'document_start',
      allFrames: true,
      world: 'MAIN',
      persistAcrossSessions: true,
    });
    expect(relay).toMatchObject({ id: RELAY_SCRIPT_ID, js: [FILES.relay], world: 'ISOLATED', runAt: 'document_start' });
  });

  it('wants nothing when no pattern is usable (the browser refuses a script without matches)', () => {
    expect(desiredContentScripts([], FILES)).toEqual([]);
    expect(desiredContentScripts(['ws://x/*'], FILES)).toEqual([]);
  });

  it('shares no array between the two scripts', () => {
    const [probe, relay] = desiredContentScripts(['https://a.example/*'], FILES);
    expect(probe?.matches).not.toBe(relay?.matches);
  });
});

describe('planContentScripts', () => {
  const wide = desiredContentScripts(DEFAULT_SOFTPHONE_URL_PATTERNS, FILES);
  const narrow = desiredContentScripts(['http://localhost/*'], FILES);

  it('registers both scripts when nothing is registered', () => {
    const plan = planContentScripts(wide, []);
    expect(plan.register.map((s) => s.id)).toEqual([PROBE_SCRIPT_ID, RELAY_SCRIPT_ID]);
    expect(plan.update).toEqual([]);
    expect(plan.unregister).toEqual([]);
  });

  it('does nothing when the registrations already match, whatever order the browser lists patterns in', () => {
    expect(planIsEmpty(planContentScripts(wide, asRegistered(wide)))).toBe(true);
  });

  it('does nothing when the browser echoes a pattern in its own canonical form', () => {
    const wanted = desiredContentScripts(['http://localhost:*/*', 'https://bücher.example/*'], FILES);
    const echoed = wanted.map((s) => ({ ...s, matches: ['http://localhost/*', 'https://xn--bcher-kva.example/*'] }));
    expect(planIsEmpty(planContentScripts(wanted, echoed))).toBe(true);
  });

  it('updates in place when only the patterns change: never unregisters first', () => {
    const plan = planContentScripts(narrow, asRegistered(wide));
    expect(plan.update.map((s) => [s.id, s.matches])).toEqual([
      [PROBE_SCRIPT_ID, ['http://localhost/*']],
      [RELAY_SCRIPT_ID, ['http://localhost/*']],
    ]);
    expect(plan.register).toEqual([]);
    expect(plan.unregister).toEqual([]);
  });

  it('updates a registration that differs in anything else (file, world, run time, frames)', () => {
    const [probe, relay] = asRegistered(wide) as [RegisteredScript, RegisteredScript];
    const variants: RegisteredScript[] = [
      { ...probe, js: ['assets/old-probe.js'] },
      { ...probe, world: 'ISOLATED' },
      { ...probe, runAt: 'document_idle' },
      { ...probe, allFrames: false },
      { ...probe, persistAcrossSessions: false },
      { ...probe, excludeMatches: ['https://x.example/*'] },
      { ...probe, matchOriginAsFallback: true },
    ];
    for (const v of variants) {
      const plan = planContentScripts(wide, [v, relay]);
      expect(
        plan.update.map((s) => s.id),
        JSON.stringify(v),
      ).toEqual([PROBE_SCRIPT_ID]);
    }
  });

  it('unregisters what is not wanted: every script when no pattern is left, and stale ids', () => {
    expect(planContentScripts([], asRegistered(wide)).unregister).toEqual([PROBE_SCRIPT_ID, RELAY_SCRIPT_ID]);
    const stale = planContentScripts(wide, [
      ...asRegistered(wide),
      { id: 'sg-pattern-check', js: [FILES.relay], matches: ['https://x/*'] },
    ]);
    expect(stale.unregister).toEqual(['sg-pattern-check']);
    expect(stale.update).toEqual([]);
  });

  it('registers a missing one and leaves the other alone', () => {
    const [probe] = asRegistered(wide);
    const plan = planContentScripts(wide, [probe as RegisteredScript]);
    expect(plan.register.map((s) => s.id)).toEqual([RELAY_SCRIPT_ID]);
    expect(plan.update).toEqual([]);
  });
});
