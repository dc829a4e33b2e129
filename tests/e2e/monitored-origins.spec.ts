/**
 * Monitored origins follow the effective `softphoneUrlPatterns` without a rebuild or restart:
 * the probe and relay are registered with `chrome.scripting.registerContentScripts`, so a
 * configuration narrowed to `http://localhost/*` leaves a 127.0.0.1 lab page without probe,
 * relay or session while the same lab on localhost is monitored; a document injected before
 * the change is dropped and told nothing; widening again takes effect on the next page load.
 * The shipped defaults name the vendors' hosts only: the lab is monitored because the user
 * settings name it (support/fixture.ts `monitorLab`), and without them it is not.
 * The configuration is changed through the user settings (`storage.local` `userConfig`),
 * which resolve exactly as policy does (docs/architecture.md §4) and need no root.
 */
import { expect, test } from './support/fixture';
import type { Page, Worker } from '@playwright/test';
import type { StateResponse } from '../../src/protocol/ui';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../src/policy/schema';
import type { BrowserContext } from '@playwright/test';
import {
  EXTENSION_ID,
  appStatus,
  callReady,
  extensionWorker,
  openAgent,
  openAgentAt,
  openPopup,
  stopServiceWorker,
  withLabPages,
} from './support/softphone';
import { envelopes, recordEnvelopes } from './support/channel-envelopes';

/** The patterns the probe and relay are registered for, as `[probeMatches, relayMatches]`. */
async function registeredMatches(worker: Worker): Promise<[string[], string[]]> {
  const scripts = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
  const of = (id: string): string[] => [...(scripts.find((s) => s.id === id)?.matches ?? [])].sort();
  return [of('sg-probe'), of('sg-relay')];
}

const defaults = [...DEFAULT_SOFTPHONE_URL_PATTERNS].sort();
/** The user settings of the lab: the shipped patterns and the lab's pages. */
const labSettings = withLabPages();
const withLab = [...(labSettings.softphoneUrlPatterns as string[])].sort();

