import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RELOADING_DETAIL_PREFIX } from '../../../src/recovery/safe-reload';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionEvent } from '../../../src/session/reducer';
import { MAX_WORKERS } from '../../../src/session/types';
import type { Incident, SessionState, WorkerEvent } from '../../../src/session/types';
import { applyToViews } from '../../../src/session/views';
import { CTX, ORIGIN, T0, TAB, deepFreeze, ev, run, s } from './fixtures';

const WEBRTC = '/api/v2/communications/webRTC';
const doc = (at: number, frameId: number, embedderOrigin?: string): WorkerEvent =>
  embedderOrigin === undefined ? { type: 'document', at, frameId } : { type: 'document', at, frameId, embedderOrigin };
const workerStart = (at: number, kind: 'worker' | 'shared-worker', url: string, name?: string) =>
  ev.workerStarted(at, kind, url, name) as Extract<SessionEvent, { type: 'worker-started' }>;
const fresh = (): SessionState => createSession(TAB, T0);
const unauthorizedOf = (state: SessionState): Incident[] => state.incidents.filter((i) => i.kind === 'unauthorized');

describe('views: the document event', () => {
  it('a subframe sets embedded with its frame and embedder origin', () => {
    const state = applyToViews(fresh(), doc(s(1), 11, 'https://crm.test'));
    expect(state.embedded).toEqual({ frameId: 11, embedderOrigin: 'https://crm.test' });
  });

  it('a subframe without a known embedder sets the frame alone (no undefined key)', () => {
    const state = applyToViews(fresh(), doc(s(1), 5));
    expect(state.embedded).toEqual({ frameId: 5 });
    expect(Object.keys(state.embedded!)).toEqual(['frameId']);
  });

  it('frame 0 clears embedded; on a top-level session it returns the same object', () => {
    const embedded = applyToViews(fresh(), doc(s(1), 11, 'https://crm.test'));
    const top = applyToViews(embedded, doc(s(2), 0));
    expect(top.embedded).toBeUndefined();
    expect('embedded' in top).toBe(false);
    const base = deepFreeze(fresh());
    expect(applyToViews(base, doc(s(3), 0))).toBe(base);
  });

  it('the same frame and embedder again returns the same state object; another one replaces it', () => {
    const first = deepFreeze(applyToViews(fresh(), doc(s(1), 11, 'https://crm.test')));
    expect(applyToViews(first, doc(s(2), 11, 'https://crm.test'))).toBe(first);
    expect(applyToViews(first, doc(s(2), 12, 'https://crm.test')).embedded).toEqual({ frameId: 12, embedderOrigin: 'https://crm.test' });
    expect(applyToViews(first, doc(s(2), 11, 'https://other.test')).embedded).toEqual({
      frameId: 11,
      embedderOrigin: 'https://other.test',
    });
    expect(applyToViews(first, doc(s(2), 11)).embedded).toEqual({ frameId: 11 });
  });

  it('goes through the reducer without opening incidents or changing health', () => {
    const { state, effects } = run([ev.hello(s(0)), doc(s(1), 11, 'https://crm.test')]);
    expect(state.embedded).toEqual({ frameId: 11, embedderOrigin: 'https://crm.test' });
    expect(state.incidents).toEqual([]);
    expect(state.health).toBe('healthy');
    expect(effects).toEqual([]);
  });
});

