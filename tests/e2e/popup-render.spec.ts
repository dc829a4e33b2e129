/**
 * The popup in real Chromium, opened as an extension page in a tab.
 *
 * - With the real service worker, whatever it answers (or not): the first render is the
 *   neutral "Looking…" state, then the empty state, with no console errors.
 * - With the popup's `runtime.sendMessage` replaced from the test (an init script; the popup
 *   has no test-only code path): the first paint comes long before a slow answer, no answer
 *   gives the empty state, and a state answer renders the cards in order with their sections,
 *   flags, keyboard order and ages that tick between answers.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './support/fixture';
import { join } from 'node:path';
import type { SessionView, StateResponse } from '../../src/protocol/ui';
import type { Incident } from '../../src/session/types';
import { EXTENSION_ID, PROJECT_ROOT, extensionWorker } from '../support/browser.mjs';

const POPUP_URL = `chrome-extension://${EXTENSION_ID}/extension/popup/index.html`;
const LOOKING = 'Looking for softphone tabs…';
const EMPTY = 'No softphone tab is being watched. Open your softphone; Softphone Guard starts watching it automatically.';

/** How the replaced `sendMessage` behaves. */
interface FakeWorker {
  /** `answer`: every request; `once`: the first request only; `hang`: never. */
  mode: 'answer' | 'once' | 'hang';
  /** Delay before each answer, ms. */
  delayMs: number;
  /** The answer; its `now` advances in real time from the moment the page starts. */
  state: StateResponse | null;
}

/**
 * Records every change of the popup's status line with its time, from document start, so a
 * test can tell what the first render showed and when later ones came.
 */
function recordStatus(): void {
  const log: { text: string; t: number }[] = [];
  Object.defineProperty(globalThis, '__statusLog', { value: log });
  new MutationObserver(() => {
    const text = document.querySelector('[role="status"]')?.textContent ?? '';
    if (text && log.at(-1)?.text !== text) log.push({ text, t: performance.now() });
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

/** Replaces `runtime.sendMessage` in the page (both namespaces) by a scripted fake worker. */
function fakeWorker(cfg: FakeWorker): void {
  const startedAt = Date.now();
  const sent: unknown[] = [];
  Object.defineProperty(globalThis, '__sentMessages', { value: sent });
  let calls = 0;
  const answer = (message: unknown): Promise<unknown> => {
    calls += 1;
    sent.push(message);
    const isGetState = (message as { type?: string } | null)?.type === 'get-state';
    if (!isGetState || cfg.mode === 'hang' || (cfg.mode === 'once' && calls > 1)) return new Promise(() => {});
    const reply = cfg.state ? { ...cfg.state, now: cfg.state.now + (Date.now() - startedAt) } : undefined;
    return new Promise((resolve) => setTimeout(() => resolve(reply), cfg.delayMs));
  };
  const replace = (runtime: object | undefined): void => {
    if (!runtime) return;
    Object.defineProperty(runtime, 'sendMessage', {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        const callback = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : null;
        const reply = answer(args[0]);
        if (callback) void reply.then(callback);
        else return reply;
      },
    });
  };
  replace(chrome.runtime);
  replace((globalThis as { browser?: { runtime?: object } }).browser?.runtime);
}

/** Opens the popup page in a tab, 400 px wide like the real popup, collecting console errors. */
async function openPopup(context: BrowserContext, fake?: FakeWorker): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 400, height: 600 });
  await page.addInitScript(recordStatus);
  if (fake) await page.addInitScript(fakeWorker, fake);
  await page.goto(POPUP_URL);
  return { page, errors };
}

const statusLog = (page: Page): Promise<{ text: string; t: number }[]> =>
  page.evaluate(() => (globalThis as unknown as { __statusLog: { text: string; t: number }[] }).__statusLog);

const sentMessages = (page: Page): Promise<unknown[]> =>
  page.evaluate(() => (globalThis as unknown as { __sentMessages: unknown[] }).__sentMessages);

const firstContentfulPaint = (page: Page): Promise<number | undefined> =>
  page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);

// ---------------------------------------------------------------------------------------------
// A state built for the render test. Times are relative to T, the worker's `now`.

const T = Date.UTC(2024, 5, 7, 21, 0, 0);

