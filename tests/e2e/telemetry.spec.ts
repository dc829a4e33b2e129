/**
 * Fleet telemetry in real Chromium with the built extension: `telemetry.otlpEndpoint` set by
 * user configuration to a local OTLP/HTTP receiver (tests/e2e/support/otlp-receiver.ts), a
 * call and a publish storm in the softphone lab, and what arrives at the receiver decoded:
 * incidents and every recovery step as OTLP log records, health and call quality as OTLP
 * metrics, resource attributes per the semantic conventions, and no issued secret anywhere.
 * With the collector answering 503 the recovery is exactly as without telemetry, and once it
 * is back everything buffered arrives — also across a service-worker restart.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { StateResponse } from '../../src/protocol/ui';
import type { Incident } from '../../src/session/types';
import {
  appStatus,
  recoveredFromStorm,
  extensionWorker,
  issuedSecrets,
  labPost,
  openAgent,
  openPopup,
  stopServiceWorker,
  stopServiceWorkerAt,
} from './support/softphone';
import type { Lab } from './support/softphone';
import { acceptedLogs, acceptedMetrics, attributesOf } from './support/otlp-receiver';
import type { OtlpReceiver } from './support/otlp-receiver';
import { findCanaries } from './support/canaries';

const MEDIA_TOKEN_401 = 'GET /api/v2/communications/webRTC 401';
/** `telemetry.headers` value the collector must receive on every request. */
const COLLECTOR_KEY = 'collector-key-4711';

test.use({
  userConfig: async ({ otlpReceiver }, use) =>
    use({ telemetry: { otlpEndpoint: otlpReceiver.url, exportIntervalSeconds: 2, headers: { 'x-api-key': COLLECTOR_KEY } } }),
});

async function agentIncidents(page: Page, userId: string): Promise<Incident[]> {
  const state: StateResponse = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.filter((s) => s.agent?.userId === userId).flatMap((s) => s.incidents);
}

/**
 * What the extension's state holds for the agent and the receiver has not got: each incident
 * must have arrived as an `incident.opened` record, each of its steps as a `recovery.step`
 * record with the step's action and final outcome, and a resolution as `incident.resolved`.
 */
function missingAtReceiver(receiver: OtlpReceiver, incidents: Incident[]): string[] {
  const logs = acceptedLogs(receiver);
  const missing: string[] = [];
  for (const incident of incidents) {
    const mine = logs.filter((l) => l.attrs['softphone_guard.incident.id'] === incident.id);
    if (!mine.some((l) => l.eventName === 'softphone_guard.incident.opened')) missing.push(`${incident.id} opened`);
    for (const step of incident.steps) {
      const found = mine.some(
        (l) =>
          l.eventName === 'softphone_guard.recovery.step' &&
          l.attrs['softphone_guard.recovery.action'] === step.action &&
          l.attrs['softphone_guard.recovery.outcome'] === step.outcome &&
          BigInt(l.timeUnixNano ?? '0') === BigInt(step.at) * 1_000_000n,
      );
      if (!found) missing.push(`${incident.id} step ${step.action}:${step.outcome}@${step.at}`);
    }
    if (incident.resolvedAt !== undefined && !mine.some((l) => l.eventName === 'softphone_guard.incident.resolved')) {
      missing.push(`${incident.id} resolved`);
    }
  }
  return missing;
}

/** Every issued token and session id of the lab that appears in something the receiver got. */
async function leakedSecrets(lab: Lab, receiver: OtlpReceiver): Promise<string[]> {
  const secrets = await issuedSecrets(lab);
  expect(secrets.length).toBeGreaterThan(0);
  const everything = receiver.requests.map((r) => `${JSON.stringify(r.headers)}\n${r.text}`).join('\n');
  return findCanaries(everything, secrets);
}

