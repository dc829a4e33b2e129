/**
 * The relay's core (extension/relay/relay.ts) in Node, with the few browser globals it uses
 * standing in: `chrome.runtime.connect` (a port that records what the relay sends and lets the
 * test speak for the worker), `requestIdleCallback` (run when the test says the page is idle),
 * `window.location` and the clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAGE_RATE_BURST } from '../../../src/protocol/admit';
import type { RelayToWorker } from '../../../src/protocol/port';

interface FakePort {
  sent: RelayToWorker[];
  deliver(raw: unknown): void;
}

let ports: FakePort[];
let idle: (() => void)[];
let now: number;

/** Lets the relay's pending work run (its `import()` of the parsers included). */
const settle = async (): Promise<void> => {
  await import('../../../extension/relay/relay-parse');
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
          postMessage: (m: RelayToWorker) => port.sent.push(structuredClone(m)),
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
    expect(observations(port).map((o) => (o as { socketId: string }).socketId)).toEqual(['a', 'b', 'c']);
    // Once parsing began, later batches go through at once.
    fromProbe([close('d', now)]);
    await settle();
    expect(observations(port).map((o) => (o as { socketId: string }).socketId)).toEqual(['a', 'b', 'c', 'd']);
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
    fromProbe([
      { type: 'not-an-observation', at: arrived },
      { ...close('x', arrived), extra: 1 },
    ]);
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
    expect(observations(port).map((o) => (o as { socketId: string }).socketId)).toEqual(['b']);
  });

  it("parses the worker's messages before the probe sees them, in order, dropping invalid ones", async () => {
    const { port, toProbe } = await start();
    port.deliver({ type: 'cmd', cmd: { type: 'token-failed', requestId: 'r1', reason: 'no' } });
    port.deliver({ type: 'cmd', cmd: { type: 'token-failed', requestId: 'r2', reason: 'no', extra: 1 } });
    port.deliver({ type: 'cmd', cmd: { type: 'token-failed', requestId: 'r3', reason: 'no' } });
    await settle();
    expect(toProbe).toEqual([
      { channel: 'softphone-guard', v: 1, dir: 'to-page', msg: { type: 'token-failed', requestId: 'r1', reason: 'no' } },
      { channel: 'softphone-guard', v: 1, dir: 'to-page', msg: { type: 'token-failed', requestId: 'r3', reason: 'no' } },
    ]);
    // No page observation was parsed for it: none were held.
    expect(idle).toHaveLength(0);
  });
});
