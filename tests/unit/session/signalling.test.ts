import { describe, expect, it } from 'vitest';
import { createSession, reduceSession } from '../../../src/session/reducer';
import { CTX, T0, TAB, WS_URL, ev, healthChanges, run, s } from './fixtures';

describe('createSession', () => {
  it('starts healthy with empty views', () => {
    const state = createSession(TAB, T0);
    expect(state).toEqual({
      tabId: TAB,
      health: 'healthy',
      healthReason: 'All good: waiting for the softphone to connect.',
      signalling: { state: 'none', openSockets: 0 },
      media: {},
      auth: { refreshCount: 0, retries: 0, retriesRecovered: 0 },
      incidents: [],
      sockets: {},
      refreshInFlight: false,
      nextIncidentSeq: 1,
      startedAt: T0,
      updatedAt: T0,
    });
  });
});

describe('signalling view', () => {
  it('tracks open sockets by id', () => {
    const { state } = run([ev.wsOpen(s(1), 's1'), ev.wsOpen(s(2), 's2')]);
    expect(state.sockets).toEqual({ s1: { url: WS_URL, openedAt: s(1) }, s2: { url: WS_URL, openedAt: s(2) } });
    expect(state.signalling).toMatchObject({ state: 'open', openSockets: 2, url: WS_URL, lastOpenAt: s(2) });
    expect(state.health).toBe('healthy');
    expect(state.healthReason).toBe('All good: signalling open.');
  });

  it('counts a repeated open of the same socket once', () => {
    const { state } = run([ev.wsOpen(s(1), 's1'), ev.wsOpen(s(2), 's1')]);
    expect(state.signalling.openSockets).toBe(1);
    expect(state.sockets['s1']?.openedAt).toBe(s(2));
  });

  it('records a clean close without an incident', () => {
    const { state, effects } = run([ev.wsOpen(s(1), 's1'), ev.wsOpen(s(1), 's2'), ev.wsClose(s(2), 1000, true, 's1')]);
    expect(state.signalling).toMatchObject({
      state: 'open',
      openSockets: 1,
      lastClose: { at: s(2), code: 1000, reason: '', wasClean: true },
    });
    expect(Object.keys(state.sockets)).toEqual(['s2']);
    expect(state.incidents).toEqual([]);
    expect(effects).toEqual([]);
  });

  it('goes to closed when the last socket closes normally (1001 going away)', () => {
    const { state } = run([ev.wsOpen(s(1)), ev.wsClose(s(2), 1001, true)]);
    expect(state.signalling).toMatchObject({ state: 'closed', openSockets: 0 });
    expect(state.health).toBe('healthy');
    expect(state.healthReason).toBe('All good: signalling closed normally.');
  });

  it('records the close of a socket it never saw open without touching the count', () => {
    const { state } = run([ev.wsOpen(s(1), 's1'), ev.wsClose(s(2), 1000, true, 'other')]);
    expect(state.signalling.openSockets).toBe(1);
    expect(state.signalling.lastClose?.at).toBe(s(2));
  });

  it('keeps the newest message time from activity reports', () => {
    const { state } = run([ev.wsOpen(s(1)), ev.wsActivity(s(5), 's1', s(5)), ev.wsActivity(s(6), 's1', s(3))]);
    expect(state.signalling.lastMessageAt).toBe(s(5));
  });

  it('takes activity of an unknown socket as a message but not as an open socket', () => {
    const { state } = run([ev.wsActivity(s(5), 'ghost', s(5))]);
    expect(state.signalling.lastMessageAt).toBe(s(5));
    expect(state.signalling.openSockets).toBe(0);
  });

  it('forgets the previous document’s sockets on hello', () => {
    const { state } = run([ev.wsOpen(s(1), 's1'), ev.wsOpen(s(1), 's2'), ev.hello(s(2), 'https://x.test/page')]);
    expect(state.sockets).toEqual({});
    expect(state.signalling).toMatchObject({ state: 'closed', openSockets: 0 });
    expect(state.href).toBe('https://x.test/page');
  });

  it('keeps state none on a hello before any socket', () => {
    expect(run([ev.hello(s(1))]).state.signalling.state).toBe('none');
  });

  it('handles socket ids that are Object.prototype names', () => {
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const opened = run(ids.map((id, k) => ev.wsOpen(s(k), id)));
    expect(opened.state.signalling.openSockets).toBe(4);
    expect(Object.keys(opened.state.sockets).sort()).toEqual([...ids].sort());
    expect(Object.getPrototypeOf(opened.state.sockets)).toBe(Object.prototype);
    const closed = run(
      ids.map((id, k) => ev.wsClose(s(10 + k), 1000, true, id)),
      CTX,
      opened.state,
    );
    expect(closed.state.signalling.openSockets).toBe(0);
    expect(closed.state.sockets).toEqual({});
  });
});

