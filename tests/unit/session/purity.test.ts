import { describe, expect, it } from 'vitest';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionEvent } from '../../../src/session/reducer';
import { CTX, T0, TAB, deepFreeze, ev, s } from './fixtures';

/** One of every event type, in an order that opens and resolves every incident kind. */
const EVERY_EVENT: SessionEvent[] = [
  ev.hello(s(0)),
  ev.identity(s(0)),
  ev.wsOpen(s(1), 's1'),
  ev.wsActivity(s(2), 's1'),
  ev.wsClose(s(3), 1006, false, 's1'),
  ev.tokenNeeded(s(3), '/api/v2/x'),
  ev.http(s(3), 401, '/api/v2/x'),
  ev.http(s(3), 429, '/api/v2/p', { retryAfter: '2' }),
  ev.http(s(3), 408, '/api/v2/e'),
  ev.http(s(3), 503, '/api/v2/e'),
  ev.refreshStarted(s(4)),
  ev.refreshFailed(s(5)),
  ev.refreshStarted(s(6)),
  ev.refreshSucceeded(s(7), s(3600)),
  ev.httpRetry(s(7), 'failed', '/api/v2/x'),
  ev.httpRetry(s(8), 'recovered', '/api/v2/x'),
  ev.pcState(s(8), 'failed', 'failed'),
  ev.pcState(s(9), 'connected', 'connected'),
  ev.pcStats(s(9), 100, { jitterMs: 90 }),
  ev.permission(s(10), 'denied'),
  ev.gum(s(10), false, 'NotAllowedError'),
  ev.trackEnded(s(10)),
  ev.permission(s(11), 'granted'),
  ev.gum(s(11), true),
  ev.trackEnded(s(12)),
  { type: 'mic-grant', at: s(12), outcome: 'ok' },
  { type: 'media-reacquire', at: s(12) },
  { type: 'media-reacquired', at: s(13), ok: true, audioInputs: 2 },
  ev.tick(s(20)),
  ev.wsOpen(s(21), 's2'),
  ev.http(s(22), 200, '/api/v2/e'),
  ev.tick(s(60)),
  ev.stallCloseRequested(s(70), 's2', 49),
  ev.wsStallClose(s(71), 's2'),
  ev.wsOpen(s(72), 's3'),
  ev.wsActivity(s(73), 's3'),
  ev.orgSwitch(s(80)),
  ev.wsClose(s(80), 1000, true, 's3', '', 'org-switch'),
  ev.tick(s(200)),
];

describe('purity', () => {
  it('never writes to a frozen state, event or context', () => {
    let state = deepFreeze(createSession(TAB, T0));
    const ctx = deepFreeze({ ...CTX });
    for (const event of EVERY_EVENT) {
      const snapshot = structuredClone(state);
      const frozenEvent = deepFreeze(structuredClone(event));
      const out = reduceSession(state, frozenEvent, ctx);
      expect(state).toEqual(snapshot);
      expect(frozenEvent).toEqual(event);
      state = deepFreeze(out.state);
    }
    expect(state.incidents.map((i) => i.kind).sort()).toEqual([
      'abnormal-close',
      'abnormal-close',
      'ice-failed',
      'permission-lost',
      'rate-limited',
      'request-timeout',
      'server-error',
      'signalling-stalled',
      'track-ended',
      'unauthorized',
    ]);
    expect(state.incidents.every((i) => i.resolvedAt !== undefined)).toBe(true);
  });

  it('gives the same result for the same input', () => {
    const fold = () => EVERY_EVENT.reduce((st, e) => reduceSession(st, e, CTX).state, createSession(TAB, T0));
    expect(fold()).toEqual(fold());
  });

  it('produces JSON-safe state', () => {
    const state = EVERY_EVENT.reduce((st, e) => reduceSession(st, e, CTX).state, createSession(TAB, T0));
    expect(JSON.parse(JSON.stringify(state))).toEqual(JSON.parse(JSON.stringify(structuredClone(state))));
  });

  it('does not share incident objects that effects hand out with later states', () => {
    const first = reduceSession(createSession(TAB, T0), ev.trackEnded(s(1)), CTX);
    const opened = first.effects[0];
    const snapshot = structuredClone(opened);
    reduceSession(first.state, ev.trackEnded(s(2)), CTX);
    expect(opened).toEqual(snapshot);
  });
});
