/**
 * Rung 4 (media recovery) in real Chromium against the softphone lab.
 *
 * The microphone is left to the browser's site settings (`sitePermissions`): Playwright's CDP
 * grant and `--use-fake-ui-for-media-stream` both override them, and with either in place a
 * blocked setting changes nothing on the page. The revocation is what a person or a policy
 * does in the browser — `chrome.contentSettings.microphone` set to `block` for the lab origin
 * (evaluated in the extension's worker) — and Chromium answers it as it would in production:
 * `PermissionStatus` `change` to `denied`, then `ended` on every live capture track.
 * (CDP `Browser.setPermission` also fires both, but as a DevTools override that no content
 * setting can undo, so it is no test of the extension.)
 */
import { expect, test as base } from './support/fixture';
import type { Page, Worker } from '@playwright/test';
import {
  appStatus,
  extensionWorker,
  micSetting,
  micStatus,
  labPost,
  openAgent,
  openPopup,
  sessionOf,
  withLabPages,
} from './support/softphone';
import type { Lab } from './support/softphone';

type Hook = { labSoftphone: { answer(): Promise<unknown> } };

/** Replaces the user settings (the lab's pages stay named). */
async function configure(worker: Worker, userConfig: Record<string, unknown>): Promise<void> {
  await worker.evaluate((c) => chrome.storage.local.set({ userConfig: c }), withLabPages(userConfig));
}

/** Answers a call for agent-1 and waits until audio flows. */
const test = base.extend({
  // The agent allowed the softphone's microphone once (or IT did): the starting point of every
  // test, before any page opens.
  context: async ({ context, lab }, use) => {
    expect(await micSetting(await extensionWorker(context), lab, 'allow')).toBe('allow');
    await use(context);
  },
});

test.use({ sitePermissions: true });

async function inCall(lab: Lab, agent: Page): Promise<void> {
  await expect.poll(async () => (await micStatus(agent)).mic).toMatchObject({ state: 'ready' });
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  await agent.evaluate(() => (window as unknown as Hook).labSoftphone.answer());
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('connected');
}

test('a blocked microphone is allowed again and the softphone gets it back, without a reload; the popup shows the steps', async ({
  lab,
  context,
  worker,
  agent,
}) => {
  await expect.poll(async () => (await micStatus(agent)).micEnabled).toBe(true);
  const popup = await openPopup(context);

  await micSetting(worker, lab, 'block');

  // The block reached the page (the app greyed its microphone out) and the extension undid it.
  await expect.poll(async () => (await micStatus(agent)).mic.losses, { timeout: 10_000 }).toBe(1);
  await expect.poll(async () => (await micStatus(agent)).micEnabled, { timeout: 15_000 }).toBe(true);
  await expect(agent.getByRole('button', { name: 'Microphone' })).toBeEnabled();
  expect(await micSetting(worker, lab)).toBe('allow');
  const after = await micStatus(agent);
  expect(after.loadCount).toBe(1);
  expect(after.mic.permission).toBe('granted');

  await expect
    .poll(async () => (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'permission-lost')?.resolvedAt !== undefined, {
      timeout: 15_000,
    })
    .toBe(true);
  const incident = (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'permission-lost');
  expect(incident?.summary, JSON.stringify(incident?.steps)).toBe('Microphone permission denied');
  // Then, depending on who captured first, the softphone's own capture as a passive step.
  expect(
    incident?.steps.slice(0, 2).map((s) => [s.action, s.outcome]),
    JSON.stringify(incident?.steps),
  ).toEqual([
    ['mic-grant', 'ok'],
    ['media-reacquire', 'ok'],
  ]);
  expect((await sessionOf(popup, 'agent-1'))?.health).toBe('healthy');

  const steps = popup.getByRole('list', { name: 'What Softphone Guard did' }).first();
  await expect(steps).toContainText('Allowed the microphone for the softphone again — done');
  await expect(steps).toContainText('Re-acquired the microphone — microphone works');
});

