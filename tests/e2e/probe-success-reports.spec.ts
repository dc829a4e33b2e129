/**
 * Which protected successes the probe reports (src/limits/success-reports.ts): only those that
 * can resolve an incident. A run of protected successes costs about one `http` observation a
 * second per request key; a failure still lets the very next success of its key through,
 * and that success resolves the incident in the worker.
 */
import { expect, test as base } from './support/fixture';
import type { Page, Route } from '@playwright/test';
import { EXTENSION_ID } from '../support/browser.mjs';
import { observations } from './fixtures/probe/harness';
import type { Obs } from './fixtures/probe/harness';
import type { StateResponse } from '../../src/protocol/ui';

/** The fixture server accepts the token `good` from the start. */
const test = base.extend({
  fixtureServer: async ({ fixtureServer }, use) => {
    fixtureServer.validTokens.add('good');
    await use(fixtureServer);
  },
});

// One browser for the file; a fresh fixture page (and server) per test.
test.use({ shareBrowser: true });

/** `http` observations of one path (query ignored), in order. */
async function httpOf(page: Page, path: string): Promise<Obs[]> {
  const origin = new URL(page.url()).origin;
  return (await observations(page, 'http')).filter((o) => String(o.url).split('?')[0] === `${origin}${path}`);
}

/** Answers the requests to `path` whose 0-based index is in `failing` with `status` (no Retry-After); lets the others through. */
async function failAt(page: Page, path: string, status: number, failing: number[]): Promise<void> {
  let n = 0;
  await page.route(`${new URL(page.url()).origin}${path}*`, async (route: Route) => {
    if (failing.includes(n++)) await route.fulfill({ status, contentType: 'application/json', body: '{}' });
    else await route.continue();
  });
}

test('50 protected successes in a row (fetch, then XHR) are reported about once a second', async ({ probePage: page }) => {
  const { fetchMs, xhrMs, statuses } = await page.evaluate(async () => {
    const headers = { Authorization: 'Bearer good' };
    const seen: number[] = [];
    let t0 = performance.now();
    for (let i = 0; i < 50; i++) {
      const r = await fetch(`/api/v2/steady?i=${i}`, { headers });
      await r.text();
      seen.push(r.status);
    }
    const fetchMs = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < 50; i++) {
      seen.push(
        await new Promise<number>((resolve) => {
          const x = new XMLHttpRequest();
          x.onloadend = () => resolve(x.status);
          x.open('GET', `/api/v2/steady-xhr?i=${i}`);
          x.setRequestHeader('Authorization', 'Bearer good');
          x.send();
        }),
      );
    }
    return { fetchMs, xhrMs: performance.now() - t0, statuses: seen };
  });
  expect(statuses).toEqual(Array(100).fill(200));
  // Let any late report arrive before counting.
  await page.waitForTimeout(300);
  const viaFetch = await httpOf(page, '/api/v2/steady');
  const viaXhr = await httpOf(page, '/api/v2/steady-xhr');
  // The first success of a key is reported, then at most one per second of the run.
  expect(viaFetch.length).toBeGreaterThanOrEqual(1);
  expect(viaFetch.length).toBeLessThanOrEqual(1 + Math.floor(fetchMs / 1000));
  expect(viaXhr.length).toBeGreaterThanOrEqual(1);
  expect(viaXhr.length).toBeLessThanOrEqual(1 + Math.floor(xhrMs / 1000));
  for (const o of [...viaFetch, ...viaXhr]) expect(o).toMatchObject({ status: 200, protected: true });
  expect(viaFetch[0]?.transport).toBe('fetch');
  expect(viaXhr[0]?.transport).toBe('xhr');
});

