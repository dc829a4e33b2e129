/**
 * 401 recovery in the page (docs/architecture.md §3 rung 2), with the test page playing the extension's
 * part: it answers the probe's `token-needed` with a `token` (or `token-failed`) command.
 * The fixture server accepts only the tokens in `validTokens`, so a stale token gets 401.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { FixtureServer } from './fixtures/probe/fixture-server';
import { command, observations } from './fixtures/probe/harness';
import { DEFAULT_PROBE_CONFIG } from '../../extension/page/default-config';

// One browser for the file; a fresh fixture page (and server) per test.
test.use({ shareBrowser: true });

type SgWindow = Window & {
  __sg: { answer: ((m: { requestId: string }) => unknown) | null; tokenNeeded: { requestId: string; tokenHash: string; url: string }[] };
};

/** Answers every `token-needed` with a `token` command carrying `token`. */
async function answerWith(p: Page, token: string | null): Promise<void> {
  await p.evaluate((t) => {
    (window as unknown as SgWindow).__sg.answer = t === null ? null : (m) => ({ type: 'token', requestId: m.requestId, accessToken: t });
  }, token);
}

async function tokenNeeded(p: Page): Promise<{ requestId: string; tokenHash: string; url: string }[]> {
  return p.evaluate(() => (window as unknown as SgWindow).__sg.tokenNeeded);
}

const requestsWith = (server: FixtureServer, token: string, path = '/api/v2/thing'): number =>
  server.log.filter((r) => r.path === path && r.token === token).length;

test('fetch: concurrent 401s ask for one token, each is retried once and the page sees 200', async ({
  probePage: page,
  fixtureServer: server,
}) => {
  server.validTokens.add('fresh-1');
  await answerWith(page, 'fresh-1');
  const statuses = await page.evaluate(async () => {
    const one = (i: number) =>
      fetch(`/api/v2/thing?delay=${i * 30}`, { headers: { Authorization: 'Bearer stale-1' } }).then(async (r) => [
        r.status,
        ((await r.json()) as { token: string }).token,
      ]);
    return Promise.all([one(0), one(1), one(2)]);
  });
  expect(statuses).toEqual([
    [200, 'fresh-1'],
    [200, 'fresh-1'],
    [200, 'fresh-1'],
  ]);
  expect(requestsWith(server, 'stale-1')).toBe(3);
  expect(requestsWith(server, 'fresh-1')).toBe(3);
  const asked = await tokenNeeded(page);
  expect(asked).toHaveLength(1);
  expect(asked[0]?.tokenHash).toMatch(/^[0-9a-f]{16}$/);
  expect(asked[0]?.url).toBe(`${server.origin}/api/v2/thing?delay=0`);

  const http = await observations(page, 'http');
  expect(http.filter((o) => o.status === 401 && o.hiddenFromPage === true)).toHaveLength(3);
  const retries = await observations(page, 'http-retry');
  expect(retries).toHaveLength(3);
  for (const r of retries) expect(r).toMatchObject({ transport: 'fetch', reason: 'unauthorized', status: 200, outcome: 'recovered' });

  // Later requests with the stale token are substituted before they leave: no 401 at all.
  const later = await page.evaluate(async () => {
    const r = await fetch('/api/v2/thing', { headers: [['authorization', 'Bearer stale-1']] });
    return r.status;
  });
  expect(later).toBe(200);
  expect(requestsWith(server, 'stale-1')).toBe(3);
  expect(requestsWith(server, 'fresh-1')).toBe(4);

  // Request objects too: header-borne and query-borne, GET and POST.
  const requests = await page.evaluate(async () => {
    const viaHeader = await fetch(
      new Request('/api/v2/thing', { method: 'POST', headers: { Authorization: 'Bearer stale-1' }, body: 'b' }),
    );
    const viaQuery = await fetch(new Request('/api/v2/thing?access_token=stale-1', { headers: { 'X-Kept': '1' } }));
    return [viaHeader.status, await viaHeader.json(), viaQuery.status];
  });
  expect(requests).toEqual([200, { ok: true, token: 'fresh-1', body: 'b' }, 200]);
  expect(requestsWith(server, 'stale-1')).toBe(3);
  expect(requestsWith(server, 'fresh-1')).toBe(6);
  expect(await tokenNeeded(page)).toHaveLength(1);
});

