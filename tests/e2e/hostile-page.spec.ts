/**
 * Hostile page: the relay boundary under fuzzing in real Chromium with the built extension.
 * A monitored page posts thousands of fast-check envelopes (arbitrary `msg`, `__proto__` keys,
 * huge strings, deep nesting, wrong types, valid-looking but out-of-range fields) on the page
 * channel from its MAIN world, then floods one observation type. The service worker's event
 * store (IndexedDB, read from an extension page) must hold nothing that does not parse; the
 * worker must still answer and still record a real event sent afterwards; its
 * `Object.prototype` must be untouched; and during a flood of one type, legitimate events of
 * every other type must all be stored.
 *
 * Two places to post. The probe hands the relay a private `MessagePort` at document_start,
 * before any page script (extension/page/handshake.ts), and the relay listens on nothing else:
 * whatever the page posts on the window, valid or not, never reaches the worker, and a flood
 * costs the page's own observations nothing. The relay still gates what comes on the port as
 * hostile, since the probe runs in the page's world: the fuzzing and the rate limit are
 * exercised by posting on the probe's own end of the port, which an init script (run by
 * Chromium before the document_start content scripts, fixtures/hostile/poster.js) can keep and
 * a page script cannot — the stand-in for a probe whose world was compromised before it ran.
 *
 * Same-type events during a flood on the probe's port: the relay's rate buckets are per
 * observation type (src/protocol/admit.ts), so a flood of forged `http` observations also
 * rate-limits the probe's real `http` observations while it lasts (both come from the same
 * port). The test records that and checks they are stored again once the flood stops.
 */
import { expect, test as base } from './support/fixture';
import type { BrowserContext, Page } from '@playwright/test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTENSION_ID } from '../support/browser.mjs';
import type { FixtureServer } from './fixtures/probe/fixture-server';
import { hostileEnvelopes } from './support/hostile-messages';
import { PageObservationSchema } from '../../src/protocol/page';
import type { StateResponse, StoredEvent } from '../../src/protocol/ui';
import { PAGE_RATE_BURST, PAGE_RATE_PER_SECOND } from '../../src/protocol/admit';
import { WORKER_EVENT_TYPES as WORKER_EVENT_TYPES_LIST } from '../../src/session/types';

const POSTER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hostile', 'poster.js');

/** Event types the worker itself stores besides page observations (src/session/types.ts `WorkerEvent`, `tick` never stored). */
const WORKER_EVENT_TYPES: readonly string[] = WORKER_EVENT_TYPES_LIST;
const PAGE_TYPES = PageObservationSchema.options.map((o) => o.shape.type.value as string);

/** An extension page to ask the worker and read its database from. */
const test = base.extend<{ ext: Page }>({
  ext: async ({ context }, use) => {
    const ext = await context.newPage();
    await ext.goto(`chrome-extension://${EXTENSION_ID}/extension/options/index.html`);
    await use(ext);
  },
});

// One browser (and so one event store) for the file.
test.use({ shareBrowser: true });
test.describe.configure({ timeout: 180_000 });

const getState = (ext: Page): Promise<StateResponse> => ext.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));

/** Every stored event, read straight from the worker's database (never creating it). */
async function storedEvents(ext: Page): Promise<StoredEvent[]> {
  return ext.evaluate(
    () =>
      new Promise<StoredEvent[]>((resolve, reject) => {
        const open = indexedDB.open('softphone-guard');
        // Not created yet: leave its creation to the worker.
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          try {
            const req = db.transaction('events').objectStore('events').getAll();
            req.onsuccess = () => {
              db.close();
              resolve(req.result as StoredEvent[]);
            };
            req.onerror = () => {
              db.close();
              reject(req.error);
            };
          } catch (error) {
            db.close();
            reject(error);
          }
        };
      }),
  );
}

/**
 * Where the hostile messages go: `window` (any page script can post there; the relay does not
 * listen), `probe-port` (the probe's own end of its channel, held by an init script: every
 * message meets the relay's gate).
 */
type HostileTarget = 'window' | 'probe-port';

/** Opens the monitored fixture page with the hostile sender, once its session is live in the worker. */
async function openHostilePage(
  { context, server, ext }: { context: BrowserContext; server: FixtureServer; ext: Page },
  target: HostileTarget,
): Promise<Page> {
  const page = await context.newPage();
  if (target === 'probe-port') await page.addInitScript(() => ((window as { __hostileOnPort?: boolean }).__hostileOnPort = true));
  await page.addInitScript({ path: POSTER });
  await page.goto(`${server.origin}/`);
  await expect
    .poll(async () => (await getState(ext)).sessions.some((s) => s.alive && s.href?.startsWith(server.origin)), {
      message: 'session live',
      timeout: 30_000,
    })
    .toBe(true);
  return page;
}

