import { describe, expect, it } from 'vitest';
import { POOR_JITTER_MS, POOR_MOS, POOR_PACKET_LOSS_PCT, POOR_RTT_MS } from '../../../src/session/call-quality';
import { callActive } from '../../../src/recovery/safe-reload';
import { CTX, ev, healthChanges, run, s } from './fixtures';

describe('peer connection view', () => {
  it('records the three states of the reporting connection', () => {
    const { state } = run([ev.pcState(s(1), 'checking', 'connecting')]);
    expect(state.media).toEqual({
      pcId: 'pc1',
      iceConnectionState: 'checking',
      connectionState: 'connecting',
      signalingState: 'stable',
    });
  });

  it('records when inbound audio bytes last grew', () => {
    const r = run([ev.pcState(s(0), 'connected', 'connected'), ev.pcStats(s(1), 1000), ev.pcStats(s(2), 2000), ev.pcStats(s(3), 2000)]);
    expect(r.state.media).toMatchObject({ inboundAudioBytes: 2000, inboundGrewAt: s(2), statsAt: s(3), rttMs: 40 });
  });

  it('does not count a first sample of zero bytes as growth', () => {
    expect(run([ev.pcStats(s(1), 0)]).state.media.inboundGrewAt).toBeUndefined();
  });

  it('starts a new connection’s counters from scratch but keeps the tab’s last growth', () => {
    const { state } = run([ev.pcStats(s(1), 50_000, { rttMs: 900 }, 'pc1'), ev.pcState(s(2), 'new', 'new', 'pc2')]);
    expect(state.media).toEqual({
      pcId: 'pc2',
      iceConnectionState: 'new',
      connectionState: 'new',
      signalingState: 'stable',
      inboundGrewAt: s(1),
    });
    const next = run([ev.pcStats(s(3), 10, {}, 'pc2')], CTX, state).state;
    expect(next.media.inboundGrewAt).toBe(s(3));
  });
});

describe('connected peer connections', () => {
  it('remembers every connected connection, whichever the view points at, so a call stays active', () => {
    const { state } = run([
      ev.pcState(s(0), 'connected', 'connected', 'pc1'),
      ev.pcState(s(1), 'connected', 'connected', 'pc2'),
      ev.pcStats(s(2), 1000, {}, 'pc1'),
    ]);
    expect(state.media.pcId).toBe('pc1');
    expect(state.media.connectionState).toBeUndefined();
    expect(state.media.connectedPcIds).toEqual(['pc1', 'pc2']);
    expect(callActive(state.media, s(600), 3000)).toBe(true);
  });

  it('forgets a connection once it is no longer connected, and all of them on a new document', () => {
    const connected = run([ev.pcState(s(0), 'connected', 'connected', 'pc1'), ev.pcState(s(1), 'connected', 'connected', 'pc2')]).state;
    const oneClosed = run([ev.pcState(s(2), 'closed', 'closed', 'pc1')], CTX, connected).state;
    expect(oneClosed.media.connectedPcIds).toEqual(['pc2']);
    const bothClosed = run([ev.pcState(s(3), 'disconnected', 'disconnected', 'pc2')], CTX, oneClosed).state;
    expect(bothClosed.media.connectedPcIds).toBeUndefined();
    expect(callActive(bothClosed.media, s(600), 3000)).toBe(false);
    const reloaded = run([ev.hello(s(4))], CTX, connected).state;
    expect(reloaded.media.connectedPcIds).toBeUndefined();
  });
});

