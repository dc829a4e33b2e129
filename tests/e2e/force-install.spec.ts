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
 * - the server then offers version + 1, and Chromium's own update check finds it at the
 *   update_url the packager wrote into the CRX: the check Chromium makes at every browser start
 *   (second test: the workstation's browser starts again on its profile), and the one the
 *   deployment guide gives to hurry a machine, chrome://extensions → Update (first test). The new
 *   version runs with its policy, the events the old version stored are still in its IndexedDB,
 *   and it recovers the lab agent from a publish storm;
 * - an update Chromium finds while the extension runs (`runtime.requestUpdateCheck()`, the same
 *   updater and the same held-back install as its 5-hourly check) is applied by the extension
 *   at once outside a call, and only after the call has ended during one; the new version
 *   reloads the agent page the restart left unmonitored (third and fourth tests).
 *
 * Chromium's schedule cannot be shortened any more: Chromium 156 has no
 * `--extensions-update-frequency` (the browser binary holds no such switch name; measured: with
 * it, no check in 80 s); `ExtensionService` enables the updater with `kDefaultUpdateFrequency`,
 * 5 hours (chrome/browser/extensions/extension_service.cc, extensions/common/constants.h), and
 * `ExtensionUpdater::Start` checks once soon after the browser starts, then every 5 h ± 20 %
 * (chrome/browser/extensions/updater/extension_updater.cc, `Start`, `ScheduleNextCheck`).
 *
 * Writing policy needs root: skipped with a message otherwise. Every file it wrote (policy
 * files, the packages, the release key, the profile) is removed afterwards, also when it fails.
 */
import { expect, test as base } from './support/fixture';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { EXTENSION_ID, PROJECT_ROOT } from '../support/browser.mjs';
import {
  checkForUpdates,
  extensionInfo,
  forceInstallPolicy,
  managedPolicy,
  registeredPatterns,
  releaseFixture,
  storedEventSeqs,
  storedUpdateEvents,
  workerOf,
} from './support/force-install';
import type { Packaged, Release } from './support/force-install';
import type { Launched, LaunchOptions } from './support/fixture';
import type { PolicyFiles } from './support/policy-files';
import { hasProbe } from './support/probe-marker';
import { STATS_POST_EVERY } from '../../src/quality/stats-reporting';
import { appStatus, callReady, labPost, labStats, openAgentAt, recoveredFromStorm } from './support/softphone';
import type { Lab } from './support/softphone';

const test = base.extend<{ release: Release }>(releaseFixture);

/** The softphone pages the test policy names: the lab on "localhost" (any port). */
const LAB_PATTERNS = ['http://localhost/*'];

const nextVersion = (v: string): string => v.replace(/(\d+)$/, (n) => String(Number(n) + 1));

/** Waits until `chrome://extensions` shows `version` of `id` installed. */
async function installed(extensionsPage: Page, id: string, version: string, timeoutMs: number): Promise<void> {
  await expect.poll(async () => (await extensionInfo(extensionsPage, id))?.version, { timeout: timeoutMs, intervals: [500] }).toBe(version);
}

/**
 * The lab app on `http://localhost:<port>`, reloaded until the extension's probe is in it, and
 * ready for calls again: a storm injected while the reloaded app is still connecting drops no
 * socket, and `recoveredFromStorm` waits for the dropped one (measured: 29 s of waiting in vain).
 */
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
  await expect.poll(async () => callReady(await appStatus(page).catch(() => null)), { timeout: 20_000 }).toBe(true);
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

/** Version 1 force-installed by policy in a browser started on it, its worker monitoring the policy's pages. */
interface Installed {
  v1: Packaged;
  id: string;
  context: BrowserContext;
  /** chrome://extensions, for the extension's state as Chromium shows it. */
  extensions: Page;
  worker: Worker;
  /** When the browser was started, and when chrome://extensions showed version 1 installed, epoch ms. */
  startedAt: number;
  installedAt: number;
}

/**
 * Publishes version 1, writes the force-install policy and the extension's own (the lab's pages,
 * plus `policy`), starts Chromium without `--load-extension` (on `userDataDir` when given) and
 * waits until version 1 is installed and its worker has registered the policy's pages.
 */
async function installByPolicy(
  { release, policy, launch }: { release: Release; policy: PolicyFiles; launch: (o?: LaunchOptions) => Promise<Launched> },
  opts: { policy?: Record<string, unknown>; userDataDir?: string } = {},
): Promise<Installed> {
  const v1 = await release.publish();
  const id = v1.id;
  policy.write('force-install', forceInstallPolicy(id, release.updateUrl));
  policy.write('policy', { '3rdparty': { extensions: { [id]: { softphoneUrlPatterns: LAB_PATTERNS, ...opts.policy } } } });
  const startedAt = Date.now();
  const { context } = await launch({ policyInstalled: true, ...(opts.userDataDir === undefined ? {} : { userDataDir: opts.userDataDir }) });
  const extensions = await context.newPage();
  await extensions.goto('chrome://extensions');
  await installed(extensions, id, v1.version, 30_000);
  const installedAt = Date.now();
  const worker = await workerOf(context, id);
  await expect.poll(() => registeredPatterns(worker), { timeout: 30_000 }).toEqual([LAB_PATTERNS, LAB_PATTERNS]);
  return { v1, id, context, extensions, worker, startedAt, installedAt };
}

/**
 * The lab agent opened in `context` and monitored, a publish storm recovered (after `stormRecovered`,
 * seconds), and the `seq` of the events the extension stored by then.
 */
async function agentAfterStorm(
  lab: Lab,
  context: BrowserContext,
  worker: Worker,
): Promise<{ agent: Page; oldEvents: number[]; stormS: number }> {
  const agent = await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-1');
  await monitoredAgent(agent);
  const t0 = Date.now();
  await stormRecovered(lab, agent);
  const stormS = since(t0);
  await expect.poll(async () => (await storedEventSeqs(worker)).length).toBeGreaterThan(0);
  return { agent, oldEvents: await storedEventSeqs(worker), stormS };
}

test('a signed CRX is force-installed by policy under the printed ID, cannot be disabled, reads its policy, recovers a storm, and updates to version + 1 (chrome://extensions → Update) keeping its events', async ({
  lab,
  policy,
  launch,
  release,
}, testInfo) => {
  test.setTimeout(180_000);
  const measured: Record<string, unknown> = {};
  const { v1, id, context, extensions, worker, startedAt: started, installedAt } = await installByPolicy({ release, policy, launch });
  measured.installS = Math.round((installedAt - started) / 100) / 10;
  expect(v1.version).toBe(pkg.version);
  // The release ID is the key's, not the development builds' test ID.
  expect(id).not.toBe(EXTENSION_ID);
  measured.id = id;
  measured.sizes = v1.sizes;

  // Installed from the server, under the printed ID, by the administrator.
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
  await expect.poll(() => managedPolicy(worker), { timeout: 30_000 }).toEqual({ softphoneUrlPatterns: LAB_PATTERNS });
  measured.policyReadS = since(started);

  // A publish storm: recovered silently, and stored.
  const { agent, oldEvents, stormS } = await agentAfterStorm(lab, context, worker);
  measured.stormRecoveryS = stormS;
  measured.eventsBeforeUpdate = oldEvents.length;

  // Version + 1 on the server; Chromium's update check (chrome://extensions → Update, the one the
  // deployment guide gives to hurry a machine) finds it at the CRX's update_url and installs it.
  const v2 = await release.publish(nextVersion(v1.version));
  expect(v2.id).toBe(id);
  let t0 = Date.now();
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
  // It monitors the policy's page from its next load, and recovers it from a storm.
  await agent.reload();
  await monitoredAgent(agent);
  t0 = Date.now();
  await stormRecovered(lab, agent);
  measured.stormRecoveryAfterUpdateS = since(t0);

  await testInfo.attach('measured', { body: JSON.stringify(measured, null, 2), contentType: 'application/json' });
  console.log(`force-install measured: ${JSON.stringify(measured)}`);
});

/** The browser's service workers of extension `id` that run `version`, for the measurement. */
async function runningVersion(context: BrowserContext, id: string, version: string, timeoutMs: number): Promise<void> {
  await workerOf(context, id, { version, timeoutMs });
}

test("the next browser start: Chromium's own update check installs version + 1 from the update_url, which runs with its policy, keeps the events and recovers a storm", async ({
  lab,
  policy,
  launch,
  release,
}, testInfo) => {
  test.setTimeout(180_000);
  const measured: Record<string, unknown> = {};
  // The workstation's profile, used by both browser starts; removed at the end.
  const profileDir = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'profile-'));
  const contexts: BrowserContext[] = [];
  try {
    // The first day: installed by policy, the agent works, a storm is recovered and stored.
    const first = await installByPolicy({ release, policy, launch }, { userDataDir: profileDir });
    const { v1, id, worker } = first;
    contexts.push(first.context);
    const { oldEvents } = await agentAfterStorm(lab, first.context, worker);
    measured.eventsBeforeUpdate = oldEvents.length;
    await first.context.close();

    // IT publishes version + 1; the browser starts again on the same profile. Nothing but
    // Chromium's own check asks the server: no chrome://extensions, no call into the extension.
    const v2 = await release.publish(nextVersion(v1.version));
    expect(v2.id).toBe(id);
    const seen = release.server.log.length;
    const started = Date.now();
    const second = await launch({ policyInstalled: true, userDataDir: profileDir });
    contexts.push(second.context);
    await runningVersion(second.context, id, v2.version, 60_000);
    measured.newVersionRunningS = since(started);
    const asked = release.server.log.slice(seen);
    const check = asked.find((r) => r.path === '/update.xml');
    const download = asked.find((r) => r.path === `/softphone-guard-${v2.version}.crx`);
    expect(check, 'Chromium asked the update_url by itself').toBeDefined();
    expect(download, 'and downloaded version + 1').toBeDefined();
    measured.firstUpdateRequestS = Math.round(((check?.at ?? 0) - started) / 100) / 10;
    measured.crxRequestS = Math.round(((download?.at ?? 0) - started) / 100) / 10;

    const after = await second.context.newPage();
    await after.goto('chrome://extensions');
    expect(await extensionInfo(after, id)).toMatchObject({
      id,
      version: v2.version,
      installType: 'admin',
      mayDisable: false,
      enabled: true,
    });
    const updated = await workerOf(second.context, id, { version: v2.version });
    await expect.poll(() => registeredPatterns(updated), { timeout: 30_000 }).toEqual([LAB_PATTERNS, LAB_PATTERNS]);
    const kept = new Set(await storedEventSeqs(updated));
    expect(oldEvents.filter((seq) => !kept.has(seq))).toEqual([]);

    // The agent signs in again and the new version recovers a storm.
    const agentAgain = await openAgentAt(second.context, `http://localhost:${lab.port}`, 'agent-1');
    await monitoredAgent(agentAgain);
    const t0 = Date.now();
    await stormRecovered(lab, agentAgain);
    measured.stormRecoveryAfterUpdateS = since(t0);

    await testInfo.attach('measured', { body: JSON.stringify(measured, null, 2), contentType: 'application/json' });
    console.log(`force-install start-update measured: ${JSON.stringify(measured)}`);
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
    rmSync(profileDir, { recursive: true, force: true });
  }
});

