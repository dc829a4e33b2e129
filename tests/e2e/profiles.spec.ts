/**
 * Vendor profiles in the running extension (docs/architecture.md §4 "Profiles"): the options page
 * labels values supplied by the profile and lists what the extension cannot do on that platform;
 * the popup's token incident says why no fresh token comes where the profile cannot fetch one.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './support/fixture';
import { EXTENSION_ID } from '../support/browser.mjs';
import { PROFILE_LIMITS, profileConfig } from '../../src/policy/profiles';
import type { StateResponse } from '../../src/protocol/ui';
import { labPost, openPopup } from './support/softphone';

// The options page starts from empty user settings (the shipped defaults); the lab's tests name
// the lab's pages themselves.
test.use({ monitorLab: false });

const OPTIONS_URL = `chrome-extension://${EXTENSION_ID}/extension/options/index.html`;
const row = (page: Page, key: string) => page.locator(`.field[data-key="${key}"]`);

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

test('choosing a profile in the options page: its values labelled as the profile’s, its limits listed, reset gives the built-in values back', async ({
  context,
  worker,
}) => {
  const { page, errors } = await openOptions(context);
  const profile = page.getByLabel('Softphone platform', { exact: true });
  await expect(profile).toHaveValue('custom');
  await expect(page.getByTestId('profile-limits')).toHaveCount(0);

  await profile.selectOption('twilio-flex');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.savebar [role="status"]')).toHaveText('Saved.');
  // Only the profile is stored: every other value comes from it.
  expect(await worker.evaluate(async () => (await chrome.storage.local.get('userConfig')).userConfig)).toEqual({ profile: 'twilio-flex' });

  const limits = page.getByTestId('profile-limits');
  await expect(limits.locator('li')).toHaveText([...PROFILE_LIMITS['twilio-flex']]);
  await expect(limits).toContainText('What Softphone Guard cannot do on Twilio Flex');
  await expect(row(page, 'tokenRefresh.strategy').getByTestId('source')).toHaveText('Source: Twilio Flex profile');
  await expect(page.getByLabel('Refresh strategy', { exact: true })).toHaveValue('reload-when-idle');
  await expect(page.getByLabel('Softphone pages', { exact: true })).toHaveValue(
    profileConfig('twilio-flex').softphoneUrlPatterns.join('\n'),
  );
  await expect(page.getByLabel('Heartbeat timeout (ms)', { exact: true })).toHaveValue(
    String(profileConfig('twilio-flex').watchdog.heartbeatTimeoutMs),
  );
  await expect(row(page, 'profile').getByTestId('source')).toHaveText('Source: Your setting');

  await page.getByRole('button', { name: 'Reset Softphone platform to default' }).click();
  await expect(profile).toHaveValue('custom');
  await expect(page.getByTestId('profile-limits')).toHaveCount(0);
  await expect(row(page, 'tokenRefresh.strategy').getByTestId('source')).toHaveText('Source: Default');
  await expect(page.getByLabel('Refresh strategy', { exact: true })).toHaveValue('cookie-endpoint');
  expect(errors).toEqual([]);
});

test.describe('twilio-flex profile on the lab softphone', () => {
  // The profile, with the lab's pages and API in place of Twilio's (never a real vendor service).
  test.use({
    userConfig: {
      profile: 'twilio-flex',
      softphoneUrlPatterns: ['http://127.0.0.1/*', 'http://localhost/*'],
      protectedRequestPatterns: ['*/api/v2/*'],
    },
  });

  test('a 401 opens an unauthorized incident whose popup text says the token is the app backend’s and the tab reloads when idle', async ({
    lab,
    context,
    agent,
  }) => {
    expect(agent.url()).toContain('127.0.0.1');
    await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });

    const popup = await openPopup(context);
    await expect
      .poll(
        async () => {
          const state: StateResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
          return {
            cannotRefresh: state.cannotRefresh,
            unauthorized: state.sessions.some((s) => s.incidents.some((i) => i.kind === 'unauthorized')),
          };
        },
        { timeout: 30_000 },
      )
      .toEqual({ cannotRefresh: 'twilio-flex', unauthorized: true });
    await popup.reload();
    await expect(popup.locator('.incident__note').first()).toHaveText(
      'On Twilio the token comes from your own backend, so Softphone Guard cannot fetch one: it reloads the softphone when no call is active.',
      { timeout: 10_000 },
    );
  });
});