test('a microphone blocked during a call comes back into the same call', async ({ lab, worker, agent }) => {
  await inCall(lab, agent);

  await micSetting(worker, lab, 'block');

  await expect.poll(async () => (await micStatus(agent)).mic.losses, { timeout: 10_000 }).toBe(1);
  await expect.poll(async () => (await micStatus(agent)).micEnabled, { timeout: 15_000 }).toBe(true);
  const after = await micStatus(agent);
  expect(after.call.state).toBe('connected');
  expect(after.loadCount).toBe(1);
  const bytes = after.call.inboundAudioBytes;
  await expect.poll(async () => (await appStatus(agent)).call.inboundAudioBytes).toBeGreaterThan(bytes);
});

test('with media.grantMicrophone false the setting stays blocked and the popup says so and why', async ({ lab, context, worker }) => {
  await configure(worker, { media: { grantMicrophone: false } });
  const agent = await openAgent(context, lab, 'agent-1');
  await expect.poll(async () => (await micStatus(agent)).micEnabled).toBe(true);
  const popup = await openPopup(context);

  await micSetting(worker, lab, 'block');

  await expect
    .poll(
      async () =>
        (await sessionOf(popup, 'agent-1'))?.incidents
          .find((i) => i.kind === 'permission-lost')
          ?.steps.some((s) => s.action === 'mic-grant'),
      {
        timeout: 10_000,
      },
    )
    .toBe(true);
  const s = await sessionOf(popup, 'agent-1');
  expect(s?.health).toBe('down');
  expect(s?.healthReason).toContain('media.grantMicrophone');
  expect(s?.incidents.find((i) => i.kind === 'permission-lost')?.steps).toMatchObject([
    { action: 'mic-grant', outcome: 'failed', detail: expect.stringContaining('left as the agent chose') },
  ]);
  await expect(popup.getByText(/Microphone blocked in this browser's site settings\./).first()).toBeVisible();
  await expect(popup.getByText('Allowed the microphone for the softphone again — not done')).toBeVisible();

  // Past every rung-4 wait: nothing touched the setting, and the softphone is still without a microphone.
  await agent.waitForTimeout(6000);
  expect(await micSetting(worker, lab)).toBe('block');
  const app = await micStatus(agent);
  expect(app.micEnabled).toBe(false);
  expect(app.mic.state).toBe('blocked');
});

test('a microphone lost mid-call (device gone, permission intact) is re-acquired: the softphone captures again in the same call', async ({
  lab,
  context,
  worker,
  agent,
}) => {
  await inCall(lab, agent);
  const popup = await openPopup(context);

  await labPost(lab, '/lab/fault/mic-revoked');

  await expect.poll(async () => (await micStatus(agent)).mic.losses, { timeout: 10_000 }).toBe(1);
  // The lab app captures again only on a permission change or a device appearing; neither
  // happens here unless rung 4 re-primes the microphone and announces the devices.
  await expect.poll(async () => (await micStatus(agent)).micEnabled, { timeout: 15_000 }).toBe(true);
  expect((await appStatus(agent)).call.state).toBe('connected');
  expect(await micSetting(worker, lab)).toBe('allow');

  await expect
    .poll(async () => (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'track-ended')?.resolvedAt !== undefined, {
      timeout: 15_000,
    })
    .toBe(true);
  const incident = (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'track-ended');
  expect(incident?.steps.map((s) => [s.action, s.outcome])).toContainEqual(['media-reacquire', 'ok']);
  expect(incident?.steps.some((s) => s.action === 'mic-grant')).toBe(false);
});

test('control: with rung 4 off the same device loss leaves the softphone without a microphone', async ({ lab, context, worker }) => {
  await configure(worker, { media: { grantMicrophone: false, reacquireOnLoss: false } });
  const agent = await openAgent(context, lab, 'agent-1');
  await inCall(lab, agent);

  await labPost(lab, '/lab/fault/mic-revoked');

  await expect.poll(async () => (await micStatus(agent)).mic.losses, { timeout: 10_000 }).toBe(1);
  await agent.waitForTimeout(8000);
  const app = await micStatus(agent);
  expect(app.micEnabled).toBe(false);
  expect(app.mic.state).toBe('lost');
});
