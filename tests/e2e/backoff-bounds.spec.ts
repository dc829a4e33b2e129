/**
 * The probe's retry loop at its edges, in real Chromium with the built extension, against a
 * scripted server (each request to `/api/v2/script/<name>` gets the next answer of that
 * script): the total bound, a 401 and a backoff retry in one loop without multiplying
 * attempts, XHR events hidden, a Retry-After above 120 s reported instead of waited for, and
 * the page's AbortSignal ending a wait. The test page plays the extension's part in the token
 * exchange (as in probe-token-retry.spec.ts).
 */
import { expect, test as base } from './support/fixture';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { command, observations } from './fixtures/probe/harness';
import { DEFAULT_PROBE_CONFIG } from '../../extension/page/default-config';

interface Answer {
  status: number;
  headers?: Record<string, string>;
}
interface Seen {
  name: string;
  method: string;
  auth: string | null;
  at: number;
}

/** Answers per script name, and the requests seen: emptied for each test. */
const scripts = new Map<string, Answer[]>();
const seen: Seen[] = [];

const sent = (name: string): Seen[] => seen.filter((s) => s.name === name);

/** The probe's config with fast backoff (base 20 ms, cap 40 ms, 3 retries). */
const FAST = {
  ...DEFAULT_PROBE_CONFIG,
  tokenWaitMs: 5000,
  retry: { baseDelayMs: 20, maxDelayMs: 40, maxAttempts: 3, statuses: [408, 429, 503] },
};

function scripted(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // The extension's own refresh (cookie-endpoint) is left unanswered, as in the probe fixture:
  // the page alone plays the extension's part, and no failed refresh escalates to a reload.
  if (url.pathname === '/api/v2/authentication/refresh') return;
  const m = /^\/api\/v2\/script\/([a-z0-9-]+)$/.exec(url.pathname);
  if (m) {
    const name = m[1] ?? '';
    seen.push({ name, method: req.method ?? '', auth: req.headers.authorization ?? null, at: Date.now() });
    const queue = scripts.get(name) ?? [{ status: 200 }];
    const answer = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 200 };
    req.resume();
    res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers });
    res.end(JSON.stringify({ status: answer.status, n: sent(name).length }));
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>backoff fixture</title><p>backoff fixture</p>');
    return;
  }
  res.writeHead(404).end();
}