test('an update Chromium finds while the agent works, outside a call: the extension applies it at once, the new version reloads the agent page, monitors it and keeps the events', async ({
  lab,
  policy,
  launch,
  release,
}, testInfo) => {
  test.setTimeout(180_000);
  const measured: Record<string, unknown> = {};
  const { v1, id, context, extensions, worker } = await installByPolicy({ release, policy, launch });
  const { agent, oldEvents } = await agentAfterStorm(lab, context, worker);
  const loadsBefore = (await appStatus(agent)).loadCount;

  // Version + 1 on the server. Chromium's 5-hourly check cannot be waited for in a test; the
  // extension's own `runtime.requestUpdateCheck()` runs the same updater without installing at
  // once (unlike chrome://extensions → Update): the download is held back while the extension
  // is in use and announced with `runtime.onUpdateAvailable`, as after a scheduled check.
  const v2 = await release.publish(nextVersion(v1.version));
  const seen = release.server.log.length;
  const t0 = Date.now();
  const answer = await worker.evaluate(() => chrome.runtime.requestUpdateCheck());
  expect(answer).toMatchObject({ status: 'update_available', version: v2.version });
  const updated = await workerOf(context, id, { version: v2.version, timeoutMs: 60_000 });
  measured.newVersionRunningS = since(t0);
  expect(release.server.log.slice(seen).map((r) => r.path)).toEqual(['/update.xml', `/softphone-guard-${v2.version}.crx`]);
  expect(await extensionInfo(extensions, id)).toMatchObject({ version: v2.version, installType: 'admin', enabled: true });

  // The new version reloaded the agent page the restart left unmonitored, and monitors it.
  await expect.poll(async () => (await appStatus(agent).catch(() => null))?.loadCount, { timeout: 30_000 }).toBeGreaterThan(loadsBefore);
  measured.agentReloadedS = since(t0);
  await expect.poll(() => hasProbe(agent), { timeout: 10_000 }).toBe(true);
  await expect.poll(async () => callReady(await appStatus(agent).catch(() => null)), { timeout: 20_000 }).toBe(true);
  const kept = new Set(await storedEventSeqs(updated));
  expect(oldEvents.filter((seq) => !kept.has(seq))).toEqual([]);
  // The agent's timeline says so: applied by v1, the page reloaded by v2.
  await expect
    .poll(() => storedUpdateEvents(updated), { timeout: 10_000 })
    .toEqual([
      ['applying', v2.version],
      ['reattached', v2.version],
    ]);
  const t1 = Date.now();
  await stormRecovered(lab, agent);
  measured.stormRecoveryAfterUpdateS = since(t1);

  await testInfo.attach('measured', { body: JSON.stringify(measured, null, 2), contentType: 'application/json' });
  console.log(`force-install in-use update measured: ${JSON.stringify(measured)}`);
});

