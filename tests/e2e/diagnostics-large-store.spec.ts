/**
 * The diagnostics page with 100,000 stored events for one agent's tab: it shows the newest
 * page of the timeline, keeps only a window of lines in the DOM, reads older pages as the
 * list is scrolled, and answers input while it reads. No wall-clock thresholds: the DOM bound
 * and the paging are what keep it responsive; speed belongs to benchmarks.
 */
import { expect, test } from './support/fixture';
import { openAgent } from './support/softphone';
import { diagnosticsUrl, openDiagnostics, seedStore, tabIdOf } from './support/diagnostics';
import { troubledHistory } from './support/event-store';

const EVENTS = 100_000;
/** More lines than this in the DOM at once would mean the list is not windowed. */
const DOM_BOUND = 120;

test('100,000 stored events: the first page renders, scrolling reads more, the DOM stays bounded', async ({ lab, context, worker }) => {
  test.setTimeout(240_000);
  await openAgent(context, lab, 'agent-1');
  const probe = await openDiagnostics(context);
  await expect.poll(() => tabIdOf(probe, 'agent-1')).toBeGreaterThan(0);
  const tabId = (await tabIdOf(probe, 'agent-1'))!;
  await probe.close();
  await seedStore(worker, 'events', troubledHistory(tabId, EVENTS));

  const page = await openDiagnostics(context, tabId);
  expect(page.url()).toBe(diagnosticsUrl(tabId));
  const list = page.getByRole('listbox', { name: 'Timeline events, newest first' });
  const status = page.locator('.timeline__status');
  const options = list.getByRole('option');
  const loaded = async (): Promise<number> =>
    Number(/of ([\d,]+) loaded/.exec((await status.textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0);

  // The newest page is shown with the count of what is stored, and only a window of it is in the DOM.
  await expect(status).toContainText(/10\d,\d{3} events stored for this tab/, { timeout: 60_000 });
  await expect(options.first()).toBeVisible();
  expect(await loaded()).toBeGreaterThanOrEqual(500);
  expect(await loaded()).toBeLessThan(5000);
  expect(await options.count()).toBeLessThanOrEqual(DOM_BOUND);
  await expect(
    list.getByRole('option', { name: /HTTP 429 Too Many Requests: GET \/api\/v2\/presence\/users\/u\d+.*Retry-After: 2/ }).first(),
  ).toBeVisible();

  // Scrolling to the end of what is loaded reads older pages; the DOM stays a window.
  const first = await loaded();
  for (let round = 0; round < 4; round += 1) {
    const before = await loaded();
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(loaded, { timeout: 30_000 }).toBeGreaterThan(before);
    expect(await options.count()).toBeLessThanOrEqual(DOM_BOUND);
  }
  expect(await loaded()).toBeGreaterThanOrEqual(first + 4 * 500);
  // The lines now in view are old ones, still worded.
  await expect(list.getByRole('option', { name: /WebSocket (opened|closed)|HTTP 429|Call quality/ }).first()).toBeVisible();

  // The page answers input while it reads (the charts scan all 100,000 events in chunks).
  const find = page.getByRole('searchbox', { name: 'Find in the timeline' });
  await find.fill('1006');
  await expect(status).toContainText(/Showing [\d,]+ of/);
  await expect(list.getByRole('option').first()).toContainText('WebSocket closed: 1006');
  expect(await options.count()).toBeLessThanOrEqual(DOM_BOUND);
  await find.fill('');

  // Keyboard: the list takes focus, End goes to the last loaded line, the detail panel shows it.
  await list.focus();
  await page.keyboard.press('End');
  // The key is handled in the page's next render: wait for it rather than read at once.
  await expect.poll(() => list.getAttribute('aria-activedescendant')).toBeTruthy();
  const active = await list.getAttribute('aria-activedescendant');
  await expect(page.locator(`[id="${active}"]`)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => list.getAttribute('aria-activedescendant')).not.toBe(active);
  await expect(page.getByRole('region', { name: 'Selected event' })).toContainText(/WebSocket|HTTP 429|Call quality/);

  // The charts finish their scan: stored calls are drawn, downsampled.
  await expect(page.locator('figure[data-metric="rttMs"] .chart__summary')).toContainText(/Round-trip time \(RTT\): [\d,]+ samples/, {
    timeout: 120_000,
  });
  await expect(page.locator('figure[data-metric="rttMs"] canvas').first()).toBeVisible();
});
