/**
 * The two halves of the page boundary's checks: the relay's gate by hand (src/protocol/admit.ts:
 * batch shape, observation type, per-type rate, serialized size, clock clamp; no schema) and the
 * worker's parse of each observation (src/protocol/port.ts `readRelayMessage`: the page schema,
 * the size again, the clock clamp again, one invalid observation of a batch costing only itself).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  batchElements,
  clampTimes,
  createPageGate,
  PAGE_CLOCK_FUTURE_MS,
  PAGE_CLOCK_PAST_MS,
  PAGE_RATE_BURST,
  PAGE_RATE_PER_SECOND,
} from '../../../src/protocol/admit';
import {
  MAX_PAGE_BATCH,
  MAX_PAGE_MESSAGE_BYTES,
  PAGE_OBSERVATION_TYPES,
  PageCommandSchema,
  PageObservationSchema,
  STALL_CLOSE_CODE,
} from '../../../src/protocol/page';
import { parseObservation, readRelayMessage, RelayToWorkerSchema, WORKER_CLOCK_PAST_MS } from '../../../src/protocol/port';

const close = { type: 'ws-close', at: 1, socketId: 's1', url: 'wss://x/y', code: 1006, reason: '', wasClean: false };
const valid = {
  type: 'http',
  at: 1000,
  requestId: 'r1',
  transport: 'fetch',
  method: 'GET',
  url: 'https://x/y',
  status: 500,
  durationMs: 1,
  protected: false,
};
/** What the runtime port does to a message (Chrome serializes extension messages as JSON). */
const overPort = (m: unknown): unknown => JSON.parse(JSON.stringify(m)) as unknown;

describe('the observation type list', () => {
  it('is the page schema’s, in its order', () => {
    expect(PAGE_OBSERVATION_TYPES).toEqual(PageObservationSchema.options.map((o) => o.shape.type.value));
  });
});

