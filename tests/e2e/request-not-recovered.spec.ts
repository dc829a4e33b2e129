/**
 * Rung 5 for a protected request the retries could not save (docs/architecture.md §3): during the lab's
 * `server-down` the app's media-token GET is answered 503 through all its backoff retries;
 * the page then gets the 503 and greys its microphone out for good, although its socket comes
 * back after the outage. Once nothing fixed the request for twice the grace, the tab is
 * reloaded while no call is active, and the agent can take calls again.
 *
 * With the default retries (4, full jitter, base 1 s) a 4 s outage outlasts them only some of
 * the time; one retry 500 ms later makes it happen every time. The grace (5 s) is long enough
 * for the app's own socket reconnect (1, 2, 4 s backoff) to win, so the signalling rule does
 * not reload first.
 */
import { expect, test } from './support/fixture';
import { appStatus, callReady, labPost, openPopup, sessionOf } from './support/softphone';

test.use({
  userConfig: {
    watchdog: { reconnectGraceMs: 5000 },
    retry: { maxAttempts: 1, baseDelayMs: 500, maxDelayMs: 500 },
    safeReload: { enabled: true, quietMs: 3000, maxPerHour: 3 },
  },
});

const WEBRTC = '/api/v2/communications/webRTC';

test('a media-token request that outlasted its retries gets a safe reload once nothing else fixed it', async ({ lab, context, agent }) => {
  await labPost(lab, '/lab/fault/server-down', { durationMs: 4000 });
  await expect.poll(async () => (await appStatus(agent)).failures.byRequest[`GET ${WEBRTC} 503`] ?? 0, { timeout: 15_000 }).toBe(1);
  // The socket comes back by itself; the media token does not: the known gap, before the reload.
  await expect.poll(async () => (await appStatus(agent)).signalling, { timeout: 15_000 }).toBe('open');
  expect(await appStatus(agent)).toMatchObject({ loadCount: 1, mediaReady: false });

  await expect.poll(async () => (await appStatus(agent).catch(() => null))?.loadCount, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => callReady(await appStatus(agent).catch(() => null)), { timeout: 30_000 }).toBe(true);

  const popup = await openPopup(context);
  const session = await sessionOf(popup, 'agent-1');
  const incident = session?.incidents.find((i) => i.kind === 'server-error' && i.detail.url?.endsWith(WEBRTC));
  expect(incident?.steps.map((s) => [s.action, s.outcome])).toEqual([
    ['request-retry', 'failed'],
    ['safe-reload', 'ok'],
    ['none', 'ok'],
  ]);
  expect(incident?.resolvedAt).toBeDefined();
  // The signalling drop was the app's to fix, and it did: no reload on its account.
  const close = session?.incidents.find((i) => i.kind === 'abnormal-close');
  expect(close?.steps.some((s) => s.action === 'safe-reload')).toBe(false);
  expect(close?.resolvedAt).toBeDefined();
});
