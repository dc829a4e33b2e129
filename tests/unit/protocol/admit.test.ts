import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  batchElements,
  createPageGate,
  PAGE_CLOCK_FUTURE_MS,
  PAGE_CLOCK_PAST_MS,
  PAGE_RATE_BURST,
  PAGE_RATE_PER_SECOND,
} from '../../../src/protocol/admit';
import { MAX_PAGE_BATCH, PageCommandSchema, PageObservationSchema, STALL_CLOSE_CODE } from '../../../src/protocol/page';
import { RelayToWorkerSchema, unpackRelayMessage } from '../../../src/protocol/port';

const env = (msg: unknown) => ({ channel: 'softphone-guard', v: 1, dir: 'to-ext', msg });
const close = { type: 'ws-close', at: 1, socketId: 's1', url: 'wss://x/y', code: 1006, reason: '', wasClean: false };

describe('page gate', () => {
  it('admits a valid observation and returns the parsed copy', () => {
    const r = createPageGate().admit(env(close), 0);
    expect(r).toEqual({ ok: true, obs: close });
  });

  it('ignores messages that are not ours, and its own commands', () => {
    const g = createPageGate();
    expect(g.admit('hello', 0)).toEqual({ ok: false, reason: 'ignored' });
    expect(g.admit({ channel: 'other' }, 0)).toEqual({ ok: false, reason: 'ignored' });
    expect(g.admit({ ...env(close), dir: 'to-page' }, 0)).toEqual({ ok: false, reason: 'ignored' });
  });

  it('rejects unknown types, extra keys, wrong versions and oversize fields', () => {
    const g = createPageGate();
    expect(g.admit(env({ ...close, type: 'navigate' }), 0).ok).toBe(false);
    expect(g.admit(env({ ...close, storageKey: 'x' }), 0).ok).toBe(false);
    expect(g.admit({ ...env(close), v: 2 }, 0).ok).toBe(false);
    expect(g.admit(env({ ...close, reason: 'x'.repeat(10_000) }), 0).ok).toBe(false);
    const withProto = JSON.parse(`{"__proto__": {"polluted": true}, "type": "ws-close"}`) as object;
    expect(g.admit(env({ ...close, ...withProto }), 0).ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rate-limits a flood of one type without starving another', () => {
    const g = createPageGate();
    let admitted = 0;
    for (let i = 0; i < 1000; i += 1) if (g.admit(env({ ...close, socketId: `s${i}` }), 0).ok) admitted += 1;
    expect(admitted).toBe(PAGE_RATE_BURST);
    const token = { type: 'token-needed', at: 1, requestId: 'r1', url: 'https://x/api', tokenHash: '0123456789abcdef' };
    expect(g.admit(env(token), 0).ok).toBe(true);
  });

  it('never throws and never admits arbitrary junk', () => {
    const g = createPageGate();
    fc.assert(
      fc.property(fc.anything(), (msg) => {
        const r = g.admit(env(msg), 0);
        return r.ok === false || typeof r.obs.type === 'string';
      }),
      { numRuns: 500 },
    );
  });
});

describe('page gate: silent stalls and organisation switches', () => {
  const orgSwitch = { type: 'org-switch', at: 5, fromOrgId: 'org-a', toOrgId: 'org-b', closedSockets: 1, closedPeerConnections: 1 };

  it('admits a ws-close the probe made itself, for a stall or an organisation switch', () => {
    const g = createPageGate();
    const stall = { ...close, code: STALL_CLOSE_CODE, wasClean: true, closedBy: 'stall' };
    expect(g.admit(env(stall), 0)).toEqual({ ok: true, obs: stall });
    const left = { ...close, code: 1000, wasClean: true, closedBy: 'org-switch' };
    expect(g.admit(env(left), 0)).toEqual({ ok: true, obs: left });
  });

  it('rejects any other closedBy', () => {
    const g = createPageGate();
    expect(g.admit(env({ ...close, closedBy: 'extension' }), 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(g.admit(env({ ...close, closedBy: null }), 0)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('admits an org-switch observation and nothing looser', () => {
    const g = createPageGate();
    expect(g.admit(env(orgSwitch), 0)).toEqual({ ok: true, obs: orgSwitch });
    expect(g.admit(env({ ...orgSwitch, closedSockets: -1 }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, closedPeerConnections: 1001 }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, closedSockets: 1.5 }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, toOrgId: 'x'.repeat(257) }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, refreshUrl: 'https://evil.test/' }), 0).ok).toBe(false);
    const { toOrgId: _omitted, ...partial } = orgSwitch;
    expect(g.admit(env(partial), 0).ok).toBe(false);
  });

  it('rate-limits org-switch floods in their own bucket', () => {
    const g = createPageGate();
    let admitted = 0;
    for (let i = 0; i < 500; i += 1) if (g.admit(env({ ...orgSwitch, at: i }), 0).ok) admitted += 1;
    expect(admitted).toBe(PAGE_RATE_BURST);
    expect(g.admit(env(close), 0).ok).toBe(true);
  });

  it('never lets the page post the worker’s close-stalled-socket command as an observation', () => {
    const command = { type: 'close-stalled-socket', socketId: 's1', silentSeconds: 40 };
    expect(createPageGate().admit(env(command), 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(PageCommandSchema.safeParse(command).success).toBe(true);
    expect(PageCommandSchema.safeParse({ ...command, silentSeconds: 86_401 }).success).toBe(false);
    expect(PageCommandSchema.safeParse({ ...command, socketId: '' }).success).toBe(false);
  });
});

describe('page gate: hostile input', () => {
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

  it('never throws, and admits only what the schema accepts, for any msg and envelope', () => {
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
      fc.property(msg, fc.constantFrom<unknown>(1, '1', 2, undefined), (m, v) => {
        const r = g.admit({ channel: 'softphone-guard', v, dir: 'to-ext', msg: m }, 1000);
        if (!r.ok) return true;
        return v === 1 && PageObservationSchema.safeParse(r.obs).success && Object.getPrototypeOf(r.obs) === Object.prototype;
      }),
      { numRuns: 2000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('type');
  });

  it('an own __proto__ key never reaches the admitted copy, even on a valid observation', () => {
    const withProto = JSON.parse(`{"__proto__": {"polluted": true}}`) as object;
    const r = createPageGate().admit(env({ ...valid, ...withProto }), 1000);
    expect(r.ok).toBe(false);
  });

  it('rejects huge strings and deep nesting quickly, without a stack overflow', () => {
    const g = createPageGate();
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    const started = performance.now();
    expect(g.admit(env({ ...valid, url: 'u'.repeat(5_000_000) }), 1000)).toEqual({ ok: false, reason: 'invalid' });
    expect(g.admit(env({ ...valid, extra: deep }), 1000)).toEqual({ ok: false, reason: 'invalid' });
    expect(g.admit(env(deep), 1000)).toEqual({ ok: false, reason: 'invalid' });
    // Generous: parse failures stop at the first bad field, not after walking the input.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects valid-looking but out-of-range fields', () => {
    const g = createPageGate();
    for (const bad of [
      { status: 600 },
      { status: -1 },
      { status: 200.5 },
      { durationMs: 86_400_001 },
      { at: -1 },
      { at: Infinity },
      { at: NaN },
      { method: '' },
      { method: 'X'.repeat(17) },
      { requestId: '' },
      { requestId: 'r'.repeat(65) },
      { transport: 'beacon' },
      { protected: 'true' },
      { url: 'u'.repeat(2049) },
      { retryGivenUp: 'always' },
    ]) {
      expect(g.admit(env({ ...valid, ...bad }), 1000), JSON.stringify(bad)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('clamps forged times to the relay clock and keeps the observation', () => {
    const g = createPageGate();
    const now = 1_700_000_000_000;
    const old = g.admit(env({ ...valid, at: 1 }), now);
    expect(old).toEqual({ ok: true, obs: { ...valid, at: now - PAGE_CLOCK_PAST_MS } });
    const future = g.admit(env({ ...valid, at: now + 3_600_000 }), now);
    expect(future).toEqual({ ok: true, obs: { ...valid, at: now + PAGE_CLOCK_FUTURE_MS } });
    const genuine = g.admit(env({ ...valid, at: now - 20 }), now);
    expect(genuine).toEqual({ ok: true, obs: { ...valid, at: now - 20 } });
    const activity = { type: 'ws-activity', at: now, socketId: 's', messagesIn: 1, lastMessageAt: 0 };
    expect(g.admit(env(activity), now)).toEqual({ ok: true, obs: { ...activity, lastMessageAt: now - PAGE_CLOCK_PAST_MS } });
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
          if (g.admit(env({ ...valid, at: now }), now).ok) admitted += 1;
        }
        const bound = PAGE_RATE_BURST + (PAGE_RATE_PER_SECOND * (now - start)) / 1000;
        if (admitted > bound + 1e-9) return false;
        // Another type is untouched by the flood.
        return g.admit(env({ ...close, at: now }), now).ok;
      }),
      { numRuns: 200 },
    );
  });
});

describe('private channel batches', () => {
  it('gates each element like an envelope message, with the same buckets', () => {
    const g = createPageGate();
    expect(g.admitObservation(close, 0)).toEqual({ ok: true, obs: close });
    expect(g.admitObservation({ ...close, storageKey: 'x' }, 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(g.admitObservation(env(close), 0)).toEqual({ ok: false, reason: 'invalid' });
    let admitted = 1;
    for (let i = 0; i < PAGE_RATE_BURST * 2; i++) {
      if ((i % 2 === 0 ? g.admitObservation(close, 0) : g.admit(env(close), 0)).ok) admitted++;
    }
    expect(admitted).toBe(PAGE_RATE_BURST);
  });

  it('does not let invalid messages of a type drain that type’s bucket', () => {
    const g = createPageGate();
    for (let i = 0; i < PAGE_RATE_BURST * 3; i++) expect(g.admitObservation({ ...close, code: -1 }, 0).ok).toBe(false);
    expect(g.admitObservation(close, 0).ok).toBe(true);
  });

  it('rejects a rate-limited type before parsing it', () => {
    const g = createPageGate();
    for (let i = 0; i < PAGE_RATE_BURST; i++) g.admitObservation(close, 0);
    const parsed: string[] = [];
    const spy = new Proxy({ ...close }, { get: (t, k) => (parsed.push(String(k)), Reflect.get(t, k)) });
    expect(g.admitObservation(spy, 0)).toEqual({ ok: false, reason: 'rate-limited' });
    expect(parsed).toEqual(['type']);
  });

  it('takes arrays of at most MAX_PAGE_BATCH elements', () => {
    expect(batchElements([close])).toEqual([close]);
    expect(batchElements(Array.from({ length: MAX_PAGE_BATCH }, () => close))).toHaveLength(MAX_PAGE_BATCH);
    expect(batchElements(Array.from({ length: MAX_PAGE_BATCH + 1 }, () => close))).toBeNull();
    expect(batchElements({ length: 1, 0: close })).toBeNull();
    expect(batchElements(close)).toBeNull();
  });

  it('an obs-batch on the runtime port unpacks to its obs messages, in order', () => {
    const items = [
      { type: 'obs', obs: close, seq: 1 },
      { type: 'obs', obs: { ...close, socketId: 's2' }, seq: 2 },
    ];
    const parsed = RelayToWorkerSchema.parse({ type: 'obs-batch', items });
    expect(unpackRelayMessage(parsed)).toEqual(items);
    expect(RelayToWorkerSchema.safeParse({ type: 'obs-batch', items: [] }).success).toBe(false);
    expect(
      RelayToWorkerSchema.safeParse({ type: 'obs-batch', items: Array.from({ length: MAX_PAGE_BATCH + 1 }, () => items[0]) }).success,
    ).toBe(false);
    expect(RelayToWorkerSchema.safeParse({ type: 'obs-batch', items: [{ type: 'relay-hello', href: '', reconnects: 0 }] }).success).toBe(
      false,
    );
  });
});
