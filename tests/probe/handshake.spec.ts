/**
 * The document_start exchange of the probe's port (extension/page/handshake.ts) in both
 * orders: the relay stand-in (fixtures/relay.js) injected before the probe, as the other tests
 * of this tier do, or after it. Either way the relay ends up with the port, its configuration
 * reaches the probe, a 401 is recovered, and the window carries no message of the exchange.
 */
import type { Page } from '@playwright/test';
import { observations } from '../e2e/fixtures/probe/harness';
import { answerTokens, expect, openTierPage, test } from './support/probe-page';

const windowTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...(window as unknown as { __sg: { windowTexts: string[] } }).__sg.windowTexts]);

for (const order of ['relay first', 'probe first'] as const) {
  test(`${order}: the relay takes the port, the probe is configured and recovers a 401`, async ({ plainBrowser, server }) => {
    const page = await openTierPage(plainBrowser, server, undefined, { relayAfterProbe: order === 'probe first' });
    expect(await page.evaluate(() => (window as unknown as { __relay: { port: unknown } }).__relay.port !== null)).toBe(true);
    server.validTokens.add('fresh-h');
    await answerTokens(page, { token: 'fresh-h' });
    const status = await page.evaluate(() =>
      fetch('/api/v2/fetch/handshake', { headers: { Authorization: 'Bearer stale-h' } }).then((r) => r.status),
    );
    expect(status).toBe(200);
    expect((await observations(page, 'hello')).length).toBe(1);
    expect(await windowTexts(page)).toEqual([]);
    await page.close();
  });
}

test('no relay at all: a page script that dispatches the relay’s request later gets no port', async ({ plainBrowser, server }) => {
  const page = await openTierPage(plainBrowser, server, undefined, { relay: false });
  const got = await page.evaluate(() => {
    let offered = 0;
    addEventListener('softphone-guard:port', () => (offered += 1));
    dispatchEvent(new CustomEvent('softphone-guard:ask-port', { cancelable: true }));
    return offered;
  });
  expect(got).toBe(0);
  await page.close();
});
