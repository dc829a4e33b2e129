/**
 * Rung 5 in real Chromium: when nothing else can restore the softphone, the tab is reloaded,
 * but never while a call is active.
 */
import { expect, test } from './support/fixture';
import { appStatus, callReady, labPost, openPopup, sessionOf } from './support/softphone';

// No token of its own: a revoked token leaves only the reload (docs/architecture.md §3, reload-when-idle).
test.use({
  userConfig: {
    tokenRefresh: { strategy: 'reload-when-idle' },
    watchdog: { reconnectGraceMs: 3000 },
    safeReload: { enabled: true, quietMs: 3000, maxPerHour: 3 },
  },
});

test('an idle agent stuck on a revoked token gets a safe reload and is healthy again', async ({ lab, context, agent }) => {
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 1000 });
  await expect.poll(async () => (await appStatus(agent)).loadCount, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => callReady(await appStatus(agent)), { timeout: 30_000 }).toBe(true);

  const popup = await openPopup(context);
  const session = await sessionOf(popup, 'agent-1');
  const steps = session?.incidents.flatMap((i) => i.steps) ?? [];
  expect(steps.some((s) => s.action === 'safe-reload' && s.outcome === 'ok')).toBe(true);
});

test('a tab in a call is never reloaded, whatever fails; the reload waits until the call has ended', async ({ lab, context, agent }) => {
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  await agent.evaluate(() => (window as unknown as { labSoftphone: { answer(): Promise<unknown> } }).labSoftphone.answer());
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('connected');

  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 1000 });
  const popup = await openPopup(context);
  // Well past grace and escalation (2 × 3 s): the reload is due, and deferred because of the call.
  await expect
    .poll(
      async () =>
        (await sessionOf(popup, 'agent-1'))?.incidents.flatMap((i) => i.steps).some((s) => s.detail?.includes('a call is active')),
      {
        timeout: 20_000,
      },
    )
    .toBe(true);
  await agent.waitForTimeout(8000);
  const during = await appStatus(agent);
  expect(during.loadCount).toBe(1);
  expect(during.call.state).toBe('connected');

  await agent.evaluate(() => (window as unknown as { labSoftphone: { hangup(): unknown } }).labSoftphone.hangup());
  await expect.poll(async () => (await appStatus(agent).catch(() => null))?.loadCount, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => callReady(await appStatus(agent)), { timeout: 30_000 }).toBe(true);
});
