/**
 * A stopped service worker loses nothing: events and incidents survive in IndexedDB, the
 * relay reconnects, and monitoring carries on.
 */
import { expect, test } from './support/fixture';
import type { EventsResponse, StateResponse } from '../../src/protocol/ui';
import { appStatus, recoveredFromStorm, extensionWorker, labPost, openAgent, openPopup, stopServiceWorker } from './support/softphone';

test('events are still there after the worker is stopped over CDP mid-session, and new ones keep coming', async ({ lab, context }) => {
  const firstWorker = await extensionWorker(context);
  await firstWorker.evaluate(() => {
    (globalThis as { __lifeMarker?: number }).__lifeMarker = 1;
  });
  const agent = await openAgent(context, lab, 'agent-1');
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);

  const popup = await openPopup(context);
  const events = (): Promise<EventsResponse> => popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 10000 }));
  const state = (): Promise<StateResponse> => popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  await expect.poll(async () => (await events()).events.filter((e) => e.type === 'ws-close').length).toBeGreaterThan(0);
  const beforeStop = await events();
  const closesBefore = beforeStop.events.filter((e) => e.type === 'ws-close' && e.data.code === 1006).length;

  await stopServiceWorker(context, popup);
  await popup.reload(); // wakes a fresh worker
  await expect
    .poll(async () => {
      const workers = context.serviceWorkers();
      const marks = await Promise.all(
        workers.map((w) =>
          Promise.race([
            w.evaluate(() => (globalThis as { __lifeMarker?: number }).__lifeMarker ?? 0),
            new Promise<number>((r) => setTimeout(() => r(-1), 1000)),
          ]),
        ),
      );
      return marks.includes(0);
    })
    .toBe(true); // a worker without the marker: a new life, not the old one

  const afterStop = await events();
  const seqsAfter = new Set(afterStop.events.map((e) => e.seq));
  for (const e of beforeStop.events) expect(seqsAfter.has(e.seq)).toBe(true);
  expect(afterStop.incidents.map((i) => i.id)).toEqual(expect.arrayContaining(beforeStop.incidents.map((i) => i.id)));
  const session = (await state()).sessions.find((s) => s.agent?.userId === 'agent-1');
  expect(session?.incidents.some((i) => i.kind === 'abnormal-close')).toBe(true);

  // The relay reconnected to the new worker: a second storm is recorded too.
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expect
    .poll(async () => (await events()).events.filter((e) => e.type === 'ws-close' && e.data.code === 1006).length, { timeout: 20_000 })
    .toBeGreaterThan(closesBefore);
  await expect
    .poll(
      async () => {
        const s = await appStatus(agent);
        return { presence: s.presence, signalling: s.signalling, mediaReady: s.mediaReady };
      },
      { timeout: 30_000 },
    )
    .toEqual({ presence: 'Available', signalling: 'open', mediaReady: true });
});
