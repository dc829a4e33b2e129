/**
 * Failures the page probe cannot see (requests from a Worker) still reach the session, via
 * the worker's chrome.webRequest observer, and exchanges the probe did see are not counted twice.
 */
import { expect, test } from '@playwright/test';
import type { EventsResponse } from '../../src/protocol/ui';
import { extensionWorker, launchBrowser, openAgent, openPopup, startLab } from './support/softphone';

test('a 401 from a dedicated Worker becomes an incident; the page’s own 401 is recorded once', async () => {
  const lab = await startLab({ port: 0 });
  const { context } = await launchBrowser({ withExtension: true });
  try {
    await extensionWorker(context);
    const agent = await openAgent(context, lab, 'agent-1');
    const statuses = await agent.evaluate(async () => {
      const page = await fetch('/api/v2/users/me?from=page').then((r) => r.status);
      const source = `fetch('${location.origin}/api/v2/users/me?from=worker').then((r) => postMessage(r.status), () => postMessage(-1));`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      const fromWorker = await new Promise<number>((resolve) => (worker.onmessage = (e) => resolve(e.data as number)));
      return { page, fromWorker };
    });
    expect(statuses).toEqual({ page: 401, fromWorker: 401 });

    const popup = await openPopup(context);
    const httpEvents = async (from: string) => {
      const r: EventsResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 10000 }));
      return r.events.filter((e) => e.type === 'http' && String(e.data.url).includes(`from=${from}`));
    };
    await expect
      .poll(async () => (await httpEvents('worker')).map((e) => [e.data.transport, e.data.status]))
      .toEqual([['webrequest', 401]]);
    // The page's own request: reported by the probe, and not again by webRequest.
    await popup.waitForTimeout(2500);
    expect((await httpEvents('page')).map((e) => [e.data.transport, e.data.status])).toEqual([['fetch', 401]]);
  } finally {
    await context.close();
    await lab.close();
  }
});
