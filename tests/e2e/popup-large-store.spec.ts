/**
 * The popup renders at once however large the event store is: it reads only the sessions'
 * state, never the event log.
 */
import { expect, test } from '@playwright/test';
import { extensionWorker, launchBrowser, openAgent, openPopup, startLab } from './support/softphone';

const EVENTS = 100_000;

test('popup shows the agent card with 100,000 events stored', async () => {
  const lab = await startLab({ port: 0 });
  const { context } = await launchBrowser({ withExtension: true });
  try {
    const worker = await extensionWorker(context);
    await openAgent(context, lab, 'agent-1');
    // Fill the extension's own event store the way a long week would.
    await worker.evaluate(async (n) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('softphone-guard');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction('events', 'readwrite');
      const store = tx.objectStore('events');
      const t0 = Date.now() - n * 1000;
      for (let i = 0; i < n; i += 1) {
        store.add({ tabId: 999_000 + (i % 7), at: t0 + i * 1000, type: 'http', data: { status: 429, url: `https://x.test/api/v2/presence/users/u${i % 50}` } });
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }, EVENTS);

    const popup = await openPopup(context);
    await expect(popup.getByText('Alex Rivera')).toBeVisible();
    await expect(popup.getByText(/100,\d{3}|10\d,\d{3}|10\d\d\d\d/)).toBeVisible();
  } finally {
    await context.close();
    await lab.close();
  }
});
