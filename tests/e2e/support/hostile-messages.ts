/**
 * Hostile messages for the relay boundary, generated with fast-check in Node and carried into
 * the page as JSON text. The page decodes them (fixtures/hostile/poster.js) with `JSON.parse`,
 * so `__proto__` keys arrive as own properties, as a hostile script would write them; values
 * JSON cannot carry are tagged and rebuilt in the page: `{"$u":0}` undefined, `{"$n":"NaN"}`
 * (also `Infinity`, `-Infinity`, `-0`), `{"$big":"12"}` BigInt, `{"$np":{…}}` an object
 * without prototype, `{"$huge":n}` a string of n characters, `{"$deep":n}` arrays nested n deep.
 *
 * Every message is an envelope `{channel, v, dir, msg}` (src/protocol/page.ts), most of them
 * with the right tag and direction so their `msg` reaches the relay's gate (src/protocol/admit.ts:
 * type, rate, size, times) and, when it passes, the worker's schema check (src/protocol/port.ts
 * `readRelayMessage`); some with a wrong version, direction or extra keys.
 */
import fc from 'fast-check';
import { PageObservationSchema } from '../../../src/protocol/page';

/** One valid observation of every type the relay admits (src/protocol/page.ts). */
export const VALID_OBSERVATIONS: Record<string, Record<string, unknown>> = {
  hello: { type: 'hello', at: 1, href: 'http://127.0.0.1/', probeVersion: '0.1.0' },
  identity: { type: 'identity', at: 1, userId: 'u1', name: 'N', orgId: 'o1' },
  'ws-open': { type: 'ws-open', at: 1, socketId: 's1', url: 'ws://127.0.0.1/ws', protocol: '' },
  'ws-close': { type: 'ws-close', at: 1, socketId: 's1', url: 'ws://127.0.0.1/ws', code: 1006, reason: '', wasClean: false },
  'ws-activity': { type: 'ws-activity', at: 1, socketId: 's1', messagesIn: 3, lastMessageAt: 1 },
  http: {
    type: 'http',
    at: 1,
    requestId: 'r1',
    transport: 'fetch',
    method: 'GET',
    url: 'http://127.0.0.1/x',
    status: 500,
    durationMs: 3,
    protected: false,
  },
  'http-retry': {
    type: 'http-retry',
    at: 1,
    requestId: 'r1',
    transport: 'xhr',
    method: 'GET',
    url: 'http://127.0.0.1/x',
    reason: 'backoff',
    status: 200,
    outcome: 'recovered',
    durationMs: 2,
  },
  'token-needed': { type: 'token-needed', at: 1, requestId: 'r1', url: 'http://127.0.0.1/api/v2/x', tokenHash: '0123456789abcdef' },
  'pc-state': { type: 'pc-state', at: 1, pcId: 'p1', iceConnectionState: 'new', connectionState: 'new', signalingState: 'stable' },
  'pc-stats': {
    type: 'pc-stats',
    at: 1,
    pcId: 'p1',
    rttMs: 20,
    jitterMs: 1,
    packetLossPct: 0,
    mos: 4.3,
    inboundAudioBytes: 10,
    outboundAudioBytes: 10,
  },
  'media-permission': { type: 'media-permission', at: 1, state: 'granted' },
  gum: { type: 'gum', at: 1, ok: true, audio: true, video: false },
  'track-ended': { type: 'track-ended', at: 1, kind: 'audio' },
  'media-reacquired': { type: 'media-reacquired', at: 1, ok: true, audioInputs: 1 },
  'org-switch': { type: 'org-switch', at: 1, fromOrgId: 'a', toOrgId: 'b', closedSockets: 0, closedPeerConnections: 0 },
};

for (const [type, obs] of Object.entries(VALID_OBSERVATIONS)) {
  if (!PageObservationSchema.safeParse(obs).success) throw new Error(`the ${type} example does not parse`);
}

type Tagged = unknown;

/** Tags what JSON cannot carry (see the module comment). */
function tag(v: unknown): Tagged {
  if (v === undefined) return { $u: 0 };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $n: 'NaN' };
    if (v === Infinity) return { $n: 'Infinity' };
    if (v === -Infinity) return { $n: '-Infinity' };
    if (Object.is(v, -0)) return { $n: '-0' };
    return v;
  }
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (Array.isArray(v)) return Array.from(v, tag);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v))
      Object.defineProperty(out, key, {
        value: tag((v as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return Object.getPrototypeOf(v) === null ? { $np: out } : out;
  }
  return v;
}

const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '$u', 'type', 'at');
const fieldNames = [...new Set(Object.values(VALID_OBSERVATIONS).flatMap((o) => Object.keys(o)))];

/** Values that look right but are out of range, of the wrong type, or huge. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, 0, 1.5, 5000, 600, 1e308, Number.MAX_SAFE_INTEGER + 2, -0, NaN, Infinity, -Infinity, '', '1', true, null, [], {}),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    ...Object.values(VALID_OBSERVATIONS).map((o) => o.type as string),
    'navigate',
    'set-storage',
    'config',
    'token',
    'close-stalled-socket',
  ),
  fc.integer({ min: 1, max: 3 }).map((k) => ({ $huge: [300, 9000, 2_000_000][k - 1] })),
  fc.integer({ min: 1, max: 3 }).map((k) => ({ $deep: [50, 2000, 100_000][k - 1] })),
  fc.bigInt({ min: -10n, max: 10n }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2, withNullPrototype: true }),
);

/** A valid observation with one field replaced, removed or added. */
const mutated: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...Object.values(VALID_OBSERVATIONS)),
    fc.oneof(hostileKeys, fc.constantFrom(...fieldNames), fc.string({ maxLength: 12 })),
    badValue,
    fc.constantFrom('set', 'delete', 'set'),
  )
  .map(([base, key, value, op]) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(base)) if (!(op === 'delete' && k === key)) out[k] = base[k];
    if (op === 'set') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    return out;
  });

/** Anything at all as `msg`. */
const msgArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: mutated },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true }) },
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(hostileKeys, fc.string()), badValue, { maxKeys: 6 }) },
  { weight: 1, arbitrary: badValue },
);

const envelopeArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: msgArb.map((msg) => ({ channel: 'softphone-guard', v: 1, dir: 'to-ext', msg })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom<unknown>(0, 2, '1', null, 1.0000001), fc.constantFrom('to-ext', 'to-page', 'up', ''), msgArb)
      .map(([v, dir, msg]) => ({ channel: 'softphone-guard', v, dir, msg })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(hostileKeys, badValue, fc.constantFrom(...Object.values(VALID_OBSERVATIONS))).map(([key, value, msg]) => {
      const env: Record<string, unknown> = { channel: 'softphone-guard', v: 1, dir: 'to-ext', msg };
      Object.defineProperty(env, key, { value, enumerable: true, writable: true, configurable: true });
      return env;
    }),
  },
);

/**
 * `count` hostile envelopes as JSON text (tagged, see the module comment), reproducible from
 * `seed`.
 */
export function hostileEnvelopes(count: number, seed: number): string[] {
  return fc.sample(envelopeArb, { numRuns: count, seed }).map((env) => JSON.stringify(tag(env)));
}
