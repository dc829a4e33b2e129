/**
 * Starts Chromium for tests and the demo, with or without the built extension (dist/).
 * Flags per docs/architecture.md §7: Playwright's default `--disable-extensions` is removed, fake media
 * devices stand in for the microphone, background networking is off (the machine has no
 * network beyond loopback). Profiles live under `.tmp/` inside the project.
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findChromium } from './find-chromium.mjs';

export const PROJECT_ROOT = resolve(new URL('../..', import.meta.url).pathname);
/** The built extension; `SG_DIST` points elsewhere (parallel builds). */
export const DIST = process.env.SG_DIST ? resolve(PROJECT_ROOT, process.env.SG_DIST) : join(PROJECT_ROOT, 'dist');
/** Fixed by the manifest `key` (SHA-256 of the key's DER, first 32 hex digits mapped 0–f → a–p). */
export const EXTENSION_ID = 'ijcnbdifibmimlhaigaciaelkihpcehh';

/** Chromium flags every test and benchmark browser gets (docs/architecture.md §7), before its own. */
export const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * @param {{ withExtension?: boolean, headless?: boolean, args?: string[], sitePermissions?: boolean }} [opts]
 *   `sitePermissions`: leave the microphone to the browser's site settings. By default the
 *   microphone is granted over CDP (Playwright `permissions`) and prompts are auto-accepted
 *   (`--use-fake-ui-for-media-stream`); both override the site settings, so a blocked setting
 *   (chrome.contentSettings) would have no effect on the page. With `sitePermissions` neither
 *   is used: allow the origin's microphone setting before the page asks, or it will prompt.
 * @returns {Promise<{ context: import('@playwright/test').BrowserContext, userDataDir: string }>}
 */
export async function launchBrowser(opts = {}) {
  const withExtension = opts.withExtension ?? true;
  const tmpRoot = join(PROJECT_ROOT, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpRoot, 'profile-'));
  const base = opts.sitePermissions ? BASE_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream') : BASE_ARGS;
  const args = [...base, ...(opts.args ?? [])];
  if (withExtension) args.push(`--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: opts.headless ?? !process.env.HEADED,
    args,
    ignoreDefaultArgs: withExtension ? ['--disable-extensions'] : [],
    // Not even an empty list: Playwright turns any list into a CDP override that denies the rest.
    ...(opts.sitePermissions ? {} : { permissions: ['microphone', 'camera'] }),
    viewport: { width: 1100, height: 800 },
  });
  if (withExtension) await waitForContentScripts(context);
  return { context, userDataDir };
}

/**
 * Longest wait at launch for the extension to register its content scripts, ms: it first
 * reads its policy, which takes 2–5 s after the browser starts (docs/architecture.md §7).
 */
const REGISTRATION_WAIT_MS = 10_000;

/**
 * Waits until the extension's worker has registered the page probe and relay: the manifest
 * declares no content scripts, the worker registers them for `softphoneUrlPatterns` once it
 * has read policy and user settings (extension/background/content-scripts.ts), and a page
 * that loads before that is not monitored. Gives up quietly after
 * {@link REGISTRATION_WAIT_MS} (a configuration may monitor nothing).
 * @param {import('@playwright/test').BrowserContext} context
 */
async function waitForContentScripts(context) {
  try {
    const worker = await extensionWorker(context);
    await worker.evaluate(async (waitMs) => {
      const end = Date.now() + waitMs;
      while (Date.now() < end) {
        const scripts = await chrome.scripting.getRegisteredContentScripts();
        if (scripts.some((s) => s.id === 'sg-relay')) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, REGISTRATION_WAIT_MS);
  } catch {
    // An older build without the scripting permission: nothing to wait for.
  }
}

/**
 * The extension's service worker, waiting for it to start when needed.
 * @param {import('@playwright/test').BrowserContext} context
 * @returns {Promise<import('@playwright/test').Worker>}
 */
export async function extensionWorker(context) {
  const match = (w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`);
  const existing = context.serviceWorkers().find(match);
  if (existing) return existing;
  return context.waitForEvent('serviceworker', { predicate: match, timeout: 15_000 });
}

/**
 * Starts Chromium like {@link launchBrowser} but with the unpacked extension(s) at
 * `extensionDirs` instead of {@link DIST} (a copy with one file changed, say). With
 * `logToProfile`, Chromium also writes its log (extension load errors included) to
 * `chrome_debug.log` in the returned profile directory (`--enable-logging`).
 * @param {string[]} extensionDirs
 * @param {{ headless?: boolean, args?: string[], logToProfile?: boolean }} [opts]
 * @returns {Promise<{ context: import('@playwright/test').BrowserContext, userDataDir: string }>}
 */
export async function launchBrowserWithExtensions(extensionDirs, opts = {}) {
  const tmpRoot = join(PROJECT_ROOT, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpRoot, 'profile-'));
  const dirs = extensionDirs.join(',');
  const args = [
    ...BASE_ARGS,
    ...(opts.logToProfile ? ['--enable-logging', '--v=0'] : []),
    ...(opts.args ?? []),
    `--disable-extensions-except=${dirs}`,
    `--load-extension=${dirs}`,
  ];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: opts.headless ?? !process.env.HEADED,
    args,
    ignoreDefaultArgs: ['--disable-extensions'],
    viewport: { width: 1100, height: 800 },
  });
  return { context, userDataDir };
}