const test = base.extend({
  // The probe page comes from the scripted server, one per test.
  // eslint-disable-next-line no-empty-pattern -- no fixture needed
  probeOrigin: async ({}, use) => {
    scripts.clear();
    seen.length = 0;
    const server = createServer(scripted);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
  // The fast retry settings pushed to the page, as the worker pushes them.
  probePage: async ({ probePage }, use) => {
    await command(probePage, FAST);
    await probePage.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    await use(probePage);
  },
});

// One browser for the file. The worker pushes the same fast retry settings; safe reload
// (rung 5) would otherwise reload the page after a 401 retry that failed, which one test
// provokes on purpose.
test.use({ shareBrowser: true, userConfig: { retry: FAST.retry, safeReload: { enabled: false } } });

test('fetch: a request that keeps failing is sent 1 + maxAttempts times; the page sees the last answer only', async ({
  probePage: page,
}) => {
  scripts.set('always', [{ status: 503 }]);
  const status = await page.evaluate(async () => (await fetch('/api/v2/script/always')).status);
  expect(status).toBe(503);
  expect(sent('always')).toHaveLength(4);
  const http = (await observations(page, 'http')).filter((o) => String(o.url).endsWith('/always'));
  expect(http.map((o) => [o.status, o.hiddenFromPage ?? false])).toEqual([
    [503, true],
    [503, true],
    [503, true],
    [503, false],
  ]);
  const retries = await observations(page, 'http-retry');
  expect(retries.map((r) => [r.reason, r.status, r.outcome])).toEqual([
    ['backoff', 503, 'failed'],
    ['backoff', 503, 'failed'],
    ['backoff', 503, 'failed'],
  ]);
  expect(new Set(retries.map((r) => r.requestId)).size).toBe(1);
});

test('fetch: a 401 and a backoff retry share one loop: 429 → 401 → fresh token → 200, three sends', async ({ probePage: page }) => {
  await page.evaluate(() => {
    (window as unknown as { __sg: { answer: unknown } }).__sg.answer = (m: { requestId: string }) => ({
      type: 'token',
      requestId: m.requestId,
      accessToken: 'fresh-1',
    });
  });
  scripts.set('mixed', [{ status: 429, headers: { 'retry-after': '0' } }, { status: 401 }, { status: 200 }]);
  const status = await page.evaluate(
    async () => (await fetch('/api/v2/script/mixed', { method: 'PUT', headers: { Authorization: 'Bearer stale-1' }, body: '{}' })).status,
  );
  expect(status).toBe(200);
  expect(sent('mixed').map((s) => s.auth)).toEqual(['Bearer stale-1', 'Bearer stale-1', 'Bearer fresh-1']);
  expect((await observations(page, 'http-retry')).map((r) => [r.reason, r.status])).toEqual([
    ['backoff', 401],
    ['unauthorized', 200],
  ]);

  // The 401 retry is used once per page request: a second 401 goes to the page.
  scripts.set('twice', [{ status: 503 }, { status: 401 }, { status: 401 }, { status: 200 }]);
  const second = await page.evaluate(
    async () => (await fetch('/api/v2/script/twice', { headers: { Authorization: 'Bearer stale-2' } })).status,
  );
  expect(second).toBe(401);
  expect(sent('twice')).toHaveLength(3);
});

test('XHR: retried failures never reach the page; one readyState sequence, one load, the final body', async ({ probePage: page }) => {
  // (Not 408 first: Chromium itself resends a request that got 408 on a reused keep-alive connection.)
  scripts.set('xhr', [{ status: 503, headers: { 'retry-after': '0' } }, { status: 429, headers: { 'retry-after': '0' } }, { status: 200 }]);
  const result = await page.evaluate(
    () =>
      new Promise<{ trail: unknown[]; status: number; body: string }>((resolve) => {
        const x = new XMLHttpRequest();
        const trail: unknown[] = [];
        x.onreadystatechange = () => trail.push([x.readyState, x.status]);
        for (const t of ['load', 'error', 'abort', 'timeout']) x.addEventListener(t, () => trail.push([t, x.status]));
        x.onloadend = () => resolve({ trail, status: x.status, body: x.responseText });
        x.open('DELETE', '/api/v2/script/xhr');
        x.send();
      }),
  );
  expect(result.status).toBe(200);
  expect(JSON.parse(result.body)).toEqual({ status: 200, n: 3 });
  expect(result.trail.filter((e) => (e as unknown[])[0] !== 3)).toEqual([
    [1, 0], // open()
    [2, 200],
    [4, 200],
    ['load', 200],
  ]);
  expect(sent('xhr').map((s) => s.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
  expect((await observations(page, 'http-retry')).map((r) => [r.transport, r.reason, r.status, r.outcome])).toEqual([
    ['xhr', 'backoff', 429, 'failed'],
    ['xhr', 'backoff', 200, 'recovered'],
  ]);

  // A POST over XHR is never sent twice.
  scripts.set('xhr-post', [{ status: 503 }, { status: 200 }]);
  const post = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const x = new XMLHttpRequest();
        x.onloadend = () => resolve(x.status);
        x.open('POST', '/api/v2/script/xhr-post');
        x.send('x');
      }),
  );
  expect(post).toBe(503);
  expect(sent('xhr-post')).toHaveLength(1);
});

test('a Retry-After above 120 s is not waited for: the page gets the 429 at once and the observation says why', async ({
  probePage: page,
}) => {
  scripts.set('long', [{ status: 429, headers: { 'retry-after': '600' } }, { status: 200 }]);
  const result = await page.evaluate(async () => {
    const t0 = performance.now();
    const r = await fetch('/api/v2/script/long', { method: 'PUT' });
    return { status: r.status, ms: performance.now() - t0 };
  });
  expect(result.status).toBe(429);
  expect(result.ms).toBeLessThan(2000);
  expect(sent('long')).toHaveLength(1);
  const http = (await observations(page, 'http')).filter((o) => String(o.url).endsWith('/long'));
  expect(http).toEqual([expect.objectContaining({ status: 429, retryAfter: '600', retryGivenUp: 'wait-too-long' })]);
});

test('the page can abort a request while the probe waits: it rejects at once with the abort reason', async ({ probePage: page }) => {
  scripts.set('wait', [{ status: 503, headers: { 'retry-after': '30' } }, { status: 200 }]);
  const result = await page.evaluate(async () => {
    const c = new AbortController();
    const t0 = performance.now();
    const pending = fetch('/api/v2/script/wait', { signal: c.signal }).then(
      (r) => `resolved ${r.status}`,
      (e: Error) => `${e.name}`,
    );
    setTimeout(() => c.abort(), 300);
    return { outcome: await pending, ms: performance.now() - t0 };
  });
  expect(result.outcome).toBe('AbortError');
  expect(result.ms).toBeLessThan(3000);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  expect(sent('wait')).toHaveLength(1);
});
