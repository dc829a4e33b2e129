/**
 * Errors that cross the probe's wrappers (extension/page/stack-scrub.ts): the same calls in a
 * page with the built probe and in one without it give the same `error.stack`, thrown or
 * rejected, below and beyond `Error.stackTraceLimit`, and with a limit the page made an
 * accessor; the probe's script never shows, and the page's limit is left as the page set it.
 * (The page's own `Error.prepareStackTrace` is covered by tests/e2e/transparency-suite.spec.ts:
 * loaded as an init script here, the probe does not get V8's call sites at start.)
 */
import type { Page } from '@playwright/test';
import { PROBE_SCRIPT, expect, test } from './support/probe-page';

interface Result {
  stacks: unknown[];
  limitAfter: unknown;
  limitReads: number;
}

/** Misuses of wrapped natives below `depth` page frames, with the limit asked for (a number, or a getter). */
const misuse = (page: Page, opts: { depth: number; limit?: number; limitGetter?: boolean }): Promise<Result> =>
  page.evaluate(async ({ depth, limit, limitGetter }) => {
    const E = Error as unknown as { stackTraceLimit: unknown };
    let limitReads = 0;
    if (limit !== undefined) E.stackTraceLimit = limit;
    if (limitGetter)
      Object.defineProperty(Error, 'stackTraceLimit', {
        configurable: true,
        get: () => {
          limitReads += 1;
          return 10;
        },
        set: () => undefined,
      });
    const descend = (n: number, fn: () => unknown): unknown => (n <= 0 ? fn() : descend(n - 1, fn));
    const cases: (() => unknown)[] = [
      () => new WebSocket('ftp://x'),
      () => new XMLHttpRequest().send(),
      () => fetch('http://[bad'),
      () => navigator.mediaDevices.getUserMedia({}),
      () => new RTCPeerConnection({ iceServers: [{ urls: 'bad' }] }),
    ];
    const stacks: unknown[] = [];
    for (const c of cases) {
      try {
        await descend(depth, c);
        stacks.push('no error');
      } catch (e) {
        stacks.push((e as Error).stack);
      }
    }
    const limitAfter = limitGetter ? 'getter' : E.stackTraceLimit;
    if (limitGetter) Object.defineProperty(Error, 'stackTraceLimit', { configurable: true, writable: true, enumerable: true, value: 10 });
    else E.stackTraceLimit = 10;
    return { stacks, limitAfter, limitReads };
  }, opts);

for (const opts of [{ depth: 1 }, { depth: 14 }, { depth: 4, limit: 3 }, { depth: 2, limitGetter: true }]) {
  test(`stacks as without the probe: ${JSON.stringify(opts)}`, async ({ plainBrowser, probePage, server }) => {
    const bare = await plainBrowser.newPage();
    await bare.goto(`${server.origin}/`);
    const without = await misuse(bare, opts);
    const withProbe = await misuse(probePage, opts);
    await bare.close();
    expect(without.stacks.every((s) => s !== 'no error')).toBe(true);
    expect(JSON.stringify(withProbe.stacks)).not.toContain(PROBE_SCRIPT);
    expect(withProbe).toEqual(without);
  });
}
