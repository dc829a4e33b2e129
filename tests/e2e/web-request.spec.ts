/**
 * Failures the page probe cannot see (requests from a dedicated or shared Worker) still reach
 * the session, via the worker's chrome.webRequest observer, and exchanges the probe did see
 * are not counted twice. The observer listens only for the effective `softphoneUrlPatterns`:
 * a request outside them neither wakes a stopped service worker nor becomes an observation
 * (with a `<all_urls>` filter every fetch of every site woke it), and the listeners follow
 * a configuration change.
 */
import { expect, test } from './support/fixture';
import type { BrowserContext, Page } from '@playwright/test';
import type { EventsResponse } from '../../src/protocol/ui';
import { EXTENSION_ID, openAgent, openPopup } from './support/softphone';

/** The status a dedicated Worker of `page` got for `url` (-1: the fetch failed). */
const fromWorker = (page: Page, url: string): Promise<number> =>
  page.evaluate((u) => {
    const source = `fetch('${u}').then((r) => postMessage(r.status), () => postMessage(-1));`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    return new Promise<number>((resolve) => (worker.onmessage = (e) => resolve(e.data as number)));
  }, url);

/** The status a SharedWorker of `page` got for `url` (-1: the fetch failed). */
const fromSharedWorker = (page: Page, url: string): Promise<number> =>
  page.evaluate((u) => {
    const source = `onconnect = (e) => { const port = e.ports[0]; fetch('${u}').then((r) => port.postMessage(r.status), () => port.postMessage(-1)); };`;
    const worker = new SharedWorker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    return new Promise<number>((resolve) => {
      worker.port.onmessage = (e) => resolve(e.data as number);
      worker.port.start();
    });
  }, url);

/** The status `page` itself got for `url` (-1: the fetch failed, e.g. CORS). */
const fromPage = (page: Page, url: string): Promise<number> =>
  page.evaluate(
    (u) =>
      fetch(u)
        .then((r) => r.status)
        .catch(() => -1),
    url,
  );

/**
 * Stops the extension's service worker over CDP (docs/architecture.md §7) and counts its starts from
 * then on (`ServiceWorker.workerVersionUpdated`), so a test can tell what woke it.
 */
async function stoppedWorker(context: BrowserContext, viaPage: Page): Promise<{ starts: () => number; detach: () => Promise<void> }> {
  const cdp = await context.newCDPSession(viaPage);
  let status = '';
  let starts = 0;
  let armed = false;
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      if (!v.scriptURL.startsWith(`chrome-extension://${EXTENSION_ID}/`)) continue;
      if (armed && v.runningStatus === 'starting' && status !== 'starting') starts += 1;
      status = v.runningStatus;
    }
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await expect.poll(() => status).toBe('stopped');
  armed = true;
  return { starts: () => starts, detach: () => cdp.detach() };
}

test('a 401 from a dedicated Worker becomes an incident; the page’s own 401 is recorded once', async ({ context, agent }) => {
  const statuses = await agent.evaluate(async () => {
    const page = await fetch('/api/v2/users/me?from_page').then((r) => r.status);
    const source = `fetch('${location.origin}/api/v2/users/me?from_worker').then((r) => postMessage(r.status), () => postMessage(-1));`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    const fromWorker = await new Promise<number>((resolve) => (worker.onmessage = (e) => resolve(e.data as number)));
    return { page, fromWorker };
  });
  expect(statuses).toEqual({ page: 401, fromWorker: 401 });

  const popup = await openPopup(context);
  // Each request is marked by a query parameter *name*: stored URLs keep names, not values
  // (docs/export-bundle.md "What is kept of a URL").
  const httpEvents = async (from: string) => {
    const r: EventsResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 10000 }));
    return r.events.filter((e) => e.type === 'http' && String(e.data.url).includes(`from_${from}`));
  };
  await expect.poll(async () => (await httpEvents('worker')).map((e) => [e.data.transport, e.data.status])).toEqual([['webrequest', 401]]);
  // The page's own request: reported by the probe, and not again by webRequest.
  await popup.waitForTimeout(2500);
  expect((await httpEvents('page')).map((e) => [e.data.transport, e.data.status])).toEqual([['fetch', 401]]);
});

test('only softphoneUrlPatterns are listened to: a request outside them neither wakes the worker nor is observed', async ({
  lab,
  context,
  worker,
}) => {
  const local = `http://localhost:${lab.port}`; // the same lab under a name the configuration leaves out
  await worker.evaluate(() => chrome.storage.local.set({ userConfig: { softphoneUrlPatterns: ['http://127.0.0.1/*'] } }));
  // The content scripts follow the same configuration change the webRequest listeners do.
  await expect
    .poll(() => worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches)))
    .toEqual([['http://127.0.0.1/*'], ['http://127.0.0.1/*']]);

  // A page of an unmonitored origin (no probe, no relay port keeping the worker alive).
  const other = await context.newPage();
  await other.goto(`${local}/lab/stats`);
  const watch = await stoppedWorker(context, other);
  expect(await fromPage(other, '/api/v2/users/me?from_unmonitored-page')).toBe(401);
  expect(await fromWorker(other, `${local}/api/v2/users/me?from_unmonitored-worker`)).toBe(401);
  expect(await fromSharedWorker(other, `${local}/api/v2/users/me?from_unmonitored-shared`)).toBe(401);
  await other.waitForTimeout(1500);
  expect(watch.starts()).toBe(0);
  // Control: a request to a monitored URL does wake it (blocked by CORS for the page, but sent).
  expect(await fromPage(other, `${lab.url}/api/v2/users/me?from_cross-origin`)).toBe(-1);
  await expect.poll(() => watch.starts()).toBeGreaterThan(0);
  await watch.detach();

  // The monitored origin: its Workers' failures are observed; the unmonitored page's are not.
  const agent = await openAgent(context, lab, 'agent-1');
  expect(await fromSharedWorker(agent, `${lab.url}/api/v2/users/me?from_monitored-shared`)).toBe(401);
  expect(await fromWorker(agent, `${lab.url}/api/v2/users/me?from_monitored-worker`)).toBe(401);
  expect(await fromWorker(other, `${local}/api/v2/users/me?from_unmonitored-worker-2`)).toBe(401);
  const popup = await openPopup(context);
  const httpEvents = async (from: string) => {
    const r: EventsResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 10000 }));
    return r.events.filter((e) => e.type === 'http' && String(e.data.url).includes(`from_${from}`));
  };
  for (const from of ['monitored-shared', 'monitored-worker']) {
    await expect
      .poll(async () => (await httpEvents(from)).map((e) => [e.data.transport, e.data.status, e.data.durationMs]))
      .toEqual([['webrequest', 401, 0]]);
  }
  await popup.waitForTimeout(2500);
  expect(await httpEvents('unmonitored')).toEqual([]);

  // Widened to localhost too: the listeners are re-added, and the same request now wakes the stopped worker.
  const widened = ['http://127.0.0.1/*', 'http://localhost/*'];
  await popup.evaluate((patterns) => chrome.storage.local.set({ userConfig: { softphoneUrlPatterns: patterns } }), widened);
  await expect
    .poll(() => popup.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches)))
    .toEqual([widened, widened]);
  await agent.close(); // its relay port would wake the worker
  await popup.close();
  const again = await stoppedWorker(context, other);
  expect(await fromPage(other, '/api/v2/users/me?from_widened')).toBe(401);
  await expect.poll(() => again.starts()).toBeGreaterThan(0);
  await again.detach();
});
