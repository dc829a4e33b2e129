/**
 * The redacted export after a publish storm (seeds 000/001), in real Chromium with the built
 * extension against the softphone lab: the bundle an extension page gets for `get-export`
 * validates against the committed schema and holds the 1006 close, the 401 with its recovery
 * steps and the environment; the plain-text summary names the agent and the incidents.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { ExportResponse } from '../../src/protocol/ui';
import { ExportBundleSchema } from '../../src/export/bundle-schema';
import type { ExportBundle } from '../../src/export/bundle-schema';
import { exportBundleJsonSchema } from '../unit/export/json-schema';
import { appStatus, extensionWorker, labPost, openAgent, openPopup, recoveredFromStorm } from './support/softphone';
import { presence429s, seedStore } from './support/event-store';

const SCHEMA_FILE = fileURLToPath(new URL('../../docs/export-bundle.schema.json', import.meta.url));

/** Asks the worker for an export from an extension page, as the export buttons do. */
async function requestExport(page: Page, format: 'bundle' | 'summary'): Promise<ExportResponse> {
  return page.evaluate((f) => chrome.runtime.sendMessage({ type: 'get-export', format: f }), format);
}

async function bundleOf(page: Page): Promise<ExportBundle> {
  const answer = await requestExport(page, 'bundle');
  expect(answer).toMatchObject({ type: 'export', mime: 'application/json' });
  expect(answer.filename).toMatch(/^softphone-guard-\d{4}-\d{2}-\d{2}T\d{4}Z\.json$/);
  return JSON.parse(answer.text) as ExportBundle;
}

const recovered401 = (b: ExportBundle): boolean =>
  b.incidents.some((i) => i.kind === 'unauthorized' && i.steps.some((s) => s.action === 'token-refresh' && s.outcome === 'ok'));