test('a failure lets the next success of its key through at once, across fetch and XHR', async ({ probePage: page }) => {
  await failAt(page, '/api/v2/flaky', 503, [0, 3]);
  const { statuses, elapsedMs } = await page.evaluate(async () => {
    // POSTs are never retried: each 503 reaches the page and is reported as it is.
    const viaFetch = (): Promise<number> =>
      fetch('/api/v2/flaky', { method: 'POST', headers: { Authorization: 'Bearer good' }, body: 'x' }).then((r) => r.status);
    const viaXhr = (): Promise<number> =>
      new Promise<number>((resolve) => {
        const x = new XMLHttpRequest();
        x.onloadend = () => resolve(x.status);
        x.open('POST', '/api/v2/flaky?via=xhr');
        x.setRequestHeader('Authorization', 'Bearer good');
        x.send('x');
      });
    const t0 = performance.now();
    const seen = [await viaFetch(), await viaFetch(), await viaFetch(), await viaXhr(), await viaFetch(), await viaXhr()];
    return { statuses: seen, elapsedMs: performance.now() - t0 };
  });
  expect(statuses).toEqual([503, 200, 200, 503, 200, 200]);
  await page.waitForTimeout(300);
  const reported = (await httpOf(page, '/api/v2/flaky')).map((o) => `${o.transport} ${o.status}`);
  // Each failure, then the success right after it (the XHR failure lets a fetch success through:
  // one gate per document); a further success only once a second has passed.
  expect(reported.join(', ')).toMatch(/^fetch 503, fetch 200, (fetch 200, )?xhr 503, fetch 200(, xhr 200)?$/);
  expect(reported.length).toBeLessThanOrEqual(4 + Math.floor(elapsedMs / 1000));
});

test('a protected 401 lets the next protected success of any key through', async ({ probePage: page }) => {
  await page.evaluate(async () => {
    const headers = { Authorization: 'Bearer good' };
    await fetch('/api/v2/one', { headers });
    await fetch('/api/v2/two', { headers });
    // No bearer token: nothing to refresh, the 401 goes to the page (and opens `unauthorized`).
    await fetch('/api/v2/one?anonymous');
    await fetch('/api/v2/two', { headers });
    await fetch('/api/v2/two', { headers });
  });
  await page.waitForTimeout(300);
  expect((await httpOf(page, '/api/v2/one')).map((o) => o.status)).toEqual([200, 401]);
  expect((await httpOf(page, '/api/v2/two')).map((o) => o.status)).toEqual([200, 200]);
});

test('in the worker: 50 successes, then a 503 opens a server-error that the next success resolves', async ({
  context,
  probePage: page,
  fixtureServer: server,
}) => {
  const ext = await context.newPage();
  try {
    await ext.goto(`chrome-extension://${EXTENSION_ID}/extension/options/index.html`);
    const session = async () => {
      const state: StateResponse = await ext.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
      return state.sessions.find((s) => s.alive && s.href === page.url());
    };
    await expect.poll(async () => (await session()) !== undefined, { message: 'session live', timeout: 30_000 }).toBe(true);
    const key = `${server.origin}/api/v2/burst`;
    const serverError = async () => (await session())?.incidents.find((i) => i.kind === 'server-error' && i.detail.url === key);

    const post = (): Promise<number> =>
      page.evaluate(() =>
        fetch('/api/v2/burst', { method: 'POST', headers: { Authorization: 'Bearer good' }, body: 'x' }).then((r) => r.status),
      );
    const many = await page.evaluate(async () => {
      const seen: number[] = [];
      for (let i = 0; i < 50; i++) {
        seen.push((await fetch('/api/v2/burst', { method: 'POST', headers: { Authorization: 'Bearer good' }, body: 'x' })).status);
      }
      return seen;
    });
    expect(many).toEqual(Array(50).fill(200));

    const stateOf = async (): Promise<string> => {
      const incident = await serverError();
      return incident === undefined ? 'none' : incident.resolvedAt === undefined ? 'open' : 'resolved';
    };
    expect(await stateOf()).toBe('none');

    await failAt(page, '/api/v2/burst', 503, [0]);
    expect(await post()).toBe(503);
    await expect.poll(stateOf, { message: 'incident opened by the 503' }).toBe('open');

    // Reported because of the failure, however soon after the run's last reported success.
    expect(await post()).toBe(200);
    await expect.poll(stateOf, { message: 'incident resolved by the success' }).toBe('resolved');
    const incident = await serverError();
    expect(incident?.steps.at(-1)).toMatchObject({ outcome: 'ok', detail: 'A later request to /api/v2/burst succeeded.' });
    // 50 + 2 exchanges, a handful of reports.
    expect((await httpOf(page, '/api/v2/burst')).length).toBeLessThanOrEqual(5);
  } finally {
    await ext.close();
  }
});
