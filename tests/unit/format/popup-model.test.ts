import { describe, expect, it } from 'vitest';
import { popupView } from '../../../src/format/popup-model';
import type { StateResponse } from '../../../src/protocol/ui';
import { HEALTH_ORDER } from '../../../src/session/types';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';
import { NOW, incident, session } from './fixtures';

const state = (over: Partial<StateResponse>): StateResponse => ({
  type: 'state',
  sessions: [],
  worst: null,
  storedEvents: 0,
  now: NOW,
  ...over,
});

describe('popupView', () => {
  it('has no cards and no summary when nothing is watched', () => {
    const view = popupView(state({}), NOW, t);
    expect(view.live).toEqual([]);
    expect(view.ended).toEqual([]);
    expect(view.worst).toBeNull();
    expect(view.summary).toBe('');
    expect(view.storedEvents).toBe('0 events stored');
  });

  it('orders cards worst first with ended sessions last and summarises', () => {
    const view = popupView(
      state({
        sessions: [
          session({ tabId: 1, health: 'healthy' }),
          session({ tabId: 2, health: 'down', alive: false }),
          session({ tabId: 3, health: 'recovering' }),
        ],
        worst: 'recovering',
        storedEvents: 1,
      }),
      NOW,
      t,
    );
    expect(view.live.map((c) => c.tabId)).toEqual([3, 1]);
    expect(view.ended.map((c) => c.tabId)).toEqual([2]);
    expect(view.summary).toBe('Watching 2 softphone tabs. Worst: Recovering.');
    expect(view.storedEvents).toBe('1 event stored');
  });

  it('uses the singular for one tab and derives the worst when the answer has none', () => {
    const view = popupView(state({ sessions: [session({ health: 'degraded' })] }), NOW, t);
    expect(view.summary).toBe('Watching 1 softphone tab. Worst: Degraded.');
  });

  it('handles many sessions with full incident lists and a large event store', () => {
    const sessions = Array.from({ length: 200 }, (_, i) =>
      session({
        tabId: i,
        alive: i % 5 !== 0,
        health: HEALTH_ORDER[i % 4]!,
        incidents: Array.from({ length: 20 }, (_, k) => incident(k, k * 1000)),
      }),
    );
    const started = performance.now();
    const view = popupView(state({ sessions, storedEvents: 1_234_567 }), NOW, t);
    expect(performance.now() - started).toBeLessThan(500);
    expect(view.live).toHaveLength(160);
    expect(view.ended).toHaveLength(40);
    expect(view.live[0]!.health).toBe('down');
    expect(view.storedEvents).toBe('1,234,567 events stored');
  });
});

describe('popupView where the extension cannot fetch a token', () => {
  it('passes the platform to every card’s token incidents', () => {
    const sessions = [session({ tabId: 1, health: 'down', incidents: [incident(1, 4_000, { kind: 'unauthorized' })] })];
    const notes = (view: ReturnType<typeof popupView>) => view.live.flatMap((c) => c.incidents.map((i) => i.note));
    expect(notes(popupView(state({ sessions, cannotRefresh: 'twilio-flex' }), NOW, t))).toEqual([t.incident.noRefresh['twilio-flex']]);
    expect(notes(popupView(state({ sessions }), NOW, t))).toEqual([undefined]);
  });
});
