/**
 * Enterprise policy end to end: a real policy file in `/etc/chromium/policies/managed/` (what
 * IT deploys on Linux; the same 3rdparty managed storage as the Windows registry and macOS
 * profiles), read by Chromium and handed to the extension through `chrome.storage.managed`.
 *
 * - only the page the policy names is monitored (the probe and relay are registered from
 *   `softphoneUrlPatterns`, no rebuild);
 * - the options page shows the policy's values with source "policy", read-only;
 * - a changed policy file takes effect without restarting anything (Chromium re-reads policy
 *   files by itself; `storage.onChanged` fires for `managed`);
 * - a value the schema accepts but that makes no sense (an unknown IANA time zone) is reported
 *   in the options page and the popup while the default stays in force.
 *
 * Writing there needs root: skipped with a message otherwise. The file is removed afterwards,
 * whatever happens (another policy file in that directory would change every later test).
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { ConfigResponse, StateResponse } from '../../src/protocol/ui';
import { DEFAULT_CONFIG } from '../../src/policy/schema';
import { EXTENSION_ID, extensionWorker, openAgentAt } from './support/softphone';
import { hasProbe } from './support/probe-marker';

const OPTIONS_URL = `chrome-extension://${EXTENSION_ID}/extension/options/index.html`;
const POPUP_URL = `chrome-extension://${EXTENSION_ID}/extension/popup/index.html`;

const getConfig = (page: Page): Promise<ConfigResponse> => page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-config' }));
const getState = (page: Page): Promise<StateResponse> => page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
const field = (page: Page, key: string) => page.locator(`.field[data-key="${key}"]`);

test('a policy file decides what is monitored, shows locked in the options page, applies live, and its nonsense values are reported', async ({
  lab,
  policy,
  launch,
}) => {
  policy.managed({
    // Only the lab on "localhost": the same lab on 127.0.0.1 is not the softphone any more.
    softphoneUrlPatterns: ['http://localhost/*'],
    watchdog: { reconnectGraceMs: 7000 },
    // Accepted by the managed-storage schema (a string), but no such IANA time zone.
    riskWindows: [{ days: ['Mon'], start: '06:00', timeZone: 'Mars/Olympus_Mons', durationMinutes: 30, refreshAheadMinutes: 5 }],
  });
  const { context } = await launch();
  const worker = await extensionWorker(context);

  // The policy reached the extension (the first managed read can take seconds: poll).
  const options = await context.newPage();
  await options.goto(OPTIONS_URL);
  await expect.poll(async () => (await getConfig(options)).sources['watchdog.reconnectGraceMs'], { timeout: 20_000 }).toBe('policy');
  const answer = await getConfig(options);
  expect(answer.config.watchdog.reconnectGraceMs).toBe(7000);
  expect(answer.config.softphoneUrlPatterns).toEqual(['http://localhost/*']);
  // The nonsense value: reported, and the default windows stay in force.
  expect(answer.config.riskWindows).toEqual(DEFAULT_CONFIG.riskWindows);
  expect(answer.problems.some((p) => p.key.startsWith('riskWindows') && /Mars\/Olympus_Mons/.test(p.message))).toBe(true);

  // Options page: the policy's values with source "policy", read-only with the reason.
  await options.reload();
  const grace = options.getByLabel('Reconnect grace period (ms)', { exact: true });
  await expect(grace).toHaveValue(/^7,?000$/);
  await expect(grace).toHaveAttribute('readonly', '');
  await expect(field(options, 'watchdog.reconnectGraceMs').getByTestId('source')).toHaveText('Source: Policy');
  await expect(field(options, 'watchdog.reconnectGraceMs')).toContainText('Set by your organisation’s policy');
  await expect(field(options, 'softphoneUrlPatterns').getByTestId('source')).toHaveText('Source: Policy');
  await expect(field(options, 'watchdog.heartbeatTimeoutMs').getByTestId('source')).toHaveText('Source: Default');
  await expect(options.getByText(/Mars\/Olympus_Mons/).first()).toBeVisible();

  // Only the page the policy names is monitored.
  const named = await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-1');
  const other = await openAgentAt(context, lab.url, 'agent-2');
  const popup = await context.newPage();
  await popup.goto(POPUP_URL);
  await expect.poll(async () => (await getState(popup)).sessions.filter((s) => s.alive).map((s) => s.agent?.userId)).toEqual(['agent-1']);
  expect(await hasProbe(named)).toBe(true);
  expect(await hasProbe(other)).toBe(false);
  // The popup reports the configuration problem.
  await expect(popup.getByText('A configuration value is invalid and not applied.')).toBeVisible();

  // IT changes the policy: it applies without restarting anything.
  policy.managed({
    softphoneUrlPatterns: ['http://localhost/*', 'http://127.0.0.1/*'],
    watchdog: { reconnectGraceMs: 8000 },
  });
  await expect.poll(async () => (await getConfig(options)).config.watchdog.reconnectGraceMs, { timeout: 30_000 }).toBe(8000);
  expect((await getConfig(options)).problems.filter((p) => p.key.startsWith('riskWindows'))).toEqual([]);
  await options.reload();
  await expect(options.getByLabel('Reconnect grace period (ms)', { exact: true })).toHaveValue(/^8,?000$/);
  // The newly named origin is monitored from its next page load.
  await other.reload();
  await expect
    .poll(async () =>
      (await getState(popup)).sessions
        .filter((s) => s.alive)
        .map((s) => s.agent?.userId)
        .sort(),
    )
    .toEqual(['agent-1', 'agent-2']);
  expect(await hasProbe(other)).toBe(true);

  // Policy removed: back to the defaults, nothing locked.
  policy.remove();
  await expect.poll(async () => (await getConfig(options)).sources['watchdog.reconnectGraceMs'], { timeout: 30_000 }).toBe('default');
  expect(worker).toBeTruthy();
});
