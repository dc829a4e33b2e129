/**
 * The probe's hand check of commands (extension/page/command-check.ts) against the contract's
 * zod schema (`PageCommandSchema`, src/protocol/page.ts) as the oracle: for any value, the hand
 * check accepts exactly what the schema accepts, and returns the same command.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../extension/page/command-check';
import { DEFAULT_PROBE_CONFIG } from '../../../extension/page/default-config';
import { PageCommandSchema } from '../../../src/protocol/page';

const s = (n: number): string => 'x'.repeat(n);

/** One valid command of every type, with every optional field present. */
const VALID: Record<string, unknown>[] = [
  {
    ...DEFAULT_PROBE_CONFIG,
    retry: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 2, statuses: [408, 429, 503] },
    tokenAudience: ['*.example.com'],
    tokenCarriers: [
      { type: 'header', name: 'Authorization', scheme: 'Bearer' },
      { type: 'query', name: 'access_token' },
      { type: 'ws-message', pattern: '"token":"([^"]+)"' },
      { type: 'ws-message', format: 'xmpp-sasl-plain', prefix: 'authKey' },
    ],
  },
  { ...DEFAULT_PROBE_CONFIG },
  { type: 'token', requestId: 'f-1', accessToken: 'fresh', expiresAt: 1 },
  { type: 'token', accessToken: 'fresh' },
  { type: 'token', accessToken: 'fresh', replaces: 'refused' },
  { type: 'token-failed', requestId: 'f-1', reason: 'refresh failed' },
  { type: 'reacquire-media' },
  { type: 'close-stalled-socket', socketId: 'w-1', silentSeconds: 30 },
];

/** Values at and past every bound of the schema, of every wrong type. */
const EDGES: unknown[] = [
  undefined,
  null,
  true,
  false,
  -1,
  -0,
  0,
  0.5,
  10,
  11,
  99,
  100,
  249,
  250,
  599,
  600,
  60_000,
  60_001,
  86_400,
  86_401,
  120_000,
  120_001,
  2 ** 53,
  1e308,
  NaN,
  Infinity,
  -Infinity,
  '',
  'x',
  s(64),
  s(65),
  s(256),
  s(257),
  s(1024),
  s(1025),
  s(2048),
  s(2049),
  s(8192),
  s(8193),
  'header',
  'query',
  'ws-message',
  'xmpp-sasl-plain',
  'config',
  'token',
  [],
  {},
  Object.create(null) as unknown,
  [1, 2],
  ['a'],
  [408],
  Array.from({ length: 16 }, () => ({ type: 'query', name: 'q' })),
  Array.from({ length: 17 }, () => ({ type: 'query', name: 'q' })),
  Array.from({ length: 32 }, () => 500),
  Array.from({ length: 33 }, () => 500),
  Array.from({ length: 64 }, () => 'a'),
  Array.from({ length: 65 }, () => 'a'),
  { id: 'a', name: 'b', org: 'c' },
  { id: 'a', name: 'b' },
  { type: 'header', name: 'A' },
  { type: 'header', name: 'A', pattern: 'p' },
  { type: 'ws-message', pattern: 'p', prefix: 'x' },
  { type: 'ws-message', format: 'other', prefix: 'x' },
  { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3, statuses: [] },
];

const edgeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...EDGES),
  fc.string({ maxLength: 8 }),
  fc.double(),
  fc.integer({ min: -5, max: 130_000 }),
  fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true }),
);

const anyKey = fc.oneof(
  fc.constantFrom(...new Set(VALID.flatMap((c) => Object.keys(c)))),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'extra', 'id', 'name', 'org', 'scheme', 'pattern', 'format', 'prefix'),
  fc.string({ maxLength: 6 }),
);

/** Sets `key` of the object at `path` in a copy of `base` (own property, `__proto__` included). */
function mutate(base: unknown, path: number[], key: string, value: unknown, remove: boolean): unknown {
  const copy = structuredClone(base) as unknown;
  let target: unknown = copy;
  for (const step of path) {
    if (typeof target !== 'object' || target === null) break;
    const values = Object.values(target).filter((v) => typeof v === 'object' && v !== null);
    if (values.length === 0) break;
    target = values[step % values.length];
  }
  if (typeof target !== 'object' || target === null) return copy;
  // An array's `length` (and any non-configurable own property) cannot be redefined: left as it is.
  if (Object.getOwnPropertyDescriptor(target, key)?.configurable === false) return copy;
  if (remove) Reflect.deleteProperty(target, key);
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const nearlyValid: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(fc.nat(8), { maxLength: 3 }),
    anyKey,
    edgeValue,
    fc.boolean(),
    fc.array(fc.tuple(fc.array(fc.nat(8), { maxLength: 3 }), anyKey, edgeValue, fc.boolean()), { maxLength: 2 }),
  )
  .map(([base, path, key, value, remove, more]) => {
    let out = mutate(base, path, key, value, remove);
    for (const [p, k, v, r] of more) out = mutate(out, p, k, v, r);
    return out;
  });

