/**
 * Five softphone tabs fail at once (seeds 000/001, docs/architecture.md §3 rungs 1–2), in real Chromium
 * with the built extension against the softphone lab: one refresh call per identity however
 * many tabs lost their token, and the presence retries after a shared `429 Retry-After` spread
 * by jitter (wait = Retry-After + random(0, min(cap, base·2^attempt)), src/recovery/backoff.ts)
 * rather than sent in lock-step.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import { appStatus, recoveredFromStorm, labPost, labRequests, labStats, openAgentAt } from './support/softphone';

const PRESENCE = '/api/v2/presence/users/{id}';

/**
 * The jitter range J of the first retry is `base` (min(cap, base·2^0)). The spread (max − min)
 * of five uniform draws from [0, J] has P(spread < x·J) = 5x⁴ − 4x⁵. With the default 1 s, the
 * 500 ms margin below would fail ~19 % of runs even with perfectly simultaneous 429s, so the
 * test widens J through the user settings (the rule under test does not depend on base). With
 * J = 8 s, and the retries' spread at worst the draws' spread minus the 429s' spread S, the
 * test fails when the draws' spread is below 2·S + 500 ms: ~3·10⁻⁴ of runs at the measured
 * S ≈ 0.1 s, ~2·10⁻³ at S = 0.3 s (the worst seen on this machine).
 */
const BASE_DELAY_MS = 8000;

test.use({ userConfig: { retry: { baseDelayMs: BASE_DELAY_MS } } });
/**
 * Retry-After ≥ base: under the old rule, max(random(0, base), Retry-After) is then always
 * Retry-After, so every tab would retry exactly Retry-After after its 429 — the lock-step this
 * test must catch.
 */
const RETRY_AFTER_MS = 8000;
/**
 * The rate-limit window. The first presence PUTs come ~1 s after the storm (the app reconnects
 * its socket 1 s after the 1006, then PUTs), so each tab gets one 429; the retries come at
 * least 1 s + Retry-After after the storm, after the window, so each gets 200 at its first retry.
 */
const RATE_LIMIT_MS = 7000;
/**
 * How far above the 429s' own spread the retries' spread must be. Timers set at each 429 for
 * the same delay fire with the 429s' spread plus scheduling noise (measured with the old
 * max(jitter, Retry-After) rule: 429s 77 ms apart, retries 84 ms apart; 500 ms leaves room for
 * a loaded 2-core machine); the jitter spreads them over up to 8 s.
 */
const LOCKSTEP_MARGIN_MS = 500;

const spread = (times: number[]): number => Math.max(...times) - Math.min(...times);

test('five tabs, two identities fail at once: one refresh per identity, presence retries spread by jitter', async ({ lab, context }) => {
  // Cookies are per host, not per port: two loopback names of one lab hold two signed-in agents.
  // Both are in the lab's softphoneUrlPatterns the user settings name (http://127.0.0.1/*,
  // http://localhost/*, any port; support/fixture.ts) and the default protectedRequestPatterns
  // (*/api/v2/*).
  const tabs: Page[] = [];
  for (let i = 0; i < 3; i++) tabs.push(await openAgentAt(context, lab.url, 'agent-1'));
  for (let i = 0; i < 2; i++) tabs.push(await openAgentAt(context, `http://localhost:${lab.port}`, 'agent-2'));
  expect(await Promise.all(tabs.map(async (t) => (await appStatus(t)).agent?.id))).toEqual([
    'agent-1',
    'agent-1',
    'agent-1',
    'agent-2',
    'agent-2',
  ]);

  await labPost(lab, '/lab/reset');
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: RETRY_AFTER_MS / 1000, rateLimitMs: RATE_LIMIT_MS });
  for (const tab of tabs) {
    await recoveredFromStorm(tab, RETRY_AFTER_MS + BASE_DELAY_MS + 20_000);
  }

  // Every tab is ready for calls again, without a reload and without having seen the 401 or the 429.
  for (const tab of tabs) {
    const s = await appStatus(tab);
    expect(s).toMatchObject({ presence: 'Available', micEnabled: true, speakerEnabled: true, loadCount: 1 });
    expect([s.failures.http401, s.failures.http429]).toEqual([0, 0]);
  }
  const stats = await labStats(lab);
  // One refresh per identity (single-flight per cookie jar), however many tabs and requests failed.
  expect(stats.refreshCallsByUser).toEqual({ 'agent-1': 1, 'agent-2': 1 });

  const puts = (await labRequests(lab)).filter((r) => r.method === 'PUT' && r.path === PRESENCE);
  const limited = puts.filter((r) => r.status === 429);
  // Each tab's presence PUT was rate-limited once, and retried once after the window.
  expect(limited).toHaveLength(tabs.length);
  const firstLimited = Math.min(...limited.map((r) => r.receivedAt));
  const retries = puts.filter((r) => r.status === 200 && r.receivedAt > firstLimited);
  expect(retries).toHaveLength(tabs.length);

  // No retry earlier than Retry-After after its 429. The log does not say which tab sent what,
  // but if each retry follows its own 429 by ≥ Retry-After, the k-th earliest retry follows the
  // k-th earliest 429 by ≥ Retry-After too.
  const answered = limited.map((r) => r.answeredAt).sort((a, b) => a - b);
  const retried = retries.map((r) => r.receivedAt).sort((a, b) => a - b);
  retried.forEach((t, k) => expect(t - (answered[k] ?? 0), `retry #${k + 1}`).toBeGreaterThanOrEqual(RETRY_AFTER_MS));
  // …and none later than Retry-After + the jitter ceiling (+ 2 s of slack) after the first 429.
  expect(Math.max(...retried) - Math.min(...answered)).toBeLessThanOrEqual(RETRY_AFTER_MS + BASE_DELAY_MS + spread(answered) + 2000);

  // Not in lock-step: simultaneous timers would give the 429s' own spread (plus noise).
  const limitedSpread = spread(answered);
  const retrySpread = spread(retried);
  test.info().annotations.push({ type: 'spread', description: `429s ${limitedSpread} ms, retries ${retrySpread} ms` });
  expect(retrySpread).toBeGreaterThan(limitedSpread + LOCKSTEP_MARGIN_MS);
});
