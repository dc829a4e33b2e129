/**
 * The seed scenarios (seeds 000–002, docs/architecture.md §1): each runs a realistic event stream
 * through the reducer and checks health over time, incidents and what the agent is told.
 */
import { describe, expect, it } from 'vitest';
import { createSession } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { CTX, TAB, ev, healthChanges, run, s } from './fixtures';

const PRESENCE = '/api/v2/presence/users/u-1';
const WEBRTC = '/api/v2/communications/webRTC';
const ENDPOINT = '/api/v2/users/me/webphone/endpoint';

/** A softphone that is up: page, agent, signalling with heartbeats, a call in progress. */
function steadyState(): SessionState {
  return run(
    [
      ev.hello(s(0)),
      ev.identity(s(0)),
      ev.permission(s(0), 'granted'),
      ev.wsOpen(s(1), 's1'),
      ev.http(s(1), 200, '/api/v2/users/me'),
      ev.gum(s(2), true),
      ev.pcState(s(2), 'connected', 'connected'),
      ev.pcStats(s(3), 4_000),
      ev.wsActivity(s(4), 's1', s(4)),
    ],
    CTX,
    createSession(TAB, s(0)),
  ).state;
}

describe('seed 000 with 001: publish storm (1006 + 401 + 429) and recovery', () => {
  it('recovers without the agent doing anything', () => {
    const start = steadyState();
    expect(start.health).toBe('healthy');
    const r = run(
      [
        ev.wsClose(s(10), 1006, false, 's1'),
        ev.tokenNeeded(s(10) + 50, WEBRTC),
        ev.http(s(10) + 60, 401, WEBRTC),
        ev.refreshStarted(s(10) + 70),
        ev.http(s(10) + 80, 429, PRESENCE, { retryAfter: '3' }),
        ev.tick(s(14)),
        ev.refreshSucceeded(s(14) + 500, s(3600)),
        ev.httpRetry(s(14) + 700, 'recovered', WEBRTC),
        ev.wsOpen(s(15), 's2'),
        ev.http(s(16), 429, PRESENCE, { retryAfter: '3' }),
        ev.wsActivity(s(17), 's2', s(17)),
        ev.http(s(19), 200, PRESENCE),
        ev.tick(s(20)),
      ],
      CTX,
      start,
    );
    expect(r.healths).toEqual([
      'recovering', // 1006: within grace
      'recovering',
      'recovering',
      'recovering',
      'recovering',
      'recovering', // tick 4 s after the drop
      'recovering',
      'recovering', // retry recovered, signalling still down
      'degraded', // reconnected; presence still rate-limited
      'degraded',
      'degraded',
      'healthy', // presence answered
      'healthy',
    ]);
    expect(healthChanges(r.effects)).toEqual(['healthy→recovering', 'recovering→degraded', 'degraded→healthy']);

    const byKind = Object.fromEntries(r.state.incidents.map((i) => [i.kind, i]));
    expect(Object.keys(byKind).sort()).toEqual(['abnormal-close', 'rate-limited', 'unauthorized']);
    expect(r.state.incidents.every((i) => i.resolvedAt !== undefined)).toBe(true);
    expect(byKind['abnormal-close']).toMatchObject({ openedAt: s(10), resolvedAt: s(15) });
    expect(byKind['unauthorized']?.detail.count).toBe(2);
    expect(byKind['unauthorized']?.steps.map((x) => `${x.action}:${x.outcome}`)).toEqual(['token-refresh:ok', 'request-retry:ok']);
    expect(byKind['rate-limited']?.detail).toMatchObject({ count: 2, retryAfter: '3' });
    expect(r.state.healthReason).toBe('All good: signalling open, heartbeat 3 s ago.');
    // Three incidents opened, each persisted on open and on every change.
    expect(r.effects.filter((e) => e.type === 'incident-opened')).toHaveLength(3);
  });

  it('tells the agent what is happening at each stage', () => {
    const start = steadyState();
    const drop = run([ev.wsClose(s(10), 1006, false, 's1'), ev.tick(s(14))], CTX, start);
    expect(drop.state.healthReason).toBe('Signalling dropped (1006) 4 s ago; waiting for the softphone to reconnect.');
    const auth = run([ev.wsOpen(s(15), 's2'), ev.tokenNeeded(s(16), WEBRTC), ev.refreshStarted(s(16))], CTX, drop.state);
    expect(auth.state.healthReason).toBe('Token rejected; fetching a fresh one.');
  });

  it('escalates to down when the softphone does not reconnect, and recovers after a reload', () => {
    const r = run(
      [ev.wsClose(s(10), 1006, false, 's1'), ev.tick(s(15)), ev.tick(s(20)), ev.tick(s(25)), ev.hello(s(26)), ev.wsOpen(s(28), 's1')],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['recovering', 'recovering', 'recovering', 'down', 'down', 'healthy']);
    const close = r.state.incidents.find((i) => i.kind === 'abnormal-close');
    expect(close?.steps.map((x) => `${x.action}:${x.outcome}`)).toEqual(['none:failed', 'app-reconnected:ok']);
  });
});