describe('abnormal close', () => {
  it.each([
    [1006, false],
    [1000, false],
    [1001, false],
    [1011, true],
    [4000, true],
    [1005, true],
  ])('code %i with wasClean %s opens an incident', (code, wasClean) => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsClose(s(1), code, wasClean)]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({
      kind: 'abnormal-close',
      summary: `WebSocket closed abnormally (code ${code})`,
      detail: { code, url: WS_URL, count: 1 },
    });
  });

  it('opens an incident, waits out the grace, escalates to down and recovers on reopen', () => {
    const close = reduceSession(run([ev.wsOpen(s(0))]).state, ev.wsClose(s(1), 1006, false), CTX);
    expect(close.state.health).toBe('recovering');
    expect(close.state.healthReason).toBe('Signalling dropped (1006) 0 s ago; waiting for the softphone to reconnect.');
    const incident = close.state.incidents[0];
    expect(incident).toEqual({
      id: `${TAB}:1`,
      tabId: TAB,
      kind: 'abnormal-close',
      openedAt: s(1),
      lastSeenAt: s(1),
      summary: 'WebSocket closed abnormally (code 1006)',
      detail: { code: 1006, url: WS_URL, count: 1 },
      steps: [],
    });
    expect(close.effects).toEqual([
      { type: 'incident-opened', incident },
      { type: 'health-changed', from: 'healthy', to: 'recovering' },
    ]);

    const t4 = reduceSession(close.state, ev.tick(s(5)), CTX);
    expect(t4.state.health).toBe('recovering');
    expect(t4.state.healthReason).toBe('Signalling dropped (1006) 4 s ago; waiting for the softphone to reconnect.');
    expect(t4.effects).toEqual([]);

    const atGrace = reduceSession(t4.state, ev.tick(s(11)), CTX);
    expect(atGrace.state.health).toBe('recovering');

    const over = reduceSession(atGrace.state, ev.tick(s(11) + 1), CTX);
    expect(over.state.health).toBe('down');
    expect(over.state.healthReason).toBe('Signalling dropped (1006) 10 s ago and the softphone has not reconnected; escalating recovery.');
    expect(over.state.incidents[0]?.steps).toEqual([
      { at: s(11) + 1, action: 'none', outcome: 'failed', detail: 'The softphone did not reconnect within 10 s.' },
    ]);
    expect(over.effects.map((e) => e.type)).toEqual(['incident-updated', 'health-changed']);

    const later = reduceSession(over.state, ev.tick(s(30)), CTX);
    expect(later.state.incidents[0]?.steps).toHaveLength(1);
    expect(later.effects).toEqual([]);

    const reopen = reduceSession(later.state, ev.wsOpen(s(31), 's2'), CTX);
    expect(reopen.state.health).toBe('healthy');
    expect(reopen.state.incidents[0]).toMatchObject({ resolvedAt: s(31) });
    expect(reopen.state.incidents[0]?.steps.at(-1)).toEqual({
      at: s(31),
      action: 'app-reconnected',
      outcome: 'ok',
      detail: 'The softphone reopened its socket.',
    });
    expect(healthChanges(reopen.effects)).toEqual(['down→healthy']);
  });

  it('folds closes of several sockets into one incident and counts them', () => {
    const { state, effects } = run([
      ev.wsOpen(s(0), 'a'),
      ev.wsOpen(s(0), 'b'),
      ev.wsClose(s(1), 1006, false, 'a'),
      ev.wsClose(s(2), 1006, false, 'b'),
    ]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({ openedAt: s(1), lastSeenAt: s(2), detail: { count: 2 } });
    expect(effects.map((e) => e.type)).toEqual(['incident-opened', 'health-changed', 'incident-updated']);
  });

  it('measures the grace from the first close of the incident', () => {
    const { state } = run([
      ev.wsOpen(s(0), 'a'),
      ev.wsOpen(s(0), 'b'),
      ev.wsClose(s(1), 1006, false, 'a'),
      ev.wsClose(s(9), 1006, false, 'b'),
      ev.tick(s(12)),
    ]);
    expect(state.health).toBe('down');
  });

  it('opens a new incident for a drop after the reconnect', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsClose(s(1), 1006, false), ev.wsOpen(s(2)), ev.wsClose(s(3), 1006, false)]);
    expect(state.incidents.map((i) => [i.id, i.resolvedAt])).toEqual([
      [`${TAB}:2`, undefined],
      [`${TAB}:1`, s(2)],
    ]);
    expect(state.nextIncidentSeq).toBe(3);
  });

  it('escalates on the next event of any kind once the grace is over', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsClose(s(1), 1006, false), ev.identity(s(20))]);
    expect(state.health).toBe('down');
  });

  it('escalates immediately after the close event with a zero grace', () => {
    const ctx = { ...CTX, reconnectGraceMs: 0 };
    expect(run([ev.wsOpen(s(0)), ev.wsClose(s(1), 1006, false)], ctx).state.health).toBe('recovering');
    expect(run([ev.wsOpen(s(0)), ev.wsClose(s(1), 1006, false), ev.tick(s(1) + 1)], ctx).state.health).toBe('down');
  });

  it('names the code the probe reported, even 0', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsClose(s(1), 0, false)]);
    expect(state.healthReason).toBe('Signalling dropped (0) 0 s ago; waiting for the softphone to reconnect.');
  });
});

