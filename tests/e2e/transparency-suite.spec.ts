/**
 * Transparency suite: the same assertions (tests/e2e/fixtures/transparency/suite.js) run in
 * one browser on a page with the browser's natives — an origin the extension does not monitor,
 * `http://127.0.0.2:<port>` — and on the same page on a monitored origin,
 * `http://127.0.0.1:<port>`, where the probe wraps WebSocket, fetch, XMLHttpRequest and
 * RTCPeerConnection. Every result must be equal: any difference is one the page could see.
 *
 * Then the same with a page that wraps those APIs itself (fixtures/transparency/page-wrapper.js),
 * once before the probe (an init script: Chromium runs it ahead of document_start content
 * scripts, as another extension's or a loader's earlier wrapper would be) and once after it
 * (a script added once the page has loaded): the page's wrapper still sees every call, the
 * probe still observes, and results equal those of the page's wrapper over the natives.
 *
 * Pages whose first script is the test's (fixtures/transparency/first-*.html) check what the page
 * could notice of the probe from its very start: its globals, messages, zod, patched
 * built-ins, and the stacks of errors the wrapped natives raise.
 *
 * Also: a second copy of the probe injected into a wrapped page changes nothing, and a sanity
 * test checks on the native page that the suite really exercises what it compares (binary
 * frames, subprotocols, listener order, streaming, redirects, legacy callbacks, a connected
 * call), so the comparisons cannot pass by both sides failing alike.
 *
 * The server is tests/e2e/support/transparency-server.ts (both origins, one port).
 */
import { expect, test as base } from './support/fixture';
import type { BrowserContext, Page } from '@playwright/test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { DIST } from '../support/browser.mjs';
import { hasProbe } from './support/probe-marker';
import { startTransparencyServer } from './support/transparency-server';
import type { TransparencyServer } from './support/transparency-server';
import { PageObservationSchema } from '../../src/protocol/page';

const HERE = dirname(fileURLToPath(import.meta.url));
const RECORDER = join(HERE, 'fixtures', 'probe', 'sg-recorder.js');
const PAGE_WRAPPER = join(HERE, 'fixtures', 'transparency', 'page-wrapper.js');
const SECTIONS = ['shape', 'websocket', 'fetch', 'xhr', 'rtc'] as const;
type Section = (typeof SECTIONS)[number];
type Wrapping = 'none' | 'before' | 'after';

/** The fixture page on the origin the extension leaves alone and on the one it monitors. */
interface Pages {
  native: Page;
  wrapped: Page;
}

const test = base.extend<{ server: TransparencyServer; wrapping: Wrapping; pages: Pages }>({
  // One server for the file, as the browser.
  server: async ({ fileScope }, use, testInfo) => {
    await use(await fileScope.get(testInfo, 'transparency-server', startTransparencyServer, (s) => s.close()));
  },
  wrapping: ['none', { option: true }],
  // The two pages of a `wrapping` serve all its tests; another wrapping closes them.
  pages: async ({ context, server, wrapping, fileScope }, use, testInfo) => {
    for (const other of ['none', 'before', 'after'].filter((w) => w !== wrapping)) await fileScope.release(`pages ${other}`);
    const open = async (): Promise<Pages> => ({
      native: await openPage(context, server.native, wrapping),
      wrapped: await openPage(context, server.wrapped, wrapping),
    });
    const close = async ({ native, wrapped }: Pages): Promise<void> => {
      await native.close();
      await wrapped.close();
    };
    await use(await fileScope.get(testInfo, `pages ${wrapping}`, open, close));
  },
});

test.use({ shareBrowser: true });

test.describe.configure({ timeout: 180_000 });

/** Opens the fixture page at `origin`, with the probe-channel recorder and the page's own wrapper as asked. */
async function openPage(context: BrowserContext, origin: string, wrapping: Wrapping): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ path: RECORDER });
  if (wrapping === 'before') await page.addInitScript({ path: PAGE_WRAPPER });
  await page.goto(`${origin}/page`);
  await page.waitForFunction(() => 'transparencySuite' in window);
  if (wrapping === 'after') await page.addScriptTag({ url: `${origin}/page-wrapper.js` });
  return page;
}