describe('views: worker-started', () => {
  const SW = `${ORIGIN}/sw/shared.js`;
  it('records each worker with kind, url, name and time', () => {
    const state = run([workerStart(s(1), 'shared-worker', SW, 'lab-softphone'), workerStart(s(2), 'worker', `${ORIGIN}/w.js`)]).state;
    expect(state.workers).toEqual([
      { kind: 'shared-worker', url: SW, name: 'lab-softphone', at: s(1) },
      { kind: 'worker', url: `${ORIGIN}/w.js`, at: s(2) },
    ]);
  });

  it('keeps one entry per kind + url + name, the newest moved last with its time', () => {
    const state = run([
      workerStart(s(1), 'shared-worker', SW, 'a'),
      workerStart(s(2), 'worker', SW, 'a'),
      workerStart(s(3), 'shared-worker', SW, 'b'),
      workerStart(s(4), 'shared-worker', SW),
      workerStart(s(5), 'shared-worker', SW, 'a'),
    ]).state;
    expect(state.workers?.map((w) => `${w.kind}|${w.name ?? ''}@${w.at - T0}`)).toEqual([
      'worker|a@2000',
      'shared-worker|b@3000',
      'shared-worker|@4000',
      'shared-worker|a@5000',
    ]);
  });

  it(`keeps at most MAX_WORKERS (${MAX_WORKERS}), dropping the oldest`, () => {
    const events = Array.from({ length: MAX_WORKERS + 3 }, (_, i) => workerStart(s(i), 'worker', `${ORIGIN}/w${i}.js`));
    const workers = run(events).state.workers!;
    expect(workers).toHaveLength(MAX_WORKERS);
    expect(workers[0]?.url).toBe(`${ORIGIN}/w3.js`);
    expect(workers[MAX_WORKERS - 1]?.url).toBe(`${ORIGIN}/w${MAX_WORKERS + 2}.js`);
  });

  it('property: unique by kind+url+name, bounded, and the last started is last', () => {
    const start = fc.record({
      kind: fc.constantFrom('worker' as const, 'shared-worker' as const),
      url: fc.constantFrom('a', 'b', 'c', 'd', 'e').map((n) => `${ORIGIN}/${n}.js`),
      name: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(start, { minLength: 1, maxLength: 40 }), (starts) => {
        let state = fresh();
        starts.forEach((w, i) => {
          state = applyToViews(state, workerStart(s(i), w.kind, w.url, w.name));
        });
        const workers = state.workers!;
        const keys = workers.map((w) => `${w.kind}|${w.url}|${w.name ?? ''}`);
        expect(new Set(keys).size).toBe(keys.length);
        const distinct = new Set(starts.map((w) => `${w.kind}|${w.url}|${w.name ?? ''}`)).size;
        expect(workers).toHaveLength(Math.min(distinct, MAX_WORKERS));
        const last = starts[starts.length - 1]!;
        expect(workers[workers.length - 1]).toEqual({
          kind: last.kind,
          url: last.url,
          ...(last.name === undefined ? {} : { name: last.name }),
          at: s(starts.length - 1),
        });
        // Oldest first.
        expect(workers.map((w) => w.at)).toEqual([...workers.map((w) => w.at)].sort((a, b) => a - b));
      }),
    );
  });
});

describe('incident rules: a 401 out of reach (from a worker)', () => {
  it.each([
    ['worker', "From the softphone's Worker"],
    ['shared-worker', "From the softphone's SharedWorker"],
  ] as const)('a protected webrequest 401 from a %s opens unauthorized, marked out of reach, with one failed none step', (reach, says) => {
    const { state } = run([ev.hello(s(0)), ev.http(s(1), 401, WEBRTC, { transport: 'webrequest', reach })]);
    const [incident, ...others] = unauthorizedOf(state);
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ kind: 'unauthorized', detail: { status: 401, url: `${ORIGIN}${WEBRTC}`, outOfReach: reach } });
    expect(incident?.steps).toHaveLength(1);
    expect(incident?.steps[0]).toMatchObject({ at: s(1), action: 'none', outcome: 'failed' });
    expect(incident?.steps[0]?.detail).toContain(says);
    expect(state.health).toBe('down');
  });

  it('a second 401 from the same worker folds in without a second step', () => {
    const { state } = run([
      ev.hello(s(0)),
      ev.http(s(1), 401, WEBRTC, { transport: 'webrequest', reach: 'shared-worker' }),
      ev.http(s(2), 401, WEBRTC, { transport: 'webrequest', reach: 'shared-worker' }),
    ]);
    const incidents = unauthorizedOf(state);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.steps).toHaveLength(1);
    expect(incidents[0]?.detail.outOfReach).toBe('shared-worker');
  });

  it('without reach a webrequest 401 is an ordinary one: no outOfReach, no step', () => {
    for (const transport of ['webrequest', 'fetch'] as const) {
      const { state } = run([ev.hello(s(0)), ev.http(s(1), 401, WEBRTC, { transport })]);
      const [incident] = unauthorizedOf(state);
      expect(incident?.detail.outOfReach).toBeUndefined();
      expect(incident?.steps).toEqual([]);
      expect(state.health).toBe('recovering');
    }
  });

  it('a reach on an unprotected 401 opens nothing', () => {
    const { state } = run([
      ev.hello(s(0)),
      ev.http(s(1), 401, '/static/x.js', { transport: 'webrequest', reach: 'worker', protected: false }),
    ]);
    expect(state.incidents).toEqual([]);
  });

  it('a hello (the reloaded page) resolves the out-of-reach incident', () => {
    const { state } = run([ev.hello(s(0)), ev.http(s(1), 401, WEBRTC, { transport: 'webrequest', reach: 'worker' }), ev.hello(s(40))]);
    const [incident] = unauthorizedOf(state);
    expect(incident?.resolvedAt).toBe(s(40));
    expect(incident?.steps[incident.steps.length - 1]).toMatchObject({ at: s(40), action: 'none', outcome: 'ok' });
    expect(state.health).toBe('healthy');
  });

  it('a hello does not resolve an ordinary 401 incident', () => {
    const { state } = run([ev.hello(s(0)), ev.http(s(1), 401, WEBRTC), ev.hello(s(40))]);
    const [incident] = unauthorizedOf(state);
    expect(incident?.resolvedAt).toBeUndefined();
    expect(incident?.detail.outOfReach).toBeUndefined();
  });

  it('a 401 from the worker after the reload opens a new incident', () => {
    const { state } = run([
      ev.hello(s(0)),
      ev.http(s(1), 401, WEBRTC, { transport: 'webrequest', reach: 'worker' }),
      ev.hello(s(40)),
      ev.http(s(41), 401, WEBRTC, { transport: 'webrequest', reach: 'worker' }),
    ]);
    const incidents = unauthorizedOf(state);
    expect(incidents).toHaveLength(2);
    expect(incidents.filter((i) => i.resolvedAt === undefined)).toHaveLength(1);
  });
});

