import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageObservationSchema } from '../../../src/protocol/page';
import { causeKey, findOpen, MAX_STEPS_PER_INCIDENT } from '../../../src/session/incidents';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { HEALTH_ORDER, MAX_INCIDENTS_IN_STATE, WORKER_EVENT_TYPES } from '../../../src/session/types';
import { eventSequence, reducerContext } from './arbitraries';
import { TAB, deepFreeze } from './fixtures';

const WORKER_TYPES: ReadonlySet<string> = new Set(WORKER_EVENT_TYPES);

function checkInvariants(state: SessionState): void {
  expect(state.incidents.length).toBeLessThanOrEqual(MAX_INCIDENTS_IN_STATE);
  expect(state.signalling.openSockets).toBeGreaterThanOrEqual(0);
  expect(state.signalling.openSockets).toBe(Object.keys(state.sockets).length);
  expect(Object.getPrototypeOf(state.sockets)).toBe(Object.prototype);
  expect(state.signalling.state === 'open').toBe(state.signalling.openSockets > 0);
  expect(HEALTH_ORDER).toContain(state.health);
  expect(typeof state.healthReason).toBe('string');
  expect(state.healthReason.length).toBeGreaterThan(0);
  const ids = state.incidents.map((i) => i.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const i of state.incidents) {
    expect(i.tabId).toBe(TAB);
    expect(Number(i.id.split(':')[1])).toBeLessThan(state.nextIncidentSeq);
    expect(i.steps.length).toBeLessThanOrEqual(MAX_STEPS_PER_INCIDENT);
    expect(i.detail.count).toBeGreaterThanOrEqual(1);
    // One open incident per cause.
    if (i.resolvedAt === undefined) expect(findOpen(state.incidents, i.kind, causeKey(i.kind, i.detail))).toBe(i);
    // A stall incident names its socket (its cause key).
    if (i.kind === 'signalling-stalled') expect(typeof i.detail.socketId).toBe('string');
  }
  for (let k = 1; k < state.incidents.length; k++) {
    expect(Number(state.incidents[k - 1]?.id.split(':')[1])).toBeGreaterThan(Number(state.incidents[k]?.id.split(':')[1]));
  }
}

describe('reducer properties', () => {
  it('generates only schema-valid observations', () => {
    fc.assert(
      fc.property(eventSequence, (events) => {
        for (const e of events) {
          if (!WORKER_TYPES.has(e.type)) expect(PageObservationSchema.safeParse(e).success).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, never mutates, and keeps its invariants on any event sequence', () => {
    fc.assert(
      fc.property(eventSequence, reducerContext, (events, ctx) => {
        let state = deepFreeze(createSession(TAB, events[0]?.at ?? 0));
        deepFreeze(ctx);
        for (const event of events) {
          const before = JSON.stringify(state);
          const out = reduceSession(state, deepFreeze(event), ctx);
          expect(JSON.stringify(state)).toBe(before);
          checkInvariants(out.state);
          const changes = out.effects.filter((e) => e.type === 'health-changed');
          expect(changes).toEqual(
            out.state.health === state.health ? [] : [{ type: 'health-changed', from: state.health, to: out.state.health }],
          );
          for (const e of out.effects) {
            if (e.type === 'incident-opened') expect(state.incidents.some((i) => i.id === e.incident.id)).toBe(false);
            if (e.type === 'incident-updated') expect(state.incidents.some((i) => i.id === e.incident.id)).toBe(true);
          }
          expect(structuredClone(out.state)).toEqual(out.state);
          state = deepFreeze(out.state);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reports every incident change as an effect', () => {
    fc.assert(
      fc.property(eventSequence, reducerContext, (events, ctx) => {
        let state = createSession(TAB, events[0]?.at ?? 0);
        for (const event of events) {
          const out = reduceSession(state, event, ctx);
          const reported = new Set(out.effects.flatMap((e) => (e.type === 'health-changed' ? [] : [e.incident.id])));
          const previous = new Map(state.incidents.map((i) => [i.id, JSON.stringify(i)]));
          for (const i of out.state.incidents) {
            if (previous.get(i.id) !== JSON.stringify(i)) expect(reported.has(i.id)).toBe(true);
          }
          state = out.state;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(eventSequence, reducerContext, (events, ctx) => {
        const fold = (): SessionState => events.reduce((s, e) => reduceSession(s, e, ctx).state, createSession(TAB, events[0]?.at ?? 0));
        expect(fold()).toEqual(fold());
      }),
      { numRuns: 100 },
    );
  });
});