const run = (page: Page, section: Section): Promise<unknown> =>
  page.evaluate(
    (name) => (window as unknown as { transparencySuite: { run(n: string): Promise<unknown> } }).transparencySuite.run(name),
    section,
  );

interface Observation {
  type: string;
  [key: string]: unknown;
}

async function observations(page: Page): Promise<Observation[]> {
  return page.evaluate(() => {
    const sg = (window as unknown as { __sg: { envelopes: { dir: string; msg: Observation }[] } }).__sg;
    return sg.envelopes.filter((e) => e.dir === 'to-ext').map((e) => e.msg);
  });
}

const wrapperCalls = (page: Page): Promise<Record<string, number>> =>
  page.evaluate(() => (window as unknown as { __pageWrapper: { calls: Record<string, number> } }).__pageWrapper.calls);

for (const wrapping of ['none', 'before', 'after'] as const) {
  test.describe(`page wrapper: ${wrapping}`, () => {
    test.use({ wrapping });

    test('the probe runs on the monitored origin only, in the intended order', async ({ pages: { native, wrapped } }) => {
      expect(await hasProbe(native)).toBe(false);
      expect(await hasProbe(wrapped)).toBe(true);
      await expect.poll(async () => (await observations(wrapped)).filter((o) => o.type === 'hello').length).toBe(1);
      expect((await observations(native)).length).toBe(0);
      if (wrapping !== 'none') {
        const installedWithProbe = await wrapped.evaluate(
          () => (window as unknown as { __pageWrapper: { installedWithProbe: boolean } }).__pageWrapper.installedWithProbe,
        );
        expect(installedWithProbe).toBe(wrapping === 'after');
      }
    });

    for (const section of SECTIONS) {
      test(`${section}: wrapped equals native`, async ({ pages: { native, wrapped } }) => {
        const before = (await observations(wrapped)).length;
        const callsBefore = wrapping === 'none' ? null : [await wrapperCalls(native), await wrapperCalls(wrapped)];
        // One page at a time: the two runs must not compete for the server or the CPU.
        const nativeResult = await run(native, section);
        const wrappedResult = await run(wrapped, section);
        expect(JSON.stringify(nativeResult)).not.toContain('timeout:');
        expect(wrappedResult).toEqual(nativeResult);

        // The probe observed the run (so the equality above was of wrapped APIs).
        const seen = (await observations(wrapped)).slice(before);
        for (const o of seen) expect(PageObservationSchema.safeParse(o).success, JSON.stringify(o)).toBe(true);
        const types = new Set(seen.map((o) => o.type));
        if (section === 'websocket') expect([...types]).toEqual(expect.arrayContaining(['ws-open', 'ws-close']));
        if (section === 'fetch' || section === 'xhr') expect(types.has('http')).toBe(true);
        if (section === 'rtc') expect(types.has('pc-state')).toBe(true);

        if (callsBefore !== null) {
          // The page's wrapper saw the page's calls on both pages alike. Where the page wrapped
          // first, the probe captured the page's getStats and addEventListener as its natives,
          // so that wrapper also counts the probe's own listeners and stats polls.
          const [n0, w0] = callsBefore as [Record<string, number>, Record<string, number>];
          const n1 = await wrapperCalls(native);
          const w1 = await wrapperCalls(wrapped);
          for (const key of Object.keys(n1)) {
            const nativeDelta = n1[key]! - n0[key]!;
            const wrappedDelta = w1[key]! - w0[key]!;
            if (wrapping === 'before' && (key === 'getStats' || key === 'addEventListener'))
              expect(wrappedDelta, key).toBeGreaterThanOrEqual(nativeDelta);
            else expect(wrappedDelta, key).toBe(nativeDelta);
          }
        }
      });
    }
  });
}