describe('incident rules: what a safe-reload step says it reloads', () => {
  const reloadStep = (event: WorkerEvent, reach?: 'shared-worker'): string => {
    const opened = run([
      ev.hello(s(0)),
      reach === undefined ? ev.http(s(1), 401, WEBRTC) : ev.http(s(1), 401, WEBRTC, { transport: 'webrequest', reach }),
    ]).state;
    const incidentId = unauthorizedOf(opened)[0]!.id;
    const state = reduceSession(opened, { ...event, incidentId } as SessionEvent, CTX).state;
    const step = unauthorizedOf(state)[0]!.steps.at(-1)!;
    expect(step).toMatchObject({ action: 'safe-reload', outcome: 'pending' });
    expect(step.detail?.startsWith(RELOADING_DETAIL_PREFIX)).toBe(true);
    return step.detail!;
  };

  it('scope frame: the softphone frame, not the page around it', () => {
    const detail = reloadStep({ type: 'safe-reload', at: s(30), cause: 'token-not-recovered', scope: 'frame' });
    expect(detail).toMatch(/the softphone frame/);
    expect(detail).toMatch(/not the page around it/);
    expect(detail).not.toMatch(/the tab/);
  });

  it('scope shared-worker: the pages sharing the SharedWorker, counted', () => {
    const three = reloadStep(
      { type: 'safe-reload', at: s(30), cause: 'token-not-recovered', scope: 'shared-worker', pages: 3 },
      'shared-worker',
    );
    expect(three).toMatch(/the 3 pages sharing the softphone's SharedWorker/);
    const one = reloadStep(
      { type: 'safe-reload', at: s(30), cause: 'token-not-recovered', scope: 'shared-worker', pages: 1 },
      'shared-worker',
    );
    expect(one).toMatch(/the 1 page sharing the softphone's SharedWorker/);
  });

  it('scope tab or absent (older stored events): the tab', () => {
    for (const scope of ['tab', undefined] as const) {
      const event: WorkerEvent =
        scope === undefined
          ? { type: 'safe-reload', at: s(30), cause: 'token-not-recovered' }
          : { type: 'safe-reload', at: s(30), cause: 'token-not-recovered', scope };
      const detail = reloadStep(event);
      expect(detail).toBe(`${RELOADING_DETAIL_PREFIX} the tab: no call is active.`);
    }
  });

  it('a request-not-recovered reload keeps its own reason after the place', () => {
    const opened = run([ev.hello(s(0)), ev.http(s(1), 503, WEBRTC)]).state;
    const id = opened.incidents[0]!.id;
    const state = reduceSession(
      opened,
      { type: 'safe-reload', at: s(30), cause: 'request-not-recovered', incidentId: id, scope: 'frame' },
      CTX,
    ).state;
    expect(state.incidents[0]?.steps.at(-1)?.detail).toBe(
      `${RELOADING_DETAIL_PREFIX} the softphone frame (not the page around it): the request still failed after its retries, and no call is active.`,
    );
  });
});
