/**
 * A service worker stopped in the middle of a token refresh: the relay sends the unanswered
 * request to the next worker, which refreshes again, and the page's failed request is
 * retried exactly once — the softphone never sees the 401.
 */
import { expect, test } from './support/fixture';
import { appStatus, recoveredFromStorm, labPost, labStats, openPopup, stopServiceWorker } from './support/softphone';

const MEDIA_TOKEN = 'GET /api/v2/communications/webRTC';

test('recovery completes once when the worker is stopped during the refresh', async ({ lab, context, agent }) => {
  const popup = await openPopup(context);
  await labPost(lab, '/lab/fault/slow-refresh', { delayMs: 3000, durationMs: 30_000 });
  const before = await labStats(lab);

  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 1000 });
  // The refresh has reached the server and waits there: stop the worker now.
  await expect.poll(async () => (await labStats(lab)).refreshCalls - before.refreshCalls, { intervals: [50] }).toBe(1);
  await stopServiceWorker(context, popup);

  await recoveredFromStorm(agent);
  const after = await labStats(lab);
  const s = await appStatus(agent);
  expect(s.failures.http401).toBe(0);
  expect(s.loadCount).toBe(1);
  // The first refresh died with its worker; the next worker made exactly one more.
  expect(after.refreshCalls - before.refreshCalls).toBe(2);
  // One media-token request refused, one retry answered: not two retries.
  expect((after.requests[`${MEDIA_TOKEN} 401`] ?? 0) - (before.requests[`${MEDIA_TOKEN} 401`] ?? 0)).toBe(1);
  expect((after.requests[`${MEDIA_TOKEN} 200`] ?? 0) - (before.requests[`${MEDIA_TOKEN} 200`] ?? 0)).toBe(1);
});