test('a second copy of the probe in the same page wraps nothing again, and the window gets no new property', async ({
  context,
  server,
  worker,
}) => {
  const scripts = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
  const probeFile = scripts.find((s) => s.world === 'MAIN')?.js?.[0];
  expect(probeFile).toBeTruthy();
  const page = await openPage(context, server.wrapped, 'none');
  const before = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    (w as { __kept?: unknown[] }).__kept = [window.fetch, window.WebSocket, Function.prototype.toString, XMLHttpRequest.prototype.open];
    return Reflect.ownKeys(window).length;
  });
  await page.addScriptTag({ content: readFileSync(join(DIST, probeFile as string), 'utf8') });
  const after = await page.evaluate(async () => {
    const kept = (window as unknown as { __kept: unknown[] }).__kept;
    const same = [window.fetch, window.WebSocket, Function.prototype.toString, XMLHttpRequest.prototype.open].map((f, i) => f === kept[i]);
    await fetch('/nothing-here-once');
    return { same, keys: Reflect.ownKeys(window).length };
  });
  expect(after).toEqual({ same: [true, true, true, true], keys: before });
  await expect
    .poll(async () => (await observations(page)).filter((o) => o.type === 'http' && String(o.url).endsWith('/nothing-here-once')).length)
    .toBe(1);
  await page.waitForTimeout(300);
  expect((await observations(page)).filter((o) => o.type === 'hello').length).toBe(1);
  await page.close();
});

test('sanity: the suite exercises what it claims on the native page', async ({ context, server }) => {
  // Guards the comparisons above against both sides failing the same way.
  const page = await openPage(context, server.native, 'none');
  const ws = (await run(page, 'websocket')) as Record<string, unknown[][]>;
  expect(ws.binary).toContainEqual(['recv-ab', ['ArrayBuffer', '090807']]);
  expect(ws.binary).toContainEqual(['recv-default', ['Blob', '', 4, '010203fa']]);
  expect(ws.binary?.find((e) => e[0] === 'open')?.[5]).toBe('v2.proto');
  expect(ws.binary?.find((e) => e[0] === 'open')?.[6]).toContain('permessage-deflate');
  expect(ws.binary?.at(-1)?.slice(0, 6)).toEqual(['close', 'CloseEvent', 4001, 'client bye ✓', true, true]);
  expect(ws.dropped?.at(-1)?.[2]).toBe(1006);
  const calls = ws.listeners?.find((e) => e[0] === 'calls')?.[1] as unknown[][];
  expect(calls.slice(0, 6)).toEqual([
    ['a', 'echo:one', 2, true],
    ['on', 'echo:one', 'function'],
    ['obj', 'echo:one', true],
    ['once', 'echo:one'],
    ['stopper', 'echo:one'],
    ['after-stopper', 'echo:one'],
  ]);
  expect(calls).toContainEqual(['stopper', 'echo:stop']);
  expect(calls).not.toContainEqual(['after-stopper', 'echo:stop']);
  expect(calls.at(-1)).toEqual(['after-stopper', 'synthetic']);
  const f = (await run(page, 'fetch')) as { plain: { streaming: unknown; redirect: Record<string, unknown> } };
  expect(f.plain.streaming).toEqual(['resolved', { chunks: [false, 'part-1;'], rest: 'part-2;part-3;', bodyUsed: true, locked: true }]);
  expect(f.plain.redirect['init-manual']).toMatchObject(['resolved', { type: 'opaqueredirect', status: 0 }]);
  expect(f.plain.redirect['init-error']).toMatchObject(['rejected', expect.stringContaining('TypeError')]);
  const rtc = (await run(page, 'rtc')) as Record<string, unknown>;
  expect(rtc.legacyOffer).toEqual(['success', 'Object', 'offer', 'string', true]);
  expect(rtc.states).toEqual(['connected', 'connected', 'stable', true]);
  expect(rtc.gum).toEqual(['resolved', [true, [['audio', 'live', true, true]], 'ended']]);
  expect(rtc.events).toContainEqual(['ontrack', 'RTCTrackEvent', 'audio', 0, true]);
  await page.close();
});

// --- Pages whose first script watches for the probe (issue 17) -------------------------------

