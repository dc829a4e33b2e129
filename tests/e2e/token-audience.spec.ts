/**
 * The token audience (docs/architecture.md §3 rung 2, §4 `tokenRefresh.audience`) in real
 * Chromium with the built extension against the lab's topologies (tests/lab/README.md
 * "Topologies", HTTPS on softphone.test, softphone-b.test, crm.test and attacker.test):
 *
 * - a third-party widget on a monitored softphone page provokes 401s from the attacker origin
 *   (its URL matches `protectedRequestPatterns`) during a publish storm: the agent recovers
 *   silently, and the attacker's request log holds none of the lab's issued secrets — only the
 *   widget's own `Bearer junk`;
 * - two monitored origins, each signed in: a token refreshed for one is never delivered to the
 *   other, even with one OAuth client and token endpoint for both (probe-channel commands recorded with
 *   tests/e2e/fixtures/probe/sg-recorder.js);
 * - a page on an unmonitored site (crm.test) whose request to a softphone host fails creates
 *   no session.
 */
import { test, expect } from './support/fixture';
import type { Page } from '@playwright/test';
import type { StateResponse } from '../../src/protocol/ui';
import type { LabAttackerRequest } from '../lab/server.mjs';
import { appStatus, callReady, issuedSecrets, labPost, openPopup, recoveredFromStorm } from './support/softphone';
import { recordEnvelopes } from './support/channel-envelopes';

test.use({
  labOptions: { tls: true },
  // Silent OAuth at the softphone origin: with \`tls\` the lab's cookies are partitioned, and the
  // worker's own cookie-endpoint refresh carries none of them (docs/architecture.md §7).
  userConfig: async ({ lab }, use) =>
    use({
      softphoneUrlPatterns: ['https://softphone.test/*', 'https://softphone-b.test/*'],
      tokenRefresh: {
        strategy: 'oauth-silent',
        authorizeUrl: `${lab.origins.softphone}/oauth/authorize`,
        tokenUrl: `${lab.origins.softphone}/oauth/token`,
        clientId: 'softphone-guard',
      },
    }),
});

const MEDIA_401 = 'GET /api/v2/communications/webRTC 401';

/** Signs `user` in at `origin` (`path` kept through the sign-in) and waits until ready for calls. */
async function signIn(page: Page, origin: string, user: string, path = '/'): Promise<void> {
  await page.goto(`${origin}/login?user=${user}&return=${encodeURIComponent(path)}`);
  await expect.poll(async () => callReady(await appStatus(page).catch(() => null)), { timeout: 25_000 }).toBe(true);
}

/** The access tokens of the `token` commands the probe of `page`'s current document received. */
function tokensDelivered(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as { __sg: { envelopes: { dir: string; msg?: { type?: string; accessToken?: string } }[] } }).__sg.envelopes
      .filter((e) => e.dir === 'to-page' && e.msg?.type === 'token' && typeof e.msg.accessToken === 'string')
      .map((e) => e.msg!.accessToken!),
  );
}

test('a widget provoking 401s from its own origin during a publish storm gets no token; the agent recovers silently', async ({
  lab,
  context,
}) => {
  const agent = await context.newPage();
  await signIn(agent, lab.origins.softphone, 'agent-1', '/?widget=attacker');
  const requests = (): LabAttackerRequest[] => lab.state.attackerLog().filter((r) => r.method !== 'OPTIONS');
  // The widget runs: its 401s have been answered before the storm as well.
  await expect.poll(() => requests().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  // The leak is checked first, so a build that hands the widget a token fails here whether or
  // not its own recovery came through.
  const recovered = await recoveredFromStorm(agent).then(
    () => null,
    (error: unknown) => error,
  );
  // Several widget requests after the storm, with a fresh token in the tab by then.
  const seen = requests().length;
  await expect.poll(() => requests().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(seen + 2);
  const secrets = await issuedSecrets(lab);
  expect(secrets.length).toBeGreaterThan(0);
  const log = JSON.stringify(lab.state.attackerLog());
  expect(secrets.filter((secret) => log.includes(secret))).toEqual([]);
  for (const r of requests()) expect(r).toMatchObject({ authorization: 'Bearer junk', xAmzBearer: null, accessToken: null });

  // The agent recovered silently: the app saw no 401 and was not reloaded.
  if (recovered !== null) throw recovered;
  const s = await appStatus(agent);
  expect(s.failures.byRequest[MEDIA_401] ?? 0).toBe(0);
  expect(s.failures.http401).toBe(0);
  expect(s.loadCount).toBe(1);
});

test('two monitored origins sharing one OAuth client: a token refreshed for one is never delivered to the other', async ({
  lab,
  context,
}) => {
  await recordEnvelopes(context);
  const a = await context.newPage();
  await signIn(a, lab.origins.softphone, 'agent-1');
  const b = await context.newPage();
  await signIn(b, lab.origins.softphoneB, 'agent-1');

  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(a);
  await expect.poll(async () => (await tokensDelivered(a)).length, { timeout: 15_000 }).toBeGreaterThan(0);
  // b asked for a token of its own (its media-token request was refused too): whatever it got
  // was obtained for b's origin, never a's.
  await expect.poll(async () => (await appStatus(b)).failures.wsAbnormalCloses ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
  await b.waitForTimeout(3000);
  const toA = await tokensDelivered(a);
  const toB = await tokensDelivered(b);
  expect(toA.filter((t) => toB.includes(t))).toEqual([]);
});

test('a failing request from an unmonitored site to a softphone host creates no session', async ({ lab, context }) => {
  const popup = await openPopup(context);
  const state = (): Promise<StateResponse> => popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  const before = (await state()).sessions.length;

  const crm = await context.newPage();
  // A page of the CRM site itself (not its softphone frame page): not in softphoneUrlPatterns.
  await crm.goto(`${lab.origins.crm}/no-such-page`);
  // A request to the softphone host that fails (no token: 401), from a page not monitored.
  const status = await crm.evaluate(async (url) => {
    try {
      return (await fetch(url, { headers: { Authorization: 'Bearer junk' } })).status;
    } catch {
      return 0;
    }
  }, `${lab.origins.softphone}/api/v2/users/me`);
  expect([0, 401]).toContain(status);
  await crm.waitForTimeout(3000);
  expect((await state()).sessions.length).toBe(before);
  expect((await state()).sessions.filter((s) => s.alive)).toEqual([]);
});