test('fetch: a Request with a body is replayed from its copy, with the body', async ({ probePage: page, fixtureServer: server }) => {
  server.validTokens.add('fresh-2');
  await answerWith(page, 'fresh-2');
  const result = await page.evaluate(async () => {
    const req = new Request('/api/v2/thing', { method: 'POST', headers: { Authorization: 'Bearer stale-2' }, body: 'payload' });
    const r = await fetch(req);
    const viaInit = await fetch('/api/v2/thing', {
      method: 'PUT',
      headers: new Headers({ Authorization: 'Bearer stale-2b', 'X-Other': 'kept' }),
      body: new Blob(['blob-body']),
    });
    return [r.status, await r.json(), viaInit.status, await viaInit.json()];
  });
  expect(result).toEqual([200, { ok: true, token: 'fresh-2', body: 'payload' }, 200, { ok: true, token: 'fresh-2', body: 'blob-body' }]);
  const bodies = server.log.filter((r) => r.path === '/api/v2/thing').map((r) => [r.method, r.token, r.body]);
  expect(bodies).toEqual([
    ['POST', 'stale-2', 'payload'],
    ['POST', 'fresh-2', 'payload'],
    ['PUT', 'stale-2b', 'blob-body'],
    ['PUT', 'fresh-2', 'blob-body'],
  ]);
});

test('fetch: token-failed hands the page the original 401 at once', async ({ probePage: page, fixtureServer: server }) => {
  await page.evaluate(() => {
    (window as unknown as SgWindow).__sg.answer = (m) => ({ type: 'token-failed', requestId: m.requestId, reason: 'refresh failed' });
  });
  const result = await page.evaluate(async () => {
    const t0 = performance.now();
    const r = await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-3' } });
    return { status: r.status, body: await r.json(), ms: performance.now() - t0, www: r.headers.get('www-authenticate') };
  });
  expect(result).toMatchObject({ status: 401, body: { error: 'invalid_token' }, www: 'Bearer error="invalid_token"' });
  expect(result.ms).toBeLessThan(3000);
  expect(requestsWith(server, 'stale-3')).toBe(1);
  const http = await observations(page, 'http');
  expect(http.filter((o) => o.status === 401)).toEqual([expect.objectContaining({ protected: true, transport: 'fetch' })]);
  expect(http[0]?.hiddenFromPage).toBeUndefined();
  expect(await observations(page, 'http-retry')).toHaveLength(0);
});

test('fetch: without an answer the page gets the 401 after tokenWaitMs', async ({ probePage: page }) => {
  await command(page, { ...DEFAULT_PROBE_CONFIG, tokenWaitMs: 400 });
  const result = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const r = await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-4' } });
    return { status: r.status, ms: performance.now() - t0 };
  });
  expect(result.status).toBe(401);
  expect(result.ms).toBeGreaterThanOrEqual(390);
  expect(result.ms).toBeLessThan(5000);
  expect(await tokenNeeded(page)).toHaveLength(1);
});

test('fetch: no recovery for unprotected URLs, requests without a bearer, or tokenRefresh off', async ({
  probePage: page,
  fixtureServer: server,
}) => {
  server.validTokens.add('fresh-5');
  await answerWith(page, 'fresh-5');
  const statuses = await page.evaluate(async () => [
    (await fetch('/other/thing', { headers: { Authorization: 'Bearer stale-5' } })).status,
    (await fetch('/api/v2/thing')).status,
    (await fetch('/api/v2/thing', { headers: { Authorization: 'Basic dTpw' } })).status,
  ]);
  expect(statuses).toEqual([401, 401, 401]);
  expect(await tokenNeeded(page)).toHaveLength(0);

  await command(page, {
    type: 'config',
    protectedRequestPatterns: ['*/api/v2/*'],
    identityRequestPattern: '*/api/v2/users/me',
    identityFields: { id: 'id', name: 'name', org: 'organization.id' },
    statsIntervalMs: 1000,
    tokenRefresh: false,
    tokenWaitMs: 10000,
  });
  const off = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 50));
    return (await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-5' } })).status;
  });
  expect(off).toBe(401);
  expect(await tokenNeeded(page)).toHaveLength(0);
  const http = await observations(page, 'http');
  expect(http.filter((o) => o.status === 401).map((o) => o.protected)).toEqual([false, true, true, true]);
});