describe('ice-failed incident', () => {
  it('opens on ICE failed, goes down, and resolves when connected again', () => {
    const r = run([
      ev.pcState(s(0), 'connected', 'connected'),
      ev.pcState(s(1), 'disconnected', 'disconnected'),
      ev.pcState(s(5), 'failed', 'failed'),
      ev.pcState(s(6), 'failed', 'failed'),
      ev.pcState(s(9), 'checking', 'connecting'),
      ev.pcState(s(10), 'connected', 'connected'),
    ]);
    expect(r.healths).toEqual(['healthy', 'degraded', 'down', 'down', 'down', 'healthy']);
    expect(r.state.incidents).toHaveLength(1);
    expect(r.state.incidents[0]).toMatchObject({
      kind: 'ice-failed',
      summary: 'Call audio connection failed (ICE failed)',
      detail: { reason: 'ICE failed, connection failed', count: 2 },
      resolvedAt: s(10),
      steps: [{ at: s(10), action: 'none', outcome: 'ok', detail: 'The call audio connection is up again.' }],
    });
    expect(healthChanges(r.effects)).toEqual(['healthy→degraded', 'degraded→down', 'down→healthy']);
  });

  it('says what is wrong while down and while interrupted', () => {
    expect(run([ev.pcState(s(1), 'failed', 'failed')]).state.healthReason).toBe(
      'Call audio connection failed; waiting for the softphone to reconnect it.',
    );
    expect(run([ev.pcState(s(1), 'disconnected', 'connected')]).state.healthReason).toBe(
      'Call audio connection interrupted; waiting for it to come back.',
    );
  });

  it('opens on connection state failed alone', () => {
    const { state } = run([ev.pcState(s(1), 'disconnected', 'failed')]);
    expect(state.incidents[0]).toMatchObject({ kind: 'ice-failed', summary: 'Call audio connection failed' });
  });

  it('resolves on ICE completed', () => {
    expect(run([ev.pcState(s(1), 'failed', 'failed'), ev.pcState(s(2), 'completed', 'connecting')]).state.health).toBe('healthy');
  });

  it('resolves when the failed connection closes', () => {
    const { state } = run([ev.pcState(s(1), 'failed', 'failed'), ev.pcState(s(2), 'closed', 'closed')]);
    expect(state.incidents[0]?.resolvedAt).toBe(s(2));
    expect(state.incidents[0]?.steps[0]?.detail).toBe('The failed connection was closed.');
    expect(state.health).toBe('healthy');
  });

  it('stays open when another connection closes', () => {
    const { state } = run([
      ev.pcState(s(1), 'failed', 'failed', 'pc1'),
      ev.pcState(s(2), 'new', 'new', 'pc2'),
      ev.pcState(s(3), 'closed', 'closed', 'pc1'),
    ]);
    expect(state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(state.health).toBe('down');
  });

  it('resolves when a new connection connects', () => {
    const { state } = run([ev.pcState(s(1), 'failed', 'failed', 'pc1'), ev.pcState(s(2), 'connected', 'connected', 'pc2')]);
    expect(state.health).toBe('healthy');
  });

  it('resolves on a new document', () => {
    const { state } = run([ev.pcState(s(1), 'failed', 'failed'), ev.hello(s(2))]);
    expect(state.incidents[0]?.resolvedAt).toBe(s(2));
    expect(state.media.pcId).toBeUndefined();
    expect(state.health).toBe('healthy');
  });
});

describe('call quality', () => {
  const connected = ev.pcState(s(0), 'connected', 'connected');

  it.each([
    ['rttMs', POOR_RTT_MS, 'round trip 401 ms'],
    ['jitterMs', POOR_JITTER_MS, 'jitter 31 ms'],
    ['packetLossPct', POOR_PACKET_LOSS_PCT, 'loss 4 %'],
  ] as const)('%s above %d is degraded', (metric, threshold, phrase) => {
    expect(run([connected, ev.pcStats(s(1), 10, { [metric]: threshold })]).state.health).toBe('healthy');
    const poor = run([connected, ev.pcStats(s(1), 10, { [metric]: threshold + 1 })]).state;
    expect(poor.health).toBe('degraded');
    expect(poor.healthReason).toBe(`Poor call quality (${phrase}); the network path is the cause, monitoring.`);
  });

  it('MOS below 3.0 is degraded', () => {
    expect(run([connected, ev.pcStats(s(1), 10, { mos: POOR_MOS })]).state.health).toBe('healthy');
    expect(run([connected, ev.pcStats(s(1), 10, { mos: 2.84 })]).state.healthReason).toBe(
      'Poor call quality (MOS 2.8); the network path is the cause, monitoring.',
    );
  });

  it('lists every poor metric', () => {
    const { state } = run([connected, ev.pcStats(s(1), 10, { rttMs: 520, jitterMs: 45, packetLossPct: 4.25, mos: 2.5 })]);
    expect(state.healthReason).toBe(
      'Poor call quality (round trip 520 ms, jitter 45 ms, loss 4.3 %, MOS 2.5); the network path is the cause, monitoring.',
    );
  });

  it('ignores missing metrics', () => {
    const q = { rttMs: null, jitterMs: null, packetLossPct: null, mos: null };
    expect(run([connected, ev.pcStats(s(1), 10, q)]).state.health).toBe('healthy');
  });

  it('recovers with the next good sample', () => {
    const r = run([connected, ev.pcStats(s(1), 10, { jitterMs: 80 }), ev.pcStats(s(2), 20)]);
    expect(r.healths).toEqual(['healthy', 'degraded', 'healthy']);
  });

  it('ignores the last sample of a connection that closed', () => {
    const r = run([connected, ev.pcStats(s(1), 10, { jitterMs: 80 }), ev.pcState(s(2), 'closed', 'closed')]);
    expect(r.state.health).toBe('healthy');
  });
});

describe('microphone', () => {
  it('goes down on permission denied, recovers on granted, and is healthy once a capture confirms', () => {
    const r = run([
      ev.permission(s(0), 'granted'),
      ev.permission(s(1), 'denied'),
      ev.permission(s(2), 'prompt'),
      ev.permission(s(3), 'granted'),
      ev.gum(s(4), true),
    ]);
    expect(r.healths).toEqual(['healthy', 'down', 'down', 'recovering', 'healthy']);
    expect(r.state.media.micPermission).toBe('granted');
    expect(r.state.incidents).toHaveLength(1);
    expect(r.state.incidents[0]).toMatchObject({
      kind: 'permission-lost',
      summary: 'Microphone permission denied',
      resolvedAt: s(4),
      steps: [
        { at: s(3), action: 'none', outcome: 'ok', detail: 'Microphone permission granted again; waiting for a capture to confirm.' },
        { at: s(4), action: 'none', outcome: 'ok', detail: 'The microphone was captured again.' },
      ],
    });
  });

  it('says what it is doing while the microphone is blocked', () => {
    expect(run([ev.permission(s(1), 'denied')]).state.healthReason).toBe('Microphone access is blocked; trying to restore it.');
  });

  it.each(['NotAllowedError', 'PermissionDeniedError'])('opens permission-lost on getUserMedia %s', (name) => {
    const { state } = run([ev.gum(s(1), false, name)]);
    expect(state.media.lastGumError).toBe(name);
    expect(state.incidents[0]).toMatchObject({ kind: 'permission-lost', summary: `Microphone access refused (${name})` });
    expect(state.health).toBe('down');
  });

  it('records other getUserMedia errors without an incident and clears them on success', () => {
    const failed = run([ev.gum(s(1), false, 'NotFoundError'), ev.gum(s(2), false)]);
    expect(failed.state.incidents).toEqual([]);
    expect(failed.state.media.lastGumError).toBe('unknown error');
    expect(run([ev.gum(s(3), true)], CTX, failed.state).state.media.lastGumError).toBeUndefined();
  });

  it('resolves permission-lost on a successful audio capture', () => {
    expect(run([ev.gum(s(1), false, 'NotAllowedError'), ev.gum(s(2), true)]).state.health).toBe('healthy');
  });

  it('degrades on an ended audio track until the microphone is captured again', () => {
    const r = run([ev.trackEnded(s(1)), ev.trackEnded(s(2)), ev.gum(s(3), true, undefined, false), ev.gum(s(4), true)]);
    expect(r.healths).toEqual(['degraded', 'degraded', 'degraded', 'healthy']);
    expect(r.state.incidents).toHaveLength(1);
    expect(r.state.incidents[0]).toMatchObject({
      kind: 'track-ended',
      summary: 'Microphone track ended',
      detail: { count: 2 },
      resolvedAt: s(4),
    });
    expect(run([ev.trackEnded(s(1))]).state.healthReason).toBe('Microphone track ended; waiting for the softphone to capture it again.');
  });

  it('ignores an ended video track', () => {
    expect(run([ev.trackEnded(s(1), 'video')]).state.incidents).toEqual([]);
  });

  it('resolves an ended track on a new document', () => {
    expect(run([ev.trackEnded(s(1)), ev.hello(s(2))]).state.health).toBe('healthy');
  });
});

describe('identity and page', () => {
  it('records the agent and the page URL', () => {
    const { state } = run([ev.hello(s(0), 'https://apps.mypurecloud.com/x'), ev.identity(s(1), 'u-9', 'org-b')]);
    expect(state.href).toBe('https://apps.mypurecloud.com/x');
    expect(state.agent).toEqual({ userId: 'u-9', name: 'Ada Agent', orgId: 'org-b' });
  });
});
