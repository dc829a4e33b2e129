/**
 * Prevention (docs/architecture.md §3) in real Chromium against the lab: a token refresh ahead of a
 * configured risk window and ahead of a known token expiry, pushed to the softphone tabs, and
 * monitored tabs kept from being discarded.
 *
 * What the probe does with a pushed token (extension/page/token-broker.ts, the token ledger
 * in src/recovery/token-substitution.ts): it becomes the ledger's fresh token, but only tokens
 * the probe has seen rejected are substituted. So a pushed token takes over the page's own
 * token only after that token got its first 401 — then at once, without asking the worker.
 * The tests assert exactly that.
 */
import { expect, test as base } from './support/fixture';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import type { SessionView, StateResponse } from '../../src/protocol/ui';
import {
  appStatus,
  callReady,
  recoveredFromStorm,
  extensionWorker,
  labPost,
  labStats,
  openPopup,
  stopServiceWorker,
  withLabPages,
} from './support/softphone';
import type { AppStatus, Lab } from './support/softphone';

const ZONE = 'America/Chicago';
const PREFIX = 'sg-prevent:';

const test = base.extend<{ due: number; ttlSeconds: number }>({
  // eslint-disable-next-line no-empty-pattern -- no fixture needed
  due: async ({}, use) => {
    // Window starts are whole minutes: the window starts at the minute after next with a
    // one-minute lead, so the refresh is due at the next minute boundary (≥ 15 s away, to
    // leave time for two sign-ins).
    let due = Math.ceil(Date.now() / 60_000) * 60_000;
    if (due - Date.now() < 15_000) due += 60_000;
    await use(due);
  },
  // The page's own token outlives the preventive refresh by ≥ 15 s, then expires.
  ttlSeconds: async ({ due }, use) => use(Math.max(40, Math.ceil((due - Date.now()) / 1000) + 15)),
});

const count401 = (s: { requests: Record<string, number> }): number =>
  Object.entries(s.requests)
    .filter(([k]) => k.endsWith(' 401'))
    .reduce((n, [, v]) => n + v, 0);

async function sessionsOf(popup: Page, userId: string): Promise<SessionView[]> {
  const state: StateResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.filter((s) => s.alive && s.agent?.userId === userId);
}

async function preventionAlarms(worker: Worker): Promise<{ name: string; scheduledTime: number }[]> {
  const all = await worker.evaluate(() => chrome.alarms.getAll());
  return all.filter((a) => a.name.startsWith(PREFIX)).map((a) => ({ name: a.name, scheduledTime: a.scheduledTime }));
}

/** Weekday (`Mon`) and `HH:MM` of an instant in {@link ZONE}. */
function wallClock(at: number): { day: string; hhmm: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return { day: get('weekday'), hhmm: `${get('hour')}:${get('minute')}` };
}

/** The app's status, or null while the page is between documents (sign-in redirects). */
const statusOrNull = (page: Page): Promise<AppStatus | null> => appStatus(page).catch(() => null);

/**
 * Opens the lab app as `user` and waits until it can take calls. Unlike the shared
 * `openAgent`, a status read that lands between the sign-in redirects is retried, not fatal.
 */
