/**
 * The retry ladder (docs/architecture.md §3 rungs 1 and 2, src/recovery/request-ladder.ts) as the
 * page sees it, for fetch and XHR alike: the built probe in a plain page, the test playing the
 * relay and the worker's token refresh, a scripted server.
 */
import type { Page } from '@playwright/test';
import { expectAllValid, observations } from '../e2e/fixtures/probe/harness';
import type { Obs } from '../e2e/fixtures/probe/harness';
import { TIER_CONFIG, answerTokens, expect, test } from './support/probe-page';

type Transport = 'fetch' | 'xhr';

/** What the page got: the final status and body, every status its handlers saw, and how long it took (ms). */
interface PageResult {
  status: number;
  body: { token?: string; status?: number; error?: string };
  seen: number[];
  ms: number;
}

/** Sends `GET path` with a bearer token from the page, by fetch or XHR, the way an app would. */
function request(page: Page, transport: Transport, path: string, token: string): Promise<PageResult> {
  return page.evaluate(
    ({ transport, path, token }) =>
      new Promise<PageResult>((resolve, reject) => {
        const t0 = performance.now();
        if (transport === 'fetch') {
          fetch(path, { headers: { Authorization: `Bearer ${token}` } })
            .then(async (r) => resolve({ status: r.status, body: await r.json(), seen: [r.status], ms: performance.now() - t0 }))
            .catch(reject);
          return;
        }
        const x = new XMLHttpRequest();
        const seen: number[] = [];
        x.open('GET', path);
        x.setRequestHeader('Authorization', `Bearer ${token}`);
        x.onreadystatechange = () => {
          if (x.readyState >= 2) seen.push(x.status);
        };
        x.onloadend = () => resolve({ status: x.status, body: JSON.parse(x.responseText || '{}'), seen, ms: performance.now() - t0 });
        x.send();
      }),
    { transport, path, token },
  );
}

/** Observations of `type` about `path`. */
async function about(page: Page, type: string, path: string): Promise<Obs[]> {
  return (await observations(page, type)).filter((o) => typeof o.url === 'string' && new URL(o.url).pathname === path);
}

test.afterEach(async ({ probePage }) => {
  // What the relay would drop (src/protocol/page.ts) is a failure too.
  await expectAllValid(probePage);
});

