/**
 * The popup is usable without a mouse and without sight: axe-core finds no violation (all
 * rules, WCAG 2.x A/AA and best practices) in every state — no tab, a healthy agent, an agent
 * hit by a lab publish storm, sign-in needed and every health at once — in light and dark
 * colour schemes; the toolbar badge shows the same state as text and colour; Tab reaches every control in order with a visible focus ring, and Enter
 * operates them (the diagnostics link opens the page for that tab).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixture';
import { join } from 'node:path';
import type { SessionView, StateResponse } from '../../src/protocol/ui';
import type { Incident } from '../../src/session/types';
import { PROJECT_ROOT } from '../support/browser.mjs';
import { openPopupPage } from './support/popup-page';
import { extensionWorker, labPost, openAgent } from './support/softphone';

const SHOTS = join(PROJECT_ROOT, '.tmp/screenshots');

/** Runs axe on the page as it is; returns the violations, each summarised for a readable failure. */
async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// A scripted state with every health, sign-in needed, many incidents and an ended session.

const T = Date.UTC(2026, 11, 3, 6, 0, 0);

function view(over: Partial<SessionView> & Pick<SessionView, 'tabId'>): SessionView {
  return {
    href: 'https://apps.mypurecloud.com/directory/',
    health: 'healthy',
    healthReason: '',
    signalling: { state: 'open', openSockets: 1, lastMessageAt: T - 4_000 },
    media: {
      iceConnectionState: 'connected',
      connectionState: 'connected',
      rttMs: 84,
      jitterMs: 3,
      packetLossPct: 0.2,
      mos: 4.3,
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

const rejected = (tabId: number, seq: number, agoMs: number, failed: boolean): Incident => ({
  id: `${tabId}:${seq}`,
  tabId,
  kind: 'unauthorized',
  openedAt: T - agoMs,
  ...(failed ? {} : { resolvedAt: T - agoMs + 1_200 }),
  summary: 'Request rejected as unauthorized (401)',
  detail: { status: 401, url: 'https://api.mypurecloud.com/api/v2/communications/webRTC' },
  steps: [{ at: T - agoMs + 300, action: 'token-refresh', outcome: failed ? 'failed' : 'ok' }],
});

const EVERY_STATE: StateResponse = {
  type: 'state',
  worst: 'down',
  storedEvents: 1234,
  now: T,
  configProblems: 1,
  sessions: [
    view({
      tabId: 21,
      agent: { userId: 'u-21', name: 'Dana Reyes', orgId: 'org-7' },
      health: 'down',
      auth: {
        refreshCount: 3,
        retries: 2,
        retriesRecovered: 1,
        signInRequired: true,
        lastRefreshAt: T - 5_000,
        lastRefreshOutcome: 'failed',
        lastRefreshError: 'login_required',
      },
      incidents: [rejected(21, 9, 20_000, true), ...[1, 2, 3, 4, 5, 6].map((s) => rejected(21, s, s * 600_000, false))],
    }),
    view({
      tabId: 22,
      agent: { userId: 'u-22', name: 'Lee Park' },
      health: 'recovering',
      signalling: { state: 'closed', openSockets: 0, lastClose: { at: T - 8_000, code: 1006, reason: '', wasClean: false } },
      incidents: [
        {
          id: '22:1',
          tabId: 22,
          kind: 'abnormal-close',
          openedAt: T - 8_000,
          summary: 'WebSocket closed abnormally (1006)',
          detail: { code: 1006 },
          steps: [],
        },
      ],
    }),
    view({
      tabId: 23,
      agent: { userId: 'u-23', name: 'Sam Ortiz' },
      health: 'degraded',
      media: {
        iceConnectionState: 'connected',
        connectionState: 'connected',
        statsAt: T - 1_000,
        rttMs: 612,
        jitterMs: 48,
        packetLossPct: 4.5,
        mos: 2.4,
        micPermission: 'denied',
      },
    }),
    view({ tabId: 24, agent: { userId: 'u-24', name: 'Kim Lee' } }),
    view({ tabId: 20, alive: false, endedAt: T - 120_000, agent: { userId: 'u-20', name: 'Jo Bloggs' } }),
  ],
};

// ---------------------------------------------------------------------------------------------

test('no softphone tab: no axe violations', async ({ context }) => {
  const { page, errors } = await openPopupPage(context);
  await expect(page.locator('.popup__status')).toHaveText(/No softphone tab is being watched/, { timeout: 10_000 });
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await axeViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
});

test('a healthy agent, then the same agent during a publish storm: no axe violations in either state', async ({ lab, context }) => {
  await openAgent(context, lab, 'agent-1');
  const { page, errors } = await openPopupPage(context);
  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Alex Rivera' }) });
  await expect(card.locator('.pill')).toHaveText('Healthy', { timeout: 15_000 });
  await expect(card.locator('.card__reason')).toHaveText(/^All good: /);
  // The toolbar button agrees: no badge text while all is well, and a title saying so.
  const worker = await extensionWorker(context);
  const badge = () => worker.evaluate(async () => [await chrome.action.getBadgeText({}), await chrome.action.getTitle({})]);
  await expect.poll(badge, { timeout: 10_000 }).toEqual(['', 'Softphone Guard: softphone healthy']);
  const healthy = await axeViolations(page);
  await page.screenshot({ path: join(SHOTS, 'popup-healthy.png'), fullPage: true });
  expect(healthy).toEqual([]);

  // The storm: 1006 on every socket, every token revoked, 429 with Retry-After on presence. The
  // refresh endpoint answers slowly meanwhile, so the recovery lasts long enough to be looked at.
  await labPost(lab, '/lab/fault/slow-refresh', { delayMs: 10_000, durationMs: 30_000 });
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 5, rateLimitMs: 30_000 });
  await expect(card.locator('.pill')).toHaveText('Recovering', { timeout: 20_000 });
  // Text and colour on the badge too (white on #0a4ea8: 7.9:1).
  await expect.poll(badge, { timeout: 10_000 }).toEqual(['…', 'Softphone Guard: recovering the softphone']);
  expect((await worker.evaluate(() => chrome.action.getBadgeBackgroundColor({}))).slice(0, 3)).toEqual([0x0a, 0x4e, 0xa8]);
  await page.screenshot({ path: join(SHOTS, 'popup-recovering.png'), fullPage: true });
  const sentence = (await card.locator('.card__reason').textContent()) ?? '';
  test.info().annotations.push({ type: 'storm sentence', description: sentence });
  expect(sentence).toMatch(
    /^(Signalling dropped \(1006\) (\d+ s ago|just now); waiting for the softphone to reconnect|A request to \S+ was rejected \(401\))/,
  );
  // The change of news was announced to screen readers (the polite live region of the card).
  await expect(card.getByTestId('card-announcement')).toHaveText(/^(Signalling dropped|A request to)/, { timeout: 5_000 });
  const recovering = await axeViolations(page);
  // Still in trouble after the analysis: it was the recovering popup that axe looked at.
  await expect(card.locator('.pill')).not.toHaveText('Healthy', { timeout: 1 });
  expect(recovering).toEqual([]);
  expect(errors).toEqual([]);
});

test('sign-in needed, every health, ended sessions open, in light and dark: no axe violations', async ({ context }) => {
  const { page, errors } = await openPopupPage(context, EVERY_STATE);
  await expect(page.locator('.cards .card .pill')).toHaveText(['Down', 'Recovering', 'Degraded', 'Healthy']);
  await expect(page.locator('.card').first().locator('.card__reason')).toHaveText(
    'Sign-in needed: the token could not be refreshed; sign in to the softphone again.',
  );
  await page.getByRole('button', { name: '2 more' }).click();
  await page.locator('details.ended summary').click();
  await expect(page.getByRole('heading', { name: 'Jo Bloggs' })).toBeVisible();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await axeViolations(page), scheme).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(SHOTS, 'popup-every-state.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('keyboard: Tab reaches every control in order with a visible focus ring; Enter operates them', async ({ lab, context }) => {
  await openAgent(context, lab, 'agent-1');
  const { page } = await openPopupPage(context);
  await expect(page.locator('.cards .card .pill')).toHaveText(['Healthy'], { timeout: 15_000 });

  // Every control in document order, as a screen reader user would meet them.
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], button, summary, input, select, textarea, [tabindex]')]
      .filter((el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && el.getClientRects().length > 0)
      .map((el) => el.dataset.testid ?? `${el.tagName.toLowerCase()}:${el.textContent?.trim()}`),
  );
  expect(controls).toEqual(['diagnostics-link', 'diagnostics-all', 'export-bundle', 'export-summary']);

  const reached: string[] = [];
  for (let i = 0; i < controls.length; i += 1) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return null;
      const style = getComputedStyle(el);
      return {
        id: el.dataset.testid ?? `${el.tagName.toLowerCase()}:${el.textContent?.trim()}`,
        ring: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        isButtonOrLink: el.tagName === 'BUTTON' || el.tagName === 'A' || el.tagName === 'SUMMARY',
      };
    });
    expect(focus?.ring, `visible focus on ${focus?.id}`).toBe(true);
    expect(focus?.isButtonOrLink, `${focus?.id} is a real control`).toBe(true);
    reached.push(focus!.id);
  }
  expect(reached).toEqual(controls);

  // Enter on the summary export: the worker answers, and the outcome is announced.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-outcome', 'ok', { timeout: 30_000 });
  await expect(page.getByTestId('export-status')).not.toHaveText('');

  // Enter on the card's diagnostics link opens the diagnostics page for that tab, in a new tab.
  const state: StateResponse = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  const session = state.sessions.find((s) => s.agent?.userId === 'agent-1' && s.alive)!;
  await page.getByTestId('diagnostics-link').focus();
  const [opened] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
  await expect.poll(() => opened.url()).toMatch(new RegExp(`/extension/diagnostics/index\\.html\\?tab=${session.tabId}$`));
  // The popup stays as it was (the link did not navigate it).
  expect(page.url()).toMatch(/\/extension\/popup\/index\.html$/);

  await page.getByTestId('diagnostics-all').focus();
  const [all] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
  await expect.poll(() => all.url()).toMatch(/\/extension\/diagnostics\/index\.html$/);
});