/** The extension's worker that answers now (Playwright keeps stopped workers listed). */
async function liveWorker(context: BrowserContext): Promise<Worker> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    for (const w of context.serviceWorkers().filter((x) => x.url().startsWith(`chrome-extension://${EXTENSION_ID}/`))) {
      const alive = await Promise.race([w.evaluate(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]).catch(
        () => false,
      );
      if (alive) return w;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no live extension worker');
}

async function reloadReady(page: Page): Promise<void> {
  await page.reload();
  await expect.poll(async () => callReady(await appStatus(page).catch(() => null)), { timeout: 20_000 }).toBe(true);
}

test('softphoneUrlPatterns narrowed to localhost: 127.0.0.1 gets no probe, relay or session; widening applies on the next load', async ({
  lab,
  context,
}) => {
  const localOrigin = `http://localhost:${lab.port}`;
  let worker = await extensionWorker(context);
  await recordEnvelopes(context);
  // The manifest declares no content scripts: the worker registers the vendor presets and the
  // lab's pages the user settings add.
  await expect.poll(() => registeredMatches(worker)).toEqual([withLab, withLab]);
  const registration = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
  expect(registration.map((s) => [s.id, s.world, s.runAt, s.js])).toEqual([
    ['sg-probe', 'MAIN', 'document_start', ['extension/page/probe.iife.js']],
    ['sg-relay', 'ISOLATED', 'document_start', ['extension/relay/relay.iife.js']],
  ]);

  // Under these settings both lab origins are monitored.
  const onLoopback = await openAgent(context, lab, 'agent-1');
  const onLocalhost = await openAgentAt(context, localOrigin, 'agent-2');
  for (const page of [onLoopback, onLocalhost]) {
    await expect.poll(() => envelopes(page)).toEqual(expect.arrayContaining(['to-ext:hello', 'to-page:config']));
  }
  const popup = await openPopup(context);
  const state = (): Promise<StateResponse> => popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  const liveOrigins = async (): Promise<string[]> =>
    (await state()).sessions
      .filter((s) => s.alive && s.href)
      .map((s) => new URL(s.href as string).origin)
      .sort();
  await expect.poll(liveOrigins).toEqual([lab.url, localOrigin].sort());

  // Narrow. The registration changes in place (no restart, no rebuild).
  const configsBefore = {
    loopback: (await envelopes(onLoopback)).filter((e) => e === 'to-page:config').length,
    localhost: (await envelopes(onLocalhost)).filter((e) => e === 'to-page:config').length,
  };
  await worker.evaluate(() => chrome.storage.local.set({ userConfig: { softphoneUrlPatterns: ['http://localhost/*'] } }));
  await expect.poll(() => registeredMatches(worker)).toEqual([['http://localhost/*'], ['http://localhost/*']]);

  // The document injected before the change: dropped (its session ends) and told nothing,
  // while the still-monitored one gets the new configuration.
  await expect.poll(liveOrigins).toEqual([localOrigin]);
  await expect
    .poll(async () => (await envelopes(onLocalhost)).filter((e) => e === 'to-page:config').length)
    .toBeGreaterThan(configsBefore.localhost);
  await onLoopback.waitForTimeout(1000);
  expect((await envelopes(onLoopback)).filter((e) => e === 'to-page:config').length).toBe(configsBefore.loopback);

  // A restarted worker judges reconnecting relays by the configuration in force, not the
  // defaults: the localhost relay is served again (it gets the configuration on reconnect),
  // the 127.0.0.1 one stays ignored.
  const localConfigs = (await envelopes(onLocalhost)).filter((e) => e === 'to-page:config').length;
  await stopServiceWorker(context, popup);
  await popup.reload(); // wakes a fresh worker
  await expect
    .poll(async () => (await envelopes(onLocalhost)).filter((e) => e === 'to-page:config').length, { timeout: 20_000 })
    .toBeGreaterThan(localConfigs);
  expect((await envelopes(onLoopback)).filter((e) => e === 'to-page:config').length).toBe(configsBefore.loopback);
  expect(await liveOrigins()).toEqual([localOrigin]);
  worker = await liveWorker(context);

  // New documents: 127.0.0.1 gets neither probe nor relay, and no session; localhost does.
  await reloadReady(onLoopback);
  await reloadReady(onLocalhost);
  await expect.poll(() => envelopes(onLocalhost)).toEqual(expect.arrayContaining(['to-ext:hello', 'to-page:config']));
  await onLoopback.waitForTimeout(1500);
  expect(await envelopes(onLoopback)).toEqual([]);
  expect(await liveOrigins()).toEqual([localOrigin]);
  // The lab app itself works the same without the extension.
  expect(callReady(await appStatus(onLoopback))).toBe(true);

  // The user settings removed: the shipped defaults name no lab page at all.
  await worker.evaluate(() => chrome.storage.local.remove('userConfig'));
  await expect.poll(() => registeredMatches(worker)).toEqual([defaults, defaults]);
  await expect.poll(liveOrigins).toEqual([]);
  await reloadReady(onLocalhost);
  await onLocalhost.waitForTimeout(1500);
  expect(await envelopes(onLocalhost)).toEqual([]);

  // Widen again: the lab's pages named again, effective on the next load.
  await worker.evaluate((c) => chrome.storage.local.set({ userConfig: c }), labSettings);
  await expect.poll(() => registeredMatches(worker)).toEqual([withLab, withLab]);
  await reloadReady(onLocalhost);
  await reloadReady(onLoopback);
  await expect.poll(() => envelopes(onLoopback)).toEqual(expect.arrayContaining(['to-ext:hello', 'to-page:config']));
  await expect.poll(liveOrigins).toEqual([lab.url, localOrigin].sort());
});