test('incidents with their recovery steps arrive as OTLP logs, health and call quality as OTLP metrics', async ({
  lab,
  context,
  worker,
  otlpReceiver: receiver,
  agent,
}) => {
  test.setTimeout(150_000);

  // A call, so the probe's stats samples feed the quality histograms.
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  await agent.evaluate(() => (window as unknown as { labSoftphone: { answer(): Promise<unknown> } }).labSoftphone.answer());
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('connected');

  const quality = [
    'softphone_guard.call.rtt',
    'softphone_guard.call.jitter',
    'softphone_guard.call.packet_loss',
    'softphone_guard.call.mos',
  ];
  await expect
    .poll(
      () =>
        acceptedMetrics(receiver).filter(
          (m) => quality.includes(m.name) && (m.histogram?.dataPoints ?? []).some((p) => Number(p.count) > 0),
        ).length,
      {
        timeout: 30_000,
      },
    )
    .toBeGreaterThan(0);

  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);

  // Logs: the 1006 and the 401 of the storm, each with every recovery step the extension took.
  const popup = await openPopup(context);
  await expect
    .poll(
      async () => {
        const incidents = await agentIncidents(popup, 'agent-1');
        const kinds = new Set(incidents.map((i) => i.kind));
        return kinds.has('abnormal-close') && kinds.has('unauthorized')
          ? missingAtReceiver(receiver, incidents)
          : ['storm incidents not yet in state'];
      },
      { timeout: 30_000 },
    )
    .toEqual([]);
  const logs = acceptedLogs(receiver);
  const close = logs.find(
    (l) => l.eventName === 'softphone_guard.incident.opened' && l.attrs['softphone_guard.incident.kind'] === 'abnormal-close',
  );
  expect(close?.attrs['softphone_guard.websocket.close_code']).toBe(1006);
  expect(close?.severityText).toBe('WARN');
  expect(close?.severityNumber).toBe(13);
  expect(close?.attrs['user.id']).toBe('agent-1');
  expect(typeof close?.attrs['softphone_guard.tab.id']).toBe('number');
  const unauthorized = logs.find(
    (l) => l.eventName === 'softphone_guard.incident.opened' && l.attrs['softphone_guard.incident.kind'] === 'unauthorized',
  );
  expect(unauthorized?.body?.stringValue).toBeTruthy();
  const refreshSteps = logs.filter(
    (l) =>
      l.attrs['softphone_guard.incident.id'] === unauthorized?.attrs['softphone_guard.incident.id'] &&
      l.attrs['softphone_guard.recovery.action'] === 'token-refresh',
  );
  expect(refreshSteps.map((l) => l.attrs['softphone_guard.recovery.outcome'])).toContain('ok');

  // Resource attributes (OpenTelemetry semantic conventions).
  const manifestVersion = await worker.evaluate(() => chrome.runtime.getManifest().version);
  const resource = logs[0]?.resource ?? {};
  expect(resource['service.name']).toBe('softphone-guard');
  expect(resource['service.version']).toBe(manifestVersion);
  expect(resource['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(String(resource['user_agent.original'])).toContain('Chrome/');
  expect(resource['browser.platform']).toBe('Linux');
  expect(resource['os.type']).toBe('linux');
  expect(resource['telemetry.sdk.language']).toBe('webjs');
  expect(Array.isArray(resource['browser.brands'])).toBe(true);

  // Metrics: health per session (gauge, unit 1) and call quality (histograms, UCUM units).
  await expect
    .poll(() =>
      acceptedMetrics(receiver).some(
        (m) =>
          m.name === 'softphone_guard.session.health' &&
          m.gauge?.dataPoints.some((p) => attributesOf(p.attributes)['user.id'] === 'agent-1'),
      ),
    )
    .toBe(true);
  const metrics = acceptedMetrics(receiver);
  const health = metrics.find((m) => m.name === 'softphone_guard.session.health');
  expect(health?.unit).toBe('1');
  expect(health?.resource['service.name']).toBe('softphone-guard');
  // One point per live session per collection: the agent's one tab at one level, never an old one besides.
  const lastHealth = metrics.filter((m) => m.name === 'softphone_guard.session.health').pop();
  expect(lastHealth?.gauge?.dataPoints.filter((p) => attributesOf(p.attributes)['user.id'] === 'agent-1')).toHaveLength(1);
  const units: Record<string, string> = {
    'softphone_guard.call.rtt': 'ms',
    'softphone_guard.call.jitter': 'ms',
    'softphone_guard.call.packet_loss': '%',
    'softphone_guard.call.mos': '1',
  };
  for (const m of metrics.filter((x) => x.name in units)) {
    expect(m.unit, m.name).toBe(units[m.name]);
    expect(m.histogram?.dataPoints.length, m.name).toBeGreaterThan(0);
  }

  expect(await leakedSecrets(lab, receiver)).toEqual([]);
  // Everything the extension sent was OTLP/JSON the receiver decoded and accepted, with the configured headers.
  expect(receiver.requests.filter((r) => r.status !== 200).map((r) => `${r.path} ${r.status}`)).toEqual([]);
  expect(receiver.requests.every((r) => r.headers['x-api-key'] === COLLECTOR_KEY && r.contentType === 'application/json')).toBe(true);
});

test('a collector answering 503, then unreachable, does not change the recovery, and what was buffered arrives once it is back, across a worker restart', async ({
  lab,
  context,
  worker,
  otlpReceiver: receiver,
}) => {
  test.setTimeout(150_000);
  receiver.setMode({ kind: 'unavailable', status: 503, retryAfterSeconds: 2 });
  const agent = await openAgent(context, lab, 'agent-1');
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });

  // Recovery exactly as without telemetry: ready again, no 401 seen by the app, no reload.
  await recoveredFromStorm(agent);
  const status = await appStatus(agent);
  expect(status.failures.byRequest[MEDIA_TOKEN_401] ?? 0).toBe(0);
  expect(status.failures.http401).toBe(0);
  expect(status.loadCount).toBe(1);

  // The extension tried, was told 503 + Retry-After: 2, and waited at least that long between tries.
  await expect.poll(() => receiver.requests.filter((r) => r.status === 503).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const tries = receiver.requests.filter((r) => r.status === 503).map((r) => r.receivedAt);
  for (let i = 1; i < tries.length; i++) expect(tries[i]! - tries[i - 1]!).toBeGreaterThanOrEqual(1900);

  // The storm's incidents are waiting in the persisted outbox when the worker is stopped.
  const popup = await openPopup(context);
  const before = await agentIncidents(popup, 'agent-1');
  expect(before.map((i) => i.kind)).toContain('abnormal-close');
  const queued = await worker.evaluate(async () => {
    const got = await chrome.storage.session.get('telemetryOutbox');
    return (got.telemetryOutbox as { outbox: { entries: unknown[] } } | undefined)?.outbox.entries.length ?? 0;
  });
  expect(queued).toBeGreaterThan(0);
  const stoppedAt = Date.now();
  await stopServiceWorker(context, popup);
  worker = await extensionWorker(context);

  // Then the collector's port is closed (connection refused): the restarted worker keeps trying.
  const attemptsSoFar = (): Promise<number> =>
    worker.evaluate(async () => {
      const got = await chrome.storage.session.get('telemetryOutbox');
      return (got.telemetryOutbox as { outbox: { attempt: number } } | undefined)?.outbox.attempt ?? 0;
    });
  const attemptsBefore = await attemptsSoFar();
  await receiver.stop();
  await expect.poll(attemptsSoFar, { timeout: 30_000 }).toBeGreaterThan(attemptsBefore);

  // Collector back: everything arrives, each incident exactly once.
  receiver.setMode({ kind: 'ok' });
  await receiver.start();
  await expect.poll(async () => missingAtReceiver(receiver, await agentIncidents(popup, 'agent-1')), { timeout: 60_000 }).toEqual([]);
  const opened = acceptedLogs(receiver)
    .filter((l) => l.eventName === 'softphone_guard.incident.opened')
    .map((l) => l.attrs['softphone_guard.incident.id']);
  expect(opened.length).toBe(new Set(opened).size);
  for (const incident of before) expect(opened).toContain(incident.id);
  // Metrics collected by the stopped worker (they cannot be derived again) arrived too.
  const healthTimes = (): bigint[] =>
    acceptedMetrics(receiver)
      .filter((m) => m.name === 'softphone_guard.session.health')
      .flatMap((m) => (m.gauge?.dataPoints ?? []).map((p) => BigInt(p.timeUnixNano ?? '0')));
  await expect.poll(() => healthTimes().some((t) => t < BigInt(stoppedAt) * 1_000_000n), { timeout: 30_000 }).toBe(true);

  expect(await leakedSecrets(lab, receiver)).toEqual([]);
});

