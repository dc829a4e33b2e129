/**
 * The probe tier's set-up: a plain page in real Chromium with the built page probe
 * (`<SG_DIST or dist>/extension/page/probe.iife.js`) injected at document start, and no
 * extension — the test plays the relay (fixtures/relay.js) and the recorder
 * (tests/e2e/fixtures/probe/sg-recorder.js) keeps every envelope of the probe channel.
 */
import { test as base, expect } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PROBE_CONFIG } from '../../../extension/page/default-config';
import type { ProbeConfig } from '../../../src/protocol/page';
import { DIST, launchBrowser } from '../../support/browser.mjs';
import { RECORDER, observations } from '../../e2e/fixtures/probe/harness';
import { startLadderServer } from './ladder-server';
import type { LadderServer } from './ladder-server';

/** The probe as built: a classic script, the same file the worker registers in MAIN world. */
export const PROBE_SCRIPT = join(DIST, 'extension/page/probe.iife.js');
/** The relay stand-in (an init script). */
const RELAY = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/relay.js');

/**
 * The configuration the relay sends on connecting: the probe's defaults (protected
 * `*\/api/v2/*`, token refresh on) with short backoff — base 100 ms, cap 400 ms, 2 retries —
 * and a 3 s token wait, so a test runs in seconds.
 */
export const TIER_CONFIG: ProbeConfig = {
  ...DEFAULT_PROBE_CONFIG,
  tokenWaitMs: 3000,
  retry: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 2, statuses: [408, 429, 503] },
};

/**
 * Opens the server's page with the recorder, the relay stand-in and the probe; resolves once
 * the probe has its configuration. `order.relayAfterProbe`: the stand-in is injected after the
 * probe instead of before; `order.relay: false`: no relay at all (then it resolves at load).
 */
export async function openTierPage(
  context: BrowserContext,
  server: LadderServer,
  config: ProbeConfig = TIER_CONFIG,
  order: { relayAfterProbe?: boolean; relay?: boolean } = {},
): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ path: RECORDER });
  await page.addInitScript((c) => {
    (window as unknown as { __relayConfig: unknown }).__relayConfig = c;
  }, config);
  const withRelay = order.relay ?? true;
  if (withRelay && !order.relayAfterProbe) await page.addInitScript({ path: RELAY });
  await page.addInitScript({ path: PROBE_SCRIPT });
  if (withRelay && order.relayAfterProbe) await page.addInitScript({ path: RELAY });
  await page.goto(`${server.origin}/`);
  if (!withRelay) return page;
  await expect.poll(() => observations(page, 'hello').then((h) => h.length), { message: 'probe hello' }).toBe(1);
  // The recorder keeps the commands that reached the probe's end of the port: once the config
  // is there, the probe parses it before the next task (the parser is bundled in the script).
  await expect
    .poll(
      () =>
        page.evaluate(() =>
          (window as unknown as { __sg: { envelopes: { dir: string; msg: { type: string } }[] } }).__sg.envelopes.some(
            (e) => e.dir === 'to-page' && e.msg.type === 'config',
          ),
        ),
      {
        message: 'config delivered to the probe',
      },
    )
    .toBe(true);
  return page;
}

/** Sets how the relay stand-in answers `token-needed`: a `token` command with `token`, `token-failed`, or nothing. */
export async function answerTokens(page: Page, answer: { token: string } | 'token-failed' | null): Promise<void> {
  await page.evaluate((a) => {
    (window as unknown as { __relay: { answer: unknown } }).__relay.answer =
      a === null
        ? null
        : (m: { requestId: string }) =>
            a === 'token-failed'
              ? { type: 'token-failed', requestId: m.requestId, reason: 'refresh failed' }
              : { type: 'token', requestId: m.requestId, accessToken: a.token };
  }, answer);
}

/**
 * Fixtures: `plainBrowser` (Chromium without the extension) and the ladder server, once per
 * worker; per test, `server` (its log and tokens cleared) and `probePage` (a fresh page, closed after).
 */
export const test = base.extend<{ server: LadderServer; probePage: Page }, { plainBrowser: BrowserContext; tierServer: LadderServer }>({
  plainBrowser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (!existsSync(PROBE_SCRIPT)) throw new Error(`no built probe at ${PROBE_SCRIPT}: run \`npm run build\` (or set SG_DIST)`);
      const { context } = await launchBrowser({ withExtension: false });
      await use(context);
      await context.close();
    },
    { scope: 'worker' },
  ],
  tierServer: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await startLadderServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  server: async ({ tierServer }, use) => {
    tierServer.validTokens.clear();
    tierServer.log.length = 0;
    await use(tierServer);
  },
  probePage: async ({ plainBrowser, server }, use) => {
    const page = await openTierPage(plainBrowser, server);
    await use(page);
    await page.close();
  },
});

export { expect };
