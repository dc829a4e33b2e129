/**
 * The diagnostics page in real Chromium with the built extension against the softphone lab:
 * after a publish storm (seeds 000/001) the agent's timeline shows the abnormal close (1006),
 * the 401 on the media-token request and what the extension did about it, with outcomes;
 * during a real call the quality charts draw the stored statistics with their thresholds.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { appStatus, labPost, recoveredFromStorm, sessionOf } from './support/softphone';
import { diagnosticsUrl, openDiagnostics, storedEvents, tabIdOf } from './support/diagnostics';

type Hook = { labSoftphone: { answer(): Promise<unknown> } };

/** Shows only the given filter categories (by their label text). */
async function showOnly(page: Page, labels: RegExp[]): Promise<void> {
  const boxes = page.getByRole('group', { name: 'Show' }).getByRole('checkbox');
  for (let i = 0; i < (await boxes.count()); i += 1) {
    const box = boxes.nth(i);
    const name = (await box.evaluate((el) => el.parentElement?.textContent ?? '')) ?? '';
    await box.setChecked(labels.some((l) => l.test(name)));
  }
}

test('after a publish storm the timeline shows the 1006, the 401 and the recovery steps with their outcomes', async ({
  lab,
  context,
  agent,
}) => {
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent, 45_000);

  const page = await openDiagnostics(context);
  const tabId = (await tabIdOf(page, 'agent-1'))!;
  expect(tabId).toBeGreaterThan(0);
  // Recovery is over once the 401 incident's token refresh and retry both came back ok.
  await expect
    .poll(
      async () => {
        const s = await sessionOf(page, 'agent-1');
        const unauthorized = s?.incidents.find((i) => i.kind === 'unauthorized');
        return unauthorized?.steps.map((st) => `${st.action}:${st.outcome}`) ?? [];
      },
      { timeout: 30_000 },
    )
    .toEqual(expect.arrayContaining(['token-refresh:ok', 'request-retry:ok']));

  await page.goto(diagnosticsUrl(tabId));
  await expect(page.getByRole('heading', { level: 1, name: 'Softphone Guard diagnostics' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Selected session: Alex Rivera/ })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Agent sessions' }).getByRole('link', { name: /Alex Rivera/ })).toHaveAttribute(
    'aria-current',
    'page',
  );

  const list = page.getByRole('listbox', { name: 'Timeline events, newest first' });
  const find = page.getByRole('searchbox', { name: 'Find in the timeline' });

  // The abnormal close, with its code and what it means.
  await find.fill('1006');
  await expect(list.getByRole('option', { name: /WebSocket closed: 1006 Abnormal closure/ }).first()).toBeVisible();
  await expect(list.getByRole('option', { name: /Incident: .*1006/ }).first()).toBeVisible();

  // The 401 on the media-token endpoint, hidden from the softphone by the retry.
  await find.fill('webRTC');
  await expect(
    list.getByRole('option', { name: /HTTP 401 Unauthorized: GET \/api\/v2\/communications\/webRTC.*hidden from the softphone/ }).first(),
  ).toBeVisible();
  await expect(
    list
      .getByRole('option', { name: /Retried GET \/api\/v2\/communications\/webRTC with a fresh token after a 401: HTTP 200.*recovered/ })
      .first(),
  ).toBeVisible();

  // Every recovery step of the 401 incident, with its outcome.
  await find.fill('');
  await showOnly(page, [/^Recovery steps/, /^Incidents/]);
  await expect(list.getByRole('option', { name: /Incident: .*401/ }).first()).toBeVisible();
  await expect(list.getByRole('option', { name: /Recovery: Fetched a fresh token — ok/ }).first()).toBeVisible();
  await expect(list.getByRole('option', { name: /Recovery: Retried the request — page saw success/ }).first()).toBeVisible();
  await expect(list.getByRole('option', { name: /Token refresh succeeded/ }).first()).toBeVisible();
  // Unticked categories are gone from the list.
  await expect(list.getByRole('option', { name: /WebSocket opened/ })).toHaveCount(0);

  // Selecting a line with the keyboard shows all of it in the detail panel.
  await list.focus();
  await page.keyboard.press('Home');
  const detail = page.getByRole('region', { name: 'Selected event' });
  await expect(detail).toContainText(/Incident|Recovery|Token refresh/);

  // The export buttons are there, and the bundle saved from this page holds the close.
  await expect(page.getByRole('button', { name: 'Copy summary for a ticket' })).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save diagnostics bundle (JSON)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.json$/);
  const bundle = JSON.parse(readFileSync((await file.path())!, 'utf8')) as unknown;
  expect(JSON.stringify(bundle)).toContain('1006');

  // No automatically detectable accessibility violation on the page.
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('during a real call the charts show RTT, jitter, loss and MOS with the thresholds drawn in', async ({ lab, context, agent }) => {
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  await agent.evaluate(() => (window as unknown as Hook).labSoftphone.answer());
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('connected');

  const page = await openDiagnostics(context);
  const tabId = (await tabIdOf(page, 'agent-1'))!;
  // The probe posts every 5th one-second sample of a good call: wait for a few stored ones.
  await expect
    .poll(async () => (await storedEvents(page, tabId)).filter((e) => e.type === 'pc-stats').length, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(3);

  await page.goto(diagnosticsUrl(tabId));
  const charts = page.getByRole('region', { name: 'Call quality' });
  for (const [metric, title] of [
    ['rttMs', 'Round-trip time (RTT)'],
    ['jitterMs', 'Jitter'],
    ['packetLossPct', 'Packet loss'],
    ['mos', 'MOS (estimated)'],
  ] as const) {
    const figure = charts.locator(`figure[data-metric="${metric}"]`);
    await expect(figure.getByRole('heading', { name: title })).toBeVisible();
    // A canvas drawn by uPlot, and the text alternative with the sample count.
    await expect(figure.locator('canvas').first()).toBeVisible();
    await expect(figure.locator('.chart__summary')).toContainText(new RegExp(`${title.replace(/[()]/g, '\\$&')}: \\d+ samples`));
  }
  // The thresholds of docs/architecture.md §6, named in the legends.
  await expect(charts.getByText('Poor: 400 ms', { exact: true })).toBeVisible();
  await expect(charts.getByText('Poor: 30 ms', { exact: true })).toBeVisible();
  await expect(charts.getByText('Worth a look: 1 %', { exact: true })).toBeVisible();
  await expect(charts.getByText('Poor: 3 %', { exact: true })).toBeVisible();
  await expect(charts.getByText('Poor: 3.0', { exact: true })).toBeVisible();
  // The call goes on: more samples arrive and the chart's count grows without a reload.
  const count = async (): Promise<number> =>
    Number(/: (\d+) samples/.exec((await charts.locator('figure[data-metric="rttMs"] .chart__summary').textContent()) ?? '')?.[1] ?? 0);
  const before = await count();
  await expect.poll(count, { timeout: 60_000 }).toBeGreaterThan(before);
  expect((await appStatus(agent)).call.state).toBe('connected');
});
