/**
 * Filling the extension's own IndexedDB (`softphone-guard`) from its service worker, the way
 * long use would: for tests of the popup, the diagnostics page and the export with a large store.
 */
import type { Worker } from '@playwright/test';
import type { StoredEvent } from '../../../src/protocol/ui';
import type { Incident } from '../../../src/session/types';

/**
 * Adds records to a store of the extension's database from its service worker, in one
 * transaction per 20,000 records.
 */
export async function seedStore(
  worker: Worker,
  store: 'events' | 'incidents',
  records: ReadonlyArray<Omit<StoredEvent, 'seq'> | Incident>,
): Promise<void> {
  for (let i = 0; i < records.length; i += 20_000) {
    await worker.evaluate(
      async ({ store, chunk }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open('softphone-guard');
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        const tx = db.transaction(store, 'readwrite');
        for (const r of chunk) tx.objectStore(store).put(r);
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      { store, chunk: records.slice(i, i + 20_000) },
    );
  }
}

/**
 * `n` HTTP 429 events on presence requests, one a second up to now, spread over 7 tab ids that
 * are not real tabs (999000…999006): a long week of a troubled softphone, for size tests.
 * @param urlSuffix appended to each URL, given the event's index (to make URLs distinct)
 */
export function presence429s(n: number, urlSuffix: (i: number) => string = () => ''): Omit<StoredEvent, 'seq'>[] {
  const t0 = Date.now() - n * 1000;
  return Array.from({ length: n }, (_, i) => ({
    tabId: 999_000 + (i % 7),
    at: t0 + i * 1000,
    type: 'http',
    data: { status: 429, url: `https://x.test/api/v2/presence/users/u${i % 50}${urlSuffix(i)}` },
  }));
}
