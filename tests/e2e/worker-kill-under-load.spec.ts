/**
 * Worker kills under load (docs/architecture.md §2: "all state that matters survives worker
 * termination"): while the softphone page fails {@link REQUESTS} requests to distinct URLs
 * (fetch and XHR alternately, about 20 a second — each one an `http` observation), the test
 * stops the service worker over CDP every {@link KILL_EVERY_MS}. Afterwards every observation
 * the page emitted is in IndexedDB exactly once.
 *
 * Why this fails without acknowledged delivery: a worker stopped over CDP drops what its port
 * had received but not yet committed (the batch of the current task, the messages in flight
 * on the dying port), and a relay that resent everything after a restart would store the
 * committed ones twice. Measured with the relay and worker as they were before observations
 * were acknowledged and deduplicated by (document, seq) (src/storage/delivery.ts): 6 of 600
 * observations lost over 30 stops 1 s apart, 4 of 600 with stops 0.7 s apart; with them, none
 * lost or doubled over 29–42 stops per run. Either fault breaks the per-URL count below.
 * webRequest twins (extension/background/web-request-observer.ts reports a failure the probe's report did not
 * reach within 2 s) would count as doubles too.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import { openPopup, stopServiceWorkerAt } from './support/softphone';
import { storedEventsOf } from './support/storage-db';

/** Failing requests the page makes, each to its own URL. */
const REQUESTS = 600;
/** Pause between two requests, ms (about 20 a second: under the relay's rate cap of 40/s per type). */
const GAP_MS = 50;
/** A worker stop this often during the storm, ms (`SG_KILL_EVERY_MS` overrides it). */
const KILL_EVERY_MS = Number(process.env.SG_KILL_EVERY_MS ?? 1000);

/** Starts the storm in the page; resolves once every request has been answered. */
function storm(page: Page, run: string): Promise<number> {
  return page.evaluate(
    async ({ run, n, gap }) => {
      const xhr = (url: string) =>
        new Promise<void>((resolve) => {
          const x = new XMLHttpRequest();
          x.open('GET', url);
          x.onloadend = () => resolve();
          x.send();
        });
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < n; i += 1) {
        const url = `/storm/${run}/${i}`;
        pending.push(i % 2 === 0 ? fetch(url).then((r) => r.status) : xhr(url));
        await new Promise((resolve) => setTimeout(resolve, gap));
      }
      await Promise.all(pending);
      return n;
    },
    { run, n: REQUESTS, gap: GAP_MS },
  );
}

test('every observation of a storm is stored exactly once while the worker is stopped every second', async ({ lab, context, agent }) => {
  test.setTimeout(240_000);
  const popup = await openPopup(context);
  const run = `r${Date.now().toString(36)}`;

  let stormDone = false;
  const storming = storm(agent, run).finally(() => {
    stormDone = true;
  });
  let kills = 0;
  while (!stormDone) {
    await popup.waitForTimeout(KILL_EVERY_MS);
    if (stormDone) break;
    await stopServiceWorkerAt(context, popup);
    kills += 1;
  }
  expect(await storming).toBe(REQUESTS);
  expect(kills).toBeGreaterThanOrEqual(5);

  const prefix = `${lab.url}/storm/${run}/`;
  const counts = async () => {
    const events = await storedEventsOf(popup, 'http');
    const perUrl = new Map<string, { probe: number; webRequest: number }>();
    for (const e of events) {
      const url = String(e.data.url ?? '');
      if (!url.startsWith(prefix)) continue;
      const c = perUrl.get(url) ?? { probe: 0, webRequest: 0 };
      if (e.data.transport === 'webrequest') c.webRequest += 1;
      else c.probe += 1;
      perUrl.set(url, c);
    }
    return perUrl;
  };
  // Wake the worker and let the relay deliver what it still holds.
  await expect
    .poll(async () => (await counts()).size, { timeout: 60_000 })
    .toBe(REQUESTS)
    .catch(() => undefined); // the assertion below says which ones are missing
  const perUrl = await counts();
  const missing = Array.from({ length: REQUESTS }, (_, i) => `${prefix}${i}`).filter((u) => (perUrl.get(u)?.probe ?? 0) === 0);
  const duplicated = [...perUrl].filter(([, c]) => c.probe > 1).map(([u]) => u);
  const twins = [...perUrl].filter(([, c]) => c.probe > 0 && c.webRequest > 0).map(([u]) => u);
  console.log(`kills=${kills} missing=${missing.length} duplicated=${duplicated.length} twins=${twins.length}`);
  expect({ missing, duplicated, twins }).toEqual({ missing: [], duplicated: [], twins: [] });
});
