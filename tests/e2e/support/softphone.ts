/**
 * Shared e2e plumbing: a lab per test file, a browser with the built extension, agents
 * logged in, the popup, and the service worker stopped over CDP.
 */
import type { SessionView, StateResponse } from '../../../src/protocol/ui';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { expect } from '@playwright/test';
import { startLab } from '../../lab/server.mjs';
import { EXTENSION_ID, extensionWorker, launchBrowser } from '../../support/browser.mjs';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';
import { PROBE_SCRIPT_ID, RELAY_SCRIPT_ID, canonicalPattern } from '../../../src/policy/registrations';

export type Lab = Awaited<ReturnType<typeof startLab>>;
export { startLab, launchBrowser, extensionWorker, EXTENSION_ID };

/** What the lab app's `window.labSoftphone.status()` returns (subset used here). */
export interface AppStatus {
  presence: string;
  signalling: string;
  mediaReady: boolean;
  mediaTokenInFlight: boolean;
  micEnabled: boolean;
  speakerEnabled: boolean;
  loadCount: number;
  agent: { id: string; name: string; orgId: string } | null;
  call: { state: string; inboundAudioBytes: number };
  failures: Record<string, number> & { byRequest: Record<string, number> };
}

/**
 * The lab app's `status()`. While the page is (re)loading — a safe reload, say — the test hook
 * does not exist yet or the document goes away under the call: waits for the next document's
 * hook, up to 10 s, instead of failing the poll that asked.
 */
export async function appStatus(page: Page): Promise<AppStatus> {
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      const status = await page.evaluate(() => {
        const hook = (window as unknown as { labSoftphone?: { status(): AppStatus } }).labSoftphone;
        return hook ? hook.status() : null;
      });
      if (status) return status;
    } catch (error) {
      if (!/context was destroyed|navigat/i.test(String(error)) || Date.now() > end) throw error;
    }
    if (Date.now() > end) throw new Error('the lab app did not come up within 10 s');
    await page.waitForTimeout(100);
  }
}

/** Opens the lab app as `user` and waits until it is ready for calls. */
export async function openAgent(context: BrowserContext, lab: Lab, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${lab.url}/login?user=${user}&return=/`);
  // The app redirects through sign-in first: a status read mid-navigation counts as "not yet".
  await expect.poll(async () => callReady(await appStatus(page).catch(() => null)), { timeout: 20_000 }).toBe(true);
  return page;
}

/** Ready to answer: presence Available, media token held, microphone checked and usable, signalling open. */
export const callReady = (s: AppStatus | null): boolean =>
  Boolean(s && s.presence === 'Available' && s.mediaReady && s.micEnabled && s.signalling === 'open');

/**
 * Waits (up to `timeoutMs`, ms) until the lab app has been through a publish storm and is ready
 * for calls again: its WebSocket closed abnormally at least once, the media-token request it made
 * then has come back, and `callReady`. `callReady` alone can pass before the dropped socket's
 * close event reaches the page, or while the new media-token request is still out (the app keeps
 * showing media ready meanwhile). Throws Playwright's poll timeout error otherwise.
 */
export async function recoveredFromStorm(page: Page, timeoutMs = 30_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const s = await appStatus(page).catch(() => null);
        return Boolean(s && (s.failures.wsAbnormalCloses ?? 0) > 0 && !s.mediaTokenInFlight && callReady(s));
      },
      { timeout: timeoutMs },
    )
    .toBe(true);
}

/** POSTs to the lab's control API (`lab.controlUrl`: plain HTTP on loopback, also when the lab serves TLS). */
export async function labPost(lab: Lab, path: string, body: unknown = {}): Promise<unknown> {
  const res = await fetch(`${lab.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} → ${res.status}`);
  return res.json();
}

/** Every token and session id the lab has issued so far (`GET /lab/issued-secrets`), to look for where none may be. */
export async function issuedSecrets(lab: Lab): Promise<string[]> {
  const body = (await (await fetch(`${lab.controlUrl}/lab/issued-secrets`)).json()) as { secrets: string[] };
  return body.secrets;
}

/** The lab's counters. */
export async function labStats(lab: Lab): Promise<{
  refreshCalls: number;
  refreshCallsByUser: Record<string, number>;
  requests: Record<string, number>;
}> {
  return (await fetch(`${lab.controlUrl}/lab/stats`)).json();
}

/** Opens the popup page in a tab. */
export async function openPopup(context: BrowserContext): Promise<Page> {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 420, height: 760 });
  await popup.goto(`chrome-extension://${EXTENSION_ID}/extension/popup/index.html`);
  return popup;
}

/**
 * Stops the extension's service worker over CDP (docs/architecture.md §7) and waits until it is gone.
 * Playwright does not notice a stopped worker; callers get a fresh handle afterwards via
 * `extensionWorker`, which waits for the restart.
 */