/** A real socket of the page opened and closed by the server with `code`. */
const realClose = (page: Page, code: number): Promise<void> =>
  page.evaluate(
    ({ wsOrigin, code: c }) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(`${wsOrigin}/ws?legit=${c}`);
        ws.onopen = () => ws.send(`close:${c}:legit`);
        ws.onclose = () => resolve();
      }),
    { wsOrigin: new URL(page.url()).origin.replace(/^http/, 'ws'), code },
  );

function expectAllKnownAndValid(events: StoredEvent[]): void {
  for (const e of events) {
    const known = PAGE_TYPES.includes(e.type) || WORKER_EVENT_TYPES.includes(e.type);
    expect(known, `stored event of unknown type: ${JSON.stringify(e).slice(0, 300)}`).toBe(true);
    expect(Object.getPrototypeOf(e.data) === Object.prototype, 'plain data').toBe(true);
    if (PAGE_TYPES.includes(e.type)) {
      const parsed = PageObservationSchema.safeParse({ ...e.data, type: e.type, at: e.at });
      expect(parsed.success, `${JSON.stringify(e).slice(0, 300)}: ${parsed.error?.message ?? ''}`).toBe(true);
    }
    expect(JSON.stringify(e).length, 'bounded size').toBeLessThan(16 * 1024);
  }
}

/** Posts the fuzzed envelopes in batches; a batch cut by a (forged-observation) safe reload goes on in the new document. */
async function postFuzz(page: Page, envelopes: string[]): Promise<{ posted: number; refused: number; navigations: number }> {
  let posted = 0;
  let refused = 0;
  let navigations = 0;
  for (let i = 0; i < envelopes.length; i += 250) {
    const batch = envelopes.slice(i, i + 250);
    try {
      const r = await page.evaluate(
        (texts) => (window as unknown as { __hostile: { post(t: string[]): { posted: number; refused: number } } }).__hostile.post(texts),
        batch,
      );
      posted += r.posted;
      refused += r.refused;
    } catch (error) {
      // A forged observation the schema accepts may make the worker reload the tab (a safe
      // reload: what the page could do to itself anyway). Go on in the new document.
      if (!/context was destroyed|navigat/i.test(String(error))) throw error;
      navigations += 1;
      await page.waitForLoadState('load');
      await page.waitForFunction(() => '__hostile' in window);
    }
  }
  return { posted, refused, navigations };
}

/** Valid observations a page script forges on the window, each with a mark to look for in the store. */
const forgedValid = (origin: string, wsOrigin: string): Record<string, unknown>[] => [
  { type: 'hello', at: Date.now(), href: 'https://evil.example/', probeVersion: '9.9.9' },
  { type: 'ws-close', at: Date.now(), socketId: 'forged-s', url: `${wsOrigin}/forged`, code: 4999, reason: 'forged', wasClean: false },
  {
    type: 'http',
    at: Date.now(),
    requestId: 'forged-r',
    transport: 'fetch',
    method: 'GET',
    url: `${origin}/forged`,
    status: 401,
    durationMs: 1,
    protected: true,
  },
];
const isForged = (e: StoredEvent): boolean =>
  e.data.href === 'https://evil.example/' || e.data.socketId === 'forged-s' || e.data.requestId === 'forged-r';

test('nothing the page posts on the window reaches the worker', async ({ context, ext, fixtureServer: server }) => {
  const page = await openHostilePage({ context, server, ext }, 'window');
  const fuzz = await postFuzz(page, hostileEnvelopes(3000, 0xf0e));
  expect(fuzz.posted).toBeGreaterThan(2000);
  const forged = forgedValid(server.origin, server.wsOrigin);
  await page.evaluate(
    (msgs) => msgs.forEach((msg) => window.postMessage({ channel: 'softphone-guard', v: 1, dir: 'to-ext', msg }, '*')),
    forged,
  );

  // The probe's own observations still arrive: a real close after the forgeries is stored.
  await realClose(page, 4322);
  await expect
    .poll(async () => (await storedEvents(ext)).some((e) => e.type === 'ws-close' && e.data.code === 4322), { timeout: 30_000 })
    .toBe(true);
  const events = await storedEvents(ext);
  expectAllKnownAndValid(events);
  expect(events.filter(isForged)).toEqual([]);
  // Valid-looking forged closes and 401s could have made the worker reload the tab; none did.
  expect(fuzz.navigations).toBe(0);
  test.info().annotations.push({
    type: 'fuzz',
    description: `${fuzz.posted} envelopes and ${forged.length} valid forgeries posted on the window, none stored`,
  });
  await page.close();
});

