/**
 * Retention (src/storage/retention.ts, extension/background/event-store.ts `pruneEvents`):
 * the hourly prune deletes events older than `retentionDays` — by their time, not their
 * position in the log — and then the oldest beyond `maxStoredEvents`, and delivery marks not
 * updated for a day. The store is seeded directly so that age and arrival order disagree: a
 * prune by key alone, or by age alone, leaves the wrong events.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { ConfigResponse } from '../../src/protocol/ui';
import { EXTENSION_ID } from './support/softphone';
import { GUARD_DB, quietPageUrl, storedEventsOf } from './support/storage-db';

const DAY_MS = 86_400_000;
const MAX_STORED = 150;

async function seed(page: Page, now: number): Promise<void> {
  await page.evaluate(
    async ({ name, now, day }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction(['events', 'deliveries'], 'readwrite');
      const events = tx.objectStore('events');
      const add = (group: string, i: number, at: number) =>
        events.add({ tabId: 888_000, at, type: 'http', data: { status: 404, url: `http://127.0.0.1/${group}/${i}` } });
      for (let i = 0; i < 100; i += 1) add('recent-a', i, now - 3_600_000 + i);
      for (let i = 0; i < 100; i += 1) add('old', i, now - 40 * day + i);
      for (let i = 0; i < 100; i += 1) add('recent-b', i, now - 60_000 + i);
      const deliveries = tx.objectStore('deliveries');
      deliveries.put({ key: '888000/stale-doc', tabId: 888_000, doc: 'stale-doc', seq: 5, at: now - 2 * day });
      deliveries.put({ key: '888000/live-doc', tabId: 888_000, doc: 'live-doc', seq: 9, at: now - 60_000 });
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { name: GUARD_DB, now, day: DAY_MS },
  );
}

const deliveryKeys = (page: Page): Promise<string[]> =>
  page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const req = db.transaction('deliveries').objectStore('deliveries').getAllKeys();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    return keys.map(String);
  }, GUARD_DB);

test('the prune keeps retentionDays by event time, then the newest maxStoredEvents, and drops stale delivery marks', async ({
  context,
}) => {
  const page = await context.newPage();
  await page.goto(quietPageUrl(EXTENSION_ID));
  await seed(page, Date.now());
  expect(await storedEventsOf(page)).toHaveLength(300);

  await page.evaluate(
    (max) => chrome.runtime.sendMessage({ type: 'set-user-config', userConfig: { retentionDays: 30, maxStoredEvents: max } }),
    MAX_STORED,
  );
  await expect
    .poll(async () => {
      const config: ConfigResponse = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-config' }));
      return [config.config.retentionDays, config.config.maxStoredEvents];
    })
    .toEqual([30, MAX_STORED]);
  // The hourly prune alarm, due now.
  await page.evaluate(() => chrome.alarms.create('sg-prune', { when: Date.now() + 100 }));

  await expect.poll(async () => (await storedEventsOf(page)).length, { timeout: 20_000 }).toBe(MAX_STORED);
  const left = await storedEventsOf(page);
  const groups = (g: string) =>
    left.filter((e) => String(e.data.url).includes(`/${g}/`)).map((e) => Number(String(e.data.url).split('/').pop()));
  expect(groups('old')).toEqual([]);
  // 200 within retention, 50 over the cap: the 50 that arrived first go.
  expect(groups('recent-a')).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
  expect(groups('recent-b')).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(await deliveryKeys(page)).toEqual(['888000/live-doc']);
});