describe('heartbeat', () => {
  it('is stalled only after more than heartbeatTimeoutMs without a message', () => {
    const base = run([ev.wsOpen(s(0)), ev.wsActivity(s(5), 's1', s(5))]);
    expect(base.state.healthReason).toBe('All good: signalling open, heartbeat 0 s ago.');
    const fresh = run([ev.tick(s(35))], CTX, base.state);
    expect(fresh.state.health).toBe('healthy');
    expect(fresh.state.healthReason).toBe('All good: signalling open, heartbeat 30 s ago.');
    const stale = run([ev.tick(s(35) + 1)], CTX, fresh.state);
    expect(stale.state.health).toBe('recovering');
    expect(stale.state.healthReason).toBe(
      'Nothing received on the signalling socket for 30 s although it is open, so calls cannot arrive; closing it in 10 s unless a message comes.',
    );
    expect(healthChanges(stale.effects)).toEqual(['healthy→recovering']);
    const back = run([ev.wsActivity(s(36), 's1', s(36))], CTX, stale.state);
    expect(back.state.health).toBe('healthy');
    expect(healthChanges(back.effects)).toEqual(['recovering→healthy']);
  });

  it('never counts a socket that never received anything as stalled, however long it stays silent', () => {
    for (const later of [s(31), s(600), s(7300), s(86_400)]) {
      const { state } = run([ev.wsOpen(s(0)), ev.tick(later)]);
      expect(state.health).toBe('healthy');
      expect(state.healthReason).toBe('All good: signalling open.');
      expect(state.incidents).toEqual([]);
    }
  });

  it('starts counting at the first message of a socket that was silent since its open', () => {
    const heard = run([ev.wsOpen(s(0)), ev.tick(s(600)), ev.wsActivity(s(600), 's1', s(600))]).state;
    expect(heard.healthReason).toBe('All good: signalling open, heartbeat 0 s ago.');
    expect(run([ev.tick(s(630))], CTX, heard).state.health).toBe('healthy');
    const stale = run([ev.tick(s(630) + 1)], CTX, heard).state;
    expect(stale.health).toBe('recovering');
    expect(stale.healthReason).toContain('Nothing received on the signalling socket for 30 s although it is open');
  });

  it('gives a reopened socket a full timeout even when the last message is old', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsActivity(s(1)), ev.wsClose(s(2), 1000, true), ev.wsOpen(s(40)), ev.tick(s(60))]);
    expect(state.health).toBe('healthy');
    expect(state.healthReason).toBe('All good: signalling open.');
  });

  it('does not apply when no socket is open', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsActivity(s(1)), ev.wsClose(s(2), 1000, true), ev.tick(s(600))]);
    expect(state.health).toBe('healthy');
  });

  it('uses ages in minutes and hours in the sentence', () => {
    const heard = [ev.wsOpen(s(0)), ev.wsActivity(s(0), 's1', s(0))];
    expect(run([...heard, ev.tick(s(150))]).state.healthReason).toContain('for 2 min although');
    expect(run([...heard, ev.tick(s(7300))]).state.healthReason).toContain('for 2 h although');
  });
});

describe('updatedAt and ticks', () => {
  it('moves updatedAt with observations but not with ticks', () => {
    const { state } = run([ev.wsOpen(s(3)), ev.tick(s(9))]);
    expect(state.updatedAt).toBe(s(3));
  });

  it('never moves updatedAt backwards', () => {
    expect(run([ev.wsOpen(s(5)), ev.identity(s(2))]).state.updatedAt).toBe(s(5));
  });

  it('returns the very same state for a tick that changes nothing', () => {
    const before = run([ev.wsClose(s(1), 1000, true)]).state;
    const out = reduceSession(before, ev.tick(s(2)), CTX);
    expect(out.state).toBe(before);
    expect(out.effects).toEqual([]);
  });

  it('returns a new state for a tick that only changes the sentence', () => {
    const before = run([ev.wsOpen(s(0)), ev.wsActivity(s(1))]).state;
    const out = reduceSession(before, ev.tick(s(4)), CTX);
    expect(out.state).not.toBe(before);
    expect(out.state.healthReason).toBe('All good: signalling open, heartbeat 3 s ago.');
    expect(out.effects).toEqual([]);
  });
});
