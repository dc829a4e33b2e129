import { describe, expect, it } from 'vitest';
import { reduceSession } from '../../../src/session/reducer';
import { CTX, ev, run, s } from './fixtures';

/** Seed 002: the agent was in org-a with a socket and a call connection, then signs in to org-b. */
const inOrgA = () =>
  run([
    ev.hello(s(0)),
    ev.identity(s(0), 'u-1', 'org-a'),
    ev.wsOpen(s(1), 's1'),
    ev.wsActivity(s(2), 's1', s(2)),
    ev.pcState(s(3), 'connected', 'connected'),
  ]).state;

describe('organisation switch (seed 002)', () => {
  it('remembers the switch, and the identity that comes with it names the new agent', () => {
    const { state, effects } = run(
      [
        ev.wsClose(s(10), 1000, true, 's1', 'organisation switch', 'org-switch'),
        ev.pcState(s(10), 'closed', 'closed'),
        ev.orgSwitch(s(10), 'org-a', 'org-b', 1, 1),
        ev.identity(s(10), 'u-3', 'org-b'),
        ev.wsOpen(s(11), 's2'),
      ],
      CTX,
      inOrgA(),
    );
    expect(state.orgSwitch).toEqual({ at: s(10), fromOrgId: 'org-a', toOrgId: 'org-b', closedSockets: 1, closedPeerConnections: 1 });
    expect(state.agent).toEqual({ userId: 'u-3', name: 'Ada Agent', orgId: 'org-b' });
    expect(state.incidents).toEqual([]);
    expect(effects.filter((e) => e.type !== 'health-changed')).toEqual([]);
    expect(state.health).toBe('healthy');
  });

  it('a close for the switch opens nothing, even if the handshake could not finish cleanly', () => {
    const state = run([ev.wsClose(s(10), 1006, false, 's1', '', 'org-switch')], CTX, inOrgA()).state;
    expect(state.incidents).toEqual([]);
    expect(state.signalling).toMatchObject({ state: 'closed', openSockets: 0, lastClose: { code: 1006 } });
  });

  it('the later switch replaces the earlier one, and a new document keeps it', () => {
    const state = run(
      [ev.orgSwitch(s(10), 'org-a', 'org-b'), ev.orgSwitch(s(20), 'org-b', 'org-a', 0, 0), ev.hello(s(30))],
      CTX,
      inOrgA(),
    ).state;
    expect(state.orgSwitch).toMatchObject({ at: s(20), fromOrgId: 'org-b', toOrgId: 'org-a', closedSockets: 0 });
  });

  it('changes nothing else and moves updatedAt', () => {
    const before = inOrgA();
    const out = reduceSession(before, ev.orgSwitch(s(10)), CTX);
    const { orgSwitch, updatedAt, healthReason, ...rest } = out.state;
    const { updatedAt: _u, healthReason: _h, ...beforeRest } = before;
    expect(orgSwitch).toBeDefined();
    expect(healthReason).toBe('All good: signalling open, heartbeat 8 s ago.');
    expect(rest).toEqual(beforeRest);
    expect(rest.incidents).toBe(before.incidents);
    expect(rest.sockets).toBe(before.sockets);
    expect(rest.agent).toBe(before.agent);
    expect(updatedAt).toBe(s(10));
  });
});