/** A fresh token no page function may see; distinct per test run. */
const freshToken = (): string => `fresh-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * Opens `/first/<name>` at `origin` with the channel recorder (the same on both origins), which
 * answers the probe's `token-needed` with `fresh` — set by an init script, before any page
 * script, so the token never passes through the page's functions on its way in.
 */
async function openFirst(context: BrowserContext, origin: string, name: string, fresh: string | null = null): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ path: RECORDER });
  if (fresh !== null) {
    await page.addInitScript((token) => {
      (window as unknown as { __sg: { answer: unknown } }).__sg.answer = (m: { requestId: string }) => ({
        type: 'token',
        requestId: m.requestId,
        accessToken: token,
      });
    }, fresh);
  }
  await page.goto(`${origin}/first/${name}`);
  await page.waitForLoadState('load');
  return page;
}

/** Waits until the relay's configuration reached the probe of `page` (the real exchange worked). */
async function configured(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() =>
        (window as unknown as { __sg: { envelopes: { dir: string; msg: { type: string } }[] } }).__sg.envelopes.some(
          (e) => e.dir === 'to-page' && e.msg.type === 'config',
        ),
      ),
    )
    .toBe(true);
}

/** A protected request with a stale token, by fetch (header or query) or XHR: the status the page gets. */
const staleRequest = (page: Page, how: 'fetch-header' | 'fetch-query' | 'xhr', stale: string): Promise<number> =>
  page.evaluate(
    async ({ how, stale }) => {
      if (how === 'fetch-header') return (await fetch('/api/v2/auth/check', { headers: { Authorization: `Bearer ${stale}` } })).status;
      if (how === 'fetch-query') return (await fetch(`/api/v2/auth/check?access_token=${stale}`)).status;
      return new Promise<number>((resolve) => {
        const x = new XMLHttpRequest();
        x.open('GET', '/api/v2/auth/check');
        x.setRequestHeader('Authorization', `Bearer ${stale}`);
        x.onloadend = () => resolve(x.status);
        x.send();
      });
    },
    { how, stale },
  );

test('the window, the document and the wrapped APIs’ prototypes enumerate as without the probe, before and after load', async ({
  context,
  server,
}) => {
  const native = await openFirst(context, server.native, 'globals');
  const wrapped = await openFirst(context, server.wrapped, 'globals');
  expect(await hasProbe(wrapped)).toBe(true);
  await configured(wrapped);
  // The probe at work meanwhile: a request, a socket, a peer connection.
  const work = (page: Page): Promise<unknown> =>
    page.evaluate(async () => {
      await fetch('/api/v2/echo').then((r) => r.text());
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`);
        ws.onopen = () => ws.send('close:1000:bye');
        ws.onclose = () => resolve();
      });
      new RTCPeerConnection().close();
      type Shapes = { first: unknown; load: unknown };
      const w = window as unknown as { __shapes: Shapes; __shape(): unknown };
      return { ...w.__shapes, late: w.__shape() };
    });
  const nativeShapes = await work(native);
  const wrappedShapes = await work(wrapped);
  expect(wrappedShapes).toEqual(nativeShapes);
  expect(JSON.stringify(wrappedShapes)).not.toContain('zod');
  await native.close();
  await wrapped.close();
});

test('a page’s first script hears nothing of the probe: no message, no handshake event, no port', async ({ context, server }) => {
  const fresh = freshToken();
  server.validTokens.add(fresh);
  const page = await openFirst(context, server.wrapped, 'listener', fresh);
  expect(await hasProbe(page)).toBe(true);
  await configured(page);
  // The probe works meanwhile: a 401 is retried with the fresh token sent to it.
  expect(await staleRequest(page, 'fetch-header', 'stale-listener')).toBe(200);
  await page.evaluate(() => new RTCPeerConnection().close());
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __heard: unknown[] }).__heard)).toEqual([]);
  // The listeners work: the page's own message is heard.
  await page.evaluate(() => window.postMessage('control', '*'));
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __heard: unknown[][] }).__heard))
    .toEqual([
      ['window-capture', 'message', '"control"', 0],
      ['window', 'message', '"control"', 0],
    ]);
  await page.close();
});

