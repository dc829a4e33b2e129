/**
 * Tokens outside `Authorization: Bearer` and `access_token` (policy key `tokenCarriers`): the lab
 * app's `custom` carriers send the token in an `X-Auth-Token` header and as the notification
 * socket's first frame, socket.io's CONNECT packet `40{"token":"…"}`; the lab refuses a revoked
 * token there with `44{"message":"unauthorized"}` and close 4401 (tests/lab/README.md).
 *
 * After a publish storm (every token revoked, every socket dropped with 1006), the agent with
 * the extension configured for those carriers is ready again in place: the app never sees an
 * HTTP 401, nothing reloads, and its socket signs in again with a fresh token. The agent
 * without the extension, side by side on the same lab, stays stuck. The test prints its
 * figures on one line: `[carriers] publish-storm with: …; without: …`.
 */
import { test, expect } from './support/fixture';
import type { Page } from '@playwright/test';
import { appStatus, callReady, labPost, labStats, recoveredFromStorm } from './support/softphone';
import type { Lab } from './support/softphone';

const CUSTOM_CARRIERS = [
  { type: 'header', name: 'X-Auth-Token' },
  { type: 'ws-message', pattern: '^40\\{"token":"((?:[^"\\\\]|\\\\.)+)"' },
];

test.use({ userConfig: { tokenCarriers: CUSTOM_CARRIERS } });

const MEDIA_401 = 'GET /api/v2/communications/webRTC 401';
/** How long the agent without the extension is watched after the storm, ms. */
const WATCH_WITHOUT_MS = 20_000;

/** Every WebSocket URL a page opened (Playwright's `websocket` event). */
const socketUrls = new WeakMap<Page, string[]>();

async function openCustomAgent(context: { newPage(): Promise<Page> }, lab: Lab, user: string): Promise<Page> {
  const page = await context.newPage();
  const urls: string[] = [];
  socketUrls.set(page, urls);
  page.on('websocket', (ws) => urls.push(ws.url()));
  await page.goto(`${lab.url}/login?user=${user}&return=${encodeURIComponent('/?carriers=custom')}`);
  await expect.poll(async () => callReady(await appStatus(page).catch(() => null)), { timeout: 20_000 }).toBe(true);
  return page;
}

test('publish storm: tokens in a custom header and a socket.io CONNECT frame are refreshed in place with the extension, stuck without', async ({
  lab,
  context,
  launch,
}) => {
  const withExt = await openCustomAgent(context, lab, 'agent-1');
  const plain = await launch({ withExtension: false });
  const without = await openCustomAgent(plain.context, lab, 'agent-2');
  // The app really uses the custom carriers: no token in its socket URLs.
  for (const page of [withExt, without]) {
    expect(socketUrls.get(page)?.length).toBeGreaterThan(0);
    for (const url of socketUrls.get(page) ?? []) expect(url).toMatch(/\/api\/v2\/notifications\?auth=message$/);
  }
  const before = await labStats(lab);

  const t0 = Date.now();
  await labPost(lab, '/lab/fault/publish-storm', {});
  await recoveredFromStorm(withExt, 45_000);
  const recoveredS = (Date.now() - t0) / 1000;

  const s = await appStatus(withExt);
  expect(s.failures.http401).toBe(0);
  expect(s.loadCount).toBe(1);
  expect(s.micEnabled && s.speakerEnabled).toBe(true);
  const after = await labStats(lab);
  expect(after.refreshCalls - before.refreshCalls).toBeGreaterThanOrEqual(1);
  // Socket refusals the app saw (close 4401 after a CONNECT with the revoked token, before the refresh landed).
  const refusedCloses = s.failures.wsAbnormalCloses;

  await expect.poll(async () => (await appStatus(without)).failures.byRequest[MEDIA_401] ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
  await without.waitForTimeout(Math.max(0, WATCH_WITHOUT_MS - (Date.now() - t0)));
  const w = await appStatus(without);
  expect(callReady(w)).toBe(false);
  expect(w.micEnabled || w.speakerEnabled).toBe(false);

  console.log(
    `[carriers] publish-storm with: ready in place after ${recoveredS.toFixed(1)} s, 0 HTTP 401 seen, ${refusedCloses} socket closes seen, 0 reloads; ` +
      `without: stuck after ${(WATCH_WITHOUT_MS / 1000).toFixed(0)} s (${w.failures.http401} HTTP 401 seen, mic and speaker greyed out)`,
  );
});