/** Stands for "the field removed" among the edge values. */
const REMOVE = Symbol('remove');

/** The oracle's verdict and value. */
function oracle(msg: unknown): unknown {
  const parsed = PageCommandSchema.safeParse(msg);
  return parsed.success ? parsed.data : null;
}

describe('checkCommand', () => {
  it('accepts every valid command, with the same value as the schema', () => {
    for (const cmd of VALID) {
      expect(checkCommand(cmd)).toEqual(oracle(cmd));
      expect(checkCommand(cmd)).not.toBeNull();
    }
  });

  it('returns a copy that owns its fields', () => {
    const cmd = { type: 'token', accessToken: 'fresh' };
    const checked = checkCommand(cmd);
    expect(checked).not.toBe(cmd);
    expect(Object.hasOwn(checked ?? {}, 'requestId')).toBe(true);
    expect(Object.hasOwn(checked ?? {}, 'expiresAt')).toBe(true);
  });

  it('ignores inherited fields: only own properties count', () => {
    const proto = { requestId: 'forged', expiresAt: 5 };
    const cmd = Object.assign(Object.create(proto) as object, { type: 'token', accessToken: 'fresh' });
    expect(checkCommand(cmd)).toEqual({ type: 'token', accessToken: 'fresh', requestId: undefined, expiresAt: undefined });
  });

  it('rejects an own __proto__ key, as the strict schema does', () => {
    const cmd = JSON.parse('{"type":"reacquire-media","__proto__":{"x":1}}') as unknown;
    expect(oracle(cmd)).toBeNull();
    expect(checkCommand(cmd)).toBeNull();
  });

  it('agrees with the schema on every single change: each field of each object, set to each edge value or removed', () => {
    const nodes = (v: unknown, path: (string | number)[] = []): (string | number)[][] => {
      if (typeof v !== 'object' || v === null) return [];
      return [path, ...Object.entries(v).flatMap(([k, child]) => nodes(child, [...path, Array.isArray(v) ? Number(k) : k]))];
    };
    let cases = 0;
    for (const base of VALID) {
      for (const path of nodes(base)) {
        let target: unknown = base;
        for (const step of path) target = (target as Record<string | number, unknown>)[step];
        const keys = [
          ...new Set([
            ...Object.keys(target as object),
            'type',
            'extra',
            'scheme',
            'pattern',
            'format',
            'prefix',
            'requestId',
            'expiresAt',
          ]),
        ];
        for (const key of keys) {
          for (const value of [...EDGES, REMOVE]) {
            const msg = structuredClone(base) as unknown;
            let node = msg as Record<string | number, unknown>;
            for (const step of path) node = node[step] as Record<string | number, unknown>;
            if (value === REMOVE) Reflect.deleteProperty(node, key);
            else node[key] = value;
            const expected = oracle(msg);
            const actual = checkCommand(msg);
            expect(actual === null, JSON.stringify(msg).slice(0, 200)).toBe(expected === null);
            if (expected !== null) expect(actual).toEqual(expected);
            cases += 1;
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(5000);
  }, 60_000);

  it('agrees with the schema on near-valid commands (one to three fields changed, removed or added)', () => {
    fc.assert(
      fc.property(nearlyValid, (msg) => {
        const expected = oracle(msg);
        const actual = checkCommand(msg);
        expect(actual === null).toBe(expected === null);
        if (expected !== null) expect(actual).toEqual(expected);
      }),
      { numRuns: 8_000 },
    );
  }, 60_000);

  it('agrees with the schema on anything at all', () => {
    fc.assert(
      fc.property(fc.oneof(edgeValue, fc.anything({ maxDepth: 3, withNullPrototype: true })), (msg) => {
        expect(checkCommand(msg) === null).toBe(oracle(msg) === null);
      }),
      { numRuns: 5_000 },
    );
  }, 60_000);
});