test('fuzzed messages on the probe’s own port: nothing invalid is stored, the worker answers and records what follows', async ({
  context,
  worker,
  ext,
  fixtureServer: server,
}) => {
  const page = await openHostilePage({ context, server, ext }, 'probe-port');
  const { posted, refused, navigations } = await postFuzz(page, hostileEnvelopes(3000, 0x5eed));
  const reloads = (await storedEvents(ext)).filter((e) => e.type === 'safe-reload').map((e) => e.data.cause);
  test.info().annotations.push({
    type: 'fuzz',
    description: `${posted} envelopes posted, ${refused} refused by structured clone, ${navigations} batches cut by a reload (safe reloads: ${JSON.stringify(reloads)})`,
  });
  expect(posted).toBeGreaterThan(2000);

  // A forged hello naming another address: the session keeps the document's own.
  await page.evaluate(() =>
    (window as unknown as { __hostileSend(m: unknown): void }).__hostileSend({
      channel: 'softphone-guard',
      v: 1,
      dir: 'to-ext',
      msg: { type: 'hello', at: Date.now(), href: 'https://evil.example/', probeVersion: '9.9.9' },
    }),
  );

  // A real close after the fuzz: once it is stored, everything posted before it was handled
  // (one port, one ingest chain).
  await realClose(page, 4321);
  await expect
    .poll(async () => (await storedEvents(ext)).some((e) => e.type === 'ws-close' && e.data.code === 4321), {
      timeout: 30_000,
      message: 'legitimate close stored',
    })
    .toBe(true);

  const events = await storedEvents(ext);
  expectAllKnownAndValid(events);
  expect(events.filter((e) => e.type === 'hello').map((e) => e.data.href)).not.toContain('https://evil.example/');
  // The worker answers, and the session's address is the document's, whatever `hello` the page forged.
  await expect
    .poll(async () => (await getState(ext)).sessions.filter((s) => s.alive).map((s) => s.href), { timeout: 30_000 })
    .toContain(`${server.origin}/`);

  const proto = await worker.evaluate(() => ({
    names: Object.getOwnPropertyNames(Object.prototype).sort(),
    symbols: Object.getOwnPropertySymbols(Object.prototype).length,
    probe: ({} as Record<string, unknown>).polluted ?? null,
    protoOfPlain: Object.getPrototypeOf({}) === Object.prototype,
  }));
  expect(proto).toEqual({
    names: [
      '__defineGetter__',
      '__defineSetter__',
      '__lookupGetter__',
      '__lookupSetter__',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'isPrototypeOf',
      'propertyIsEnumerable',
      'toLocaleString',
      'toString',
      'valueOf',
    ],
    symbols: 0,
    probe: null,
    protoOfPlain: true,
  });
  await page.close();
});

