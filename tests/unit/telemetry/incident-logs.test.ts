import { describe, expect, it } from 'vitest';
import {
  EVENT_INCIDENT_OPENED,
  EVENT_INCIDENT_RESOLVED,
  EVENT_RECOVERY_STEP,
  SEVERITY,
  incidentLogRecords,
  stepKeys,
} from '../../../src/telemetry/incident-logs';
import type { LogCursor } from '../../../src/telemetry/incident-logs';
import { createSession } from '../../../src/session/reducer';
import type { Incident, SessionState } from '../../../src/session/types';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC0xIn0.c2lnbmF0dXJlLXNlY3JldA';

function session(incidents: Incident[]): SessionState {
  return { ...createSession(7, T0), agent: { userId: 'agent-1', name: 'Ada Agent', orgId: 'org-a' }, incidents };
}

const close: Incident = {
  id: '7:1',
  tabId: 7,
  kind: 'abnormal-close',
  openedAt: T0,
  summary: 'WebSocket closed abnormally (code 1006)',
  detail: { code: 1006, url: `wss://softphone.example/notify?access_token=${JWT}`, count: 1 },
  steps: [],
};

function run(states: SessionState[]): { records: ReturnType<typeof incidentLogRecords>['records']; cursor: LogCursor } {
  let cursor: LogCursor = {};
  const all: ReturnType<typeof incidentLogRecords>['records'] = [];
  for (const s of states) {
    const out = incidentLogRecords(s, cursor);
    all.push(...out.records);
    cursor = out.cursor;
  }
  return { records: all, cursor };
}

