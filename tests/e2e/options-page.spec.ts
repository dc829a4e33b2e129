/**
 * The options page in real Chromium with the built extension: every setting with its value
 * and source, a user value saved and in force in the worker, an invalid entry refused with
 * its message and nothing written, reset to default, the policy export (valid, round-trips),
 * and a nonsense user value reported in the options page and the popup while the default
 * stays in force. Policy-locked fields are covered by the view model's unit tests and the
 * policy-file e2e test.
 */
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { expect, test } from './support/fixture';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_ID, PROJECT_ROOT } from '../support/browser.mjs';
import { resolveConfig } from '../../src/policy/resolve';
import { DEFAULT_CONFIG, PartialConfigSchema } from '../../src/policy/schema';
import type { ConfigResponse } from '../../src/protocol/ui';

// One browser for the file; the user settings are emptied before each test. No lab page is
// opened: the settings start empty, the shipped defaults in force.
test.use({ shareBrowser: true, monitorLab: false });

const OPTIONS_URL = `chrome-extension://${EXTENSION_ID}/extension/options/index.html`;
const POPUP_URL = `chrome-extension://${EXTENSION_ID}/extension/popup/index.html`;
const GRACE = 'watchdog.reconnectGraceMs';

/** Opens the options page, collecting console errors and uncaught exceptions. */
async function openOptions(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(OPTIONS_URL);
  return { page, errors };
}

const row = (page: Page, key: string) => page.locator(`.field[data-key="${key}"]`);
const storedUserConfig = (worker: Worker): Promise<unknown> =>
  worker.evaluate(async () => (await chrome.storage.local.get('userConfig')).userConfig);
const getConfig = (page: Page): Promise<ConfigResponse> => page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-config' }));

