/**
 * Property tests: secrets planted anywhere in arbitrary nested data never survive
 * redactValue, whatever surrounds them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactString, redactValue } from '../../../src/redact/redact';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64url = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...B64URL), minLength: min, maxLength: max });

/** An opaque bearer token: long enough never to occur by chance in the surrounding noise. */
const opaqueToken = b64url(24, 64);
const jwt = fc.tuple(b64url(8, 40), b64url(8, 80), b64url(8, 60)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`);
const ipv4 = fc
  .tuple(
    fc.integer({ min: 10, max: 254 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 1, max: 254 }),
  )
  .map((o) => o.join('.'));
const ipv6 = fc
  .array(fc.integer({ min: 0x1000, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((n) => n.toString(16)).join(':'));

const noise = fc.string({ maxLength: 20 });
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'access_token',
  'refreshToken',
  'id_token',
  'password',
  'client_secret',
  'cookie',
  'Set-Cookie',
  'x-api-key',
  'X-Amz-Security-Token',
  'token',
  'apiKey',
  'sessionId',
];

interface Planted {
  value: unknown;
  secrets: string[];
}

/** One secret in one of the shapes it takes in the wild, inside random text. */
const planted: fc.Arbitrary<Planted> = fc.oneof(
  fc.tuple(fc.constantFrom(...SECRET_KEYS), opaqueToken).map(([k, t]) => ({ value: { [k]: t }, secrets: [t] })),
  fc.tuple(noise, opaqueToken, noise).map(([a, t, b]) => ({ value: `${a}Bearer ${t} ${b}`, secrets: [t] })),
  fc.tuple(noise, opaqueToken, noise).map(([a, t, b]) => ({ value: { Authorization: `Bearer ${t}`, note: a + b }, secrets: [t] })),
  fc.tuple(noise, jwt, noise).map(([a, j, b]) => ({ value: `${a}${j}${b}`, secrets: [j] })),
  fc
    .tuple(fc.constantFrom('access_token', 'refresh_token', 'id_token', 'code', 'token', 'client_secret', 'password'), opaqueToken, noise)
    .map(([k, t, b]) => ({ value: `see https://h.example.com/p?a=1&${k}=${t}&b=2 ${b}`, secrets: [t] })),
  fc.tuple(noise, opaqueToken, noise).map(([a, t, b]) => ({ value: `${a}\nCookie: sid=${t}; x=1\n${b}`, secrets: [t] })),
  fc.tuple(noise, opaqueToken, noise).map(([a, t, b]) => ({ value: `${a} {"refresh_token":"${t}","n":1} ${b}`, secrets: [t] })),
  fc.tuple(noise, opaqueToken).map(([a, t]) => ({ value: [a, ['Cookie', `sid=${t}`]], secrets: [t] })),
  fc.tuple(ipv4, ipv4, noise).map(([ip, rip, b]) => ({
    value: `candidate:842163049 1 udp 1677729535 ${ip} 54321 typ srflx raddr ${rip} rport 9 ${b}`,
    secrets: [`${ip} `, `${rip} `],
  })),
  fc.tuple(ipv6).map(([ip]) => ({ value: { candidate: `candidate:1 1 udp 2122262783 ${ip} 50000 typ host` }, secrets: [ip] })),
  fc.tuple(jwt, opaqueToken).map(([j, t]) => ({ value: new Error(`refresh failed for ${j} Bearer ${t}`), secrets: [j, t] })),
);

/** Random JSON-ish trees with planted secrets among the leaves. */
const { tree } = fc.letrec<{ tree: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    { weight: 3, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)) },
    { weight: 2, arbitrary: planted },
  ),
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('tree'), { maxKeys: 4 }),
  ),
}));

/** Unwraps the Planted markers into the data and collects their secrets. */
function materialize(node: unknown, secrets: string[]): unknown {
  if (node && typeof node === 'object' && 'secrets' in node && 'value' in node) {
    const p = node as Planted;
    secrets.push(...p.secrets);
    return p.value;
  }
  if (Array.isArray(node)) return node.map((n) => materialize(n, secrets));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      Object.defineProperty(out, k, { value: materialize(v, secrets), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return node;
}

describe('redactValue properties', () => {
  it('planted secrets never survive, at any nesting', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const secrets: string[] = [];
        const data = materialize(t, secrets);
        const out = JSON.stringify(redactValue(data)) ?? '';
        for (const s of secrets) expect(out).not.toContain(s);
      }),
      { numRuns: 500 },
    );
  });

  it('a planted secret at the bottom of a deep chain does not survive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), planted, (depth, p) => {
        let data: unknown = p.value;
        for (let i = 0; i < depth; i += 1) data = i % 2 ? [data] : { k: data };
        const out = JSON.stringify(redactValue(data));
        for (const s of p.secrets) expect(out).not.toContain(s);
      }),
    );
  });

  it('never throws and always returns JSON-serializable data', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBoxedValues: true,
          withObjectString: true,
        }),
        (v) => {
          expect(() => JSON.stringify(redactValue(v))).not.toThrow();
        },
      ),
    );
  });

  it('does not change data that holds nothing secret', () => {
    const safeString = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 /-'), maxLength: 30 });
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).match(/[A-Za-z]/)),
        (v) => {
          expect(redactValue(v)).toEqual(v);
        },
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('url', 'summary', 'state', 'count'), safeString), (v) => {
        expect(redactValue(v)).toEqual(v);
      }),
    );
  });
});

describe('redactString properties', () => {
  /** Strings built from fragments that trigger the rules, to stress their interplay. */
  const tricky = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'Bearer ',
          'Basic ',
          'token',
          '=',
          ':',
          '"',
          "'",
          '\\',
          'eyJ',
          '.',
          'access_token=',
          '?',
          '&',
          '#',
          'candidate:',
          ' 10.0.0.1 ',
          '::',
          'fe80',
          'Cookie: ',
          '\n',
          'https://',
          'u:p@',
          'password',
          ' ',
          REDACTED,
          '%3D',
          '%26',
          'IN IP4 ',
        ),
        b64url(1, 6),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join(''));

  it('is idempotent on a marker followed by colons inside a candidate (found by fast-check, seed 1184907430)', () => {
    const once = redactString('candidate:Bearer QA::');
    expect(redactString(once)).toBe(once);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string()), (s) => {
        const once = redactString(s);
        expect(redactString(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('only ever removes: what is left appears in order in the input', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string()), (s) => {
        const kept = redactString(s).split(REDACTED);
        let at = 0;
        for (const part of kept) {
          const found = s.indexOf(part, at);
          expect(found).toBeGreaterThanOrEqual(0);
          at = found + part.length;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
