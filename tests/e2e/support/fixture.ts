/**
 * The e2e fixture every spec uses: `test` and `expect` from here instead of
 * `@playwright/test`. A spec names what it needs in its test function's arguments and states
 * only its scenario; Playwright sets up just those fixtures (lazily) and tears them down after
 * the test, also when it fails.
 *
 * Fixtures (test-scoped unless said otherwise):
 * - `lab`: the softphone lab on a free port (options `labOptions`), closed after.
 * - `context`: Chromium with the built extension (options `withExtension`, `browserArgs`,
 *   `sitePermissions`), `userConfig` written to `chrome.storage.local` before any page opens;
 *   closed after. The shipped configuration monitors the vendors' hosts only: with `monitorLab`
 *   (the default) the user settings also name the lab's pages (`LAB_URL_PATTERNS`, added to
 *   the shipped patterns as a user adds a line on the options page) unless `userConfig` names
 *   its own `softphoneUrlPatterns`; either way the fixture waits until the worker has
 *   registered its content scripts for them, so no page opens unmonitored. With `shareBrowser` one browser serves every test of the spec file (where
 *   a launch per test would cost more than the tests): `userConfig` is put back before each
 *   test, and the browser is closed when the worker moves on to another file or ends.
 * - `fileScope` (worker-scoped): what a spec keeps for all its tests, as the shared browser.
 * - `worker`: the extension's service worker in `context`.
 * - `agent`: the lab app in `context`, logged in as `agentUser` and ready for calls.
 * - `popup`: the popup page in a tab of `context`.
 * - `launch`: starts another browser (`LaunchOptions`: with or without the extension, other
 *   unpacked extensions, the extension force-installed by policy instead, a profile directory
 *   of its own, Chromium's log); every one is closed
 *   and its profile removed after the test. For two browsers side by side, or a browser that
 *   must start after the scenario's first step (a policy file written, an extension copied).
 *   The build gets the user settings as `context` does (`monitorLab` included).
 * - `policy`: Chromium policy files (support/policy-files.ts); skips the test when this
 *   process cannot write them (not root); every file removed after. With `monitorLab`, a
 *   managed value that does not name `softphoneUrlPatterns` gets the lab's pages, as an
 *   administrator of the lab would write it.
 * - `smallDisk`: a tmpfs of `smallDiskMb` MB for a profile (support/small-disk.ts); skips the
 *   test when mounting is not permitted; unmounted after.
 * - `fixtureServer`, `sessionServer`: the probe specs' servers (fixtures/probe/); `probePage`:
 *   a page of `probeOrigin` (default: the fixture server) with the probe-channel recorder,
 *   its observations checked against the relay's schema and the page closed after.
 * - `otlpReceiver`: an OTLP/HTTP receiver (support/otlp-receiver.ts), closed after.
 *
 * Fixture values can depend on others through `test.use`, e.g.
 * `test.use({ userConfig: async ({ otlpReceiver }, use) => use({ telemetry: { otlpEndpoint: otlpReceiver.url } }) })`.
 */
/* eslint-disable no-empty-pattern -- Playwright reads a fixture's dependencies from its first parameter: `{}` is none. */
import { test as base, expect } from '@playwright/test';
import type { BrowserContext, Page, TestInfo, Worker } from '@playwright/test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, launchBrowserWithExtensions } from '../../support/browser.mjs';
import { startFixtureServer } from '../fixtures/probe/fixture-server';
import type { FixtureServer } from '../fixtures/probe/fixture-server';
import { expectAllValid, openProbePage } from '../fixtures/probe/harness';
import { startSessionServer } from '../fixtures/probe/session-server';
import type { SessionServer } from '../fixtures/probe/session-server';
import { startOtlpReceiver } from './otlp-receiver';
import type { OtlpReceiver } from './otlp-receiver';
import { launchPolicyInstalled } from './force-install';
import { cannotWritePolicy, policyFiles } from './policy-files';
import type { PolicyFiles } from './policy-files';
import { launchBrowserIn, mountSmallDisk } from './small-disk';
import type { SmallDisk } from './small-disk';
import { TLS_BROWSER_ARGS } from '../../lab/server.mjs';
import { extensionWorker, openAgent, openPopup, startLab, waitForMonitored, withLabPages } from './softphone';
import type { Lab } from './softphone';

export { expect };

/** The user settings a test starts with: `storage.local` `userConfig`, same shape as the policy. */
export type UserConfig = Record<string, unknown>;