function view(over: Partial<SessionView> & Pick<SessionView, 'tabId'>): SessionView {
  return {
    href: 'https://apps.mypurecloud.com/directory/',
    health: 'healthy',
    healthReason: 'Signalling and media are healthy.',
    signalling: { state: 'open', openSockets: 1, lastMessageAt: T - 4_000 },
    media: {
      iceConnectionState: 'connected',
      connectionState: 'connected',
      rttMs: 84,
      jitterMs: 3.1,
      packetLossPct: 0.2,
      mos: 4.36,
      micPermission: 'granted',
    },
    auth: { refreshCount: 0, retries: 0, retriesRecovered: 0 },
    incidents: [],
    sockets: {},
    refreshInFlight: false,
    nextIncidentSeq: 1,
    startedAt: T - 3_600_000,
    updatedAt: T - 500,
    alive: true,
    ...over,
  };
}

function unauthorized(tabId: number, seq: number, agoMs: number, open = false): Incident {
  const openedAt = T - agoMs;
  return {
    id: `${tabId}:${seq}`,
    tabId,
    kind: 'unauthorized',
    openedAt,
    ...(open ? {} : { resolvedAt: openedAt + 1_400 }),
    summary: 'Media token request rejected (401)',
    detail: { status: 401, url: 'https://api.mypurecloud.com/api/v2/communications/webRTC' },
    steps: [
      { at: openedAt + 300, action: 'token-refresh', outcome: 'ok' },
      { at: openedAt + 900, action: 'request-retry', outcome: open ? 'pending' : 'ok' },
    ],
  };
}

const STATE: StateResponse = {
  type: 'state',
  worst: 'recovering',
  storedEvents: 48_213,
  now: T,
  sessions: [
    view({ tabId: 11, agent: { userId: 'u-11', name: 'Sam Ortiz', orgId: 'org-7' } }),
    view({
      tabId: 9,
      alive: false,
      agent: { userId: 'u-9', name: 'Lee Park', orgId: 'org-7' },
      healthReason: 'The tab was closed.',
    }),
    view({
      tabId: 12,
      agent: { userId: 'u-12', name: 'Dana Reyes', orgId: 'org-7' },
      health: 'recovering',
      healthReason: 'Media token rejected (401); fetching a fresh one.',
      media: {
        iceConnectionState: 'connected',
        connectionState: 'connected',
        rttMs: 612,
        jitterMs: 48,
        packetLossPct: 4.5,
        mos: 2.41,
        micPermission: 'granted',
      },
      auth: {
        last401At: T - 2_000,
        last401Url: 'https://api.mypurecloud.com/api/v2/communications/webRTC',
        lastRefreshAt: T - 1_700,
        lastRefreshOutcome: 'ok',
        tokenExpiresAt: T + 8 * 60_000 + 20_000,
        refreshCount: 6,
        retries: 7,
        retriesRecovered: 6,
      },
      incidents: [unauthorized(12, 7, 2_000, true), ...[6, 5, 4, 3, 2, 1].map((seq) => unauthorized(12, seq, (8 - seq) * 600_000))],
    }),
    view({
      tabId: 13,
      href: 'http://127.0.0.1:5173/softphone',
      health: 'degraded',
      healthReason: 'WebSocket closed abnormally (1006); waiting for the app to reconnect.',
      signalling: {
        state: 'closed',
        openSockets: 0,
        lastClose: { at: T - 6_000, code: 1006, reason: '', wasClean: false },
        lastMessageAt: T - 7_000,
      },
      incidents: [
        {
          id: '13:1',
          tabId: 13,
          kind: 'abnormal-close',
          openedAt: T - 6_000,
          summary: 'WebSocket closed abnormally (1006)',
          detail: { code: 1006 },
          steps: [{ at: T - 6_000, action: 'none', outcome: 'pending' }],
        },
      ],
    }),
  ],
};

// ---------------------------------------------------------------------------------------------

