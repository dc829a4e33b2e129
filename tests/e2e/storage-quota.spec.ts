/**
 * Quota exhaustion (extension/background/event-store.ts): when IndexedDB refuses a write with
 * `QuotaExceededError`, the store deletes the oldest events and tries once more; when that
 * fails too it keeps events in memory, says so in `get-state` and the popup, and goes back to
 * IndexedDB — with what memory held — once writes succeed again.
 *
 * The quota is made real: the profile lives on a small tmpfs that the test fills
 * (./support/small-disk.ts explains why CDP's quota override does not do for an extension
 * with `unlimitedStorage`). On a full disk Chromium 156 fails the write itself (an IO error,
 * then the transaction aborts and the database cannot be reopened until there is room), which
 * the store treats as a refused quota. Needs root to mount; skipped, with the reason, otherwise.
 */
import { expect, profileOn, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { StateResponse } from '../../src/protocol/ui';
import { EXTENSION_ID, extensionWorker, openAgent, openPopup } from './support/softphone';
import { databaseInfo, GUARD_DB, quietPageUrl, storedEventsOf } from './support/storage-db';

const SEEDED = 3000;
const stateOf = (page: Page): Promise<StateResponse> => page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));

/** Makes the page fail `n` requests to distinct URLs (one `http` observation each). */
const failRequests = (page: Page, tag: string, n: number): Promise<void> =>
  page.evaluate(
    async ({ tag, n }) => {
      for (let i = 0; i < n; i += 1) {
        // Long URLs (the observation's cap is 2048 characters): a full disk is reached in seconds.
        // The padding is a path segment: stored URLs keep the path, not query values.
        await fetch(`/quota/${tag}/${i}/${'p'.repeat(1900)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    { tag, n },
  );

test('a full disk: oldest events pruned, then memory, said so; back to IndexedDB with what memory held', async ({
  lab,
  smallDisk: disk,
  launch,
}) => {
  test.setTimeout(240_000);
  const { context } = await launch({ userDataDir: profileOn(disk) });
  const worker = await extensionWorker(context);
  await worker.evaluate(async () => {
    for (let i = 0; i < 200; i += 1) {
      if ((await chrome.scripting.getRegisteredContentScripts()).some((s) => s.id === 'sg-relay')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  const quiet = await context.newPage();
  await quiet.goto(quietPageUrl(EXTENSION_ID));
  // Old events, about 1 KB each, that a quota prune may take.
  await quiet.evaluate(
    async ({ name, n }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction('events', 'readwrite');
      for (let i = 0; i < n; i += 1) {
        const noise = Array.from(crypto.getRandomValues(new Uint8Array(500)), (b) => b.toString(16)).join('');
        tx.objectStore('events').add({
          tabId: 999_100,
          at: Date.now() - 86_400_000 + i,
          type: 'http',
          data: { status: 404, url: `http://127.0.0.1/seed/${i}`, noise },
        });
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { name: GUARD_DB, n: SEEDED },
  );
  const agent = await openAgent(context, lab, 'agent-1');
  expect((await stateOf(quiet)).store).toEqual({ mode: 'indexeddb' });

  disk.fill(0);
  await expect
    .poll(
      async () => {
        await failRequests(agent, 'full', 40);
        return (await stateOf(quiet)).store;
      },
      { timeout: 120_000, intervals: [100] },
    )
    .toMatchObject({ mode: 'memory', reason: 'quota' });
  const popup = await openPopup(context);
  await expect(popup.getByTestId('storage-notice')).toContainText('quota is full');

  // Events made while the disk is full are kept (in memory) and answered.
  await failRequests(agent, 'in-memory', 10);
  await expect
    .poll(async () => {
      const answer = await quiet.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 500 }));
      return (answer.events as { data: { url?: string } }[]).filter((e) => String(e.data.url).includes('/quota/in-memory/')).length;
    })
    .toBe(10);

  disk.empty();
  await expect.poll(async () => (await stateOf(quiet)).store, { timeout: 60_000 }).toEqual({ mode: 'indexeddb' });
  await expect(popup.getByTestId('storage-notice')).toHaveCount(0);
  const stored = await storedEventsOf(quiet);
  expect(stored.filter((e) => String(e.data.url).includes('/quota/in-memory/'))).toHaveLength(10);
  expect((await databaseInfo(quiet)).meta).toMatchObject({ fallbacks: 1, lastFallback: { reason: 'quota' } });
  // Room was made by deleting the oldest events first (before the retry, or — when the
  // browser had closed the full database — before the first write once the disk had room).
  const seededLeft = stored.filter((e) => e.tabId === 999_100).map((e) => Number(String(e.data.url).split('/').pop()));
  expect(seededLeft.length).toBeLessThan(SEEDED);
  expect(seededLeft).toEqual(Array.from({ length: seededLeft.length }, (_, i) => SEEDED - seededLeft.length + i));
});
