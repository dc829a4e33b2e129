/**
 * Rung 3, silent stall, end to end: the lab's `silent-stall` fault leaves the notification
 * socket open but says nothing on it (no heartbeats, no calls). After
 * `watchdog.heartbeatTimeoutMs` the session opens a signalling-stalled incident; once the
 * grace (`reconnectGraceMs`) is over the worker has the probe close that socket (4000), the
 * app reconnects by its own logic on a socket that works, calls arrive again, and no reload
 * happens.
 */
import { expect, test } from './support/fixture';
import { appStatus, callReady, labPost, openPopup, sessionOf } from './support/softphone';

test.use({
  labOptions: { heartbeatMs: 1000 },
  userConfig: { watchdog: { heartbeatTimeoutMs: 4000, reconnectGraceMs: 2000 } },
});

test('a silent socket is closed after the timeout and the grace; the app reconnects and calls arrive, without a reload', async ({
  lab,
  context,
  agent,
}) => {
  const popup = await openPopup(context);
  await expect.poll(async () => (await sessionOf(popup, 'agent-1'))?.health).toBe('healthy');
  // A missing heartbeat needs a heartbeat first: the socket has been heard (src/recovery/stall-incidents.ts).
  await expect.poll(async () => (await sessionOf(popup, 'agent-1'))?.signalling.lastMessageAt).toBeGreaterThan(0);

  const fault = (await labPost(lab, '/lab/fault/silent-stall', { durationMs: 120_000 })) as { stalledSockets: number };
  expect(fault.stalledSockets).toBe(1);
  const stalledAt = Date.now();

  // The stall is noticed after the timeout, while the socket still claims to be open.
  await expect
    .poll(async () => (await sessionOf(popup, 'agent-1'))?.incidents.some((i) => i.kind === 'signalling-stalled'), { timeout: 10_000 })
    .toBe(true);
  const during = await sessionOf(popup, 'agent-1');
  expect(during?.health).toBe('recovering');
  expect(during?.healthReason).toMatch(/^Nothing received on the signalling socket for \d+ s/);

  // Rung 3 closes it; the app's own reconnect opens a socket that works; calls arrive again.
  await expect
    .poll(async () => (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'signalling-stalled')?.resolvedAt, {
      timeout: 20_000,
    })
    .toBeGreaterThan(stalledAt);
  await expect.poll(async () => callReady(await appStatus(agent)), { timeout: 15_000 }).toBe(true);
  const ring = (await labPost(lab, '/lab/ring', { userId: 'agent-1' })) as { delivered: number };
  expect(ring.delivered).toBe(1);
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  expect((await appStatus(agent)).loadCount).toBe(1);

  const session = await sessionOf(popup, 'agent-1');
  const stall = session?.incidents.find((i) => i.kind === 'signalling-stalled');
  expect(stall?.steps.map((s) => [s.action, s.outcome])).toEqual([
    ['stall-close', 'ok'],
    ['app-reconnected', 'ok'],
  ]);
  const close = session?.incidents.find((i) => i.kind === 'abnormal-close');
  expect(close?.summary).toMatch(/^Softphone Guard closed the silent signalling socket after \d+ s without a heartbeat \(code 4000\)$/);
  expect(close?.resolvedAt).toBeDefined();
  expect(session?.health).toBe('healthy');

  // The popup tells the story in plain words.
  await popup.reload();
  await expect(popup.getByText('Closed the silent socket so the softphone reconnects — done').first()).toBeVisible();
});
