/**
 * A softphone host blocked by enterprise policy (`ExtensionSettings` → `runtime_blocked_hosts`)
 * is reported in the popup instead of silently not monitored, and nothing is injected there.
 *
 * Writes `/etc/chromium/policies/managed/softphone-guard-e2e-blocked.json` (root only; the test
 * is skipped with a message otherwise) and always removes it. The policy names a copy of the
 * built extension with a key of its own (another extension id), so no other Chromium on the
 * machine running the real extension is affected while the file exists. Chromium reads
 * `ExtensionSettings` for an unpacked extension just as for a force-installed one.
 */
import { expect, test as base } from './support/fixture';
import type { BrowserContext, Worker } from '@playwright/test';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateResponse } from '../../src/protocol/ui';
import { DIST, PROJECT_ROOT } from '../support/browser.mjs';
import { appStatus, withLabPages } from './support/softphone';
import { envelopes, recordEnvelopes } from './support/channel-envelopes';

/** Chromium 156's refusal when runtime_blocked_hosts covers the page (src/policy/host-access.ts). */
const BLOCKED_ERROR = 'This page cannot be scripted due to an ExtensionsSettings policy.';

/** A copy of the built extension with a fresh key; returns its directory and extension id. */
function extensionCopy(): { dir: string; id: string } {
  const dir = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'blocked-host-ext-'));
  cpSync(DIST, dir, { recursive: true });
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // The id: SHA-256 of the key's DER, first 32 hex digits mapped 0–f → a–p (docs/architecture.md §7).
  const id = [...createHash('sha256').update(der).digest('hex').slice(0, 32)]
    .map((c) => String.fromCharCode(97 + parseInt(c, 16)))
    .join('');
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, key: der.toString('base64') }));
  return { dir, id };
}

async function workerOf(context: BrowserContext, id: string): Promise<Worker> {
  const match = (w: Worker): boolean => w.url().startsWith(`chrome-extension://${id}/`);
  return context.serviceWorkers().find(match) ?? context.waitForEvent('serviceworker', { predicate: match, timeout: 15_000 });
}

/** What `chrome.scripting.executeScript` says on the tab showing `url` ("ok" when it may run). */
async function injectionOutcome(worker: Worker, url: string): Promise<string> {
  return worker.evaluate(async (u) => {
    const [tab] = await chrome.tabs.query({ url: `${new URL(u).origin}/*` });
    if (tab?.id === undefined) return 'no tab';
    try {
      await chrome.scripting.executeScript({ target: { tabId: tab.id }, func: () => true });
      return 'ok';
    } catch (error) {
      return (error as Error).message;
    }
  }, url);
}

/** A copy of the built extension with a key of its own, removed after the test. */
const test = base.extend<{ ext: { dir: string; id: string } }>({
  // eslint-disable-next-line no-empty-pattern -- no fixture needed
  ext: async ({}, use) => {
    const ext = extensionCopy();
    await use(ext);
    rmSync(ext.dir, { recursive: true, force: true });
  },
});

test('a softphone host in runtime_blocked_hosts gets nothing injected and the popup says it is blocked by policy', async ({
  lab,
  policy,
  ext,
  launch,
}) => {
  policy.write('blocked', { ExtensionSettings: { [ext.id]: { runtime_blocked_hosts: ['*://127.0.0.1'] } } });
  const { context } = await launch({ extensionDirs: [ext.dir] });
  const worker = await workerOf(context, ext.id);
  // The user names the lab's pages (the shipped defaults name the vendors' hosts only).
  await worker.evaluate((c) => chrome.storage.local.set({ userConfig: c }), withLabPages());
  await recordEnvelopes(context);
  await expect
    .poll(async () =>
      (await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts())).map((s) => s.matches?.includes('http://127.0.0.1/*')),
    )
    .toEqual([true, true]);

  // The lab on 127.0.0.1 matches softphoneUrlPatterns (the user's), but the policy blocks the host.
  const page = await context.newPage();
  await page.goto(`${lab.url}/login?user=agent-1&return=/`);
  await expect.poll(() => injectionOutcome(worker, lab.url), { timeout: 20_000 }).toBe(BLOCKED_ERROR);
  // A document loaded with the policy certainly in force: no probe, no relay.
  await page.reload();
  await appStatus(page);
  await page.waitForTimeout(1500);
  expect(await envelopes(page)).toEqual([]);

  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${ext.id}/extension/popup/index.html`);
  await expect
    .poll(async () => ((await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }))) as StateResponse).unmonitoredTabs)
    .toEqual([{ tabId: expect.any(Number), origin: lab.url, reason: 'blocked-by-policy' }]);
  const card = popup.getByTestId('unmonitored-tabs');
  await expect(card).toContainText(
    `Softphone Guard is blocked on ${lab.url} by your browser policy (runtime_blocked_hosts); ask IT to allow it.`,
  );
  const state = (await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }))) as StateResponse;
  expect(state.sessions.filter((s) => s.alive)).toEqual([]);
  // No tab is monitored but a softphone tab is open: the toolbar badge says "off".
  await expect.poll(() => popup.evaluate(() => chrome.action.getBadgeText({}))).toBe('off');

  // The same lab on localhost is not blocked: monitored as usual, and not reported.
  const local = await context.newPage();
  await local.goto(`http://localhost:${lab.port}/login?user=agent-2&return=/`);
  await expect.poll(() => envelopes(local)).toEqual(expect.arrayContaining(['to-ext:hello', 'to-page:config']));
  const after = (await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }))) as StateResponse;
  expect(after.unmonitoredTabs?.map((t) => t.origin)).toEqual([lab.url]);
});
