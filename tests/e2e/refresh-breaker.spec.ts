/**
 * Rung 2's circuit breaker in real Chromium (docs/architecture.md §3): after 5 consecutive failed token
 * refreshes of one identity the refresh endpoint is left alone for 60 s, and the failure the
 * popup shows says so. The breaker lives in `storage.session`: stopping the service worker
 * does not reset it.
 *
 * The refresh fails because the lab's refresh cookie is gone (401 `invalid_grant`); each
 * protected request with a token the lab does not know gets a 401 the probe reports
 * (`token-needed`), so each asks for a refresh.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { StateResponse } from '../../src/protocol/ui';
import { extensionWorker, labPost, labStats, openPopup, stopServiceWorker } from './support/softphone';

/** A protected GET with a bearer token the lab never issued; resolves with the status the page saw. */
const rejectedRequest = (page: Page, n: number): Promise<number> =>
  page.evaluate((k) => fetch('/api/v2/users/me', { headers: { Authorization: `Bearer not-a-token-${k}` } }).then((r) => r.status), n);

async function auth(popup: Page) {
  const state: StateResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.find((s) => s.agent?.userId === 'agent-1')?.auth;
}

test('five failed refreshes pause refreshing for 60 s, also across a worker restart', async ({ lab, context, agent }) => {
  await context.clearCookies({ name: 'lab_refresh' });
  await labPost(lab, '/lab/reset');

  for (let k = 1; k <= 5; k += 1) expect(await rejectedRequest(agent, k)).toBe(401);
  expect((await labStats(lab)).refreshCalls).toBe(5);

  // The sixth is refused at once: the endpoint is not asked again.
  expect(await rejectedRequest(agent, 6)).toBe(401);
  expect((await labStats(lab)).refreshCalls).toBe(5);
  const popup = await openPopup(context);
  await expect.poll(async () => (await auth(popup))?.lastRefreshError).toMatch(/^Token refresh paused for \d+ s after 5 failures$/);
  await expect(popup.getByText(/Token refresh paused for \d+ s after 5 failures/).first()).toBeVisible();

  // A restarted worker keeps the pause (storage.session).
  await stopServiceWorker(context, agent);
  await extensionWorker(context);
  const restartedAt = Date.now();
  let k = 7;
  await expect
    .poll(
      async () => {
        await rejectedRequest(agent, k++);
        const a = await auth(popup);
        return (a?.lastRefreshAt ?? 0) > restartedAt ? a?.lastRefreshError : undefined;
      },
      { timeout: 20_000 },
    )
    .toMatch(/^Token refresh paused for \d+ s after 5 failures$/);
  expect((await labStats(lab)).refreshCalls).toBe(5);
});