describe('incidentLogRecords', () => {
  it('emits an opening with the incident attributes, severity and the summary as body', () => {
    const { records } = incidentLogRecords(session([close]), {});
    expect(records).toHaveLength(1);
    const [r] = records;
    expect(r?.eventName).toBe(EVENT_INCIDENT_OPENED);
    expect(r?.timestampMs).toBe(T0);
    expect(r?.severityText).toBe('WARN');
    expect(r?.severityNumber).toBe(SEVERITY.WARN);
    expect(r?.body).toBe('WebSocket closed abnormally (code 1006)');
    expect(r?.attributes).toMatchObject({
      'softphone_guard.incident.id': '7:1',
      'softphone_guard.incident.kind': 'abnormal-close',
      'softphone_guard.tab.id': 7,
      'softphone_guard.websocket.close_code': 1006,
      'user.id': 'agent-1',
      'softphone_guard.agent.org_id': 'org-a',
    });
  });

  it('never exports a token or the agent name', () => {
    const withSecrets: Incident = {
      ...close,
      summary: `closed, token ${JWT}`,
      steps: [{ at: T0 + 1, action: 'token-refresh', outcome: 'failed', detail: `Bearer ${JWT}` }],
    };
    const text = JSON.stringify(incidentLogRecords(session([withSecrets]), {}).records);
    expect(text).not.toContain(JWT);
    expect(text).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
    expect(text).not.toContain('Ada Agent');
    expect(text).toContain('[redacted]');
  });

  it('names the endpoint by url.path template and server.address, never url.full', () => {
    const contact: Incident = {
      ...close,
      kind: 'server-error',
      summary: 'Server error (503) on /api/v2/contacts/+15551234567',
      detail: {
        status: 503,
        url: 'https://api.cc.example:8443/api/v2/contacts/+15551234567?ani=tel:+15551234567&customerName=Jane',
        count: 1,
      },
      steps: [
        {
          at: T0 + 1,
          action: 'request-retry',
          outcome: 'failed',
          detail: 'Retried GET https://api.cc.example/x/jane.doe@example.com?otp=123456, answered 503.',
        },
      ],
    };
    const { records } = incidentLogRecords(session([contact]), {});
    expect(records[0]?.attributes).toMatchObject({
      'url.path': '/api/v2/contacts/{id}',
      'url.scheme': 'https',
      'server.address': 'api.cc.example',
    });
    expect(records[0]?.attributes).not.toHaveProperty('url.full');
    const text = JSON.stringify(records);
    for (const planted of ['5551234567', 'Jane', 'jane.doe', 'example.com', '123456']) expect(text).not.toContain(planted);
    expect(records[1]?.attributes['softphone_guard.recovery.detail']).toBe('Retried GET https://api.cc.example/x/{id}?otp, answered 503.');
  });

  it('keeps a close reason, with caller data masked', () => {
    const reasoned: Incident = { ...close, detail: { ...close.detail, reason: 'caller +44 20 7946 0958 left' } };
    const [r] = incidentLogRecords(session([reasoned]), {}).records;
    expect(r?.attributes['softphone_guard.incident.reason']).toBe('caller [redacted] left');
    expect(r?.attributes['url.path']).toBe('/notify');
  });

  it('emits each step once, again when its outcome changes, and the resolution once', () => {
    const pending: Incident = { ...close, steps: [{ at: T0 + 10, action: 'token-refresh', outcome: 'pending' }] };
    const settled: Incident = {
      ...close,
      steps: [{ at: T0 + 10, action: 'token-refresh', outcome: 'ok', detail: 'Fresh token obtained.' }],
    };
    const resolved: Incident = {
      ...settled,
      resolvedAt: T0 + 500,
      steps: [...settled.steps, { at: T0 + 500, action: 'app-reconnected', outcome: 'ok' }],
    };
    const { records } = run([
      session([close]),
      session([pending]),
      session([pending]),
      session([settled]),
      session([resolved]),
      session([resolved]),
    ]);
    expect(
      records.map((r) => [r.eventName, r.attributes['softphone_guard.recovery.action'], r.attributes['softphone_guard.recovery.outcome']]),
    ).toEqual([
      [EVENT_INCIDENT_OPENED, undefined, undefined],
      [EVENT_RECOVERY_STEP, 'token-refresh', 'pending'],
      [EVENT_RECOVERY_STEP, 'token-refresh', 'ok'],
      [EVENT_RECOVERY_STEP, 'app-reconnected', 'ok'],
      [EVENT_INCIDENT_RESOLVED, undefined, undefined],
    ]);
    const done = records[records.length - 1];
    expect(done?.attributes['softphone_guard.incident.duration']).toBe(500);
    expect(done?.timestampMs).toBe(T0 + 500);
  });

  it('catches up on everything at once for a state first seen late (after a worker restart)', () => {
    const resolved: Incident = {
      ...close,
      resolvedAt: T0 + 900,
      steps: [
        { at: T0 + 10, action: 'token-refresh', outcome: 'failed', detail: 'refresh endpoint answered 500' },
        { at: T0 + 20, action: 'token-refresh', outcome: 'ok' },
      ],
    };
    const { records } = incidentLogRecords(session([resolved]), {});
    expect(records.map((r) => r.eventName)).toEqual([
      EVENT_INCIDENT_OPENED,
      EVENT_RECOVERY_STEP,
      EVENT_RECOVERY_STEP,
      EVENT_INCIDENT_RESOLVED,
    ]);
    expect(records[1]?.severityText).toBe('WARN');
    expect(records[2]?.severityText).toBe('INFO');
  });

  it('orders incidents oldest first and forgets incidents no longer in the state', () => {
    const later: Incident = {
      ...close,
      id: '7:2',
      kind: 'server-error',
      openedAt: T0 + 60_000,
      summary: 'Server error (503)',
      detail: { status: 503 },
    };
    const first = incidentLogRecords(session([later, close]), {});
    expect(first.records.map((r) => r.attributes['softphone_guard.incident.id'])).toEqual(['7:1', '7:2']);
    expect(first.records[1]?.severityText).toBe('ERROR');
    expect(first.records[1]?.attributes['http.response.status_code']).toBe(503);
    const second = incidentLogRecords(session([later]), first.cursor);
    expect(second.records).toEqual([]);
    expect(Object.keys(second.cursor)).toEqual(['7:2']);
  });

  it('tells apart steps with the same time and action', () => {
    const twice: Incident = {
      ...close,
      steps: [
        { at: T0 + 5, action: 'request-retry', outcome: 'ok' },
        { at: T0 + 5, action: 'request-retry', outcome: 'ok' },
      ],
    };
    expect(stepKeys(twice.steps)).toEqual([`${T0 + 5}:request-retry:0`, `${T0 + 5}:request-retry:1`]);
    expect(incidentLogRecords(session([twice]), {}).records.filter((r) => r.eventName === EVENT_RECOVERY_STEP)).toHaveLength(2);
  });

  it('keeps step marks when the oldest steps are dropped from the state', () => {
    const steps = Array.from({ length: 3 }, (_, i) => ({ at: T0 + i, action: 'request-retry' as const, outcome: 'ok' as const }));
    const a = incidentLogRecords(session([{ ...close, steps }]), {});
    const b = incidentLogRecords(
      session([{ ...close, steps: [...steps.slice(1), { at: T0 + 9, action: 'request-retry', outcome: 'ok' }] }]),
      a.cursor,
    );
    expect(b.records).toHaveLength(1);
    expect(b.records[0]?.timestampMs).toBe(T0 + 9);
  });
});