for (const transport of ['fetch', 'xhr'] as const) {
  test.describe(transport, () => {
    test('401 → token-needed → the retry carries the fresh token → the page sees 200', async ({ probePage: page, server }) => {
      const path = `/api/v2/${transport}/token`;
      server.validTokens.add('fresh-1');
      await answerTokens(page, { token: 'fresh-1' });
      const result = await request(page, transport, path, 'stale-1');
      expect(result.status).toBe(200);
      expect(result.body.token).toBe('fresh-1');
      expect(result.seen).not.toContain(401);
      expect(server.log.map((r) => [r.token, r.status])).toEqual([
        ['stale-1', 401],
        ['fresh-1', 200],
      ]);

      const [asked, ...moreAsked] = await about(page, 'token-needed', path);
      expect(moreAsked).toEqual([]);
      expect(asked?.tokenHash).toMatch(/^[0-9a-f]{16}$/);
      // The hidden 401, then the retry's own 200 (the first success after a failure of its key is reported).
      const http = await about(page, 'http', path);
      expect(http).toEqual([
        expect.objectContaining({ transport, status: 401, protected: true, hiddenFromPage: true, requestId: asked?.requestId }),
        expect.objectContaining({ transport, status: 200, protected: true, requestId: `${asked?.requestId}-r` }),
      ]);
      expect(http[1]).not.toHaveProperty('hiddenFromPage');
      const retries = await about(page, 'http-retry', path);
      expect(retries).toEqual([
        expect.objectContaining({ transport, reason: 'unauthorized', status: 200, outcome: 'recovered', requestId: asked?.requestId }),
      ]);
    });

    test('token-failed: the page gets the original 401, no retry', async ({ probePage: page, server }) => {
      const path = `/api/v2/${transport}/token-failed`;
      await answerTokens(page, 'token-failed');
      const result = await request(page, transport, path, 'stale-2');
      expect(result.status).toBe(401);
      expect(result.body.error).toBe('invalid_token');
      expect(server.log).toHaveLength(1);
      const http = await about(page, 'http', path);
      expect(http).toEqual([expect.objectContaining({ transport, status: 401 })]);
      expect(http[0]).not.toHaveProperty('hiddenFromPage');
      expect(await about(page, 'http-retry', path)).toEqual([]);
    });

    test('429 with Retry-After → backoff → the page sees 200', async ({ probePage: page, server }) => {
      const path = `/api/v2/${transport}/rate-limited`;
      server.validTokens.add('good');
      server.script(path, [{ status: 429, headers: { 'retry-after': '1' } }]);
      const result = await request(page, transport, path, 'good');
      expect(result.status).toBe(200);
      expect(result.seen).not.toContain(429);
      expect(server.log.map((r) => r.status)).toEqual([429, 200]);
      // Retry-After (1 s, RFC 9110 §10.2.3) plus a jitter of at most the first ceiling (base 100 ms).
      const gap = (server.log[1]?.at ?? 0) - (server.log[0]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(1000 - 20);
      expect(gap).toBeLessThan(1000 + TIER_CONFIG.retry!.baseDelayMs + 500);

      const http = await about(page, 'http', path);
      expect(http).toEqual([
        expect.objectContaining({ transport, status: 429, retryAfter: '1', hiddenFromPage: true }),
        expect.objectContaining({ transport, status: 200, requestId: `${http[0]?.requestId}-r` }),
      ]);
      const retries = await about(page, 'http-retry', path);
      expect(retries).toEqual([
        expect.objectContaining({ transport, reason: 'backoff', status: 200, outcome: 'recovered', requestId: http[0]?.requestId }),
      ]);
      expect(await about(page, 'token-needed', path)).toEqual([]);
    });

    test('retries exhausted → the page sees the last failure', async ({ probePage: page, server }) => {
      const path = `/api/v2/${transport}/exhausted`;
      const attempts = TIER_CONFIG.retry!.maxAttempts;
      server.script(
        path,
        Array.from({ length: attempts + 1 }, () => ({ status: 503 })),
      );
      const result = await request(page, transport, path, 'good');
      expect(result.status).toBe(503);
      expect(result.seen.filter((s) => s !== 0 && s !== 503)).toEqual([]);
      expect(server.log.map((r) => r.status)).toEqual(Array(attempts + 1).fill(503));

      const retries = await about(page, 'http-retry', path);
      expect(retries.map((r) => [r.reason, r.status, r.outcome])).toEqual(Array(attempts).fill(['backoff', 503, 'failed']));
      const id = retries[0]?.requestId as string;
      const http = await about(page, 'http', path);
      // The original and each retry but the last were hidden; the last is what the page got.
      expect(http.map((o) => [o.requestId, o.hiddenFromPage ?? false])).toEqual([
        [id, true],
        [`${id}-r`, true],
        [`${id}-r2`, false],
      ]);
      // The attempts ran out, nothing was given up: no `retryGivenUp`.
      expect(http.at(-1)).not.toHaveProperty('retryGivenUp');
    });

    test('a Retry-After past the 120 s bound → the page sees the 429 at once, reported with retryGivenUp', async ({
      probePage: page,
      server,
    }) => {
      const path = `/api/v2/${transport}/too-long`;
      server.script(path, [{ status: 429, headers: { 'retry-after': '121' } }]);
      const result = await request(page, transport, path, 'good');
      expect(result.status).toBe(429);
      expect(result.ms).toBeLessThan(2000);
      expect(server.log).toHaveLength(1);
      const http = await about(page, 'http', path);
      expect(http).toEqual([expect.objectContaining({ transport, status: 429, retryAfter: '121', retryGivenUp: 'wait-too-long' })]);
      expect(http[0]).not.toHaveProperty('hiddenFromPage');
      expect(await about(page, 'http-retry', path)).toEqual([]);
    });

    test('one loop: a token retry answered with 503 goes on with backoff', async ({ probePage: page, server }) => {
      const path = `/api/v2/${transport}/token-then-busy`;
      server.validTokens.add('fresh-3');
      await answerTokens(page, { token: 'fresh-3' });
      // 401 for the stale token, 503 for the token retry, then the token rule: 200 for the fresh token.
      server.script(path, [{ status: 401 }, { status: 503 }]);
      const result = await request(page, transport, path, 'stale-3');
      expect(result.status).toBe(200);
      expect(server.log.map((r) => [r.token, r.status])).toEqual([
        ['stale-3', 401],
        ['fresh-3', 503],
        ['fresh-3', 200],
      ]);
      const retries = await about(page, 'http-retry', path);
      expect(retries.map((r) => [r.reason, r.status, r.outcome])).toEqual([
        ['unauthorized', 503, 'failed'],
        ['backoff', 200, 'recovered'],
      ]);
    });

    test('the http-retry observation: its fields, and nothing else', async ({ probePage: page, server }) => {
      const path = `/api/v2/${transport}/shape`;
      server.validTokens.add('good');
      server.script(path, [{ status: 503 }]);
      const before = Date.now();
      const result = await request(page, transport, path, 'good');
      const after = Date.now();
      expect(result.status).toBe(200);
      const [retry, ...more] = await about(page, 'http-retry', path);
      expect(more).toEqual([]);
      expect(Object.keys(retry ?? {}).sort()).toEqual(
        ['at', 'durationMs', 'method', 'outcome', 'reason', 'requestId', 'status', 'transport', 'type', 'url'].sort(),
      );
      expect(retry).toMatchObject({
        type: 'http-retry',
        transport,
        method: 'GET',
        url: `${server.origin}${path}`,
        reason: 'backoff',
        status: 200,
        outcome: 'recovered',
      });
      expect(retry?.requestId).toMatch(transport === 'fetch' ? /^f-/ : /^x-/);
      expect(retry?.at).toBeGreaterThanOrEqual(before);
      expect(retry?.at).toBeLessThanOrEqual(after);
      // The retry's own duration: from its send to its answer, within the whole request's.
      expect(retry?.durationMs).toBeGreaterThanOrEqual(0);
      expect(retry?.durationMs).toBeLessThanOrEqual(result.ms + 1);
    });
  });
}