test('the bundle after a publish storm validates against its schema and holds the 1006, the 401 and its recovery', async ({
  lab,
  context,
  agent,
}) => {
  test.setTimeout(120_000);
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent, 60_000);

  // A call after the recovery, for the quality summary (the probe posts every 5th one-second sample of a good call).
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state, { timeout: 20_000 }).toBe('ringing');
  await agent.evaluate(() => (window as unknown as { labSoftphone: { answer(): Promise<unknown> } }).labSoftphone.answer());

  const popup = await openPopup(context);
  await expect
    .poll(
      async () => {
        const b = await bundleOf(popup);
        return (
          b.incidents.some((i) => i.kind === 'abnormal-close' && i.detail.code === 1006) &&
          recovered401(b) &&
          b.callStats.some((c) => c.samples >= 2)
        );
      },
      { timeout: 45_000 },
    )
    .toBe(true);
  const bundle = await bundleOf(popup);

  // The committed JSON Schema is the zod schema's, and the bundle passes the zod schema
  // without a field stripped (z.toJSONSchema writes additionalProperties: false).
  expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(exportBundleJsonSchema());
  const parsed = ExportBundleSchema.safeParse(bundle);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 5))).toBe(true);
  expect(parsed.data).toEqual(bundle);
  expect(bundle).toMatchObject({ format: 'softphone-guard.export-bundle', version: 2 });

  // Sessions: the agent's, with the storm's close.
  const session = bundle.sessions.find((s) => s.agent?.userId === 'agent-1');
  expect(session?.agent?.name).toBe('Alex Rivera');
  expect(session?.alive).toBe(true);

  // Incidents: the 1006 close, and the 401 with its recovery steps (refresh, then the retry).
  const close = bundle.incidents.find((i) => i.kind === 'abnormal-close' && i.detail.code === 1006);
  expect(close?.tabId).toBe(session?.tabId);
  const unauthorized = bundle.incidents.find((i) => i.kind === 'unauthorized');
  expect(unauthorized?.detail.status).toBe(401);
  expect(unauthorized?.steps.map((s) => s.action)).toEqual(expect.arrayContaining(['token-refresh']));
  expect(unauthorized?.steps.find((s) => s.action === 'token-refresh')?.outcome).toBe('ok');

  // Events: the timeline behind them, oldest first, not truncated.
  expect(bundle.events.some((e) => e.type === 'ws-close' && e.data.code === 1006)).toBe(true);
  expect(bundle.events.some((e) => e.type === 'http' && e.data.status === 401)).toBe(true);
  const ats = bundle.events.map((e) => e.seq ?? 0);
  expect(ats).toEqual([...ats].sort((a, b) => a - b));
  expect(bundle.eventsBound).toMatchObject({ limit: 20_000, truncated: false, included: bundle.events.length });

  // Calls: the quality summary of the call from its stored samples.
  const call = bundle.callStats.find((c) => c.tabId === session?.tabId && c.samples >= 2);
  expect(call?.rttMs.median).not.toBeNull();
  expect(call?.mos.median).toBeGreaterThan(3);
  expect(call?.packetLossPct.samples).toBeGreaterThan(0);
  expect(bundle.thresholds).toEqual({ rttMs: 400, jitterMs: 30, packetLossPct: 1, mos: 3 });

  // Environment: version from the manifest, the browser, the configuration and its sources.
  const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../manifest.json', import.meta.url)), 'utf8')) as { version: string };
  expect(bundle.environment.extensionVersion).toBe(manifest.version);
  expect(bundle.environment.browser.userAgent).toMatch(/Chrome\/\d+/);
  expect(bundle.environment.browser.brands.map((b) => b.brand)).toContain('Chromium');
  expect(bundle.environment.configSources['watchdog.reconnectGraceMs']).toBe('default');
  const counts = bundle.environment.configSourceCounts;
  expect(counts.policy + counts.user + counts.default).toBe(Object.keys(bundle.environment.configSources).length);
  expect(bundle.environment.config.tokenRefresh.strategy).toBe('cookie-endpoint');

  // The summary for a ticket names the agent, the incidents and what was done.
  const summary = await requestExport(popup, 'summary');
  expect(summary).toMatchObject({ type: 'export', mime: 'text/plain' });
  expect(summary.filename).toMatch(/\.txt$/);
  await test.info().attach('summary.txt', { body: summary.text, contentType: 'text/plain' });
  const lines = summary.text.split('\n');
  expect(lines.length).toBeLessThanOrEqual(40);
  expect(summary.text).toContain(`Extension: ${manifest.version}`);
  expect(summary.text).toMatch(/^Agent Alex Rivera \(agent-1\), org org-a, tab \d+: \w+ \(live\)$/m);
  expect(summary.text).toMatch(/^ {2}- \S+ abnormal-close: .*1006/m);
  expect(summary.text).toMatch(/^ {2}- \S+ unauthorized: .*token-refresh ok/m);
  expect(summary.text).toMatch(/^ {2}Call \S+ \(\d+ samples\): medians RTT [\d.]+ ms, jitter [\d.]+ ms, loss [\d.]+ %, MOS [\d.]+$/m);
  expect(summary.text).toMatch(/^Configuration: \d+ settings from policy, \d+ from user settings, \d+ defaults/m);
});

test('with 100,000 events stored the bundle holds the newest 20,000 and says it left the rest out', async ({ lab, context }) => {
  test.setTimeout(180_000);
  const total = 100_000;
  const worker = await extensionWorker(context);
  await openAgent(context, lab, 'agent-1');
  // Fill the store the way a long week would (as tests/e2e/popup-large-store.spec.ts does).
  await seedStore(
    worker,
    'events',
    presence429s(total, (i) => `/n${i}`),
  );

  const popup = await openPopup(context);
  const started = Date.now();
  const bundle = await bundleOf(popup);
  test.info().annotations.push({ type: 'export time (ms)', description: String(Date.now() - started) });

  expect(ExportBundleSchema.safeParse(bundle).success).toBe(true);
  expect(bundle.events).toHaveLength(20_000);
  expect(bundle.eventsBound.limit).toBe(20_000);
  expect(bundle.eventsBound.included).toBe(20_000);
  expect(bundle.eventsBound.stored).toBeGreaterThanOrEqual(total);
  expect(bundle.eventsBound.truncated).toBe(true);
  // The newest are kept, oldest first: the last seeded event is in, the first is not.
  const seeded = bundle.events.filter((e) => e.tabId >= 999_000).map((e) => String(e.data.url));
  expect(seeded.some((u) => u.endsWith(`/n${total - 1}`))).toBe(true);
  expect(seeded.some((u) => u.endsWith('/n0'))).toBe(false);
  const seqs = bundle.events.map((e) => e.seq ?? 0);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

  const summary = await requestExport(popup, 'summary');
  expect(summary.text).toMatch(/^Stored: [\d,]+ events \(newest 20,000 in the bundle\)/m);
});