test.describe('popup', () => {
  test('with the real worker: renders "Looking…" first, then the empty state, without console errors', async ({ context }) => {
    await extensionWorker(context);
    const { page, errors } = await openPopup(context);

    await expect(page.getByRole('status')).toHaveText(EMPTY, { timeout: 5_000 });
    const log = await statusLog(page);
    expect(log[0]?.text).toBe(LOOKING);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Softphone Guard');
    await expect(page.locator('.card')).toHaveCount(0);

    // Let a few refresh rounds run: the popup keeps polling quietly.
    await page.waitForTimeout(2_500);
    await expect(page.getByRole('status')).toHaveText(EMPTY);
    await page.screenshot({ path: join(PROJECT_ROOT, '.tmp/popup-empty.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('paints before a slow answer, then shows what it says', async ({ context }) => {
    const { page, errors } = await openPopup(context, { mode: 'answer', delayMs: 1_000, state: { ...STATE, sessions: [], worst: null } });

    await expect(page.getByRole('status')).toHaveText(LOOKING);
    await expect(page.getByRole('status')).toHaveText(EMPTY, { timeout: 5_000 });
    const log = await statusLog(page);
    const fcp = await firstContentfulPaint(page);
    expect(log.map((e) => e.text)).toEqual([LOOKING, EMPTY]);
    expect(fcp).toBeDefined();
    // The first paint came well before the answer (1 s later).
    expect(fcp!).toBeLessThan(log[1]!.t - 500);
    await expect(page.locator('.popup__events')).toHaveText('48,213 events stored');
    await expect(page.locator('.popup__note')).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('shows the empty state when nothing answers within a short time', async ({ context }) => {
    const { page, errors } = await openPopup(context, { mode: 'hang', delayMs: 0, state: null });

    await expect(page.getByRole('status')).toHaveText(EMPTY, { timeout: 5_000 });
    const log = await statusLog(page);
    expect(log[0]?.text).toBe(LOOKING);
    // It waited for the request to time out (1.5 s) before giving up on an answer.
    expect(log[1]!.t - log[0]!.t).toBeGreaterThan(1_000);
    await expect(page.locator('.popup__note')).toHaveText('The background service has not answered yet; retrying.');
    expect(errors).toEqual([]);
  });

  test('renders one card per session, worst first, ended ones collapsed, keyboard in order', async ({ context }) => {
    const { page, errors } = await openPopup(context, { mode: 'answer', delayMs: 0, state: STATE });

    await expect(page.getByRole('status')).toHaveText('Watching 3 softphone tabs. Worst: Recovering.');
    const live = page.getByRole('list', { name: 'Watched softphone tabs' }).getByRole('article');
    await expect(live.getByRole('heading', { level: 2 })).toHaveText(['Dana Reyes', 'Unknown agent (tab 13)', 'Sam Ortiz']);
    await expect(live.locator('.pill')).toHaveText(['Recovering', 'Degraded', 'Healthy']);
    await expect(live.first().locator('.card__subtitle')).toHaveText('Org org-7 · apps.mypurecloud.com');
    await expect(live.nth(1).locator('.card__subtitle')).toHaveText('127.0.0.1:5173');

    // Health sentence, with a polite live region for its changes; icons labelled or hidden, never colour alone.
    const dana = live.first();
    const danaSentence = 'A request to /api/v2/communications/webRTC was rejected (401); fetching a fresh token and retrying the request.';
    await expect(dana.locator('.card__reason')).toHaveText(danaSentence);
    // The live region stays quiet until the news changes (ages ticking are not news).
    await expect(dana.locator('[aria-live="polite"]')).toHaveText('');
    await expect(dana.getByRole('img', { name: 'Health: Recovering' })).toHaveCount(1);
    await expect(dana.locator('.pill svg')).toHaveAttribute('aria-hidden', 'true');
    await expect(dana.getByRole('heading', { level: 3 })).toHaveText(['Signalling', 'Media', 'Auth', 'Recent incidents']);

    // Values over the Twilio thresholds are flagged with a labelled icon.
    await expect(dana.getByRole('img', { name: 'Warning: Above 400 ms' })).toHaveCount(1);
    await expect(dana.getByRole('img', { name: 'Warning: Above 30 ms' })).toHaveCount(1);
    await expect(dana.getByRole('img', { name: 'Warning: Above 1 %' })).toHaveCount(1);
    await expect(dana.getByRole('img', { name: 'Warning: Below 3.0' })).toHaveCount(1);
    await expect(dana.locator('.row--warn dd .row__value')).toHaveText(['612 ms', '48 ms', '4.5 %', '2.4']);
    await expect(dana.locator('.row', { hasText: '401 endpoint' }).locator('dd')).toHaveText('/api/v2/communications/webRTC');
    await expect(dana.locator('.row', { hasText: 'Token expires' }).locator('dd')).toHaveText('in 8 min');
    await expect(dana.locator('.row', { hasText: 'Retried requests' }).locator('dd')).toHaveText('6 of 7 recovered');

    // Incidents: newest first, five shown, the rest behind "2 more"; steps say what was done.
    const incidents = dana.locator('.incident');
    await expect(incidents).toHaveCount(5);
    await expect(incidents.first().getByRole('img', { name: 'Open' })).toBeVisible();
    await expect(incidents.first().locator('.step')).toHaveText([
      /^Fetched a fresh token — ok\s*after 300 ms$/,
      /^Retried the request — in progress\s*after 900 ms$/,
    ]);
    await expect(incidents.nth(1).locator('.step').nth(1)).toContainText('Retried the request — page saw success');
    await expect(incidents.nth(1).locator('.incident__meta')).toContainText('Resolved after 1 s');

    const unknown = live.nth(1);
    await expect(unknown.locator('.row', { hasText: 'Last close' }).locator('dd')).toContainText('1006, abnormal');
    await expect(unknown.getByRole('img', { name: 'Warning: Closed abnormally' })).toHaveCount(1);

    // Ended sessions sit collapsed at the bottom.
    const ended = page.locator('details.ended');
    await expect(ended).not.toHaveAttribute('open');
    await expect(ended.locator('summary')).toHaveText('Ended sessions (1)');
    await expect(page.getByRole('heading', { name: 'Lee Park' })).toBeHidden();

    // Keyboard: Tab reaches "2 more", then the ended sessions; Enter operates both.
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${el.tagName.toLowerCase()}:${el.textContent?.trim() ?? ''}` : '';
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a:Diagnostics');
    await expect(dana.getByRole('link', { name: 'Diagnostics for Dana Reyes (opens in a new tab)' })).toBeFocused();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:2 more');
    await page.keyboard.press('Enter');
    await expect(incidents).toHaveCount(7);
    await expect(dana.getByRole('button', { name: 'Show fewer' })).toHaveAttribute('aria-expanded', 'true');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a:Diagnostics'); // Unknown agent (tab 13)
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a:Diagnostics'); // Sam Ortiz
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('summary:Ended sessions (1)');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Lee Park' })).toBeVisible();
    await expect(ended.locator('.pill')).toHaveText('Ended');

    await page.screenshot({ path: join(PROJECT_ROOT, '.tmp/popup-sessions.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(PROJECT_ROOT, '.tmp/popup-sessions-dark.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('ages keep ticking locally when the worker stops answering', async ({ context }) => {
    const { page, errors } = await openPopup(context, { mode: 'once', delayMs: 0, state: STATE });
    const heartbeat = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: 'Sam Ortiz' }) })
      .locator('.row', { hasText: 'Heartbeat age' })
      .locator('dd');
    await expect(heartbeat).toHaveText(/^[45] s$/);
    const first = Number.parseInt((await heartbeat.textContent()) ?? '', 10);
    await expect(heartbeat).toHaveText(`${first + 2} s`, { timeout: 4_000 });
    await expect(page.locator('.popup__note')).toContainText('the background service is not answering');
    expect(errors).toEqual([]);
  });

  test('copes with many sessions and a large event store, asking only for the state', async ({ context }) => {
    const sessions = Array.from({ length: 120 }, (_, i) =>
      view({
        tabId: 100 + i,
        alive: i < 90,
        agent: { userId: `u-${i}`, name: `Agent ${String(i).padStart(3, '0')}`, orgId: 'org-7' },
        health: (['healthy', 'degraded', 'recovering', 'down'] as const)[i % 4],
        incidents: Array.from({ length: 20 }, (_, k) => unauthorized(100 + i, k, (k + 1) * 60_000)),
      }),
    );
    const { page, errors } = await openPopup(context, {
      mode: 'answer',
      delayMs: 0,
      state: { ...STATE, sessions, worst: 'down', storedEvents: 2_500_000 },
    });
    await expect(page.getByRole('status')).toHaveText('Watching 90 softphone tabs. Worst: Down.');
    await expect(page.locator('.cards > li > .card')).toHaveCount(90);
    await expect(page.locator('.card').first().locator('.pill')).toHaveText('Down');
    await expect(page.locator('.card').first().locator('.incident')).toHaveCount(5);
    await expect(page.locator('details.ended summary')).toHaveText('Ended sessions (30)');
    await expect(page.locator('details.ended .card')).toHaveCount(0);
    await expect(page.locator('.popup__events')).toHaveText('2,500,000 events stored');

    await page.waitForTimeout(2_000); // a couple of refreshes at this size
    const types = (await sentMessages(page)).map((m) => (m as { type?: string }).type);
    expect(types.length).toBeGreaterThan(1);
    expect(new Set(types)).toEqual(new Set(['get-state']));
    expect(errors).toEqual([]);
  });

  test('a malformed answer shows a short notice instead of a blank popup', async ({ context }) => {
    const broken = { ...view({ tabId: 5 }), signalling: null } as unknown as SessionView;
    const { page } = await openPopup(context, { mode: 'answer', delayMs: 0, state: { ...STATE, sessions: [broken] } });
    await expect(page.getByRole('status')).toHaveText('This state could not be shown.');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Softphone Guard');
  });
});
