import { describe, expect, it } from 'vitest';
import { eventRow, incidentRows } from '../../../src/diagnostics/timeline-rows';
import type { StoredEvent } from '../../../src/protocol/ui';
import type { Incident } from '../../../src/session/types';
import { TIMELINE_STRINGS as t } from '../../../extension/diagnostics/strings';

const AT = Date.UTC(2026, 11, 3, 12, 0, 0);
const ev = (type: string, data: Record<string, unknown>, seq = 1): StoredEvent => ({ seq, tabId: 7, at: AT, type, data });

describe('eventRow', () => {
  it('words an abnormal WebSocket close with its code, meaning and reason', () => {
    const row = eventRow(
      ev('ws-close', { socketId: 's1', url: 'wss://h.test/notify?access_token=[redacted]', code: 1006, reason: '', wasClean: false }, 42),
      t,
    );
    expect(row).toMatchObject({ key: 'e:42', seq: 42, at: AT, category: 'signalling', severity: 'error' });
    expect(row.title).toBe('WebSocket closed: 1006 Abnormal closure (connection lost without a close frame)');
    expect(row.detail).toBe('no reason given · abnormal close · /notify');
  });
  it('says who closed a socket and why, and the close reason', () => {
    const row = eventRow(ev('ws-close', { code: 4000, reason: 'silent 45 s', wasClean: true, closedBy: 'stall', url: 'wss://h/x' }), t);
    expect(row.severity).toBe('info');
    expect(row.title).toBe('WebSocket closed: 4000 Closed by Softphone Guard: no heartbeat');
    expect(row.detail).toContain('reason: silent 45 s');
    expect(row.detail).toContain('closed by Softphone Guard because the socket went silent');
  });
  it('names an unknown close code as application-defined', () => {
    expect(eventRow(ev('ws-close', { code: 4321, reason: 'x', wasClean: true }), t).title).toBe(
      'WebSocket closed: 4321 application-defined code',
    );
  });
  it('words an HTTP failure by endpoint with status, Retry-After and whether the page saw it', () => {
    const row = eventRow(
      ev('http', {
        method: 'GET',
        url: 'https://h.test/api/v2/presence/users/u1?x=1',
        status: 429,
        retryAfter: '2',
        durationMs: 35,
        transport: 'fetch',
        protected: true,
      }),
      t,
    );
    expect(row).toMatchObject({ category: 'http', severity: 'warning' });
    expect(row.title).toBe('HTTP 429 Too Many Requests: GET /api/v2/presence/users/u1');
    expect(row.detail).toBe('Retry-After: 2 · took 35 ms · via fetch');
    const seenByWebRequest = eventRow(
      ev('http', { method: 'GET', url: 'https://h.test/api/v2/x', status: 503, durationMs: 0, transport: 'webrequest', protected: true }),
      t,
    );
    expect(seenByWebRequest.detail).toBe('via webrequest');
    const hidden = eventRow(
      ev('http', { method: 'GET', url: 'https://h/api/v2/communications/webRTC', status: 401, hiddenFromPage: true }),
      t,
    );
    expect(hidden).toMatchObject({ category: 'auth', title: 'HTTP 401 Unauthorized: GET /api/v2/communications/webRTC' });
    expect(hidden.detail).toContain('hidden from the softphone (answered by a retry)');
    expect(eventRow(ev('http', { method: 'POST', url: 'https://h/x', status: 0, error: 'TypeError' }), t)).toMatchObject({
      severity: 'error',
      title: 'Network error: POST /x',
      detail: 'error: TypeError',
    });
    expect(eventRow(ev('http', { method: 'GET', url: 'https://h/x', status: 503 }), t).severity).toBe('error');
  });
  it('words a transparent retry and its outcome', () => {
    const row = eventRow(
      ev('http-retry', {
        method: 'GET',
        url: 'https://h/api/v2/communications/webRTC',
        reason: 'unauthorized',
        status: 200,
        outcome: 'recovered',
        durationMs: 20,
      }),
      t,
    );
    expect(row).toMatchObject({ category: 'recovery', severity: 'info' });
    expect(row.title).toBe('Retried GET /api/v2/communications/webRTC with a fresh token after a 401: HTTP 200');
    expect(row.detail).toBe('recovered: the softphone saw success · took 20 ms');
    expect(
      eventRow(ev('http-retry', { method: 'GET', url: 'https://h/p', reason: 'backoff', status: 429, outcome: 'failed' }), t),
    ).toMatchObject({
      severity: 'warning',
      title: 'Retried GET /p after a backoff wait: HTTP 429',
      detail: 'still failing',
    });
  });
  it('words ICE and connection states, permission and device changes', () => {
    expect(
      eventRow(ev('pc-state', { pcId: 'pc1', iceConnectionState: 'failed', connectionState: 'failed', signalingState: 'stable' }), t),
    ).toMatchObject({
      category: 'media',
      severity: 'error',
      title: 'Call connection: ICE failed, connection failed, signalling stable',
    });
    expect(
      eventRow(ev('pc-state', { iceConnectionState: 'disconnected', connectionState: 'connected', signalingState: 'stable' }), t).severity,
    ).toBe('warning');
    expect(eventRow(ev('media-permission', { state: 'denied' }), t)).toMatchObject({
      category: 'device',
      severity: 'error',
      title: 'Microphone permission: blocked',
    });
    expect(eventRow(ev('gum', { ok: false, audio: true, video: false, errorName: 'NotAllowedError' }), t).title).toBe(
      'Microphone capture failed: NotAllowedError',
    );
    expect(eventRow(ev('track-ended', { kind: 'audio' }), t).title).toBe('Microphone track ended (device removed or permission revoked)');
  });
  it('flags quality samples past a threshold, in words', () => {
    const fine = eventRow(ev('pc-stats', { pcId: 'pc1', rttMs: 40, jitterMs: 2.5, packetLossPct: 0, mos: 4.4 }), t);
    expect(fine).toMatchObject({
      category: 'quality',
      severity: 'info',
      title: 'Call quality: RTT 40 ms, jitter 2.5 ms, loss 0 %, MOS 4.4',
    });
    const bad = eventRow(ev('pc-stats', { pcId: 'pc1', rttMs: 620, jitterMs: 45, packetLossPct: 4.2, mos: 2.6 }), t);
    expect(bad.severity).toBe('warning');
    expect(bad.detail).toBe('Round-trip time: Above 400 ms · Jitter: Above 30 ms · Packet loss: Above 1 % · MOS: Below 3.0 · pc1');
    expect(eventRow(ev('pc-stats', { rttMs: null, jitterMs: null, packetLossPct: null, mos: null }), t).title).toBe(
      'Call quality: RTT —, jitter —, loss —, MOS —',
    );
  });
  it('words worker events: refreshes, heartbeat gaps, reloads', () => {
    expect(eventRow(ev('refresh-started', {}), t)).toMatchObject({ category: 'recovery', title: 'Token refresh started' });
    expect(eventRow(ev('refresh-failed', { error: 'HTTP 500', signInRequired: true }), t)).toMatchObject({
      severity: 'error',
      title: 'Token refresh failed: HTTP 500',
      detail: 'the agent must sign in again',
    });
    expect(eventRow(ev('stall-close-requested', { socketId: 's', silentSeconds: 45 }), t).title).toBe(
      'Heartbeat gap: no message for 45 s; asked the page to close the silent socket',
    );
    expect(eventRow(ev('reload-deferred', { reason: 'call-active', cause: 'signalling-not-recovered' }), t).title).toBe(
      'Reload postponed (a call is active): signalling did not come back',
    );
    expect(eventRow(ev('safe-reload', { cause: 'token-not-recovered' }), t).title).toBe(
      'Tab reloaded safely (no call active): fresh tokens did not fix the 401',
    );
    expect(eventRow(ev('refresh-ahead', { outcome: 'ok', note: 'Refreshed ahead of Mon 06:00 America/Chicago' }), t).title).toBe(
      'Refreshed ahead of Mon 06:00 America/Chicago — ok',
    );
  });
  it('gives every stored record a line: unknown types and missing fields do not throw', () => {
    expect(eventRow(ev('future-thing', { a: 1 }), t)).toMatchObject({ category: 'other', title: 'Event future-thing', detail: '{"a":1}' });
    const broken = { tabId: 7, at: Number.NaN, type: 'ws-close', data: undefined } as unknown as StoredEvent;
    expect(eventRow(broken, t)).toMatchObject({ category: 'signalling', at: 0, title: 'WebSocket closed: 0 application-defined code' });
    expect(eventRow({ tabId: 7, at: AT, type: 'http', data: { status: 'x' } }, t).key).toBe(`e:${AT}:http`);
  });
});