for (const channel of ['probe-port', 'window'] as const) {
  const title =
    channel === 'probe-port'
      ? 'probe port: a flood of one type is rate-limited; other types are all stored meanwhile'
      : 'window: a flood on the window is not forwarded at all; the page’s own observations, same type included, are all stored';
  test(title, async ({ context, ext, fixtureServer: server }) => {
    // Statuses of the page's own requests, distinct per channel (one store for both tests).
    const duringStatus = channel === 'probe-port' ? 404 : 410;
    const afterStatus = channel === 'probe-port' ? 418 : 417;
    const page = await openHostilePage({ context, server, ext }, channel);
    const flooded = (events: StoredEvent[]): StoredEvent[] =>
      events.filter((e) => e.type === 'http' && String(e.data.requestId).startsWith('flood-'));
    // One store for both channels' tests: only what this test adds counts.
    const startSeq = Math.max(0, ...(await storedEvents(ext)).map((e) => e.seq ?? 0));
    const codeBase = channel === 'probe-port' ? 4400 : 4410;
    const sentinel = channel === 'probe-port' ? 4499 : 4498;

    const result = await page.evaluate(
      async ({ wsOrigin, origin, during, codeBase }) => {
        let sent = 0;
        let flooding = true;
        const started = performance.now();
        const flood = (async () => {
          while (flooding) {
            for (let i = 0; i < 200; i += 1) {
              sent += 1;
              (window as unknown as { __hostileSend(m: unknown): void }).__hostileSend({
                channel: 'softphone-guard',
                v: 1,
                dir: 'to-ext',
                msg: {
                  type: 'http',
                  at: Date.now(),
                  requestId: `flood-${sent}`,
                  transport: 'fetch',
                  method: 'GET',
                  url: `${origin}/flood`,
                  status: 500,
                  durationMs: 1,
                  protected: false,
                },
              });
            }
            await new Promise((r) => setTimeout(r, 10));
          }
        })();
        // Legitimate traffic of other types while the flood runs: sockets and peer connections.
        const codes: number[] = [];
        for (let k = 0; k < 4; k += 1) {
          const code = codeBase + k;
          await new Promise<void>((resolve) => {
            const ws = new WebSocket(`${wsOrigin}/ws?during=${k}`);
            ws.onopen = () => ws.send(`close:${code}:during flood`);
            ws.onclose = () => resolve();
          });
          codes.push(code);
          const pc = new RTCPeerConnection();
          pc.close();
          await new Promise((r) => setTimeout(r, 150));
        }
        // The page's own http observation during the flood (a real 404).
        const sameType = await fetch(`/plain/${during}`).then((r) => r.status);
        await new Promise((r) => setTimeout(r, 300));
        flooding = false;
        await flood;
        return { sent, seconds: (performance.now() - started) / 1000, codes, sameType };
      },
      { wsOrigin: server.wsOrigin, origin: server.origin, during: duringStatus, codeBase },
    );
    expect(result.sent).toBeGreaterThan(2000);
    expect(result.sameType).toBe(duringStatus);

    // After the flood, a real close: the sentinel that everything before it was handled.
    await realClose(page, sentinel);
    await expect
      .poll(async () => (await storedEvents(ext)).some((e) => e.type === 'ws-close' && e.data.code === sentinel), { timeout: 30_000 })
      .toBe(true);
    const all = await storedEvents(ext);
    expectAllKnownAndValid(all);
    const events = all.filter((e) => (e.seq ?? 0) > startSeq);

    // Every legitimate socket close and peer connection state of the flood window was stored.
    for (const code of result.codes)
      expect(
        events.some((e) => e.type === 'ws-close' && e.data.code === code),
        `ws-close ${code}`,
      ).toBe(true);
    // Stored URLs keep no query (minimised at ingest): the opens are those of the closed sockets.
    const duringSockets = new Set(
      events.filter((e) => e.type === 'ws-close' && result.codes.includes(Number(e.data.code))).map((e) => e.data.socketId),
    );
    const opens = events.filter((e) => e.type === 'ws-open' && duringSockets.has(e.data.socketId));
    expect(opens.length).toBe(4);
    const pcClosed = events.filter((e) => e.type === 'pc-state' && e.data.signalingState === 'closed');
    expect(pcClosed.length).toBeGreaterThanOrEqual(4);

    const admitted = flooded(events).length;
    const bound = PAGE_RATE_BURST + PAGE_RATE_PER_SECOND * (result.seconds + 1);
    const sameTypeStored = events.some((e) => e.type === 'http' && e.data.status === duringStatus);
    if (channel === 'probe-port') {
      // The flood itself got through only at the bucket's rate: burst + rate × duration (+1 s slack).
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThanOrEqual(bound);
    } else {
      // Nothing of it: the relay does not listen on the window; the page's own request is not crowded out.
      expect(admitted).toBe(0);
      expect(sameTypeStored).toBe(true);
    }
    test.info().annotations.push({
      type: 'flood',
      description: `${channel} channel: ${result.sent} forged http observations in ${result.seconds.toFixed(1)} s, ${admitted} admitted (probe-port bound ${Math.round(bound)}); the page's own ${duringStatus} during the flood was ${sameTypeStored ? 'stored' : 'rate-limited with the flood'}`,
    });

    // Once the flood stops the bucket refills and the page's own http observations are stored again.
    await page.waitForTimeout(1000);
    await page.evaluate((status) => fetch(`/plain/${status}?after=1`).then((r) => r.status), afterStatus);
    await expect
      .poll(async () => (await storedEvents(ext)).some((e) => e.type === 'http' && e.data.status === afterStatus), { timeout: 30_000 })
      .toBe(true);
    await page.close();
  });
}