test('XHR: concurrent 401s share one token; the page never sees a 401 and gets the retry response', async ({
  probePage: page,
  fixtureServer: server,
}) => {
  server.validTokens.add('fresh-6');
  await answerWith(page, 'fresh-6');
  const result = await page.evaluate(async () => {
    const one = (i: number) =>
      new Promise<unknown>((resolve) => {
        const x = new XMLHttpRequest();
        const seen: unknown[] = [];
        x.onreadystatechange = () => seen.push(['rsc', x.readyState, x.status]);
        x.addEventListener('readystatechange', () => seen.push(['rsc-listener', x.readyState, x.status]));
        for (const t of ['load', 'error', 'abort', 'timeout']) x.addEventListener(t, () => seen.push([t, x.status]));
        x.onloadend = () =>
          resolve({
            seen,
            status: x.status,
            statusText: x.statusText,
            body: x.responseText,
            header: x.getResponseHeader('x-token'),
            all: /x-token: fresh-6/.test(x.getAllResponseHeaders()),
            url: x.responseURL,
          });
        x.open('GET', `/api/v2/thing?delay=${i * 30}`);
        x.setRequestHeader('Authorization', 'Bearer stale-6');
        x.send();
      });
    return Promise.all([one(0), one(1)]);
  });
  for (const r of result as { seen: unknown[][]; status: number; body: string; header: string; all: boolean; url: string }[]) {
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, token: 'fresh-6' });
    expect(r.header).toBe('fresh-6');
    expect(r.all).toBe(true);
    expect(r.url).toMatch(/\/api\/v2\/thing\?delay=\d+$/);
    expect(r.seen.some((e) => e[2] === 401 || e[1] === 401)).toBe(false);
    const states = r.seen.filter((e) => e[0] === 'rsc').map((e) => e[1]);
    expect(states.slice(0, 2)).toEqual([1, 2]); // OPENED (from open()), then the retry's HEADERS_RECEIVED
    expect(states.at(-1)).toBe(4);
    expect(r.seen.filter((e) => e[0] === 'load')).toEqual([['load', 200]]);
  }
  expect(requestsWith(server, 'stale-6')).toBe(2);
  expect(requestsWith(server, 'fresh-6')).toBe(2);
  expect(await tokenNeeded(page)).toHaveLength(1);
  const retries = await observations(page, 'http-retry');
  expect(retries.map((r) => [r.transport, r.outcome])).toEqual([
    ['xhr', 'recovered'],
    ['xhr', 'recovered'],
  ]);
  const hidden = (await observations(page, 'http')).filter((o) => o.hiddenFromPage === true);
  expect(hidden.map((o) => [o.transport, o.status])).toEqual([
    ['xhr', 401],
    ['xhr', 401],
  ]);

  // Substituted from now on, header and query parameter alike.
  const later = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const x = new XMLHttpRequest();
        x.onloadend = () => resolve(x.status);
        x.open('GET', '/api/v2/thing?access_token=stale-6');
        x.send();
      }),
  );
  expect(later).toBe(200);
  expect(requestsWith(server, 'stale-6')).toBe(2);
});

test('XHR: axios-style JSON request with a body is retried with the same body and headers', async ({
  probePage: page,
  fixtureServer: server,
}) => {
  server.validTokens.add('fresh-7');
  await answerWith(page, 'fresh-7');
  const result = await page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', '/api/v2/thing', true);
        x.setRequestHeader('Accept', 'application/json');
        x.setRequestHeader('Content-Type', 'application/json');
        x.setRequestHeader('Authorization', 'Bearer stale-7');
        x.responseType = 'json';
        x.onreadystatechange = function () {
          if (x.readyState !== 4) return;
          setTimeout(() => resolve({ status: x.status, data: x.response, type: x.responseType }));
        };
        x.send(JSON.stringify({ a: 1 }));
      }),
  );
  expect(result).toEqual({ status: 200, data: { ok: true, token: 'fresh-7', body: '{"a":1}' }, type: 'json' });
  expect(server.log.filter((r) => r.path === '/api/v2/thing').map((r) => [r.token, r.body])).toEqual([
    ['stale-7', '{"a":1}'],
    ['fresh-7', '{"a":1}'],
  ]);
});

