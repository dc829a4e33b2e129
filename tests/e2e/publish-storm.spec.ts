/**
 * Seeds 000 and 001 in real Chromium with the built extension against the softphone lab:
 * the publish storm kills every WebSocket (1006) and revokes every token.
 *
 * Also where the fresh token travels inside the page: the worker's token and configuration
 * commands reach the probe over the private `MessagePort` the probe handed the relay at document_start
 * (extension/relay/relay.ts, extension/page/channel.ts), never on `window.postMessage`, which
 * delivers to every `message` listener of the window (the page's third-party scripts, other
 * extensions' content scripts). A recorder installed before the probe
 * (tests/e2e/support/channel-envelopes.ts) sees every message the window receives; the probe's
 * end of the port must have received the token, so the test cannot pass without one sent.
 */
import { expect, test } from './support/fixture';
import type { StateResponse } from '../../src/protocol/ui';
import { appStatus, issuedSecrets, labPost, labStats, openAgent, openPopup, recoveredFromStorm } from './support/softphone';
import { envelopes, recordEnvelopes, windowMessageTexts } from './support/channel-envelopes';

const MEDIA_TOKEN = 'GET /api/v2/communications/webRTC';

test('an abnormal close (1006) is detected and shown in the popup with its code', async ({ lab, context, agent }) => {
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expect.poll(async () => (await appStatus(agent)).failures.wsAbnormalCloses).toBeGreaterThan(0);

  const popup = await openPopup(context);
  const state = (): Promise<StateResponse> => popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  await expect.poll(async () => (await state()).sessions.find((s) => s.agent?.userId === 'agent-1')?.signalling.lastClose?.code).toBe(1006);
  const session = (await state()).sessions.find((s) => s.agent?.userId === 'agent-1')!;
  const close = session.incidents.find((i) => i.kind === 'abnormal-close');
  expect(close?.detail.code).toBe(1006);
  await expect(popup.getByText(/1006/).first()).toBeVisible();
});

test('the 401 is recovered silently: several requests fail at once, one refresh call, the app never sees a 401', async ({
  lab,
  context,
}) => {
  const tabs = [
    await openAgent(context, lab, 'agent-1'),
    await openAgent(context, lab, 'agent-1'),
    await openAgent(context, lab, 'agent-1'),
  ];
  const before = await labStats(lab);
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });

  for (const tab of tabs) await recoveredFromStorm(tab);
  const after = await labStats(lab);

  // Every tab's media-token request was refused by the server at once…
  const refused = (after.requests[`${MEDIA_TOKEN} 401`] ?? 0) - (before.requests[`${MEDIA_TOKEN} 401`] ?? 0);
  expect(refused).toBeGreaterThanOrEqual(tabs.length);
  // …one refresh served them all…
  expect(after.refreshCalls - before.refreshCalls).toBe(1);
  for (const tab of tabs) {
    const s = await appStatus(tab);
    // …and no tab saw a 401, greyed out its controls, or reloaded.
    expect(s.failures.byRequest[`${MEDIA_TOKEN} 401`] ?? 0).toBe(0);
    expect(s.failures.http401).toBe(0);
    expect(s.micEnabled && s.speakerEnabled).toBe(true);
    expect(s.loadCount).toBe(1);
  }
});

test('a fresh token reaches the probe on its private port; no window message carries it or any command', async ({ lab, context }) => {
  await recordEnvelopes(context);
  const agent = await openAgent(context, lab, 'agent-1');
  const before = await labStats(lab);
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);

  // Recovered with a fresh token the probe was handed: one refresh, no 401 for the app.
  expect((await labStats(lab)).refreshCalls - before.refreshCalls).toBe(1);
  expect((await appStatus(agent)).failures.http401).toBe(0);
  const channel = await envelopes(agent);
  expect(channel).toEqual(expect.arrayContaining(['to-ext:hello', 'to-page:config', 'to-page:token']));

  // The listener works: it sees the page's own message. The probe's hello, observations and
  // commands travel only on the port handed over at document_start: none is on the window.
  await agent.evaluate(() => window.postMessage('listener-control', '*'));
  await expect.poll(() => windowMessageTexts(agent)).toContain('"listener-control"');
  const texts = await windowMessageTexts(agent);
  expect(texts.filter((t) => t.includes('softphone-guard'))).toEqual([]);
  const issued = await issuedSecrets(lab);
  expect(issued.length).toBeGreaterThan(0);
  expect(texts.filter((t) => issued.some((secret) => t.includes(secret)))).toEqual([]);
});