test('shows every setting with its value and source "default", fast and without errors', async ({ context }) => {
  const started = Date.now();
  const { page, errors } = await openOptions(context);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Softphone Guard settings');
  const grace = page.getByLabel('Reconnect grace period (ms)', { exact: true });
  await expect(grace).toHaveValue('10000');
  // The page never waits on the policy read (docs/architecture.md §7): settings show within seconds.
  expect(Date.now() - started).toBeLessThan(5_000);

  const answer = await getConfig(page);
  const keys = Object.keys(answer.sources);
  await expect(page.locator('.field')).toHaveCount(keys.length);
  for (const key of keys) await expect(row(page, key).getByTestId('source'), key).toHaveText('Source: Default');
  await expect(row(page, GRACE).getByRole('button', { name: /Reset/ })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Problems (0)' })).toBeVisible();
  await expect(page.getByLabel('Refresh strategy', { exact: true })).toHaveValue('cookie-endpoint');
  await expect(page.getByLabel('Allow safe reload', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Softphone pages', { exact: true })).toHaveValue(DEFAULT_CONFIG.softphoneUrlPatterns.join('\n'));

  // Every editor is labelled and described by its help text.
  for (const el of await page.locator('.field input, .field select, .field textarea').all()) {
    const id = await el.getAttribute('id');
    await expect(page.locator(`label[for="${id}"]`)).toHaveCount(1);
    expect(await el.getAttribute('aria-describedby')).toContain(`${id}-help`);
  }
  expect(errors).toEqual([]);
});

test("a changed value is saved as the user's, takes effect in the worker, and resets to default", async ({ context, worker }) => {
  const { page, errors } = await openOptions(context);
  const grace = page.getByLabel('Reconnect grace period (ms)', { exact: true });
  await expect(grace).toHaveValue('10000');

  await grace.fill('5000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.savebar [role="status"]')).toHaveText('Saved.');
  expect(await storedUserConfig(worker)).toEqual({ watchdog: { reconnectGraceMs: 5000 } });
  await expect(row(page, GRACE).getByTestId('source')).toHaveText('Source: Your setting');
  await expect(row(page, GRACE)).toContainText('Default: 10,000');
  const answer = await getConfig(page);
  expect(answer.config.watchdog.reconnectGraceMs).toBe(5000);
  expect(answer.sources[GRACE]).toBe('user');

  // Keyboard: the reset button follows its field.
  await grace.focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Reset Reconnect grace period (ms) to default' })).toBeFocused();

  // An invalid entry: its message next to the field, nothing saved.
  await grace.fill('abc');
  await grace.blur();
  const message = row(page, GRACE).locator('.field__error');
  await expect(message).toHaveText('Enter a whole number.');
  await expect(grace).toHaveAttribute('aria-invalid', 'true');
  expect(await grace.getAttribute('aria-describedby')).toContain((await message.getAttribute('id')) ?? 'none');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.savebar [role="status"]')).toHaveText('Not saved: 1 setting needs fixing.');
  await expect(grace).toBeFocused();
  await grace.fill('-5');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(message).toContainText(/too small|>=\s*0/i);
  await grace.fill('7200000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(message).toHaveText(/at most 3600000 ms/);
  expect(await storedUserConfig(worker)).toEqual({ watchdog: { reconnectGraceMs: 5000 } });
  expect((await getConfig(page)).config.watchdog.reconnectGraceMs).toBe(5000);

  // The worker refuses the same on its own, whoever asks.
  const refused = await page.evaluate(() =>
    chrome.runtime.sendMessage({ type: 'set-user-config', userConfig: { watchdog: { reconnectGraceMs: -5 } } }),
  );
  expect(refused).toMatchObject({ type: 'user-config-invalid', errors: [{ key: GRACE }] });
  expect(await storedUserConfig(worker)).toEqual({ watchdog: { reconnectGraceMs: 5000 } });

  // Reset to default: the user value goes, the default is in force again.
  await page.getByRole('button', { name: 'Reset Reconnect grace period (ms) to default' }).click();
  await expect(page.locator('.savebar [role="status"]')).toHaveText('Reconnect grace period (ms) reset to default.');
  await expect(row(page, GRACE).getByTestId('source')).toHaveText('Source: Default');
  await expect(grace).toHaveValue('10000');
  await expect(grace).toBeFocused();
  await expect(message).toHaveCount(0);
  expect(await storedUserConfig(worker)).toEqual({});
  expect((await getConfig(page)).sources[GRACE]).toBe('default');
  expect(errors).toEqual([]);
});

test('a value that conflicts with another is refused before anything is written', async ({ context, worker }) => {
  const { page } = await openOptions(context);
  await page.getByLabel('Base delay (ms)', { exact: true }).fill('5000');
  await page.getByLabel('Maximum delay (ms)', { exact: true }).fill('2000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(row(page, 'retry.maxDelayMs').locator('.field__error')).toContainText('is below retry.baseDelayMs (5000)');
  expect(await storedUserConfig(worker)).toBeUndefined();
});

test('exports the settings in force as policy JSON that validates and round-trips', async ({ context }) => {
  const { page } = await openOptions(context);
  await page.getByLabel('Keep events (days)', { exact: true }).fill('7');
  await page.getByLabel('Allow safe reload', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.savebar [role="status"]')).toHaveText('Saved.');
  const inForce = (await getConfig(page)).config;

  const policyText = page.getByLabel('Managed-storage value', { exact: true });
  await expect(policyText).toHaveValue(/"retentionDays": 7/);
  const policy = JSON.parse(await policyText.inputValue()) as unknown;
  expect(policy).toEqual({ safeReload: { enabled: false }, retentionDays: 7 });
  expect(PartialConfigSchema.safeParse(policy).success).toBe(true);
  expect(resolveConfig({ managed: policy, user: {} })).toMatchObject({ config: inForce, problems: [] });

  const linux = JSON.parse(await page.getByLabel('Linux policy file', { exact: true }).inputValue()) as {
    '3rdparty': { extensions: Record<string, unknown> };
  };
  expect(Object.keys(linux['3rdparty'].extensions)).toEqual([EXTENSION_ID]);
  expect(linux['3rdparty'].extensions[EXTENSION_ID]).toEqual(policy);

  // Every key: still valid, and as policy it locks every setting to the same values.
  await page.getByLabel('Include settings that have their default value', { exact: true }).check();
  await expect(policyText).toHaveValue(/"softphoneUrlPatterns"/);
  const all = JSON.parse(await policyText.inputValue()) as unknown;
  expect(PartialConfigSchema.safeParse(all).success).toBe(true);
  const deployed = resolveConfig({ managed: all, user: {} });
  expect(deployed.config).toEqual(inForce);
  expect(new Set(Object.values(deployed.sources))).toEqual(new Set(['policy']));

  // Download gives the same text.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Linux policy file' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('softphone-guard-linux-policy.json');
  const path = await download.path();
  expect(readFileSync(path, 'utf8')).toBe(await page.getByLabel('Linux policy file', { exact: true }).inputValue());

  // Copy: to the clipboard, or a plain fallback message where the clipboard is refused.
  await page.getByRole('button', { name: 'Copy Managed-storage value' }).click();
  await expect(page.locator('.export__note')).toHaveText(/^(Copied\.|Copy failed: select the text and copy it by hand\.)$/);
});

test('a nonsense user value is reported in the options page and the popup; the default stays in force', async ({ context, worker }) => {
  const windows = [{ days: ['Mon'], start: '06:00', timeZone: 'Mars/Olympus_Mons', durationMinutes: 30, refreshAheadMinutes: 5 }];
  await worker.evaluate((riskWindows) => chrome.storage.local.set({ userConfig: { riskWindows } }), windows);

  const { page, errors } = await openOptions(context);
  const problems = page.locator('#problems');
  await expect(problems.getByRole('heading')).toHaveText('Problems (1)');
  await expect(problems).toContainText('Risk windows (JSON)');
  await expect(problems).toContainText('Your value not used');
  await expect(problems).toContainText('window 1: unknown IANA time zone "Mars/Olympus_Mons"');
  await expect(row(page, 'riskWindows').getByTestId('source')).toHaveText('Source: Default');
  await expect(row(page, 'riskWindows')).toContainText('In force:');
  const answer = await getConfig(page);
  expect(answer.config.riskWindows).toEqual(DEFAULT_CONFIG.riskWindows);
  expect(answer.problems).toMatchObject([{ key: 'riskWindows', source: 'user' }]);

  // The problem links to its field.
  await problems.getByRole('link', { name: 'Risk windows (JSON)' }).click();
  await expect(page.getByLabel('Risk windows (JSON)', { exact: true })).toBeFocused();
  await page.screenshot({ path: join(PROJECT_ROOT, '.tmp/options-problem.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(PROJECT_ROOT, '.tmp/options-problem-dark.png'), fullPage: true });

  // The popup says so and links to the settings. An options page already open would only be
  // brought to the front (runtime.openOptionsPage), so none is open when the link is used.
  const optionsPages = (): Page[] => context.pages().filter((p) => p.url() === OPTIONS_URL);
  for (const p of optionsPages()) if (p !== page) await p.close();
  await page.close();
  const popup = await context.newPage();
  await popup.goto(POPUP_URL);
  const notice = popup.getByTestId('config-notice');
  await expect(notice).toHaveText('A configuration value is invalid and not applied. Open settings');
  await popup.screenshot({ path: join(PROJECT_ROOT, '.tmp/popup-config-notice.png') });
  const [opened] = await Promise.all([context.waitForEvent('page'), notice.getByRole('link', { name: 'Open settings' }).click()]);
  await opened.waitForLoadState();
  expect(opened.url()).toBe(OPTIONS_URL);
  const reopened = opened.locator('#problems');
  await expect(reopened.getByRole('heading')).toHaveText('Problems (1)');
  expect(optionsPages()).toEqual([opened]);

  // Fixed in the page: the problem and the popup notice go.
  await opened.getByRole('button', { name: 'Reset Risk windows (JSON) to default' }).click();
  await expect(reopened.getByRole('heading')).toHaveText('Problems (0)');
  await expect(notice).toHaveCount(0, { timeout: 5_000 });
  expect(errors).toEqual([]);
});