test('XHR: token-failed replays the original 401 to the page, events included', async ({ probePage: page, fixtureServer: server }) => {
  await page.evaluate(() => {
    (window as unknown as SgWindow).__sg.answer = (m) => ({ type: 'token-failed', requestId: m.requestId, reason: 'no' });
  });
  const result = await page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const x = new XMLHttpRequest();
        const seen: unknown[] = [];
        x.onreadystatechange = () => seen.push(['rsc', x.readyState, x.status]);
        x.onload = () => seen.push(['load', x.status]);
        x.onloadend = () => resolve({ seen, status: x.status, body: x.responseText, rs: x.readyState });
        x.open('GET', '/api/v2/thing');
        x.setRequestHeader('Authorization', 'Bearer stale-8');
        x.send();
      }),
  );
  expect(result).toMatchObject({ status: 401, body: '{"error":"invalid_token"}', rs: 4 });
  const seen = (result as { seen: unknown[][] }).seen;
  expect(seen.slice(0, 2)).toEqual([
    ['rsc', 1, 0],
    ['rsc', 2, 401],
  ]);
  expect(seen.at(-2)).toEqual(['rsc', 4, 401]);
  expect(seen.at(-1)).toEqual(['load', 401]);
  expect(requestsWith(server, 'stale-8')).toBe(1);
  await expect.poll(async () => (await observations(page, 'http')).filter((o) => o.status === 401).length).toBe(1);
});

test('XHR: the page can abort while the probe waits for a token', async ({ probePage: page }) => {
  await answerWith(page, null);
  const result = await page.evaluate(
    () =>
      new Promise<unknown>((resolve) => {
        const x = new XMLHttpRequest();
        const seen: unknown[] = [];
        x.onreadystatechange = () => seen.push(['rsc', x.readyState, x.status]);
        x.onabort = () => seen.push(['abort', x.readyState]);
        x.onloadend = () => {
          seen.push(['loadend', x.readyState]);
          setTimeout(() => resolve({ seen, after: [x.readyState, x.status, x.responseText] }));
        };
        x.open('GET', '/api/v2/thing');
        x.setRequestHeader('Authorization', 'Bearer stale-9');
        x.send();
        const wait = () => {
          if ((window as unknown as SgWindow).__sg.tokenNeeded.length > 0) {
            seen.push(['before-abort', x.readyState, x.status]);
            x.abort();
          } else setTimeout(wait, 10);
        };
        wait();
      }),
  );
  expect(result).toEqual({
    seen: [
      ['rsc', 1, 0],
      ['before-abort', 1, 0],
      ['rsc', 4, 0],
      ['abort', 4],
      ['loadend', 4],
    ],
    after: [0, 0, ''],
  });
});

