/**
 * Configuration reaches the running extension without a restart: user settings in the
 * extension's `storage.local` (key `userConfig`, same shape as the managed-storage policy)
 * are resolved over the defaults and pushed to the page probe.
 */
import { expect, test } from './support/fixture';
import type { StateResponse } from '../../src/protocol/ui';
import { appStatus, labPost, labStats, openPopup } from './support/softphone';

test.use({ userConfig: { tokenRefresh: { strategy: 'off' } } });

test('with tokenRefresh.strategy "off" the 401 reaches the softphone and the popup shows the agent down', async ({
  lab,
  context,
  agent,
}) => {
  const before = await labStats(lab);
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });

  await expect.poll(async () => (await appStatus(agent)).failures.byRequest['GET /api/v2/communications/webRTC 401'] ?? 0).toBe(1);
  expect((await appStatus(agent)).micEnabled).toBe(false);
  expect((await labStats(lab)).refreshCalls - before.refreshCalls).toBe(0);

  const popup = await openPopup(context);
  await expect
    .poll(
      async () => {
        const state: StateResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
        const s = state.sessions.find((x) => x.agent?.userId === 'agent-1');
        return Boolean(s?.health === 'down' && s.incidents.some((i) => i.kind === 'unauthorized' && i.resolvedAt === undefined));
      },
      { timeout: 30_000 },
    )
    .toBe(true);
});
