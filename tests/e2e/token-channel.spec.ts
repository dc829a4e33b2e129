/**
 * Where a fresh bearer token travels inside the softphone page, in real Chromium with the built
 * extension against the softphone lab. The worker's token and configuration commands reach the
 * probe over the private `MessagePort` its `hello` handed the relay (extension/relay/relay.ts,
 * extension/page/channel.ts), never on `window.postMessage`, which delivers to every `message`
 * listener of the window: the page's third-party scripts and other extensions' content scripts.
 *
 * A listener installed before the probe (an init script) records every message the window
 * receives; after a publish storm recovered with a fresh token, none of them holds a token the
 * lab issued or a `to-page` command, while the probe's end of the port did receive the token
 * (so the test cannot pass because no token was sent).
 */
import { expect, test } from '@playwright/test';
import type { BrowserContext } from '@playwright/test';
import { appStatus, labPost, labStats, launchBrowser, openAgent, recoveredFromStorm, startLab, extensionWorker } from './support/softphone';
import type { Lab } from './support/softphone';
import { envelopes, recordEnvelopes, windowMessageTexts } from './support/channel-envelopes';

let lab: Lab;
let context: BrowserContext;

test.beforeEach(async () => {
  lab = await startLab({ port: 0 });
  ({ context } = await launchBrowser({ withExtension: true }));
  await extensionWorker(context);
  await context.addInitScript(recordEnvelopes);
});

test.afterEach(async () => {
  await context?.close();
  await lab?.close();
});

test('a fresh token reaches the probe on its private port; no window message carries it or any command', async () => {
  const agent = await openAgent(context, lab, 'agent-1');
  const before = await labStats(lab);
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);

  // Recovered with a fresh token the probe was handed: one refresh, no 401 for the app.
  expect((await labStats(lab)).refreshCalls - before.refreshCalls).toBe(1);
  expect((await appStatus(agent)).failures.http401).toBe(0);
  const channel = await envelopes(agent);
  expect(channel).toEqual(expect.arrayContaining(['to-ext:hello', 'to-page:config', 'to-page:token']));

  const texts = await windowMessageTexts(agent);
  // The listener works: it saw the probe's hello, the one envelope that still goes on the window.
  expect(texts.some((t) => t.includes('"dir":"to-ext"') && t.includes('"type":"hello"'))).toBe(true);
  expect(texts.filter((t) => t.includes('"dir":"to-page"'))).toEqual([]);
  const issued = ((await (await fetch(`${lab.url}/lab/issued-secrets`)).json()) as { secrets: string[] }).secrets;
  expect(issued.length).toBeGreaterThan(0);
  expect(texts.filter((t) => issued.some((secret) => t.includes(secret)))).toEqual([]);
});
