/**
 * Detection latency: from the page's `close` event of an abnormally closed WebSocket (1006,
 * the server drops the connection without a Close frame) to the `abnormal-close` incident
 * committed to the worker's IndexedDB.
 *
 * The worker's side is timed inside the worker: a measuring hook on
 * `IDBObjectStore.prototype.put`, installed with `worker.evaluate` (the extension is not
 * changed), notes when the incident record is handed to IndexedDB (`queuedAt`) and when its
 * transaction commits (`committedAt`, the `complete` event). Page and worker read the same
 * system clock (`Date.now()`, ms).
 */
import { summarize } from './stats.mjs';
import { BrokenBench } from './overhead.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Installs the hook once per worker life; idempotent. */
async function installHook(worker) {
  await worker.evaluate(() => {
    const g = /** @type {any} */ (globalThis);
    if (g.__sgBenchPuts) return;
    g.__sgBenchPuts = [];
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, ...rest) {
      const req = put.call(this, value, ...rest);
      try {
        if (this.name === 'incidents' && value && value.kind === 'abnormal-close' && !g.__sgBenchPuts.some((p) => p.id === value.id)) {
          const rec = { id: value.id, openedAt: value.openedAt, queuedAt: Date.now(), committedAt: null };
          g.__sgBenchPuts.push(rec);
          this.transaction.addEventListener('complete', () => {
            rec.committedAt = Date.now();
          });
        }
      } catch {
        // measuring only
      }
      return req;
    };
  });
}

/**
 * @param {{ page: import('@playwright/test').Page, worker: import('@playwright/test').Worker, samples: number,
 *   log: (line: string) => void }} opts `page`: the benchmark page on a monitored origin
 * @returns {Promise<{ samples: number, missed: number, storedMs: ReturnType<typeof summarize>,
 *   queuedMs: ReturnType<typeof summarize>, values: number[] }>} `storedMs`: close → committed;
 *   `queuedMs`: close → handed to IndexedDB; `missed`: closes with no incident within 5 s
 * @throws {BrokenBench} when no close at all led to a stored incident
 */
export async function measureDetection({ page, worker, samples, log }) {
  await installHook(worker);
  const stored = [];
  const queued = [];
  let missed = 0;
  for (let i = 0; i < samples; i++) {
    // 300 ms open: the worker sees the socket open, which resolves the previous incident,
    // so this close opens a new one rather than folding into it.
    const { closeAt, code } = await page.evaluate((ms) => window.bench.dropSample(ms), 300);
    if (code !== 1006) throw new BrokenBench(`the dropped socket closed with ${code}, not 1006`);
    const end = Date.now() + 5000;
    let rec = null;
    while (!rec && Date.now() < end) {
      rec = await worker.evaluate(
        (t) => globalThis.__sgBenchPuts.find((p) => p.openedAt >= t - 2 && p.openedAt <= t + 50 && p.committedAt !== null) ?? null,
        closeAt,
      );
      if (!rec) await sleep(20);
    }
    if (!rec) {
      missed += 1;
      continue;
    }
    stored.push(rec.committedAt - closeAt);
    queued.push(rec.queuedAt - closeAt);
  }
  if (stored.length === 0) throw new BrokenBench('no abnormal close was stored as an incident');
  log(`  detection: ${stored.length} closes stored, ${missed} missed`);
  return { samples, missed, storedMs: summarize(stored), queuedMs: summarize(queued), values: stored };
}
