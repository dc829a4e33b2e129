/**
 * The agent's microphone choice in real Chromium against the softphone lab: rung 4 sets a
 * blocked microphone back to allow only on an origin where it saw the microphone granted before,
 * or one `media.grantMicrophone` names (src/recovery/media-origin.ts `microphoneRestoreRule`).
 *
 * The microphone is left to the browser's site settings (`sitePermissions`, as in
 * media-recovery.spec.ts), and the agent's block is what the agent does in the browser: the lab
 * origin's `chrome.contentSettings.microphone` set to `block` before the softphone first opens.
 */
import { expect, test } from './support/fixture';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import type { ConfigResponse } from '../../src/protocol/ui';
import { extensionWorker, micSetting, micStatus, openAgent, openPopup, sessionOf, stopServiceWorker } from './support/softphone';
import type { Lab } from './support/softphone';
import { EXTENSION_ID } from '../support/browser.mjs';

/** The softphone's first visit, with its microphone blocked: no wait for it to be ready for calls. */
async function openBlocked(context: BrowserContext, lab: Lab): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${lab.url}/login?user=agent-1&return=/`);
  return page;
}

/** The `mic-grant` steps of the open permission-lost incident, once there is one. */
async function grantSteps(popup: Page): Promise<{ outcome: string; detail?: string }[]> {
  let steps: { action: string; outcome: string; detail?: string }[] = [];
  await expect
    .poll(
      async () => {
        const incident = (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'permission-lost');
        steps = (incident?.steps ?? []).filter((s) => s.action === 'mic-grant' && s.outcome !== 'pending');
        return steps.length > 0;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return steps;
}

/**
 * The agent blocks the microphone on the lab origin, then opens the softphone: the setting must
 * come back to allow, the softphone get its microphone, and the incident's grant step be `ok`.
 */
async function expectRestored(context: BrowserContext, worker: Worker, lab: Lab): Promise<Page> {
  expect(await micSetting(worker, lab, 'block')).toBe('block');
  const agent = await openAgent(context, lab, 'agent-1');
  const popup = await openPopup(context);
  expect(await micSetting(worker, lab)).toBe('allow');
  expect((await micStatus(agent)).micEnabled).toBe(true);
  expect((await grantSteps(popup))[0]).toMatchObject({ outcome: 'ok' });
  return popup;
}

test.use({ sitePermissions: true });

test("the agent's block on a monitored origin nobody named stays, and the popup says where to allow it", async ({
  lab,
  context,
  worker,
}) => {
  expect(await micSetting(worker, lab, 'block')).toBe('block');
  const agent = await openBlocked(context, lab);
  const popup = await openPopup(context);

  const steps = await grantSteps(popup);
  expect(steps).toMatchObject([{ outcome: 'failed', detail: expect.stringContaining('left as the agent chose') }]);
  const s = await sessionOf(popup, 'agent-1');
  expect(s?.health).toBe('down');
  expect(s?.healthReason).toMatch(/^Microphone blocked in this browser's site settings\./);
  await expect(popup.getByText(/^Microphone blocked in this browser's site settings\./).first()).toBeVisible();
  await expect(popup.getByText(/Site settings → Microphone → Allow/).first()).toBeVisible();

  // Past every rung-4 wait: the setting is as the agent left it, the softphone without a microphone.
  await agent.waitForTimeout(6000);
  expect(await micSetting(worker, lab)).toBe('block');
  const app = await micStatus(agent);
  expect(app.micEnabled).toBe(false);
  expect(app.mic.permission).toBe('denied');
  // Nothing counts as a grant seen on the origin.
  const seen = await worker.evaluate(async () => (await chrome.storage.local.get('micGrantedOrigins')).micGrantedOrigins);
  expect(seen ?? []).not.toContain(lab.url);
});

test('a grant seen before a worker restart still counts: the origin is kept in storage', async ({ lab, context, worker }) => {
  expect(await micSetting(worker, lab, 'allow')).toBe('allow');
  const first = await openAgent(context, lab, 'agent-1');
  await expect
    .poll(async () => worker.evaluate(async () => (await chrome.storage.local.get('micGrantedOrigins')).micGrantedOrigins))
    .toEqual([lab.url]);
  await first.close();

  // A fresh worker (nothing in memory), and the block set while it was gone, from an extension page.
  const popup = await openPopup(context);
  await stopServiceWorker(context, popup);
  const micOf = (setting?: 'block') =>
    popup.evaluate(
      async ([origin, value]) => {
        if (value) await chrome.contentSettings.microphone.set({ primaryPattern: `${origin}/*`, setting: value });
        return (await chrome.contentSettings.microphone.get({ primaryUrl: `${origin}/` })).setting;
      },
      [lab.url, setting] as const,
    );
  expect(await micOf('block')).toBe('block');

  // A new tab: its session never saw the microphone granted; only the stored origin allows the restore.
  const agent = await openAgent(context, lab, 'agent-1');
  expect(await micOf()).toBe('allow');
  expect((await micStatus(agent)).micEnabled).toBe(true);
});

test.describe('the same block on an origin media.grantMicrophone names', () => {
  test.use({ userConfig: async ({ lab }, use) => use({ media: { grantMicrophone: [lab.url] } }) });

  test('user settings name the lab origin: the microphone is allowed again and the softphone gets it', async ({ lab, context, worker }) => {
    const popup = await expectRestored(context, worker, lab);
    await expect.poll(async () => (await sessionOf(popup, 'agent-1'))?.health, { timeout: 15_000 }).toBe('healthy');
  });
});

test('a policy file names every monitored origin (["*"]): the microphone is allowed again', async ({ lab, policy, launch }) => {
  policy.managed({ media: { grantMicrophone: ['*'] } });
  const { context } = await launch({ sitePermissions: true });
  const worker = await extensionWorker(context);
  const options = await context.newPage();
  await options.goto(`chrome-extension://${EXTENSION_ID}/extension/options/index.html`);
  // The first managed read can take seconds: poll.
  await expect
    .poll(async () => ((await options.evaluate(() => chrome.runtime.sendMessage({ type: 'get-config' }))) as ConfigResponse).config.media, {
      timeout: 20_000,
    })
    .toEqual({ grantMicrophone: ['*'], reacquireOnLoss: true });
  await expectRestored(context, worker, lab);
});
