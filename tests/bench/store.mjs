/**
 * The event store: how many observations per second the worker takes in and commits, and how
 * fast the popup and the diagnostics page first render with 100,000 stored events.
 *
 * Write rate: the observations go the real way from the relay's port on — port → schema
 * check → session reducer → redaction → batched IndexedDB write (extension/background/
 * relay-ports.ts, session-hub.ts, event-store.ts) — sent on a port opened in the relay's own
 * isolated world of a monitored page (found over CDP), so the relay's per-type rate cap
 * (40/s sustained, src/protocol/admit.ts), which exists to stop floods, does not set the
 * figure. Rate = observations ÷ (first sent → last committed, polled every 20 ms).
 */
import { EXTENSION_ID } from '../support/browser.mjs';
import { seedStore, troubledHistory } from '../support/event-store.mjs';
import { median } from './stats.mjs';
import { BrokenBench, loadProbed } from './overhead.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Events stored now, read in the worker. */
const countEvents = (worker) =>
  worker.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('softphone-guard');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const c = db.transaction('events').objectStore('events').count();
          c.onsuccess = () => {
            db.close();
            resolve(c.result);
          };
          c.onerror = () => reject(c.error);
        };
      }),
  );

/** The execution context id of the extension's isolated world in `page` (its relay). */
async function relayWorld(cdp) {
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  await sleep(200);
  const ours = contexts.find((c) => c.origin === `chrome-extension://${EXTENSION_ID}` || c.name === 'Softphone Guard');
  if (!ours)
    throw new BrokenBench(
      `no isolated world of the extension in the monitored page (saw: ${contexts.map((c) => c.name || c.origin).join(', ')})`,
    );
  return ours.id;
}

/**
 * @param {{ context: import('@playwright/test').BrowserContext, worker: import('@playwright/test').Worker,
 *   pageUrl: string, observations: number }} opts `pageUrl`: a monitored page
 * @returns {Promise<{ observations: number, stored: number, seconds: number, sendSeconds: number, perSecond: number }>}
 *   `sendSeconds`: how long the page side took to post them all
 * @throws {BrokenBench} when the relay's world cannot be found or nothing is stored
 */
export async function measureWriteRate({ context, worker, pageUrl, observations }) {
  const page = await context.newPage();
  try {
    if (!(await loadProbed(page, pageUrl))) throw new BrokenBench('the probe is missing on the monitored page');
    const cdp = await context.newCDPSession(page);
    const world = await relayWorld(cdp);
    await sleep(500); // the relay's own hello and the worker's config push
    const base = await countEvents(worker);
    const t0 = Date.now();
    const sent = await cdp.send('Runtime.evaluate', {
      contextId: world,
      awaitPromise: true,
      returnByValue: true,
      expression: `(async () => {
        const port = chrome.runtime.connect({ name: 'sg-relay' });
        const n = ${Number(observations)};
        const at0 = Date.now();
        for (let i = 0; i < n; i++) {
          port.postMessage({ type: 'obs', obs: { type: 'http', at: at0 + i, requestId: 'bench-' + i, transport: 'fetch',
            method: 'GET', url: location.origin + '/api/v2/bench?i=' + (i % 100), status: 200, durationMs: 3, protected: true } });
          if (i % 500 === 499) await new Promise((r) => setTimeout(r, 0));
        }
        globalThis.__sgBenchPort = port;
        return n;
      })()`,
    });
    if (sent.exceptionDetails) throw new BrokenBench(`sending observations failed: ${sent.exceptionDetails.text}`);
    const sendSeconds = (Date.now() - t0) / 1000;
    let stored = 0;
    let lastChangeAt = Date.now();
    const end = Date.now() + 120_000;
    while (Date.now() < end) {
      const n = (await countEvents(worker)) - base;
      if (n !== stored) {
        stored = n;
        lastChangeAt = Date.now();
      }
      if (stored >= observations || Date.now() - lastChangeAt > 3000) break;
      await sleep(20);
    }
    if (stored === 0) throw new BrokenBench('no observation sent on the relay port was stored');
    const seconds = (lastChangeAt - t0) / 1000;
    await cdp.detach().catch(() => undefined);
    return { observations, stored, seconds, sendSeconds, perSecond: stored / seconds };
  } finally {
    await page.close();
  }
}

/**
 * Adds `n` events for `tabId` to the store, from the worker, as the e2e tests seed it
 * (tests/support/event-store.mjs): a mix of 429s, 1006 closes, reconnects and quality samples,
 * one every 5 s back from now.
 */
export async function seedEvents(worker, tabId, n) {
  await seedStore(worker, 'events', troubledHistory(tabId, n));
}

/**
 * First render of an extension page: ms from navigation start (performance.now() in the page)
 * to the first animation frame in which `ready` holds. Null when it never does in 30 s.
 * @param {{ selector: string, text?: string }} ready the page has rendered once an element matches
 *   `selector` (and its text the regular expression `text`)
 */
async function firstRender(context, url, ready) {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page
      .waitForFunction(
        ({ selector, text }) => {
          // Extension pages forbid eval (MV3 CSP): the condition is data, not code.
          const hit = [...document.querySelectorAll(selector)].some((el) => !text || new RegExp(text).test(el.textContent ?? ''));
          if (!hit) return false;
          window.__sgFirstRender ??= performance.now();
          return true;
        },
        ready,
        { polling: 'raf', timeout: 30_000 },
      )
      .catch(() => null);
    if (!handle) return null;
    return page.evaluate(() => window.__sgFirstRender);
  } finally {
    await page.close();
  }
}

/** The footer's stored-events line: the worker's state has arrived and been rendered. */
const POPUP_READY = { selector: '.popup__events' };
/** The timeline's status line says how many events are stored once its first page was read. */
const DIAGNOSTICS_READY = { selector: '.timeline__status', text: 'stored' };

/**
 * Popup and diagnostics first render, before and after seeding `events` events for the
 * session of `tabId`, `repeats` times each (median).
 * @returns {Promise<{ events: number, popup: { emptyMs: number|null, fullMs: number|null },
 *   diagnostics: { built: boolean, emptyMs: number|null, fullMs: number|null } }>}
 */
export async function measureFirstRender({ context, worker, tabId, events, repeats, diagnosticsBuilt }) {
  const popupUrl = `chrome-extension://${EXTENSION_ID}/extension/popup/index.html`;
  const diagUrl = `chrome-extension://${EXTENSION_ID}/extension/diagnostics/index.html?tab=${tabId}`;
  const sample = async (url, ready) => {
    const xs = [];
    for (let i = 0; i < repeats; i++) {
      const v = await firstRender(context, url, ready);
      if (v !== null) xs.push(v);
    }
    return xs.length ? median(xs) : null;
  };
  const before = await countEvents(worker);
  const popupEmpty = await sample(popupUrl, POPUP_READY);
  const diagEmpty = diagnosticsBuilt ? await sample(diagUrl, DIAGNOSTICS_READY) : null;
  await seedEvents(worker, tabId, events);
  const after = await countEvents(worker);
  const popupFull = await sample(popupUrl, POPUP_READY);
  const diagFull = diagnosticsBuilt ? await sample(diagUrl, DIAGNOSTICS_READY) : null;
  return {
    events,
    storedBefore: before,
    storedAfter: after,
    popup: { emptyMs: popupEmpty, fullMs: popupFull },
    diagnostics: { built: diagnosticsBuilt, emptyMs: diagEmpty, fullMs: diagFull },
  };
}
