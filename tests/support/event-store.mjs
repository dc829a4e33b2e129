/**
 * Filling the extension's own IndexedDB (`softphone-guard`) from its service worker, the way
 * long use would: shared by the e2e tests (popup, diagnostics page and export with a large
 * store) and the benchmark (first render with 100,000 events).
 */

/** Records per transaction (and per `worker.evaluate` call). */
const CHUNK = 20_000;

/**
 * Adds records to a store of the extension's database from its service worker, in one
 * transaction per 20,000 records.
 * @param {import('@playwright/test').Worker} worker the extension's service worker
 * @param {'events' | 'incidents'} store
 * @param {readonly object[]} records stored as given (events without `seq`: the store numbers them)
 */
export async function seedStore(worker, store, records) {
  for (let i = 0; i < records.length; i += CHUNK) {
    await worker.evaluate(
      async ({ store, chunk }) => {
        const db = await new Promise((resolve, reject) => {
          const req = indexedDB.open('softphone-guard');
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        const tx = db.transaction(store, 'readwrite');
        for (const r of chunk) tx.objectStore(store).put(r);
        await new Promise((resolve, reject) => {
          tx.oncomplete = () => resolve(undefined);
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      { store, chunk: records.slice(i, i + CHUNK) },
    );
  }
}

/**
 * `n` events of a troubled softphone for `tabId`, one every 5 s up to now, in turn: a presence
 * 429 with `Retry-After`, a 1006 close, a reconnect, a quality sample (a new call every 4,000).
 * @param {number} tabId
 * @param {number} n
 */
export function troubledHistory(tabId, n) {
  const t0 = Date.now() - n * 5000;
  return Array.from({ length: n }, (_, i) => {
    const at = t0 + i * 5000;
    switch (i % 4) {
      case 0:
        return {
          tabId,
          at,
          type: 'http',
          data: {
            requestId: `r${i}`,
            transport: 'fetch',
            method: 'GET',
            url: `https://apps.example.test/api/v2/presence/users/u${i % 50}`,
            status: 429,
            durationMs: 40,
            protected: true,
            retryAfter: '2',
          },
        };
      case 1:
        return {
          tabId,
          at,
          type: 'ws-close',
          data: { socketId: `s${i}`, url: 'wss://streaming.example.test/channels/x', code: 1006, reason: '', wasClean: false },
        };
      case 2:
        return { tabId, at, type: 'ws-open', data: { socketId: `s${i}`, url: 'wss://streaming.example.test/channels/x', protocol: '' } };
      default:
        return {
          tabId,
          at,
          type: 'pc-stats',
          data: {
            pcId: `pc${Math.floor(i / 4000)}`,
            rttMs: 80 + (i % 500),
            jitterMs: 5 + (i % 40),
            packetLossPct: (i % 7) / 2,
            mos: 4.3 - (i % 20) / 10,
            inboundAudioBytes: i * 100,
            outboundAudioBytes: i * 100,
          },
        };
    }
  });
}
