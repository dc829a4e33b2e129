/**
 * Database faults at open (extension/background/db.ts, event-store.ts): a database the worker
 * cannot open does not stop monitoring or recovery. Events are kept in memory, `get-state`
 * and the popup say so, and once the database can be written again what memory held goes
 * into it.
 *
 * - Blocked: another connection of the extension's origin holds the version-1 database open
 *   and does not close on `versionchange`, so the worker's upgrade to version 2 waits.
 * - Unopenable: the database is at a version above this build's (an extension rolled back),
 *   so opening it fails with a VersionError; the worker must not delete it.
 *
 * A worker that waited on the open would record nothing and the popup would not answer; one
 * that threw would lose the events; one that never retried would stay in memory after the
 * blocker closed. Each breaks an assertion below.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { EventsResponse, ExportResponse, StateResponse } from '../../src/protocol/ui';
import { ExportBundleSchema } from '../../src/export/bundle-schema';
import { recoveredFromStorm, EXTENSION_ID, labPost, openAgent, openPopup, stopServiceWorkerAt } from './support/softphone';
import { databaseInfo, quietPageUrl, recreateDatabase, releaseHeldDatabase, storedEventsOf } from './support/storage-db';

const stateOf = (page: Page): Promise<StateResponse> => page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
const eventsOf = (page: Page): Promise<EventsResponse> =>
  page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 10_000 }));
const abnormalCloses = async (page: Page): Promise<number> =>
  (await eventsOf(page)).events.filter((e) => e.type === 'ws-close' && e.data.code === 1006).length;

const v1Event = {
  tabId: 777_002,
  at: Date.now() - 60_000,
  type: 'http',
  data: { status: 503, url: 'http://127.0.0.1/api/v2/kept', transport: 'fetch' },
};

test('a blocked upgrade: events go to memory and the popup says so; once unblocked they reach IndexedDB', async ({ lab, context }) => {
  test.setTimeout(150_000);
  const quiet = await context.newPage();
  await quiet.goto(quietPageUrl(EXTENSION_ID));
  await stopServiceWorkerAt(context, quiet);
  await recreateDatabase(quiet, { version: 1, seed: { events: [v1Event] }, hold: true });

  // The agent's relay wakes the worker, whose open is blocked.
  const agent = await openAgent(context, lab, 'agent-1');
  await expect.poll(async () => (await stateOf(quiet)).store, { timeout: 30_000 }).toMatchObject({ mode: 'memory', reason: 'blocked' });
  const popup = await openPopup(context);
  await expect(popup.getByTestId('storage-notice')).toContainText('Events are kept in memory only');

  // Monitoring and recovery carry on.
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expect.poll(() => abnormalCloses(quiet), { timeout: 20_000 }).toBeGreaterThan(0);
  await recoveredFromStorm(agent, 45_000);
  const session = (await stateOf(quiet)).sessions.find((s) => s.agent?.userId === 'agent-1');
  expect(session?.incidents.some((i) => i.kind === 'abnormal-close')).toBe(true);
  // (Not read through a new connection: it would queue behind the worker's blocked upgrade.)
  expect(await quiet.evaluate(() => (globalThis as { __heldDb?: IDBDatabase }).__heldDb?.version)).toBe(1);

  // The blocker lets go: the upgrade runs, memory is written to IndexedDB, the notice goes.
  await releaseHeldDatabase(quiet);
  await expect.poll(async () => (await stateOf(quiet)).store, { timeout: 60_000 }).toEqual({ mode: 'indexeddb' });
  await expect(popup.getByTestId('storage-notice')).toHaveCount(0);
  const info = await databaseInfo(quiet);
  expect(info.version).toBe(2);
  expect(info.meta).toMatchObject({ upgradedFrom: 1, fallbacks: 1, lastFallback: { reason: 'blocked' } });
  const stored = await storedEventsOf(quiet);
  expect(stored.filter((e) => e.tabId === v1Event.tabId)).toHaveLength(1);
  expect(stored.filter((e) => e.type === 'ws-close' && e.data.code === 1006).length).toBeGreaterThan(0);
});

test('a database from a newer build cannot be opened: memory, said so, recovery works, the database is left alone', async ({
  lab,
  context,
}) => {
  test.setTimeout(120_000);
  const quiet = await context.newPage();
  await quiet.goto(quietPageUrl(EXTENSION_ID));
  await stopServiceWorkerAt(context, quiet);
  await recreateDatabase(quiet, { version: 99, seed: { events: [v1Event] } });

  const agent = await openAgent(context, lab, 'agent-1');
  await expect.poll(async () => (await stateOf(quiet)).store, { timeout: 30_000 }).toMatchObject({ mode: 'memory', reason: 'unavailable' });
  const popup = await openPopup(context);
  await expect(popup.getByTestId('storage-notice')).toContainText('the database cannot be opened');

  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expect.poll(() => abnormalCloses(quiet), { timeout: 20_000 }).toBeGreaterThan(0);
  await recoveredFromStorm(agent, 45_000);

  const info = await databaseInfo(quiet);
  expect(info.version).toBe(99);
  expect((await storedEventsOf(quiet)).filter((e) => e.tabId === v1Event.tabId)).toHaveLength(1);
  expect((await stateOf(quiet)).store).toMatchObject({ mode: 'memory', reason: 'unavailable' });
  // Support can still export what happened: the bundle comes from memory.
  const bundle: ExportResponse = await quiet.evaluate(() => chrome.runtime.sendMessage({ type: 'get-export', format: 'bundle' }));
  const parsed = ExportBundleSchema.parse(JSON.parse(bundle.text));
  expect(parsed.events.some((e) => e.type === 'ws-close' && e.data.code === 1006)).toBe(true);
});
