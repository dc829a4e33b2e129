/**
 * The `oauth-silent` token strategy in real Chromium: `chrome.identity.launchWebAuthFlow`
 * non-interactive, `prompt=none`, authorization code + PKCE against the lab's /oauth endpoints.
 */
import { expect, test } from './support/fixture';
import type { StateResponse } from '../../src/protocol/ui';
import { appStatus, labPost, labStats, openPopup, recoveredFromStorm } from './support/softphone';

test.use({
  userConfig: async ({ lab }, use) =>
    use({
      tokenRefresh: {
        strategy: 'oauth-silent',
        authorizeUrl: `${lab.url}/oauth/authorize`,
        tokenUrl: `${lab.url}/oauth/token`,
        clientId: 'softphone-guard',
      },
    }),
});

const tokenExchanges = (s: Awaited<ReturnType<typeof labStats>>): number => s.requests['POST /oauth/token 200'] ?? 0;

test('a revoked token is replaced through a silent authorization, without the cookie refresh endpoint', async ({ lab, agent }) => {
  const before = await labStats(lab);
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);
  const after = await labStats(lab);
  expect(tokenExchanges(after) - tokenExchanges(before)).toBe(1);
  expect(after.refreshCalls - before.refreshCalls).toBe(0);
  const s = await appStatus(agent);
  expect(s.failures.http401).toBe(0);
  expect(s.loadCount).toBe(1);
});

test('when the sign-in session is gone too, the popup says plainly that sign-in is needed', async ({ lab, context, agent }) => {
  await context.clearCookies(); // the identity provider's session and the refresh cookie are gone
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expect.poll(async () => (await appStatus(agent)).failures.http401, { timeout: 30_000 }).toBeGreaterThan(0);

  const popup = await openPopup(context);
  await expect
    .poll(
      async () => {
        const state: StateResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
        return state.sessions.find((x) => x.agent?.userId === 'agent-1')?.healthReason ?? '';
      },
      { timeout: 30_000 },
    )
    .toMatch(/^Sign-in needed/);
  await expect(popup.getByText(/Sign-in needed/).first()).toBeVisible();
  // The toolbar badge says it too, before any health.
  await expect.poll(() => popup.evaluate(() => chrome.action.getBadgeText({}))).toBe('Sign');
});