/** How {@link Fixtures.launch} starts a browser. */
export interface LaunchOptions {
  /** Load the built extension (default true). Ignored with `extensionDirs`. */
  withExtension?: boolean;
  /** Chromium flags after the common ones (tests/support/browser.mjs `BASE_ARGS`). */
  browserArgs?: string[];
  /** Leave the microphone to the site settings instead of granting it over CDP. */
  sitePermissions?: boolean;
  /** Load these unpacked extensions instead of the build. */
  extensionDirs?: string[];
  /** With `extensionDirs`: Chromium writes its log to `chrome_debug.log` in the profile. */
  logToProfile?: boolean;
  /** The profile here (a small disk, say, or one a policy-installed browser used before) instead of a fresh one under `.tmp/`; kept after. */
  userDataDir?: string;
  /** Written to `storage.local` `userConfig` once the worker is up (needs the build). */
  userConfig?: UserConfig;
  /** Add the lab's pages to `userConfig` (fixture option `monitorLab`; default: the test's). */
  monitorLab?: boolean;
  /**
   * No `--load-extension`: the browser installs what the policy files say, as a managed
   * workstation does (support/force-install.ts). `userConfig` is not applied.
   */
  policyInstalled?: boolean;
}

/** A browser started by {@link Fixtures.launch}. */
export interface Launched {
  context: BrowserContext;
  userDataDir: string;
}

interface Options {
  /**
   * Options of `startLab` (tests/lab/server.mjs); the port is always a free one unless set. With
   * `tls` the lab serves its sites over HTTPS (tests/lab/README.md, "Topologies") and every
   * browser of the test is started with the lab's `TLS_BROWSER_ARGS` (host mapping, throwaway
   * certificate accepted).
   */
  labOptions: { heartbeatMs?: number; tokenTtlSeconds?: number; port?: number; host?: string; tls?: boolean };
  withExtension: boolean;
  browserArgs: string[];
  sitePermissions: boolean;
  userConfig: UserConfig | undefined;
  /**
   * The user settings name the lab's pages besides the shipped vendor hosts (unless
   * `userConfig` names its own `softphoneUrlPatterns`), and policy values written with
   * `policy.managed` too. Off for a test about the shipped defaults.
   */
  monitorLab: boolean;
  /** One browser for every test of the spec file instead of one per test. */
  shareBrowser: boolean;
  /** Who `agent` logs in as. */
  agentUser: string;
  /** Size of `smallDisk`, MB. */
  smallDiskMb: number;
}

interface Fixtures {
  lab: Lab;
  launch: (options?: LaunchOptions) => Promise<Launched>;
  context: BrowserContext;
  worker: Worker;
  agent: Page;
  popup: Page;
  policy: PolicyFiles;
  smallDisk: SmallDisk;
  fixtureServer: FixtureServer;
  sessionServer: SessionServer;
  probeOrigin: string;
  probePage: Page;
  otlpReceiver: OtlpReceiver;
}

interface WorkerFixtures {
  /** Resources a spec keeps for all its tests (`shareBrowser`), closed when the file is done. */
  fileScope: FileScope;
}

/**
 * Resources that live as long as the tests of one spec file: a worker runs files one after
 * another, so those of the previous file are closed when a test of another file asks.
 */
export class FileScope {
  private file: string | undefined;
  private readonly items = new Map<string, { value: Promise<unknown>; close: () => Promise<void> }>();

  async get<T>(testInfo: TestInfo, key: string, create: () => Promise<T>, close: (value: T) => Promise<void>): Promise<T> {
    if (this.file !== testInfo.file) {
      await this.closeAll();
      this.file = testInfo.file;
    }
    let item = this.items.get(key);
    if (!item) {
      const value = create();
      item = { value, close: async () => close(await value) };
      this.items.set(key, item);
    }
    return (await item.value) as T;
  }

  /** Closes the resource `key` now, when there is one. */
  async release(key: string): Promise<void> {
    const item = this.items.get(key);
    this.items.delete(key);
    await item?.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const items = [...this.items.values()].reverse();
    this.items.clear();
    for (const item of items) await item.close().catch(() => undefined);
  }
}

/** Starts a browser as {@link LaunchOptions} say. */
async function startBrowser(o: LaunchOptions): Promise<Launched> {
  let launched: Launched;
  if (o.policyInstalled) {
    return launchPolicyInstalled(o.browserArgs, o.userDataDir);
  } else if (o.userDataDir) {
    launched = { context: await launchBrowserIn(o.userDataDir, { args: o.browserArgs }), userDataDir: o.userDataDir };
  } else if (o.extensionDirs) {
    launched = await launchBrowserWithExtensions(o.extensionDirs, { args: o.browserArgs, logToProfile: o.logToProfile });
  } else {
    launched = await launchBrowser({ withExtension: o.withExtension ?? true, args: o.browserArgs, sitePermissions: o.sitePermissions });
  }
  const withBuild = (o.withExtension ?? true) && !o.extensionDirs;
  if (withBuild) await configure(await extensionWorker(launched.context), o.monitorLab ? withLabPages(o.userConfig) : o.userConfig);
  return launched;
}