test('a page with its own zod 4: its z.config and z.globalRegistry are left alone, and the probe still recovers a 401', async ({
  context,
  server,
}) => {
  const fresh = freshToken();
  server.validTokens.add(fresh);
  type PageZod = { __pageZod: { before: unknown; snapshot(): unknown; parse(v: unknown): string } };
  const read = async (page: Page): Promise<unknown> => {
    await page.waitForFunction(() => '__pageZod' in window);
    return page.evaluate(() => {
      const z = (window as unknown as PageZod).__pageZod;
      return { before: z.before, after: z.snapshot(), message: z.parse({ a: 1 }) };
    });
  };
  const native = await openFirst(context, server.native, 'zod', fresh);
  const wrapped = await openFirst(context, server.wrapped, 'zod', fresh);
  await configured(wrapped);
  // The probe recovers a 401 after the page configured its zod, as it would without it.
  expect(await staleRequest(wrapped, 'fetch-header', 'stale-zod')).toBe(200);
  expect(await staleRequest(native, 'fetch-header', 'stale-zod')).toBe(401);
  const nativeZod = await read(native);
  expect(nativeZod).toMatchObject({ message: 'page says no', after: { registry: ['page-schema'] } });
  expect(await read(wrapped)).toEqual(nativeZod);
  await native.close();
  await wrapped.close();
});

/** What the first script of fixtures/transparency/first-patched.html replaces and records. */
const RECORDERS = [
  'Set.delete',
  'Set.add',
  'Set.has',
  'Map.get',
  'Map.set',
  'Map.has',
  'Map.delete',
  'Map.values',
  'WeakMap.get',
  'WeakMap.set',
  'Headers.set',
  'Headers.get',
  'Headers.has',
  'Headers.forEach',
  'Headers.append',
  'URLSearchParams.get',
  'URLSearchParams.set',
  'String.replace',
  'String.split',
  'String.indexOf',
  'String.slice',
  'String.startsWith',
  'String.includes',
  'String.iterator',
  'RegExp.exec',
  'RegExp.test',
  'RegExp.replace',
  'RegExp.split',
  'Array.push',
  'Array.join',
  'Array.map',
  'Array.slice',
  'Array.iterator',
  'ArrayIterator.next',
  'TextEncoder.encode',
  'Reflect.apply',
  'Reflect.construct',
  'Object.getPrototypeOf',
  'Object.keys',
  'decodeURIComponent',
  'encodeURIComponent',
  'JSON.stringify',
  'Request.url',
  'Request.headers',
  'Request[Symbol.hasInstance]',
  'Headers[Symbol.hasInstance]',
  'Object.prototype.duplex',
  'Object.prototype.then',
  'Promise.constructor',
  'then',
];

type QuietWindow = { __sgQuiet<T>(fn: () => T): T; __sgPause(): void; __seen: string[]; __controls(): void };

/** The default carriers and a socket.io-style CONNECT frame (as tests/e2e/token-carriers.spec.ts). */
const CARRIERS_WITH_FRAME = [
  { type: 'header', name: 'Authorization', scheme: 'Bearer' },
  { type: 'query', name: 'access_token' },
  { type: 'ws-message', pattern: '^40\\{"token":"((?:[^"\\\\]|\\\\.)+)"' },
];