describe('relay gate (by hand)', () => {
  it('admits an observation of a known type as it came', () => {
    expect(createPageGate().admitObservation(close, 0)).toEqual({ ok: true, obs: close });
  });

  it('rejects what is not an object with a known observation type', () => {
    const g = createPageGate();
    for (const bad of [null, undefined, 1, 'ws-close', [close], { ...close, type: 'navigate' }, { ...close, type: 1 }, { at: 1 }]) {
      expect(g.admitObservation(bad, 0), JSON.stringify(bad)).toEqual({ ok: false, reason: 'invalid' });
    }
    // The worker's command is no observation.
    expect(g.admitObservation({ type: 'close-stalled-socket', socketId: 's1', silentSeconds: 40 }, 0)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(g.admitObservation({ channel: 'softphone-guard', v: 1, dir: 'to-ext', msg: close }, 0)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('leaves field checks to the worker: an extra key passes the gate and fails the worker’s parse', () => {
    const extra = { ...close, storageKey: 'x' };
    const r = createPageGate().admitObservation(extra, 0);
    expect(r).toEqual({ ok: true, obs: extra });
    expect(parseObservation(overPort(r.ok && r.obs), 0)).toBeNull();
  });

  it('rejects an element whose serialization exceeds MAX_PAGE_MESSAGE_BYTES, without taking a token', () => {
    const g = createPageGate();
    const big = { ...close, reason: 'x'.repeat(MAX_PAGE_MESSAGE_BYTES) };
    for (let i = 0; i < PAGE_RATE_BURST * 2; i++) expect(g.admitObservation(big, 0)).toEqual({ ok: false, reason: 'too-large' });
    const justFits = { ...close, reason: '' };
    const room = MAX_PAGE_MESSAGE_BYTES - JSON.stringify(justFits).length;
    expect(g.admitObservation({ ...close, reason: 'x'.repeat(room) }, 0).ok).toBe(true);
    expect(g.admitObservation({ ...close, reason: 'x'.repeat(room + 1) }, 0)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('rejects cycles, BigInts and deep nesting without throwing', () => {
    const g = createPageGate();
    const cyclic: Record<string, unknown> = { ...close };
    cyclic.self = cyclic;
    expect(g.admitObservation(cyclic, 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(g.admitObservation({ ...close, code: 1006n }, 0)).toEqual({ ok: false, reason: 'invalid' });
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    const started = performance.now();
    expect(g.admitObservation({ ...close, extra: deep }, 0).ok).toBe(false);
    expect(g.admitObservation(deep, 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('takes Maps, Sets, Dates and ArrayBuffers (what a structured clone may carry) without throwing, and the worker rejects them', () => {
    const g = createPageGate();
    for (const odd of [new Map([['type', 'http']]), new Set(['http']), new Date(0), new ArrayBuffer(8), new Uint8Array(4)]) {
      expect(g.admitObservation(odd, 0)).toEqual({ ok: false, reason: 'invalid' });
      const inside = { ...close, wasClean: odd };
      const r = g.admitObservation(inside, 0);
      expect(r.ok).toBe(true);
      expect(parseObservation(overPort(r.ok && r.obs), 0)).toBeNull();
    }
    const at = { ...close, at: new Date(5) };
    const r = g.admitObservation(at, 1000);
    // Not a number: left as it is (no clamp), for the worker to reject.
    expect(r).toEqual({ ok: true, obs: at });
    expect(parseObservation(overPort(r.ok && r.obs), 1000)).toBeNull();
  });

  it('never throws, and admits only objects of a known type, for anything', () => {
    const g = createPageGate();
    const keys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'at', 'toString');
    const msg = fc.oneof(
      fc.anything({
        withNullPrototype: true,
        withBigInt: true,
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
        withDate: true,
        withSparseArray: true,
      }),
      fc
        .tuple(keys, fc.anything())
        .map(([k, v]) => JSON.parse(`{"type":"http",${JSON.stringify(k)}:${JSON.stringify(v ?? null) ?? 'null'}}`) as unknown),
      fc
        .tuple(keys, fc.jsonValue())
        .map(([k, v]) => ({ ...valid, ...(JSON.parse(`{${JSON.stringify(k)}:${JSON.stringify(v)}}`) as object) })),
    );
    fc.assert(
      fc.property(msg, (m) => {
        const r = g.admitObservation(m, 1000);
        if (!r.ok) return true;
        return (PAGE_OBSERVATION_TYPES as readonly string[]).includes(r.obs.type) && JSON.stringify(r.obs).length <= MAX_PAGE_MESSAGE_BYTES;
      }),
      { numRuns: 2000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('type');
  });

  it('rate-limits a flood of one type without starving another', () => {
    const g = createPageGate();
    let admitted = 0;
    for (let i = 0; i < 1000; i += 1) if (g.admitObservation({ ...close, socketId: `s${i}` }, 0).ok) admitted += 1;
    expect(admitted).toBe(PAGE_RATE_BURST);
    const token = { type: 'token-needed', at: 1, requestId: 'r1', url: 'https://x/api', tokenHash: '0123456789abcdef' };
    expect(g.admitObservation(token, 0).ok).toBe(true);
  });

  it('a flood of one type admits at most burst + rate × elapsed, and another type keeps its burst', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 2000 }), (gaps) => {
        const g = createPageGate();
        let now = 1_000_000;
        const start = now;
        let admitted = 0;
        for (const gap of gaps) {
          now += gap;
          if (g.admitObservation({ ...valid, at: now }, now).ok) admitted += 1;
        }
        const bound = PAGE_RATE_BURST + (PAGE_RATE_PER_SECOND * (now - start)) / 1000;
        if (admitted > bound + 1e-9) return false;
        return g.admitObservation({ ...close, at: now }, now).ok;
      }),
      { numRuns: 200 },
    );
  });

  it('does not let rejected elements of a type drain that type’s bucket', () => {
    const g = createPageGate();
    const cyclic: Record<string, unknown> = { ...close };
    cyclic.self = cyclic;
    for (let i = 0; i < PAGE_RATE_BURST * 3; i++) expect(g.admitObservation(cyclic, 0).ok).toBe(false);
    expect(g.admitObservation(close, 0).ok).toBe(true);
  });

  it('rejects a rate-limited type before reading anything but its type', () => {
    const g = createPageGate();
    for (let i = 0; i < PAGE_RATE_BURST; i++) g.admitObservation(close, 0);
    const read: string[] = [];
    const spy = new Proxy({ ...close }, { get: (t, k) => (read.push(String(k)), Reflect.get(t, k)) });
    expect(g.admitObservation(spy, 0)).toEqual({ ok: false, reason: 'rate-limited' });
    expect(read).toEqual(['type']);
  });

  it('clamps finite times to the relay clock and keeps the observation', () => {
    const g = createPageGate();
    const now = 1_700_000_000_000;
    expect(g.admitObservation({ ...valid, at: 1 }, now)).toEqual({ ok: true, obs: { ...valid, at: now - PAGE_CLOCK_PAST_MS } });
    expect(g.admitObservation({ ...valid, at: now + 3_600_000 }, now)).toEqual({
      ok: true,
      obs: { ...valid, at: now + PAGE_CLOCK_FUTURE_MS },
    });
    expect(g.admitObservation({ ...valid, at: now - 20 }, now)).toEqual({ ok: true, obs: { ...valid, at: now - 20 } });
    const activity = { type: 'ws-activity', at: now, socketId: 's', messagesIn: 1, lastMessageAt: 0 };
    expect(g.admitObservation(activity, now)).toEqual({ ok: true, obs: { ...activity, lastMessageAt: now - PAGE_CLOCK_PAST_MS } });
  });

  it('leaves times that are not finite numbers to the worker', () => {
    const g = createPageGate();
    for (const at of [Infinity, -Infinity, NaN, '1', null]) {
      const r = g.admitObservation({ ...valid, at }, 1000);
      expect(r).toEqual({ ok: true, obs: { ...valid, at } });
      expect(parseObservation(overPort(r.ok && r.obs), 1000)).toBeNull();
    }
    const { at: _none, ...noAt } = valid;
    expect(g.admitObservation(noAt, 1000)).toEqual({ ok: true, obs: noAt });
  });

  it('takes arrays of at most MAX_PAGE_BATCH elements', () => {
    expect(batchElements([close])).toEqual([close]);
    expect(batchElements(Array.from({ length: MAX_PAGE_BATCH }, () => close))).toHaveLength(MAX_PAGE_BATCH);
    expect(batchElements(Array.from({ length: MAX_PAGE_BATCH + 1 }, () => close))).toBeNull();
    expect(batchElements({ length: 1, 0: close })).toBeNull();
    expect(batchElements(close)).toBeNull();
  });
});

describe('worker parse of each observation', () => {
  const now = 1_700_000_000_000;
  const at = (obs: object) => ({ ...obs, at: now });

  it('keeps the good observations of a batch with one bad one, in order', () => {
    const items = [
      { type: 'obs', obs: at(close), seq: 1 },
      { type: 'obs', obs: { ...at(close), socketId: 's2', code: -1 }, seq: 2 },
      { type: 'obs', obs: { ...at(close), socketId: 's3' }, seq: 3 },
      { type: 'obs', obs: { ...at(valid), extra: 1 } },
      { type: 'obs', obs: at(valid) },
    ];
    expect(readRelayMessage({ type: 'obs-batch', items }, now)).toEqual({
      messages: [items[0], items[2], items[4]],
      rejected: 2,
    });
  });

  it('drops a malformed envelope whole', () => {
    const item = { type: 'obs', obs: at(close), seq: 1 };
    expect(readRelayMessage({ type: 'obs-batch', items: [] }, now)).toBeNull();
    expect(readRelayMessage({ type: 'obs-batch', items: Array.from({ length: MAX_PAGE_BATCH + 1 }, () => item) }, now)).toBeNull();
    expect(readRelayMessage({ type: 'obs-batch', items: [item, { type: 'relay-hello', href: '', reconnects: 0 }] }, now)).toBeNull();
    expect(readRelayMessage({ type: 'obs', obs: at(close), seq: 0 }, now)).toBeNull();
    expect(readRelayMessage({ ...item, extra: 1 }, now)).toBeNull();
    expect(readRelayMessage('obs', now)).toBeNull();
  });

  it('reads a hello and a single observation', () => {
    const hello = { type: 'relay-hello', href: 'https://a/', reconnects: 0, doc: '0123456789abcdef' };
    expect(readRelayMessage(hello, now)).toEqual({ messages: [hello], rejected: 0 });
    expect(readRelayMessage({ type: 'obs', obs: at(close) }, now)).toEqual({ messages: [{ type: 'obs', obs: at(close) }], rejected: 0 });
    expect(readRelayMessage({ type: 'obs', obs: { ...at(close), code: 'x' } }, now)).toEqual({ messages: [], rejected: 1 });
    expect(RelayToWorkerSchema.safeParse({ type: 'obs', obs: 'anything' }).success).toBe(true);
  });

  it('rejects unknown keys, own __proto__ keys and every out-of-range field', () => {
    expect(parseObservation({ ...at(close), storageKey: 'x' }, now)).toBeNull();
    const withProto = JSON.parse(`{"__proto__": {"polluted": true}}`) as object;
    expect(parseObservation({ ...at(valid), ...withProto }, now)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const bad of [
      { status: 600 },
      { status: -1 },
      { status: 200.5 },
      { durationMs: 86_400_001 },
      { at: -1 },
      { at: null },
      { method: '' },
      { method: 'X'.repeat(17) },
      { requestId: '' },
      { requestId: 'r'.repeat(65) },
      { transport: 'beacon' },
      { protected: 'true' },
      { url: 'u'.repeat(2049) },
      { retryGivenUp: 'always' },
    ]) {
      expect(parseObservation({ ...at(valid), ...bad }, now), JSON.stringify(bad)).toBeNull();
    }
  });

  it('returns a fresh plain copy and clamps the times to its own clock', () => {
    const input = at(valid);
    const parsed = parseObservation(input, now);
    expect(parsed).toEqual(input);
    expect(parsed).not.toBe(input);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parseObservation({ ...valid, at: 1 }, now)).toEqual({ ...valid, at: now - WORKER_CLOCK_PAST_MS });
    expect(parseObservation({ ...valid, at: now + 60_000 }, now)).toEqual({ ...valid, at: now + PAGE_CLOCK_FUTURE_MS });
    const activity = { type: 'ws-activity', at: now, socketId: 's', messagesIn: 1, lastMessageAt: 0 };
    expect(parseObservation(activity, now)).toEqual({ ...activity, lastMessageAt: now - WORKER_CLOCK_PAST_MS });
    // What the relay held while the worker restarted keeps its time.
    expect(parseObservation({ ...valid, at: now - 20_000 }, now)).toEqual({ ...valid, at: now - 20_000 });
  });

  it('accepts the probe’s own stall and organisation-switch closes and nothing looser', () => {
    const stall = { ...at(close), code: STALL_CLOSE_CODE, wasClean: true, closedBy: 'stall' };
    expect(parseObservation(stall, now)).toEqual(stall);
    expect(parseObservation({ ...stall, closedBy: 'extension' }, now)).toBeNull();
    const orgSwitch = { type: 'org-switch', at: now, fromOrgId: 'org-a', toOrgId: 'org-b', closedSockets: 1, closedPeerConnections: 1 };
    expect(parseObservation(orgSwitch, now)).toEqual(orgSwitch);
    expect(parseObservation({ ...orgSwitch, closedSockets: 1.5 }, now)).toBeNull();
    expect(parseObservation({ ...orgSwitch, refreshUrl: 'https://evil.test/' }, now)).toBeNull();
    const command = { type: 'close-stalled-socket', socketId: 's1', silentSeconds: 40 };
    expect(parseObservation(command, now)).toBeNull();
    expect(PageCommandSchema.safeParse(command).success).toBe(true);
  });

  it('what the gate admits and the worker parses is exactly what the schema accepts, clamped', () => {
    const g = createPageGate();
    fc.assert(
      fc.property(fc.oneof(fc.anything({ withBigInt: true, withMap: true, withDate: true }), fc.constant(at(valid))), (m) => {
        const gated = g.admitObservation(m, now);
        if (!gated.ok) return true;
        const parsed = parseObservation(overPort(gated.obs), now);
        return parsed === null || (PageObservationSchema.safeParse(parsed).success && clampTimes(parsed, now) === parsed);
      }),
      { numRuns: 1000 },
    );
  });
});