test('WebSocket: a stale access_token in the URL is replaced by the fresh token', async ({ probePage: page, fixtureServer: server }) => {
  server.validTokens.add('fresh-10');
  await answerWith(page, 'fresh-10');
  // Learn that stale-10 is stale through a 401 on a protected request.
  expect(await page.evaluate(async () => (await fetch('/api/v2/thing?access_token=stale-10')).status)).toBe(200);
  expect(requestsWith(server, 'stale-10')).toBe(1);
  expect(requestsWith(server, 'fresh-10')).toBe(1);
  const url = await page.evaluate(
    (wsOrigin) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${wsOrigin}/ws?x=1&access_token=stale-10`);
        ws.onopen = () => {
          resolve(ws.url);
          ws.close();
        };
      }),
    server.wsOrigin,
  );
  expect(url).toBe(`${server.wsOrigin}/ws?x=1&access_token=fresh-10`);
  expect(server.wsTokens.at(-1)).toBe('fresh-10');
  // A socket with a token the probe never saw rejected is left alone.
  await page.evaluate(
    (wsOrigin) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(`${wsOrigin}/ws?access_token=other`);
        ws.onopen = () => {
          ws.close();
          resolve();
        };
      }),
    server.wsOrigin,
  );
  expect(server.wsTokens.at(-1)).toBe('other');
});

test('a pushed token without requestId also substitutes later requests', async ({ probePage: page, fixtureServer: server }) => {
  server.validTokens.add('fresh-11');
  await answerWith(page, null);
  await command(page, {
    type: 'config',
    protectedRequestPatterns: ['*/api/v2/*'],
    identityRequestPattern: '*/api/v2/users/me',
    identityFields: { id: 'id', name: 'name', org: 'organization.id' },
    statsIntervalMs: 1000,
    tokenRefresh: true,
    tokenWaitMs: 60000,
  });
  const pending = page.evaluate(async () => {
    const r = await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-11' } });
    return r.status;
  });
  await expect.poll(() => tokenNeeded(page).then((t) => t.length)).toBe(1);
  await command(page, { type: 'token', accessToken: 'fresh-11' });
  expect(await pending).toBe(200);
  expect(requestsWith(server, 'fresh-11')).toBe(1);
});

test('a token already received answers a later 401 at once, unless it has expired', async ({ probePage: page, fixtureServer: server }) => {
  server.validTokens.add('fresh-13');
  server.validTokens.add('fresh-14');
  await answerWith(page, 'fresh-14');
  await command(page, { type: 'token', accessToken: 'fresh-13' });
  const first = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 50));
    return (await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-13' } })).status;
  });
  expect(first).toBe(200);
  expect(requestsWith(server, 'fresh-13')).toBe(1);
  expect(await tokenNeeded(page)).toHaveLength(0);

  await page.evaluate(() =>
    (window as unknown as { __sg: { command(msg: unknown): void } }).__sg.command({
      type: 'token',
      accessToken: 'expired-14',
      expiresAt: Date.now() - 1000,
    }),
  );
  const second = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 50));
    return (await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-14' } })).status;
  });
  expect(second).toBe(200);
  expect(await tokenNeeded(page)).toHaveLength(1);
  expect(requestsWith(server, 'expired-14')).toBe(0);
  expect(requestsWith(server, 'fresh-14')).toBe(1);
});

test('invalid commands, commands from other windows and commands on the window after the handover are ignored', async ({
  probePage: page,
  fixtureServer: server,
}) => {
  server.validTokens.add('fresh-15');
  await answerWith(page, null);
  await page.evaluate(
    (shortWait) => {
      const sg = (window as unknown as { __sg: { command(msg: unknown, v?: number): void } }).__sg;
      const env = (msg: unknown, v = 1) => ({ channel: 'softphone-guard', v, dir: 'to-page', msg });
      // Invalid, on the probe's port.
      sg.command({ type: 'token', accessToken: '' });
      sg.command({ type: 'token', accessToken: 'fresh-15', extra: true });
      sg.command({ type: 'token', accessToken: 'fresh-15' }, 2);
      sg.command({ type: 'config', tokenWaitMs: 300 });
      // Valid, but on the window: after the handover only the port carries commands (a script
      // of the page or another extension cannot hand the probe a token of its choosing).
      window.postMessage(env({ type: 'token', accessToken: 'fresh-15' }), '*');
      // A same-origin frame posting into this window: event.source is the frame, not this window.
      const f = document.createElement('iframe');
      document.body.append(f);
      (f.contentWindow as Window & typeof globalThis).eval(
        `parent.postMessage({ channel: 'softphone-guard', v: 1, dir: 'to-page', msg: { type: 'token', accessToken: 'fresh-15' } }, '*')`,
      );
      // The one valid command: a short wait, so the test does not take the default 10 s.
      sg.command(shortWait);
    },
    { ...DEFAULT_PROBE_CONFIG, tokenWaitMs: 300 },
  );
  const status = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 100));
    return (await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer stale-15' } })).status;
  });
  expect(status).toBe(401);
  expect(await tokenNeeded(page)).toHaveLength(1);
  expect(requestsWith(server, 'fresh-15')).toBe(0);
});