async function openAgent(context: BrowserContext, lab: Lab, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${lab.url}/login?user=${user}&return=/`);
  await expect.poll(async () => callReady(await statusOrNull(page)), { timeout: 20_000 }).toBe(true);
  return page;
}

async function answerCall(lab: Lab, agent: Page, userId: string): Promise<void> {
  await labPost(lab, '/lab/ring', { userId });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  await agent.evaluate(() => (window as unknown as { labSoftphone: { answer(): Promise<unknown> } }).labSoftphone.answer());
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('connected');
}

test('unpacked builds fire a 1-s alarm on time (packed builds would wait ≥ 30 s)', async ({ worker }) => {
  const firedAfter = await worker.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t0 = Date.now();
        const name = 'e2e-alarm-minimum';
        chrome.alarms.onAlarm.addListener((a) => {
          if (a.name === name) resolve(Date.now() - t0);
        });
        void chrome.alarms.create(name, { when: t0 + 1000 });
      }),
  );
  expect(firedAfter).toBeGreaterThanOrEqual(990);
  expect(firedAfter).toBeLessThan(3000);
});

test.describe('a token that outlives the preventive refresh', () => {
  test.use({ labOptions: async ({ ttlSeconds }, use) => use({ tokenTtlSeconds: ttlSeconds }) });

  test('ahead of a risk window the token is refreshed once, pushed to every tab, shown in the popup; the page token is taken over at its first 401', async ({
    lab,
    context,
    worker,
    due,
    ttlSeconds,
  }) => {
    test.setTimeout(180_000);
    const loginAt = Date.now();
    const first = await openAgent(context, lab, 'agent-1');
    const second = await openAgent(context, lab, 'agent-1');
    const before = await labStats(lab);
    expect(Date.now()).toBeLessThan(due - 2000);

    const { day, hhmm } = wallClock(due + 60_000);
    const window = { days: [day], start: hhmm, timeZone: ZONE, durationMinutes: 30, refreshAheadMinutes: 1 };
    await worker.evaluate((userConfig) => chrome.storage.local.set({ userConfig }), withLabPages({ riskWindows: [window] }));
    const note = `Refreshed ahead of ${day} ${hhmm} ${ZONE}`;

    await test.step('the alarm is set for the refresh time', async () => {
      await expect.poll(async () => (await preventionAlarms(worker)).map((a) => a.scheduledTime)).toEqual([due]);
    });

    await test.step('at the refresh time: one refresh call, no 401, both tabs’ sessions show it', async () => {
      await expect.poll(async () => (await labStats(lab)).refreshCalls - before.refreshCalls, { timeout: 80_000 }).toBe(1);
      const popup = await openPopup(context);
      await expect
        .poll(async () => (await sessionsOf(popup, 'agent-1')).map((s) => [s.auth.lastRefreshOutcome, s.auth.lastRefreshNote]))
        .toEqual([
          ['ok', note],
          ['ok', note],
        ]);
      const sessions = await sessionsOf(popup, 'agent-1');
      for (const s of sessions) expect(s.auth.tokenExpiresAt).toBeGreaterThan(Date.now() + (ttlSeconds - 15) * 1000);
      await expect(popup.getByText(note).first()).toBeVisible();
      const after = await labStats(lab);
      expect(after.refreshCalls - before.refreshCalls).toBe(1);
      expect(count401(after) - count401(before)).toBe(0);
      for (const tab of [first, second]) expect((await appStatus(tab)).failures.http401).toBe(0);
    });

    await test.step('the next alarm is for a later refresh, not the same one again', async () => {
      await expect.poll(async () => (await preventionAlarms(worker)).length).toBe(1);
      const [next] = await preventionAlarms(worker);
      expect(next!.scheduledTime).toBeGreaterThan(due);
    });

    await test.step('the page’s own token, never rejected, is not replaced: its expiry costs one 401 the probe absorbs', async () => {
      await first.waitForTimeout(Math.max(0, loginAt + ttlSeconds * 1000 + 4000 - Date.now()));
      const atExpiry = await labStats(lab);
      await answerCall(lab, first, 'agent-1');
      const after = await labStats(lab);
      // The answer POST went out with the page's expired token (401 at the server); the probe
      // retried it with the pushed token at once, and the codec renegotiation that followed was
      // already substituted.
      expect(count401(after) - count401(atExpiry)).toBe(1);
      expect(after.requests['POST /api/v2/conversations/{id}/answer 401'] ?? 0).toBe(1);
      // The probe did not need to ask the worker for a token (no `token-needed`).
      const popup = await openPopup(context);
      const { events } = await popup.evaluate(
        () => chrome.runtime.sendMessage({ type: 'get-events', limit: 10_000 }) as Promise<{ events: { type: string }[] }>,
      );
      expect(events.filter((e) => e.type === 'token-needed')).toEqual([]);
      const s = await appStatus(first);
      expect(s.failures.http401).toBe(0);
      expect(s.loadCount).toBe(1);
    });
  });
});

test.describe('a token of 40 s and no risk window', () => {
  // No risk window: only the token's expiry drives prevention here.
  test.use({ labOptions: { tokenTtlSeconds: 40 }, userConfig: { riskWindows: [] } });

  test('ahead of a known token expiry the token is refreshed (also after a worker restart), and once the probe substitutes, expiry costs no 401', async ({
    lab,
    context,
    worker,
    agent,
  }) => {
    test.setTimeout(150_000);

    // A publish storm makes the probe see its token rejected: from then on pushed tokens replace it.
    await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
    await recoveredFromStorm(agent);
    const popup = await openPopup(context);
    await expect.poll(async () => (await sessionsOf(popup, 'agent-1'))[0]?.auth.lastRefreshOutcome).toBe('ok');
    const expiresAt = (await sessionsOf(popup, 'agent-1'))[0]?.auth.tokenExpiresAt ?? 0;
    expect(expiresAt).toBeGreaterThan(Date.now());
    const recovered = await labStats(lab);
    await expect.poll(async () => (await preventionAlarms(worker)).some((a) => a.name.includes('token-expiry'))).toBe(true);

    await test.step('the worker is stopped: the alarm and the expiry it stands for outlive it', async () => {
      await worker.evaluate(() => Object.assign(globalThis, { e2eLife: 'before-stop' }));
      await stopServiceWorker(context, agent);
      const restarted = await extensionWorker(context);
      await expect.poll(() => restarted.evaluate(() => (globalThis as { e2eLife?: string }).e2eLife ?? 'new')).toBe('new');
      await expect.poll(async () => (await preventionAlarms(restarted)).some((a) => a.name.includes('token-expiry'))).toBe(true);
    });

    await test.step('refreshed before the token expired, and the popup says why', async () => {
      await expect
        .poll(async () => (await sessionsOf(popup, 'agent-1'))[0]?.auth.lastRefreshNote, { timeout: 45_000 })
        .toBe('Refreshed ahead of token expiry');
      const s = (await sessionsOf(popup, 'agent-1'))[0]!;
      expect(s.auth.lastRefreshAt).toBeLessThan(expiresAt);
      expect(s.auth.tokenExpiresAt).toBeGreaterThan(expiresAt);
      expect((await labStats(lab)).refreshCalls).toBeGreaterThan(recovered.refreshCalls);
    });

    await test.step('after the old token’s expiry the softphone takes a call without a single 401', async () => {
      await agent.waitForTimeout(Math.max(0, expiresAt + 1000 - Date.now()));
      await answerCall(lab, agent, 'agent-1');
      const after = await labStats(lab);
      expect(count401(after) - count401(recovered)).toBe(0);
      const s = await appStatus(agent);
      expect(s.failures.http401).toBe(0);
      expect(s.loadCount).toBe(1);
    });
  });
});

test('a monitored softphone tab is not auto-discardable; other tabs are', async ({ lab, context, worker }) => {
  await openAgent(context, lab, 'agent-1');
  const other = await context.newPage();
  await other.goto('about:blank');
  // Without the `tabs` permission only host-permitted tabs show their URL: the others read ''.
  const tabs = async (): Promise<{ url: string; autoDiscardable: boolean }[]> =>
    worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => ({ url: t.url ?? '', autoDiscardable: t.autoDiscardable })));
  const monitored = (t: { url: string }): boolean => t.url.startsWith(lab.url);
  await expect.poll(async () => (await tabs()).filter(monitored).map((t) => t.autoDiscardable)).toEqual([false]);
  const others = (await tabs()).filter((t) => !monitored(t));
  expect(others.length).toBeGreaterThan(0);
  expect(others.every((t) => t.autoDiscardable)).toBe(true);
});
