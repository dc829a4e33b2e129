import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HttpObservation, PageObservationSchema, WorkerStartedObservation } from '../../../src/protocol/page';

const started = {
  type: 'worker-started',
  at: 1_700_000_000_000,
  kind: 'shared-worker',
  url: 'https://softphone.test/sw.js',
  name: 'lab-softphone',
};
const http = {
  type: 'http',
  at: 1_700_000_000_000,
  requestId: 'r1',
  transport: 'webrequest',
  method: 'GET',
  url: 'https://api.test/api/v2/communications/webRTC',
  status: 401,
  durationMs: 0,
  protected: true,
};

describe('worker-started observations', () => {
  it('are accepted for a Worker and a SharedWorker, with or without a name', () => {
    expect(PageObservationSchema.parse(started)).toEqual(started);
    const { name: _name, ...unnamed } = started;
    expect(PageObservationSchema.parse({ ...unnamed, kind: 'worker' })).toEqual({ ...unnamed, kind: 'worker' });
    expect(WorkerStartedObservation.safeParse(started).success).toBe(true);
  });

  it.each(['service-worker', 'Worker', 'shared_worker', 'worklet', '', 1])('are refused with kind %s', (kind) => {
    expect(PageObservationSchema.safeParse({ ...started, kind }).success).toBe(false);
  });

  it('are refused with an extra key, or without the url, kind or time', () => {
    expect(PageObservationSchema.safeParse({ ...started, scriptText: 'x' }).success).toBe(false);
    expect(PageObservationSchema.safeParse({ ...started, token: 'eyJ' }).success).toBe(false);
    for (const key of ['url', 'kind', 'at'] as const) {
      const { [key]: _gone, ...rest } = started;
      expect(PageObservationSchema.safeParse(rest).success).toBe(false);
    }
    expect(PageObservationSchema.safeParse({ ...started, name: 42 }).success).toBe(false);
  });

  it('refuse any extra key (property)', () => {
    const known = new Set(Object.keys(started));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k) && k !== '__proto__'),
        fc.jsonValue(),
        (key, value) => !PageObservationSchema.safeParse({ ...started, [key]: value }).success,
      ),
    );
  });
});

describe('http observations: reach', () => {
  it.each(['worker', 'shared-worker', 'unhooked'])('accepts reach %s', (reach) => {
    expect(PageObservationSchema.parse({ ...http, reach })).toMatchObject({ reach });
    expect(HttpObservation.safeParse({ ...http, reach }).success).toBe(true);
  });

  it('stays optional', () => {
    expect(PageObservationSchema.safeParse(http).success).toBe(true);
  });

  it('refuses any other value (property)', () => {
    const allowed = new Set(['worker', 'shared-worker', 'unhooked']);
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('Worker', 'page', 'service-worker', 'SharedWorker'), fc.integer(), fc.constant(null)),
        (reach) => allowed.has(reach as string) || !PageObservationSchema.safeParse({ ...http, reach }).success,
      ),
    );
  });
});