/** Puts `config` in as the user settings and waits until the content scripts follow it. */
async function configure(worker: Worker, config: UserConfig | undefined): Promise<void> {
  await setUserConfig(worker, config);
  if (config !== undefined) await waitForMonitored(worker, config);
}

/** Makes `storage.local` `userConfig` equal `config` (removed when undefined); writes only a change. */
async function setUserConfig(worker: Worker, config: UserConfig | undefined): Promise<void> {
  await worker.evaluate(async (c) => {
    const stored = (await chrome.storage.local.get('userConfig')).userConfig;
    if (JSON.stringify(stored) === JSON.stringify(c)) return;
    if (c === undefined) await chrome.storage.local.remove('userConfig');
    else await chrome.storage.local.set({ userConfig: c });
  }, config);
}

/** Starts a server for one test and closes it after. */
async function serve<T extends { close(): Promise<void> }>(start: () => Promise<T>, use: (server: T) => Promise<void>): Promise<void> {
  const server = await start();
  await use(server);
  await server.close();
}

export const test = base.extend<Options & Fixtures, WorkerFixtures>({
  labOptions: [{}, { option: true }],
  withExtension: [true, { option: true }],
  browserArgs: [[], { option: true }],
  sitePermissions: [false, { option: true }],
  userConfig: [undefined, { option: true }],
  monitorLab: [true, { option: true }],
  shareBrowser: [false, { option: true }],
  agentUser: ['agent-1', { option: true }],
  smallDiskMb: [192, { option: true }],

  fileScope: [
    async ({}, use) => {
      const scope = new FileScope();
      await use(scope);
      await scope.closeAll();
    },
    { scope: 'worker' },
  ],

  lab: async ({ labOptions }, use) => {
    const lab = await startLab({ port: 0, ...labOptions });
    await use(lab);
    await lab.close();
  },

  launch: async ({ monitorLab }, use) => {
    const started: { launched: Launched; keepProfile: boolean }[] = [];
    await use(async (options = {}) => {
      const launched = await startBrowser({ monitorLab, ...options });
      started.push({ launched, keepProfile: options.userDataDir !== undefined });
      return launched;
    });
    for (const { launched, keepProfile } of started.reverse()) {
      await launched.context.close().catch(() => undefined);
      if (!keepProfile) rmSync(launched.userDataDir, { recursive: true, force: true });
    }
  },

  context: async (
    { withExtension, browserArgs, sitePermissions, userConfig, monitorLab, shareBrowser, labOptions, launch, fileScope },
    use,
    testInfo,
  ) => {
    const args = labOptions.tls ? [...TLS_BROWSER_ARGS, ...browserArgs] : browserArgs;
    const options: LaunchOptions = { withExtension, browserArgs: args, sitePermissions };
    if (!shareBrowser) {
      const { context } = await launch({ ...options, userConfig });
      await use(context);
      return;
    }
    const { context } = await fileScope.get(
      testInfo,
      `browser ${JSON.stringify(options)}`,
      () => startBrowser({ ...options, monitorLab: false }),
      async (b) => {
        await b.context.close();
        rmSync(b.userDataDir, { recursive: true, force: true });
      },
    );
    if (withExtension) await configure(await extensionWorker(context), monitorLab ? withLabPages(userConfig) : userConfig);
    await use(context);
  },

  worker: async ({ context }, use) => {
    await use(await extensionWorker(context));
  },

  agent: async ({ context, lab, agentUser }, use) => {
    await use(await openAgent(context, lab, agentUser));
  },

  popup: async ({ context }, use) => {
    await use(await openPopup(context));
  },

  policy: async ({ monitorLab }, use, testInfo) => {
    const why = cannotWritePolicy();
    testInfo.skip(why !== null, `policy files: ${why}`);
    const files = policyFiles(['policy', 'blocked'], { labPages: monitorLab });
    try {
      await use(files);
    } finally {
      files.removeAll();
    }
    expect(files.anyLeft(), 'a test policy file was left behind').toBe(false);
  },

  smallDisk: async ({ smallDiskMb }, use, testInfo) => {
    const disk = mountSmallDisk(smallDiskMb);
    testInfo.skip(disk === null, 'mounting a tmpfs needs root');
    if (!disk) return;
    try {
      await use(disk);
    } finally {
      disk.unmount();
    }
  },

  fixtureServer: async ({}, use) => serve(startFixtureServer, use),

  sessionServer: async ({}, use) => serve(startSessionServer, use),

  probeOrigin: async ({ fixtureServer }, use) => {
    await use(fixtureServer.origin);
  },

  probePage: async ({ context, probeOrigin }, use) => {
    const page = await openProbePage(context, `${probeOrigin}/`);
    await use(page);
    await expectAllValid(page);
    await page.close();
  },

  otlpReceiver: async ({}, use) => serve(startOtlpReceiver, use),
});

/** A profile directory on `disk`. */
export const profileOn = (disk: SmallDisk): string => join(disk.dir, 'profile');
