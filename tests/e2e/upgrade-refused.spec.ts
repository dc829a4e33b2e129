/**
 * A softphone that keeps its access token in its socket URL (`access_token`, RFC 6750 §2.3)
 * and reconnects with it after the token was revoked: the server refuses the upgrade with
 * HTTP 401, which the page sees only as `error` and close 1006 (RFC 6455 §4.1; nothing tells
 * it why). With the extension the worker sees the 401 (webRequest, `websocket`), obtains a
 * fresh token and tells the page which token it replaces: the softphone's next attempt
 * carries the fresh one and opens. Without the extension, side by side on the same lab, the
 * softphone is refused for as long as it tries.
 *
 * The softphone here is a reconnect loop run in each lab agent page, with a token of its own
 * from the lab's refresh endpoint (so only the socket's refusal can mark it stale: the lab
 * app's own requests carry another token). The test prints one line: `[upgrade-401] …`.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import { appStatus, labPost, labStats, openAgent, openPopup, sessionOf } from './support/softphone';

/** How long each softphone keeps reconnecting, ms. */
const TRY_FOR_MS = 15_000;
const UPGRADES_REFUSED = 'GET /api/v2/notifications 401';

interface Reconnects {
  attempts: number;
  /** ms from the first attempt to the open socket; null: never opened. */
  openedAfterMs: number | null;
}

/** A token of the page's own agent, from the lab's cookie refresh (tests/lab/README.md). */
const ownToken = (page: Page): Promise<string> =>
  page.evaluate(async () => {
    const res = await fetch('/api/v2/authentication/refresh', { method: 'POST' });
    return ((await res.json()) as { access_token: string }).access_token;
  });

/** Opens the notification socket with `token` in its URL, again 1 s after every failed attempt, for `ms`. */
const reconnectLoop = (page: Page, token: string, ms: number): Promise<Reconnects> =>
  page.evaluate(
    ({ token, ms }) =>
      new Promise<Reconnects>((resolve) => {
        const start = Date.now();
        let attempts = 0;
        const attempt = (): void => {
          attempts++;
          const ws = new WebSocket(`ws://${location.host}/api/v2/notifications?access_token=${encodeURIComponent(token)}`);
          ws.onopen = () => {
            resolve({ attempts, openedAfterMs: Date.now() - start });
            ws.close(1000);
          };
          ws.onclose = (ev) => {
            if (ev.code === 1000) return;
            if (Date.now() - start + 1000 > ms) resolve({ attempts, openedAfterMs: null });
            else setTimeout(attempt, 1000);
          };
        };
        attempt();
      }),
    { token, ms },
  );

test('a 401 on a socket upgrade gets a fresh token into the softphone’s next attempt with the extension; refused for good without', async ({
  lab,
  agent,
  context,
  launch,
}) => {
  const plain = await launch({ withExtension: false });
  const without = await openAgent(plain.context, lab, 'agent-2');
  const tokens = [await ownToken(agent), await ownToken(without)];
  const before = await labStats(lab);

  await labPost(lab, '/lab/fault/token-revoke', {});
  const [withExt, withoutExt] = await Promise.all([
    reconnectLoop(agent, tokens[0] ?? '', TRY_FOR_MS),
    reconnectLoop(without, tokens[1] ?? '', TRY_FOR_MS),
  ]);
  const after = await labStats(lab);

  // With the extension: refused once with the revoked token, then open with a fresh one, in place.
  expect(withExt.openedAfterMs).not.toBeNull();
  expect(withExt.attempts).toBeGreaterThanOrEqual(2);
  expect((after.refreshCallsByUser['agent-1'] ?? 0) - (before.refreshCallsByUser['agent-1'] ?? 0)).toBeGreaterThanOrEqual(1);
  expect((await appStatus(agent)).loadCount).toBe(1);
  // Without: every attempt refused, and nobody asked for a fresh token.
  expect(withoutExt.openedAfterMs).toBeNull();
  expect(withoutExt.attempts).toBeGreaterThanOrEqual(5);
  expect((after.refreshCallsByUser['agent-2'] ?? 0) - (before.refreshCallsByUser['agent-2'] ?? 0)).toBe(0);
  const refused = (after.requests[UPGRADES_REFUSED] ?? 0) - (before.requests[UPGRADES_REFUSED] ?? 0);
  expect(refused).toBeGreaterThanOrEqual(withoutExt.attempts + 1);
  // The session names the refusal as a 401 on the socket, ended by the socket's reopening.
  const popup = await openPopup(context);
  const incident = (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.detail.socketRefusal === 'upgrade');
  expect(incident).toMatchObject({ kind: 'unauthorized', resolvedAt: expect.any(Number) });
  expect(incident?.steps.map((step) => step.action)).toEqual(expect.arrayContaining(['token-refresh', 'none']));

  console.log(
    `[upgrade-401] with: open after ${withExt.attempts} attempts, ${((withExt.openedAfterMs ?? 0) / 1000).toFixed(1)} s, no reload; ` +
      `without: ${withoutExt.attempts} attempts refused in ${TRY_FOR_MS / 1000} s; lab refused ${refused} upgrades`,
  );
});