test.describe('with a ws-message token carrier', () => {
  // The page's recorder answers the probe's `token-needed` itself; the worker, asked too, has no
  // identity endpoint for this origin and records a failed refresh. Rung 5 would then reload the
  // page whenever the worker's verdict comes before the retried request's success (a race this
  // test is not about): no reload here.
  test.use({ userConfig: { tokenCarriers: CARRIERS_WITH_FRAME, safeReload: { enabled: false } } });

  test('built-ins the page patches in its first script (strings, regular expressions, arrays and their iterator, Map, Set, WeakMap, Headers, URLSearchParams, Request getters, Reflect, URI coding, Promise.prototype.then, JSON.stringify) never see the fresh token', async ({
    context,
    server,
  }) => {
    const fresh = freshToken();
    server.validTokens.add(fresh);
    const page = await openFirst(context, server.wrapped, 'patched', fresh);
    expect(await hasProbe(page)).toBe(true);
    await configured(page);
    // Each carrier and transport: the token header of fetch and XHR, the query parameter; then
    // requests with the stale token again, substituted before they are sent.
    const statuses = [];
    for (const how of ['fetch-header', 'fetch-query', 'xhr'] as const) statuses.push(await staleRequest(page, how, `stale-${how}`));
    for (const how of ['fetch-header', 'fetch-query', 'xhr'] as const) statuses.push(await staleRequest(page, how, `stale-${how}`));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    // A Request input, its header rewritten, and a socket whose URL carries the stale token: both substituted.
    const requestStatus = await page.evaluate(
      async () => (await fetch(new Request('/api/v2/auth/check', { headers: { Authorization: 'Bearer stale-fetch-header' } }))).status,
    );
    expect(requestStatus).toBe(200);
    const socket = await page.evaluate(async () => {
      const w = window as unknown as QuietWindow;
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws?access_token=stale-fetch-query`);
      const echo = await new Promise<string>((resolve, reject) => {
        ws.onopen = () => ws.send('hello');
        ws.onmessage = (e) => resolve(String(e.data));
        ws.onerror = () => reject(new Error('socket failed'));
      });
      // A frame carrying the stale token goes out with the fresh one (the server echoes what it got).
      // Read at once, unrecorded: the page's own promise would hand the echo to the patched `then`.
      const frame = await new Promise<boolean>((resolve) => {
        ws.onmessage = (e) =>
          resolve(w.__sgQuiet(() => String(e.data).startsWith('echo:40{"token":"fresh-') && String(e.data).endsWith('"}')));
        ws.send('40{"token":"stale-fetch-query"}');
      });
      ws.close();
      const url = w.__sgQuiet(() => ws.url);
      return w.__sgQuiet(() => ({
        echo,
        fresh: url.includes('access_token=fresh-'),
        stale: url.includes('stale-'),
        frame,
      }));
    });
    expect(socket).toEqual({ echo: 'echo:hello', fresh: true, stale: false, frame: true });
    // Every recorder works: a call of each with `fresh-control` was noted.
    await page.evaluate(async () => {
      (window as unknown as QuietWindow).__controls();
      await new Promise((resolve) => setTimeout(resolve, 50));
      (window as unknown as QuietWindow).__sgPause();
    });
    const seen = await page.evaluate(() => (window as unknown as QuietWindow).__seen);
    const controls = seen.filter((s) => s.includes('fresh-control'));
    const missing = RECORDERS.filter((r) => !controls.some((s) => s.startsWith(`${r}:`) || s.startsWith(`${r}(`)));
    expect(missing).toEqual([]);
    expect(seen.filter((s) => s.includes(fresh))).toEqual([]);
    await page.close();
  });
});

test('errors raised by the wrapped natives carry the native’s stack: same frames, message and class, no extension frame', async ({
  context,
  server,
}) => {
  const native = await openFirst(context, server.native, 'errors');
  const wrapped = await openFirst(context, server.wrapped, 'errors');
  expect(await hasProbe(wrapped)).toBe(true);
  await configured(wrapped);
  type Run = { depths: number[]; limit?: number; prepare?: boolean };
  type Outcome = [string, number, string, { frames: string[]; extension: boolean } | null];
  const run = (page: Page, how: Run): Promise<Outcome[]> =>
    page.evaluate((h) => (window as unknown as { __errors: { run(r: Run): Promise<Outcome[]> } }).__errors.run(h), how);
  // Shallow and deeper than Error.stackTraceLimit (10), a lower limit, the page's own prepareStackTrace.
  for (const how of [{ depths: [1, 14] }, { depths: [3], limit: 2 }, { depths: [2], prepare: true }] as Run[]) {
    const nativeErrors = await run(native, how);
    const wrappedErrors = await run(wrapped, how);
    // Every case failed, with the page's frames in its stack (the comparison is not of empties).
    for (const [name, , outcome, error] of nativeErrors) {
      expect([name, outcome]).not.toEqual([name, 'returned']);
      expect(error?.frames.length, name).toBeGreaterThan(0);
    }
    for (const [name, , , error] of wrappedErrors) expect(error?.extension, name).toBe(false);
    // With the page's own prepareStackTrace, the probe has it format the page's call sites as
    // the error leaves the wrapper, not at the page's first read of `stack` (stack-scrub.ts):
    // that moment is the one difference left, and only in this variant.
    const when = (errors: Outcome[]): Outcome[] =>
      how.prepare ? errors.map(([n, d, o, e]) => [n, d, o, e && { ...e, preparedBeforeRead: 'not compared' }] as Outcome) : errors;
    expect(when(wrappedErrors)).toEqual(when(nativeErrors));
  }
  await native.close();
  await wrapped.close();
});
