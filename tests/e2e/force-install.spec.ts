/**
 * The release path end to end, as IT runs it (docs/deployment.md): the build is packed by
 * tests/release/packager.mjs (the code behind `npm run package`) into a signed CRX3 and its
 * update.xml, served from a local "IT web server"; an `ExtensionSettings` force-install policy
 * and the extension's own policy (3rdparty) go into /etc/chromium/policies/managed/; Chromium
 * starts WITHOUT `--load-extension` and installs the extension itself.
 *
 * - it is installed under the ID the packager printed, by the administrator (installType
 *   `admin`), and the user cannot disable it (`mayDisable` false);
 * - it reads its managed policy and recovers the lab agent from a publish storm;
 * - the server then offers version + 1: Chromium updates (the update check shortened with
 *   Chromium's own `--extensions-update-frequency`), the new version runs, and the events the
 *   old version stored are still in its IndexedDB.
 *
 * The committed public test key in manifest.json has no private key in the repository, so the
 * test signs with a release key it generates (the ID expected is that key's). Writing policy
 * needs root: skipped with a message otherwise. Every file it wrote (policy files, the packages,
 * the key, the profile) is removed afterwards, also when it fails.
 */
import { expect, test } from './support/fixture';
import type { BrowserContext, Page } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { DIST, EXTENSION_ID, PROJECT_ROOT } from '../support/browser.mjs';
import { packageExtension } from '../release/packager.mjs';
import { extensionInfo, servePackages, storedEventSeqs } from './support/force-install';
import { hasProbe } from './support/probe-marker';
import { appStatus, labPost, labStats, openAgentAt, recoveredFromStorm } from './support/softphone';
import type { Lab } from './support/softphone';

/** Seconds between Chromium's extension update checks (its default is hours). */
const UPDATE_CHECK_S = 5;

const nextVersion = (v: string): string => v.replace(/(\d+)$/, (n) => String(Number(n) + 1));

/** Waits until `chrome://extensions` shows `version` of `id` installed. */
async function installed(extensionsPage: Page, id: string, version: string, timeoutMs: number): Promise<void> {
  await expect.poll(async () => (await extensionInfo(extensionsPage, id))?.version, { timeout: timeoutMs, intervals: [500] }).toBe(version);
}

/**
 * The lab app on `http://localhost:<port>`, the only origin the test policy names, reloaded
 * until the extension's probe is in it: the worker registers the probe for the policy's
 * patterns once it has read the policy (seconds after it starts).
 */
async function monitoredAgent(context: BrowserContext, lab: Lab, page?: Page): Promise<Page> {
  const agent = page ?? (await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-1'));
  await expect
    .poll(
      async () => {
        if (await hasProbe(agent)) return true;
        await agent.reload();
        return false;
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toBe(true);
  return agent;
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

// fixme, measured (Chromium 156, 2026-12-07): installed from the served CRX under the printed ID,
// installType admin, mayDisable false (those expectations pass, 41 s into the run); then the lab
// on 127.0.0.1, which the test policy leaves out, still had the probe 30 s later, reloaded every
// second: whether the 3rdparty policy reached the force-installed extension is not yet known
// (the storm and update steps below were not reached).
test.fixme('a signed CRX is force-installed by policy under the printed ID, cannot be disabled, reads its policy, recovers a storm, and updates to version + 1 keeping its events', async ({
  lab,
  policy,
  launch,
}) => {
  test.setTimeout(150_000);
  policy.remove('force-install');
  mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  const work = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'force-install-'));
  const served = join(work, 'served');
  const server = await servePackages(served);
  try {
    // The release key, made for this run only.
    const keyPath = join(work, 'release.pem');
    writeFileSync(keyPath, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    const v1 = await packageExtension({ distDir: DIST, outDir: served, baseUrl: server.baseUrl, keyPath });
    expect(v1.version).toBe(pkg.version);
    const id = v1.id;
    // The release ID is the key's, not the development builds' test ID.
    expect(id).not.toBe(EXTENSION_ID);

    policy.write('force-install', {
      ExtensionSettings: { [id]: { installation_mode: 'force_installed', update_url: `${server.baseUrl}update.xml` } },
    });
    // Only the lab on "localhost": with the defaults, 127.0.0.1 would be monitored too.
    policy.write('policy', { '3rdparty': { extensions: { [id]: { softphoneUrlPatterns: ['http://localhost/*'] } } } });

    const { context } = await launch({ policyInstalled: true, browserArgs: [`--extensions-update-frequency=${UPDATE_CHECK_S}`] });
    const extensions = await context.newPage();
    await extensions.goto('chrome://extensions');

    // Installed from the server, under the printed ID, by the administrator: the user cannot disable it.
    await installed(extensions, id, v1.version, 30_000);
    expect(server.requests).toEqual(expect.arrayContaining(['/update.xml', `/softphone-guard-${v1.version}.crx`]));
    expect(await extensionInfo(extensions, id)).toMatchObject({ id, installType: 'admin', mayDisable: false, enabled: true });

    // It reads its policy: the page the policy names is monitored, the other lab origin is not.
    const agent = await monitoredAgent(context, lab);
    // Until the first managed read (seconds) the defaults, which include 127.0.0.1, are in force.
    const other = await openAgentAt(context, lab.url, 'agent-2');
    await expect
      .poll(
        async () => {
          if (!(await hasProbe(other))) return false;
          await other.reload();
          return true;
        },
        { timeout: 30_000, intervals: [1000] },
      )
      .toBe(false);

    // A publish storm: recovered silently.
    await stormRecovered(lab, agent);
    await expect.poll(async () => (await storedEventSeqs(context, extensions, id)).length).toBeGreaterThan(0);
    const oldEvents = await storedEventSeqs(context, extensions, id);

    // Version + 1 on the server: Chromium's next update check installs it.
    const v2 = await packageExtension({
      distDir: DIST,
      outDir: served,
      baseUrl: server.baseUrl,
      keyPath,
      version: nextVersion(v1.version),
    });
    expect(v2.id).toBe(id);
    await installed(extensions, id, v2.version, 60_000);
    expect(server.requests).toContain(`/softphone-guard-${v2.version}.crx`);
    expect(await extensionInfo(extensions, id)).toMatchObject({ id, installType: 'admin', mayDisable: false, enabled: true });

    // What the old version stored is still there.
    const kept = new Set(await storedEventSeqs(context, extensions, id));
    expect(oldEvents.filter((seq) => !kept.has(seq))).toEqual([]);
    // The new version runs: it monitors the policy's page from its next load and recovers a storm again.
    await agent.reload();
    await monitoredAgent(context, lab, agent);
    await stormRecovered(lab, agent);
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
});
