/**
 * The SDK set-up of the worker (extension/background/telemetry-sdk.ts) run in Node: the
 * official LoggerProvider / MeterProvider and the OTLP/JSON serializer produce the requests
 * the outbox queues. No browser API is involved in that file.
 */
import { describe, expect, it } from 'vitest';
import { createTelemetrySdk } from '../../../extension/background/telemetry-sdk';
import type { Signal } from '../../../src/telemetry/outbox';
import { countItems, mergeRequests } from '../../../src/telemetry/otlp-json';
import { incidentLogRecords } from '../../../src/telemetry/incident-logs';
import { newQualitySample } from '../../../src/telemetry/session-metrics';
import { resourceAttributes } from '../../../src/telemetry/resource';
import { createSession } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

type Queued = { signal: Signal; body: string; items: number };

function setup(sessions: SessionState[], losses = { dropped: { logs: 0, metrics: 0 }, rejected: { logs: 0, metrics: 0 } }) {
  const queued: Queued[] = [];
  const sdk = createTelemetrySdk({
    resource: resourceAttributes({ extensionVersion: '9.9.9', instanceId: 'inst-1', platform: 'Linux' }),
    version: '9.9.9',
    exportIntervalMs: 3_600_000,
    liveSessions: () => sessions,
    losses: () => losses,
    enqueue: (signal, body, items) => queued.push({ signal, body, items }),
  });
  return { sdk, queued };
}

const session: SessionState = {
  ...createSession(5, T0),
  agent: { userId: 'agent-1', orgId: 'org-a' },
  health: 'recovering',
  media: { statsAt: T0 + 1000, rttMs: 420, jitterMs: 12, packetLossPct: 2, mos: 3.4 },
  incidents: [
    {
      id: '5:1',
      tabId: 5,
      kind: 'abnormal-close',
      openedAt: T0,
      summary: 'WebSocket closed abnormally (code 1006)',
      detail: { code: 1006 },
      steps: [{ at: T0 + 20, action: 'token-refresh', outcome: 'ok' }],
    },
  ],
};

describe('createTelemetrySdk', () => {
  it('queues each log record at once as an OTLP/JSON logs request with resource and scope', async () => {
    const { sdk, queued } = setup([]);
    for (const r of incidentLogRecords(session, {}).records) sdk.emit(r);
    expect(queued.map((q) => [q.signal, q.items])).toEqual([
      ['logs', 1],
      ['logs', 1],
    ]);
    const request = JSON.parse(
      mergeRequests(
        'logs',
        queued.map((q) => q.body),
      ),
    );
    expect(countItems('logs', request)).toBe(2);
    const rl = request.resourceLogs[0];
    const resource = Object.fromEntries(
      rl.resource.attributes.map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]]),
    );
    expect(resource).toMatchObject({
      'service.name': 'softphone-guard',
      'service.version': '9.9.9',
      'service.instance.id': 'inst-1',
      'os.type': 'linux',
    });
    expect(rl.scopeLogs[0].scope).toEqual({ name: 'softphone-guard', version: '9.9.9' });
    const [opened, step] = rl.scopeLogs[0].logRecords;
    expect(opened.eventName).toBe('softphone_guard.incident.opened');
    expect(opened.timeUnixNano).toBe(`${T0}000000`);
    expect(opened.severityNumber).toBe(13);
    expect(opened.body).toEqual({ stringValue: 'WebSocket closed abnormally (code 1006)' });
    expect(step.timeUnixNano).toBe(`${T0 + 20}000000`);
    await sdk.shutdown();
  });

  it('collects health as a gauge and quality as histograms with UCUM units', async () => {
    const { sdk, queued } = setup([session], { dropped: { logs: 4, metrics: 0 }, rejected: { logs: 0, metrics: 0 } });
    const sample = newQualitySample(session, undefined);
    if (sample) sdk.recordQuality(sample);
    await sdk.shutdown(); // a final collection
    const metrics = queued.filter((q) => q.signal === 'metrics');
    expect(metrics).toHaveLength(1);
    const request = JSON.parse(metrics[0]?.body ?? '{}');
    expect(countItems('metrics', request)).toBe(metrics[0]?.items);
    const byName = Object.fromEntries(request.resourceMetrics[0].scopeMetrics[0].metrics.map((m: { name: string }) => [m.name, m]));
    expect(byName['softphone_guard.session.health'].unit).toBe('1');
    expect(byName['softphone_guard.session.health'].gauge.dataPoints[0].asDouble).toBe(2);
    expect(byName['softphone_guard.call.rtt'].unit).toBe('ms');
    expect(byName['softphone_guard.call.rtt'].histogram.dataPoints[0]).toMatchObject({
      count: 1,
      sum: 420,
      explicitBounds: [25, 50, 100, 150, 200, 300, 400, 600, 1000, 2000],
    });
    expect(byName['softphone_guard.call.packet_loss'].unit).toBe('%');
    expect(byName['softphone_guard.call.mos'].unit).toBe('1');
    expect(byName['softphone_guard.telemetry.dropped'].sum).toMatchObject({ isMonotonic: true });
    expect(
      byName['softphone_guard.telemetry.dropped'].sum.dataPoints[0].asDouble ??
        Number(byName['softphone_guard.telemetry.dropped'].sum.dataPoints[0].asInt),
    ).toBe(4);
  });

  it('queues no metrics request when there is nothing to report', async () => {
    const { sdk, queued } = setup([]);
    await sdk.shutdown();
    expect(queued).toEqual([]);
  });
});

describe('health gauge', () => {
  it('reports each live session once, at its current level, and drops closed ones', async () => {
    const live: SessionState[] = [{ ...session, health: 'healthy' }];
    const { sdk, queued } = setup(live);
    const points = async (): Promise<Array<[unknown, unknown]>> => {
      queued.length = 0;
      await sdk.flush();
      const body = queued.find((q) => q.signal === 'metrics')?.body;
      if (!body) return [];
      const health = JSON.parse(body).resourceMetrics[0].scopeMetrics[0].metrics.find(
        (m: { name: string }) => m.name === 'softphone_guard.session.health',
      );
      return (health?.gauge.dataPoints ?? []).map(
        (p: { asDouble: number; attributes: Array<{ key: string; value: { stringValue?: string } }> }) => [
          p.attributes.find((a) => a.key === 'softphone_guard.health.state')?.value.stringValue,
          p.asDouble,
        ],
      );
    };
    expect(await points()).toEqual([['healthy', 0]]);
    live[0] = { ...session, health: 'down' };
    expect(await points()).toEqual([['down', 3]]);
    live.length = 0;
    expect(await points()).toEqual([]);
    await sdk.shutdown();
  });
});