/** The lab app's hooks this file drives (tests/lab/README.md, "The app"). */
type LabHooks = { labSoftphone: { answer(): Promise<{ state: string }>; hangup(): unknown } };

test('an update Chromium finds during a call waits until the call has ended, then the new version runs and reloads the agent page', async ({
  lab,
  policy,
  launch,
  release,
}, testInfo) => {
  test.setTimeout(180_000);
  const measured: Record<string, unknown> = {};
  // How long a call's audio must have been still before the update is applied (default 60 s).
  const quietMs = 10_000;
  const { v1, id, context, extensions, worker } = await installByPolicy(
    { release, policy, launch },
    { policy: { safeReload: { enabled: true, quietMs, maxPerHour: 3 } } },
  );
  const agent = await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-1');
  await monitoredAgent(agent);
  const loadsBefore = (await appStatus(agent)).loadCount;

  // A call in progress.
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  const call = await agent.evaluate(() => (window as unknown as LabHooks).labSoftphone.answer());
  expect(call.state).toBe('connected');
  // The worker learns of the connected call from the page's stats polls (every second).
  await agent.waitForTimeout(3000);

  const v2 = await release.publish(nextVersion(v1.version));
  const answer = await worker.evaluate(() => chrome.runtime.requestUpdateCheck());
  expect(answer).toMatchObject({ status: 'update_available', version: v2.version });
  await expect.poll(() => release.server.requests.includes(`/softphone-guard-${v2.version}.crx`)).toBe(true);
  // Downloaded, and held back for the whole call: the old version keeps running, the page is not reloaded.
  await agent.waitForTimeout(2 * quietMs);
  expect((await extensionInfo(extensions, id))?.version).toBe(v1.version);
  expect(await worker.evaluate(() => chrome.runtime.getManifest().version)).toBe(v1.version);
  const during = await appStatus(agent);
  expect(during.call.state).toBe('connected');
  expect(during.loadCount).toBe(loadsBefore);

  // The call ends: once its audio has been still for quietMs, the update is applied.
  const hungUp = Date.now();
  await agent.evaluate(() => (window as unknown as LabHooks).labSoftphone.hangup());
  await workerOf(context, id, { version: v2.version, timeoutMs: 60_000 });
  measured.newVersionRunningAfterHangupS = since(hungUp);
  // The worker knows when inbound audio last grew from the page's stats reports: every 5th 1 s
  // poll of a good call (STATS_POST_EVERY, src/quality/stats-reporting.ts), so that moment can
  // be up to 5 s before the hang-up, plus a poll's jitter.
  expect(Date.now() - hungUp).toBeGreaterThanOrEqual(quietMs - (STATS_POST_EVERY + 1) * 1000);
  await expect.poll(async () => (await appStatus(agent).catch(() => null))?.loadCount, { timeout: 30_000 }).toBeGreaterThan(loadsBefore);
  measured.agentReloadedAfterHangupS = since(hungUp);
  await expect.poll(() => hasProbe(agent), { timeout: 10_000 }).toBe(true);
  // The timeline: held back for the call, applied after it, the page reloaded by v2.
  await expect
    .poll(async () => storedUpdateEvents(await workerOf(context, id, { version: v2.version })), { timeout: 10_000 })
    .toEqual([
      ['deferred', v2.version],
      ['applying', v2.version],
      ['reattached', v2.version],
    ]);

  await testInfo.attach('measured', { body: JSON.stringify(measured, null, 2), contentType: 'application/json' });
  console.log(`force-install update during a call measured: ${JSON.stringify(measured)}`);
});