export async function stopServiceWorker(context: BrowserContext, viaPage: Page): Promise<void> {
  const cdp = await context.newCDPSession(viaPage);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

/**
 * Opens the lab app at `origin` (another loopback name for the same lab, e.g.
 * `http://localhost:PORT`) as `user` and waits until it is ready for calls. Cookies are per
 * host, not per port, so a second origin holds a second signed-in identity in one browser.
 */
export async function openAgentAt(context: BrowserContext, origin: string, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/login?user=${user}&return=/`);
  await expect.poll(async () => callReady(await appStatus(page).catch(() => null)), { timeout: 20_000 }).toBe(true);
  return page;
}

/** One line of the lab's request log (`GET /lab/requests`), times in ms since the epoch. */
export interface LabRequest {
  method: string;
  path: string;
  status: number;
  receivedAt: number;
  answeredAt: number;
}

/** The lab's request log, oldest first (the latest 2000; emptied by `/lab/reset`). */
export async function labRequests(lab: Lab): Promise<LabRequest[]> {
  const body = (await (await fetch(`${lab.controlUrl}/lab/requests`)).json()) as { requests: LabRequest[] };
  return body.requests;
}

/**
 * Stops the extension's service worker over CDP like {@link stopServiceWorker}, and resolves
 * with the time (epoch ms) CDP reported it `stopped` (`ServiceWorker.workerVersionUpdated`),
 * so a test can place the stop between two server-side timestamps. Rejects when no stop is
 * reported within `timeoutMs`.
 */
export async function stopServiceWorkerAt(context: BrowserContext, viaPage: Page, timeoutMs = 10_000): Promise<number> {
  const cdp = await context.newCDPSession(viaPage);
  let armed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopped = new Promise<number>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the service worker was not reported stopped')), timeoutMs);
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      const ours = versions.some((v) => v.scriptURL.startsWith(`chrome-extension://${EXTENSION_ID}/`) && v.runningStatus === 'stopped');
      if (armed && ours) resolve(Date.now());
    });
  });
  try {
    await cdp.send('ServiceWorker.enable');
    armed = true;
    await cdp.send('ServiceWorker.stopAllWorkers');
    return await stopped;
  } finally {
    clearTimeout(timer);
    await cdp.detach().catch(() => undefined);
  }
}

/**
 * The session of an agent as the popup gets it (`get-state` from an extension page), the
 * live one first (sessions come live first, newest first), or undefined.
 */
export async function sessionOf(extensionPage: Page, userId: string): Promise<SessionView | undefined> {
  const state: StateResponse = await extensionPage.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.find((s) => s.agent?.userId === userId);
}

/** {@link AppStatus} with the lab app's microphone state (tests/lab/README.md). */
export type MicStatus = AppStatus & { mic: { state: string; permission: string; losses: number } };

/** The lab app's status with its microphone state. */
export const micStatus = (page: Page): Promise<MicStatus> => appStatus(page) as Promise<MicStatus>;

/** The lab origin's microphone content setting, read or written in the extension's worker. */
export async function micSetting(worker: Worker, lab: Lab, setting?: 'allow' | 'block'): Promise<string> {
  return worker.evaluate(
    async ([origin, value]) => {
      const microphone = chrome.contentSettings.microphone;
      if (value) await microphone.set({ primaryPattern: `${origin}/*`, setting: value });
      return (await microphone.get({ primaryUrl: `${origin}/` })).setting;
    },
    [lab.url, setting] as const,
  );
}

/**
 * The lab's pages: the lab and the probe specs' servers listen on loopback, on any port
 * (tests/lab/README.md). The shipped `softphoneUrlPatterns` name the vendors' hosts only
 * (src/policy/schema.ts), so a browser monitors the lab only because its configuration names
 * it, as a user does on the options page or an administrator in a policy.
 */
export const LAB_URL_PATTERNS: readonly string[] = ['http://127.0.0.1/*', 'http://localhost/*'];

/**
 * `config` (user settings or a policy value) with the lab's pages after the shipped patterns,
 * as a user who adds a line to "Softphone pages" saves it. A `config` that names its own
 * `softphoneUrlPatterns` is returned as it is: the test decides what is monitored.
 */
export function withLabPages(config: Record<string, unknown> = {}): Record<string, unknown> {
  if ('softphoneUrlPatterns' in config) return config;
  return { ...config, softphoneUrlPatterns: [...DEFAULT_SOFTPHONE_URL_PATTERNS, ...LAB_URL_PATTERNS] };
}

/**
 * Waits until the worker has registered the probe and the relay for every pattern of the
 * configuration in force: the policy's `softphoneUrlPatterns` when managed storage has them,
 * else those of `userConfig` (extension/background/content-scripts.ts registers them once it
 * has read both, and again after each change). A page opened before that is not monitored.
 * Throws after `timeoutMs` with what is registered.
 */
export async function waitForMonitored(worker: Worker, userConfig: Record<string, unknown> | undefined, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { managed, registered } = await worker.evaluate(
      async (ids) => {
        const policy = (await chrome.storage.managed.get('softphoneUrlPatterns').catch(() => ({}))) as { softphoneUrlPatterns?: unknown };
        const scripts = await chrome.scripting.getRegisteredContentScripts({ ids });
        return { managed: policy.softphoneUrlPatterns, registered: scripts.map((s) => s.matches ?? []) };
      },
      [PROBE_SCRIPT_ID, RELAY_SCRIPT_ID],
    );
    const patterns = Array.isArray(managed) ? (managed as string[]) : ((userConfig?.softphoneUrlPatterns as string[] | undefined) ?? []);
    const wanted = patterns.map(canonicalPattern).filter((p): p is string => p !== null);
    if (registered.length === 2 && registered.every((matches) => wanted.every((p) => matches.includes(p)))) return;
    if (Date.now() > end) {
      throw new Error(
        `content scripts not registered within ${timeoutMs} ms: wanted ${JSON.stringify(wanted)}, registered ${JSON.stringify(registered)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Replaces the user settings in `storage.local` mid-test, keeping the lab's pages monitored
 * ({@link withLabPages}), and waits until the content scripts follow.
 */
export async function setUserSettings(worker: Worker, config: Record<string, unknown>): Promise<void> {
  const settings = withLabPages(config);
  await worker.evaluate((c) => chrome.storage.local.set({ userConfig: c }), settings);
  await waitForMonitored(worker, settings);
}