test('when the collector’s wait ends, an alarm wakes the stopped worker and the buffer is delivered, with nothing else to wake it', async ({
  lab,
  context,
  worker,
  otlpReceiver: receiver,
}) => {
  test.setTimeout(120_000);
  receiver.setMode({ kind: 'unavailable', status: 503, retryAfterSeconds: 8 });
  const agent = await openAgent(context, lab, 'agent-1');
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent);
  await expect.poll(() => receiver.requests.filter((r) => r.status === 503).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);

  // The wait the collector asked for stands as an alarm (the worker's timer dies with it).
  const alarms = (): Promise<{ name: string; scheduledTime: number }[]> =>
    worker.evaluate(async () => (await chrome.alarms.getAll()).map((a) => ({ name: a.name, scheduledTime: a.scheduledTime })));
  await expect.poll(async () => (await alarms()).some((a) => a.name === 'sg-telemetry-due')).toBe(true);
  const all = await alarms();
  const due = all.find((a) => a.name === 'sg-telemetry-due')!.scheduledTime;
  const nextOther = Math.min(...all.filter((a) => a.name !== 'sg-telemetry-due').map((a) => a.scheduledTime));

  // Nothing left to wake the worker: the softphone tab closed, no extension page open; then it is stopped.
  const blank = await context.newPage();
  await agent.close();
  await blank.waitForTimeout(500);
  const stoppedAt = await stopServiceWorkerAt(context, blank);
  expect(stoppedAt).toBeLessThan(due);
  receiver.setMode({ kind: 'ok' });

  await expect.poll(() => acceptedLogs(receiver).length, { timeout: 45_000 }).toBeGreaterThan(0);
  const deliveredAt = Math.min(...receiver.requests.filter((r) => r.status === 200).map((r) => r.receivedAt));
  // Delivered once the wait was over (Retry-After honoured), soon after, and before any other
  // alarm could have woken the worker: the telemetry alarm did.
  expect(deliveredAt).toBeGreaterThanOrEqual(due - 50);
  expect(deliveredAt).toBeLessThan(Math.min(nextOther, due + 15_000));
  test.info().annotations.push({
    type: 'wake',
    description: `stopped ${due - stoppedAt} ms before the wait ended; delivered ${deliveredAt - due} ms after it; next other alarm ${Number.isFinite(nextOther) ? `${nextOther - due} ms after it` : 'none'}`,
  });
  expect(acceptedLogs(receiver).some((l) => l.eventName === 'softphone_guard.incident.opened')).toBe(true);
});
