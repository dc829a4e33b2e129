/**
 * The recurrence finding on the diagnostics page, from a generated month of incidents in the
 * extension's store: a cluster of abnormal closes right after Mon 06:00 America/Chicago (the
 * WFM schedule publish of seed 000) among scattered others, with no risk window configured
 * for it. The page says so in words and offers the policy value that adds the window.
 */
import { expect, test } from './support/fixture';
import AxeBuilder from '@axe-core/playwright';
import type { Incident, IncidentKind } from '../../src/session/types';
import { zonedParts, zonedToEpoch } from '../../src/prevention/zoned-time';
import { openDiagnostics, seedStore } from './support/diagnostics';

const ZONE = 'America/Chicago';
const DAY = 86_400_000;
const MINUTE = 60_000;

function incident(n: number, kind: IncidentKind, openedAt: number): Incident {
  return {
    id: `900:${n}`,
    tabId: 900 + (n % 3),
    kind,
    openedAt,
    resolvedAt: openedAt + 8000,
    summary: kind === 'abnormal-close' ? 'WebSocket closed abnormally (1006)' : 'Request rejected as unauthorized (401)',
    detail: kind === 'abnormal-close' ? { code: 1006 } : { status: 401 },
    steps: [{ at: openedAt + 8000, action: 'app-reconnected', outcome: 'ok' }],
  };
}

/**
 * The last 29 days: on every Monday, 3 abnormal closes within 5 minutes after 06:00 Chicago
 * time; on other days, scattered abnormal closes and 401s at other hours.
 */
function month(now: number): { incidents: Incident[]; clustered: number; closes: number } {
  const incidents: Incident[] = [];
  let clustered = 0;
  for (let d = 1; d <= 29; d += 1) {
    const p = zonedParts(now - d * DAY, ZONE);
    const date = { year: p.year, month: p.month, day: p.day };
    if (p.weekday === 1) {
      const anchor = zonedToEpoch(date, 6 * 60, ZONE);
      for (const offset of [1, 3, 5]) incidents.push(incident(incidents.length, 'abnormal-close', anchor + offset * MINUTE));
      clustered += 3;
    } else if (d % 5 === 0) {
      incidents.push(incident(incidents.length, 'abnormal-close', zonedToEpoch(date, 14 * 60 + 7 * (d % 6), ZONE)));
    } else if (d % 3 === 0) {
      incidents.push(incident(incidents.length, 'unauthorized', zonedToEpoch(date, 10 * 60 + d, ZONE)));
    }
  }
  const closes = incidents.filter((i) => i.kind === 'abnormal-close').length;
  return { incidents, clustered, closes };
}

test('a month with a Mon 06:00 America/Chicago cluster: the finding in words, the heat table and the policy value', async ({
  context,
  worker,
}) => {
  const setup = await openDiagnostics(context);
  // Only the Friday window is configured, so the Monday cluster matches none.
  const saved = await setup.evaluate(() =>
    chrome.runtime.sendMessage({
      type: 'set-user-config',
      userConfig: {
        riskWindows: [{ days: ['Fri'], start: '16:00', timeZone: 'America/Chicago', durationMinutes: 30, refreshAheadMinutes: 5 }],
      },
    }),
  );
  expect(saved.type).toBe('user-config-saved');
  const { incidents, clustered, closes } = month(Date.now());
  expect(clustered).toBeGreaterThanOrEqual(12);
  await seedStore(worker, 'incidents', incidents);
  await setup.close();

  const page = await openDiagnostics(context);
  const section = page.getByRole('region', { name: 'When incidents recur' });
  await expect(section).toContainText('in America/Chicago (the time zone of the configured risk windows)');
  await expect(section.locator('.finding__sentence').first()).toHaveText(
    `${clustered} of ${closes} abnormal closes in the last 30 days began within 10 minutes after Mon 06:00 America/Chicago — no risk window is configured for it`,
  );

  // The policy value keeps the Friday window and adds the Monday one.
  const snippet = section.locator('.snippet__text').first();
  const value = JSON.parse((await snippet.textContent()) ?? '') as { riskWindows: { days: string[]; start: string; timeZone: string }[] };
  expect(value.riskWindows.map((w) => `${w.days.join(',')} ${w.start} ${w.timeZone}`)).toEqual([
    'Fri 16:00 America/Chicago',
    'Mon 06:00 America/Chicago',
  ]);
  await section.getByRole('button', { name: 'Copy' }).first().click();
  await expect(section.getByRole('status').filter({ hasText: 'Copied to the clipboard.' })).toBeVisible();
  // What was copied is the value shown: paste it into a scratch field.
  await page.evaluate(() => {
    const scratch = document.createElement('textarea');
    scratch.id = 'scratch';
    scratch.setAttribute('aria-label', 'scratch');
    document.body.append(scratch);
  });
  await page.locator('#scratch').focus();
  await page.keyboard.press('ControlOrMeta+V');
  expect(JSON.parse(await page.locator('#scratch').inputValue())).toEqual(value);
  await page.evaluate(() => document.getElementById('scratch')?.remove());

  // Weekday × hour counts, as numbers: every clustered close is in Mon 06:00–06:59.
  const table = section.getByRole('table', { name: /Incidents per weekday and hour \(America\/Chicago\)/ });
  const monday = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Mon', exact: true }) });
  await expect(monday.getByRole('cell').nth(6)).toHaveText(String(clustered));
  await expect(monday.getByRole('cell').nth(24)).toHaveText(String(clustered));

  // The finding, snippet and table pass the automatic accessibility checks.
  const axe = await new AxeBuilder({ page }).include('.recurrence').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});
