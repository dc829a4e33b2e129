import { describe, expect, it } from 'vitest';
import { capIncidents, raiseIncident, withSettledStep } from '../../../src/session/incidents';
import { createSession } from '../../../src/session/reducer';
import type { Incident } from '../../../src/session/types';
import { MAX_INCIDENTS_IN_STATE } from '../../../src/session/types';
import { CTX, T0, TAB, ev, run, s } from './fixtures';

function incident(n: number, open: boolean): Incident {
  return {
    id: `${TAB}:${n}`,
    tabId: TAB,
    kind: 'server-error',
    openedAt: n,
    summary: `#${n}`,
    detail: { count: 1 },
    steps: [],
    ...(open ? {} : { resolvedAt: n + 1 }),
  };
}

describe('incident list', () => {
  it('numbers incidents per tab from 1', () => {
    const { state } = run([ev.http(s(1), 500, '/a'), ev.http(s(2), 500, '/b'), ev.http(s(3), 429, '/a')]);
    expect(state.incidents.map((i) => i.id)).toEqual([`${TAB}:3`, `${TAB}:2`, `${TAB}:1`]);
    expect(state.nextIncidentSeq).toBe(4);
  });

  it('keeps at most MAX_INCIDENTS_IN_STATE, newest first', () => {
    const events = [];
    for (let k = 0; k < 30; k++) events.push(ev.http(s(k * 61), 500, `/p${k}`));
    const { state, effects } = run(events);
    expect(state.incidents).toHaveLength(MAX_INCIDENTS_IN_STATE);
    expect(state.incidents[0]?.summary).toBe('Server error (500) on /p29');
    expect(state.incidents.at(-1)?.summary).toBe('Server error (500) on /p10');
    expect(effects.filter((e) => e.type === 'incident-opened')).toHaveLength(30);
  });

  it('drops resolved incidents before open ones', () => {
    const list = [incident(25, true), ...Array.from({ length: 20 }, (_, k) => incident(24 - k, k % 2 === 0))];
    const capped = capIncidents(list);
    expect(capped).toHaveLength(MAX_INCIDENTS_IN_STATE);
    expect(capped.filter((i) => i.resolvedAt === undefined)).toHaveLength(11);
    expect(capped.map((i) => i.openedAt)).toEqual([...capped.map((i) => i.openedAt)].sort((a, b) => b - a));
    expect(capped.some((i) => i.openedAt === 5)).toBe(false);
  });

  it('drops the oldest open incidents when every incident is open', () => {
    const list = Array.from({ length: 23 }, (_, k) => incident(23 - k, true));
    expect(capIncidents(list).map((i) => i.openedAt)).toEqual(Array.from({ length: 20 }, (_, k) => 23 - k));
  });

  it('returns the same list when under the cap', () => {
    const list = [incident(1, true)];
    expect(capIncidents(list)).toBe(list);
  });

  it('reports an incident resolved by the same event that pushes it out of the state', () => {
    let state = run([ev.tokenNeeded(s(0), '/api/v2/x')]).state;
    for (let k = 1; k < MAX_INCIDENTS_IN_STATE; k++) state = run([ev.http(s(0), 500, `/p${k}`)], CTX, state).state;
    expect(state.incidents).toHaveLength(MAX_INCIDENTS_IN_STATE);
    // A 2xx resolves the old unauthorized incident; the cap then drops it.
    const last = run([ev.http(s(1), 200, '/api/v2/x'), ev.trackEnded(s(2))], CTX, state);
    expect(last.state.incidents.some((i) => i.kind === 'unauthorized')).toBe(false);
    const update = last.effects.find((e) => e.type === 'incident-updated');
    expect(update).toMatchObject({ incident: { kind: 'unauthorized', resolvedAt: s(1) } });
  });

  it('starts the count at 1 and folds into the open incident of the cause', () => {
    const start = createSession(TAB, T0);
    const spec = { kind: 'track-ended' as const, summary: 'x', detail: {} };
    const once = raiseIncident(start, spec, 1);
    const twice = raiseIncident(once, spec, 2);
    expect(twice.incidents).toHaveLength(1);
    expect(twice.incidents[0]).toMatchObject({ openedAt: 1, lastSeenAt: 2, detail: { count: 2 } });
  });

  it('settles the newest pending step of an action, or appends one', () => {
    const base = {
      ...incident(1, true),
      steps: [
        { at: 1, action: 'token-refresh' as const, outcome: 'pending' as const },
        { at: 2, action: 'request-retry' as const, outcome: 'failed' as const },
      ],
    };
    expect(withSettledStep(base, 'token-refresh', 'ok', 5).steps).toEqual([
      { at: 1, action: 'token-refresh', outcome: 'ok' },
      { at: 2, action: 'request-retry', outcome: 'failed' },
    ]);
    expect(withSettledStep(base, 'request-retry', 'ok', 5, 'd').steps.at(-1)).toEqual({
      at: 5,
      action: 'request-retry',
      outcome: 'ok',
      detail: 'd',
    });
  });
});
