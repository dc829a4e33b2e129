/**
 * Schema migration (src/storage/migrations.ts): a database left by a version-1 build is
 * upgraded to version 2 by the worker's `upgrade` callback, and every version-1 event and
 * incident is still there, unchanged and under the same keys, after the upgrade; new events
 * follow them.
 *
 * The version-1 database is made in the extension's own origin: the worker is stopped over
 * CDP, a quiet extension page deletes the database and creates it with the version-1 shape
 * and records, and the worker is woken again. An upgrade that re-created a store, or one that
 * failed (the database would stay at version 1 and the worker would fall back to memory),
 * breaks the assertions below.
 */
import { expect, test } from './support/fixture';
import type { StateResponse } from '../../src/protocol/ui';
import { EXTENSION_ID, openAgent, stopServiceWorkerAt } from './support/softphone';
import { databaseInfo, quietPageUrl, recreateDatabase, storedEventsOf } from './support/storage-db';

const V1_EVENTS = 50;

test('a version-1 database is upgraded to version 2 and keeps its events and incidents', async ({ lab, context }) => {
  const page = await context.newPage();
  await page.goto(quietPageUrl(EXTENSION_ID));
  expect((await databaseInfo(page)).version).toBe(2);

  await stopServiceWorkerAt(context, page);
  const t0 = Date.now() - 3_600_000;
  const events = Array.from({ length: V1_EVENTS }, (_, i) => ({
    tabId: 777_001,
    at: t0 + i * 1000,
    type: 'http',
    data: { status: 503, url: `http://127.0.0.1/api/v2/v1-record/${i}`, transport: 'fetch' },
  }));
  const incident = {
    id: '777001:1',
    tabId: 777_001,
    kind: 'server-error',
    openedAt: t0,
    resolvedAt: t0 + 5000,
    summary: 'Server error (503)',
    detail: { status: 503 },
    steps: [],
  };
  await recreateDatabase(page, { version: 1, seed: { events, incidents: [incident] } });
  const before = await storedEventsOf(page);
  expect(before.map((e) => e.seq)).toEqual(Array.from({ length: V1_EVENTS }, (_, i) => i + 1));

  // Wake the worker: it opens the database at version 2.
  const state: StateResponse = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  expect(state.store).toEqual({ mode: 'indexeddb' });
  const info = await databaseInfo(page);
  expect(info.version).toBe(2);
  expect(info.stores).toEqual(expect.arrayContaining(['events', 'incidents', 'sessions', 'deliveries', 'meta']));
  expect(info.meta).toMatchObject({ schemaVersion: 2, upgradedFrom: 1, fallbacks: 0 });

  const after = await storedEventsOf(page);
  expect(after.slice(0, V1_EVENTS)).toEqual(before);
  const answer = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 1000, tabId: 777_001 }));
  expect(answer.events).toHaveLength(V1_EVENTS);
  expect(answer.incidents).toEqual(expect.arrayContaining([incident]));

  // New events are stored after the old ones.
  await openAgent(context, lab, 'agent-1');
  await expect.poll(async () => (await storedEventsOf(page)).filter((e) => e.tabId !== 777_001).length).toBeGreaterThan(0);
  const newer = (await storedEventsOf(page)).filter((e) => e.tabId !== 777_001);
  expect(Math.min(...newer.map((e) => e.seq ?? 0))).toBeGreaterThan(V1_EVENTS);
});