describe('seed 001: media-token fetch rejected after the schedule publish', () => {
  it('stays down while the refresh fails, then a later refresh recovers it', () => {
    const r = run(
      [
        ev.http(s(10), 401, WEBRTC),
        ev.refreshStarted(s(10)),
        ev.refreshFailed(s(11), 'refresh endpoint returned 401'),
        ev.tick(s(15)),
        ev.refreshStarted(s(70)),
        ev.refreshSucceeded(s(71), s(3671)),
        ev.wsActivity(s(71), 's1', s(71)),
        ev.http(s(72), 200, WEBRTC),
      ],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['recovering', 'recovering', 'down', 'down', 'recovering', 'recovering', 'recovering', 'healthy']);
    expect(r.state.auth).toMatchObject({ refreshCount: 2, lastRefreshOutcome: 'ok', tokenExpiresAt: s(3671) });
  });
});

describe('heartbeat stall', () => {
  it('recovers while the socket is silent, then follows the drop and the reconnect', () => {
    const r = run(
      [
        ev.tick(s(20)),
        ev.tick(s(34)),
        ev.tick(s(35)),
        ev.tick(s(40)),
        ev.wsClose(s(44), 1006, false, 's1'),
        ev.wsOpen(s(46), 's2'),
        ev.wsActivity(s(47), 's2', s(47)),
      ],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['healthy', 'healthy', 'recovering', 'recovering', 'recovering', 'healthy', 'healthy']);
    expect(r.state.incidents.filter((i) => i.kind === 'abnormal-close')).toHaveLength(1);
    expect(r.state.incidents.find((i) => i.kind === 'signalling-stalled')).toMatchObject({
      openedAt: s(35),
      resolvedAt: s(46),
      detail: { socketId: 's1' },
    });
  });

  it('rung 3 closes the silent socket, the app reconnects on its own and all is well again', () => {
    const r = run(
      [
        ev.tick(s(35)),
        ev.tick(s(46)),
        ev.stallCloseRequested(s(46), 's1', 42),
        ev.wsStallClose(s(47), 's1'),
        ev.tick(s(48)),
        ev.wsOpen(s(49), 's2'),
        ev.wsActivity(s(50), 's2', s(50)),
      ],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['recovering', 'recovering', 'recovering', 'recovering', 'recovering', 'healthy', 'healthy']);
    const stall = r.state.incidents.find((i) => i.kind === 'signalling-stalled');
    expect(stall?.steps.map((st) => [st.action, st.outcome])).toEqual([
      ['stall-close', 'ok'],
      ['app-reconnected', 'ok'],
    ]);
    const close = r.state.incidents.find((i) => i.kind === 'abnormal-close');
    expect(close).toMatchObject({
      summary: 'Softphone Guard closed the silent signalling socket after 43 s without a heartbeat (code 4000)',
      detail: { closedBy: 'stall', code: 4000 },
      resolvedAt: s(49),
    });
  });
});

describe('ICE failure during a call', () => {
  it('goes down on failure and comes back when media reconnects (ICE restart)', () => {
    const r = run(
      [
        ev.pcStats(s(5), 8_000, { packetLossPct: 12 }),
        ev.pcState(s(6), 'disconnected', 'disconnected'),
        ev.pcState(s(12), 'failed', 'failed'),
        ev.tick(s(15)),
        ev.pcState(s(16), 'checking', 'connecting'),
        ev.pcState(s(17), 'connected', 'connected'),
        ev.pcStats(s(18), 9_000),
      ],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['degraded', 'degraded', 'down', 'down', 'down', 'degraded', 'healthy']);
    expect(r.state.media.inboundGrewAt).toBe(s(18));
    const ice = r.state.incidents.find((i) => i.kind === 'ice-failed');
    expect(ice).toMatchObject({ openedAt: s(12), resolvedAt: s(17) });
  });
});

describe('microphone permission lost', () => {
  it('goes down, is recovering once granted until the microphone is captured again, then is healthy', () => {
    const r = run(
      [
        ev.permission(s(10), 'denied'),
        ev.trackEnded(s(10)),
        ev.gum(s(11), false, 'NotAllowedError'),
        ev.permission(s(20), 'granted'),
        ev.gum(s(21), true),
      ],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['down', 'down', 'down', 'recovering', 'healthy']);
    // The revocation ended the track: one incident, not two.
    expect(r.state.incidents.map((i) => [i.kind, i.detail.count, i.resolvedAt])).toEqual([['permission-lost', 2, s(21)]]);
    expect(r.state.media).toMatchObject({ micPermission: 'granted' });
    expect(r.state.media.lastGumError).toBeUndefined();
  });
});

describe('seed 002: request timeouts on codec renegotiation', () => {
  it('degrades on 408s and recovers when the endpoint answers', () => {
    const r = run(
      [
        ev.http(s(10), 408, ENDPOINT, { method: 'PUT' }),
        ev.http(s(12), 408, ENDPOINT, { method: 'PUT' }),
        ev.http(s(15), 200, ENDPOINT, { method: 'PUT' }),
      ],
      CTX,
      steadyState(),
    );
    expect(r.healths).toEqual(['degraded', 'degraded', 'healthy']);
    expect(r.state.incidents[0]).toMatchObject({ kind: 'request-timeout', detail: { count: 2 }, resolvedAt: s(15) });
  });

  it('records the switch of agent organisation', () => {
    const { state } = run([ev.identity(s(30), 'u-1', 'org-b')], CTX, steadyState());
    expect(state.agent?.orgId).toBe('org-b');
  });
});
