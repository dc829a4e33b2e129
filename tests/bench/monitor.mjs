/**
 * The shipped configuration monitors the vendors' hosts only (src/policy/schema.ts
 * `DEFAULT_SOFTPHONE_URL_PATTERNS`): the benchmark names its own pages in the user settings
 * (`storage.local` `userConfig`, what the options page saves when a user adds a line to
 * "Softphone pages") and waits until the worker has registered the page probe and the relay
 * for them (extension/background/content-scripts.ts), so no page opens unmonitored.
 */
import { extensionWorker } from '../support/browser.mjs';

/** The benchmark's monitored pages: its probe origin and the lab's two hosts (any port). */
export const BENCH_URL_PATTERNS = ['http://127.0.0.1/*', 'http://localhost/*'];

/**
 * @param {import('@playwright/test').BrowserContext} context a browser with the extension
 * @param {string[]} [patterns]
 * @throws {Error} when the scripts are not registered for every pattern within 15 s
 */
export async function monitorBenchPages(context, patterns = BENCH_URL_PATTERNS) {
  const worker = await extensionWorker(context);
  await worker.evaluate((p) => chrome.storage.local.set({ userConfig: { softphoneUrlPatterns: p } }), patterns);
  const end = Date.now() + 15_000;
  for (;;) {
    const registered = await worker.evaluate(async () =>
      (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches ?? []),
    );
    if (registered.filter((matches) => patterns.every((p) => matches.includes(p))).length >= 2) return;
    if (Date.now() > end) throw new Error(`probe and relay not registered for ${patterns.join(', ')}: ${JSON.stringify(registered)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
