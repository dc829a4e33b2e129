/**
 * The relay's core (extension/relay/relay.ts) in Node, with the few browser globals it uses
 * standing in: `chrome.runtime.connect` (a port that records what the relay sends and lets the
 * test speak for the worker), `requestIdleCallback` (run when the test says the page is idle),
 * `window.location` and the clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAGE_RATE_BURST } from '../../../src/protocol/admit';
import type { RelayToWorker } from '../../../src/protocol/port';
import type { GatedObservation } from '../../../src/protocol/admit';

interface FakePort {
  sent: RelayToWorker<GatedObservation>[];
  deliver(raw: unknown): void;
}

let ports: FakePort[];
let idle: (() => void)[];
let now: number;

/** Lets the relay's pending work run. */
const settle = async (): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, 20));
};

/** Every observation the worker received, in order, `obs-batch` unpacked. */
const observations = (port: FakePort) =>
  port.sent.flatMap((m) => (m.type === 'obs-batch' ? m.items : m.type === 'obs' ? [m] : [])).map((m) => m.obs);

beforeEach(() => {
  ports = [];
  idle = [];
  now = 1_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  vi.stubGlobal('window', { location: { href: 'https://softphone.test/agent' } });
  vi.stubGlobal('requestIdleCallback', (callback: () => void) => idle.push(callback));
  vi.stubGlobal('chrome', {
    runtime: {
      connect: () => {
        const listeners: ((raw: unknown) => void)[] = [];
        const port: FakePort = { sent: [], deliver: (raw) => listeners.forEach((l) => l(raw)) };
        ports.push(port);
        return {
          postMessage: (m: RelayToWorker<GatedObservation>) => port.sent.push(structuredClone(m)),
          onMessage: { addListener: (l: (raw: unknown) => void) => listeners.push(l) },
          onDisconnect: { addListener: () => undefined },
        };
      },
    },
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

async function start() {
  vi.resetModules();
  const { startRelay } = await import('../../../extension/relay/relay');
  const toProbe: unknown[] = [];
  const handle = startRelay({ postMessage: (m: unknown) => toProbe.push(m) } as unknown as MessagePort);
  const fromProbe = (data: unknown) => handle({ data } as MessageEvent);
  return { fromProbe, toProbe, port: ports[0]! };
}

const close = (socketId: string, at: number) => ({
  type: 'ws-close',
  at,
  socketId,
  url: 'wss://x/y',
  code: 1006,
  reason: '',
  wasClean: false,
});
const tokenNeeded = { type: 'token-needed', at: 1_000_000, requestId: 'r1', url: 'https://api.test/x', tokenHash: '0123456789abcdef' };

describe('relay core', () => {
  it('opens the runtime port at once and holds the first observations until the page is idle, then forwards them in order', async () => {
    const { fromProbe, port } = await start();
    expect(port.sent.map((m) => m.type)).toEqual(['relay-hello']);
    fromProbe([close('a', now), close('b', now)]);
    fromProbe([close('c', now)]);
    await settle();
    expect(observations(port)).toEqual([]);
    expect(idle).toHaveLength(1);
    idle[0]!();
    await settle();
    expect(observations(port).map((o) => o.socketId)).toEqual(['a', 'b', 'c']);
    // Once parsing began, later batches go through at once.
    fromProbe([close('d', now)]);
    await settle();
    expect(observations(port).map((o) => o.socketId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('forwards at once a batch that asks for a token, with what came before it', async () => {
    const { fromProbe, port } = await start();
    fromProbe([close('a', now)]);
    fromProbe([tokenNeeded]);
    await settle();
    expect(observations(port).map((o) => o.type)).toEqual(['ws-close', 'token-needed']);
  });

  it('judges held observations by the time they arrived: rate buckets and clock clamps', async () => {
    const { fromProbe, port } = await start();
    const arrived = now;
    fromProbe([{ type: 'not-an-observation', at: arrived }, 'junk', [close('x', arrived)]]);
    for (let i = 0; i < 3; i++) fromProbe(Array.from({ length: 64 }, (_, j) => close(`s${i}-${j}`, 1)));
    now += 60_000;
    idle[0]!();
    await settle();
    const admitted = observations(port);
    // A burst at one instant: the bucket's burst, not the minute that passed before the parse.
    expect(admitted).toHaveLength(PAGE_RATE_BURST);
    // `at: 1` clamped to the arrival time's window, not the parse time's.
    expect(admitted.every((o) => o.at === arrived - 5_000)).toBe(true);
  });

  it('drops what the gate would drop, before holding it: non-arrays and oversize batches', async () => {
    const { fromProbe, port } = await start();
    fromProbe(close('a', now));
    fromProbe(Array.from({ length: 65 }, (_, j) => close(`o${j}`, now)));
    expect(idle).toHaveLength(0);
    fromProbe([close('b', now)]);
    idle[0]!();
    await settle();
    expect(observations(port).map((o) => o.socketId)).toEqual(['b']);
  });

  it("routes the worker's commands to the probe at once, in order, by their shape alone", async () => {
    const { port, toProbe } = await start();
    port.deliver({ type: 'cmd', cmd: { type: 'token-failed', requestId: 'r1', reason: 'no' } });
    // Not a command's shape: dropped here.
    for (const junk of [
      null,
      'cmd',
      { type: 'cmd' },
      { type: 'cmd', cmd: 'token' },
      { type: 'cmd', cmd: { type: 1 } },
      { type: 'other' },
    ]) {
      port.deliver(junk);
    }
    // A command's shape with a field the probe will refuse: the probe checks it (extension/page/command-check.ts).
    port.deliver({ type: 'cmd', cmd: { type: 'token-failed', requestId: 'r2', reason: 'no', extra: 1 } });
    expect(toProbe).toEqual([
      { channel: 'softphone-guard', v: 1, dir: 'to-page', msg: { type: 'token-failed', requestId: 'r1', reason: 'no' } },
      { channel: 'softphone-guard', v: 1, dir: 'to-page', msg: { type: 'token-failed', requestId: 'r2', reason: 'no', extra: 1 } },
    ]);
    // Nothing was held for it.
    expect(idle).toHaveLength(0);
  });

  it('replaces hello.href with the document URL it reads, and forwards what the worker must judge', async () => {
    const { fromProbe, port } = await start();
    fromProbe([
      { type: 'hello', at: now, href: 'https://forged.test/', probeVersion: '1' },
      { ...close('x', now), extra: 1 },
    ]);
    idle[0]!();
    await settle();
    expect(observations(port)).toEqual([
      { type: 'hello', at: now, href: 'https://softphone.test/agent', probeVersion: '1' },
      { ...close('x', now), extra: 1 },
    ]);
  });

  it('sends the observations of one task as one obs-batch, numbered in order, Maps and Dates among them', async () => {
    const { fromProbe, port } = await start();
    fromProbe([tokenNeeded, { ...close('m', now), reason: new Map([[1, 2]]) }, { ...close('d', now), reason: new Date(0) }]);
    await settle();
    const batch = port.sent.find((m) => m.type === 'obs-batch');
    expect(batch && batch.type === 'obs-batch' && batch.items.map((i) => i.seq)).toEqual([1, 2, 3]);
  });

  it('routes acks with a positive safe-integer seq and commands with a string type, nothing else', async () => {
    const { routeWorkerMessage } = await import('../../../extension/relay/port-link');
    expect(routeWorkerMessage({ type: 'ack', seq: 3 })).toEqual({ type: 'ack', seq: 3 });
    for (const seq of [0, -1, 1.5, 'all', Number.MAX_SAFE_INTEGER + 2, null]) expect(routeWorkerMessage({ type: 'ack', seq })).toBeNull();
    const cmd = { type: 'reacquire-media' };
    expect(routeWorkerMessage({ type: 'cmd', cmd })).toEqual({ type: 'cmd', cmd });
    for (const raw of [undefined, 7, [], { type: 'cmd', cmd: null }, { type: 'cmd', cmd: [] }, { cmd }])
      expect(routeWorkerMessage(raw)).toBeNull();
  });
});