describe('incidentRows', () => {
  const unauthorized: Incident = {
    id: '7:3',
    tabId: 7,
    kind: 'unauthorized',
    openedAt: AT,
    resolvedAt: AT + 1500,
    summary: 'Request rejected as unauthorized (401): /api/v2/communications/webRTC',
    detail: { status: 401, url: 'https://h/api/v2/communications/webRTC' },
    steps: [
      { at: AT + 300, action: 'token-refresh', outcome: 'ok' },
      { at: AT + 1200, action: 'request-retry', outcome: 'ok' },
      { at: AT + 1300, action: 'safe-reload', outcome: 'failed', detail: 'a call is active' },
    ],
  };
  it('gives the opening and every recovery step with its outcome', () => {
    const rows = incidentRows(unauthorized, t);
    expect(rows.map((r) => [r.key, r.category, r.severity, r.title])).toEqual([
      ['i:7:3', 'incident', 'warning', 'Incident: Request rejected as unauthorized (401): /api/v2/communications/webRTC'],
      ['i:7:3:0', 'recovery', 'info', 'Recovery: Fetched a fresh token — ok'],
      ['i:7:3:1', 'recovery', 'info', 'Recovery: Retried the request — page saw success'],
      ['i:7:3:2', 'recovery', 'error', 'Recovery: Safe reload — not done · a call is active'],
    ]);
    expect(rows[0]!.detail).toBe('Request rejected as unauthorized (401) · HTTP 401 · /api/v2/communications/webRTC · Resolved after 1 s');
    expect(rows[1]!.detail).toBe('after 300 ms · for: Request rejected as unauthorized (401): /api/v2/communications/webRTC');
    expect(rows[2]!.at).toBe(AT + 1200);
  });
  it('marks an open incident as an error and names a close code', () => {
    const [row] = incidentRows(
      { ...unauthorized, kind: 'abnormal-close', summary: '', resolvedAt: undefined, detail: { code: 1006, count: 3 }, steps: [] },
      t,
    );
    expect(row).toMatchObject({ severity: 'error', title: 'Incident: WebSocket closed abnormally' });
    expect(row!.detail).toBe('WebSocket closed abnormally · close code 1006 · Seen 3 times · Open');
  });
});
