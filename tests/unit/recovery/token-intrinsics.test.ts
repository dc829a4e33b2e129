/**
 * The token path uses only the built-ins src/recovery/intrinsics.ts captured when it was
 * loaded: built-ins replaced afterwards (as a page script would, after the probe's
 * document_start) never see the fresh token, and the substitution still works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenLedger } from '../../../src/recovery/token-substitution';
import {
  readRequestToken,
  replaceMessageToken,
  substituteMessage,
  substituteRequest,
  substituteUrl,
} from '../../../src/recovery/token-carriers';
import type { TokenCarrier } from '../../../src/recovery/token-carriers';
import { join, split, withAt } from '../../../src/recovery/intrinsics';

const FRESH = 'fresh-Tok+en/é';
const restores: (() => void)[] = [];
const seen: string[] = [];
const apply = Reflect.apply;
const indexOf = String.prototype.indexOf;
const isArray = Array.isArray;
let busy = 0;

/** True when `v` is, or is an array holding, a text with {@link FRESH} (read with the originals only). */
function holds(v: unknown): boolean {
  if (typeof v === 'string') return apply(indexOf, v, [FRESH]) >= 0;
  if (!isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (holds(v[i])) return true;
  return false;
}

/** Replaces `obj[key]` by a recorder that notes a this-value or argument holding {@link FRESH}, then delegates. */
function spy(obj: object, key: PropertyKey, name: string): void {
  const d = Object.getOwnPropertyDescriptor(obj, key)!;
  const original = d.value as (...a: unknown[]) => unknown;
  Object.defineProperty(obj, key, {
    ...d,
    value: function (this: unknown, ...args: unknown[]) {
      if (busy === 0) {
        busy += 1;
        try {
          if (holds(this) || holds(args)) seen[seen.length] = name;
        } finally {
          busy -= 1;
        }
      }
      return apply(original, this, args);
    },
  });
  restores[restores.length] = () => Object.defineProperty(obj, key, d);
}

function patchAll(): void {
  for (const k of ['slice', 'indexOf', 'split', 'replace', 'includes', 'startsWith', 'charCodeAt', 'codePointAt', Symbol.iterator] as const)
    spy(String.prototype, k, `String.${String(k)}`);
  for (const k of ['exec', 'test', Symbol.replace] as const) spy(RegExp.prototype, k, `RegExp.${String(k)}`);
  for (const k of ['push', 'join', 'map', 'slice', Symbol.iterator] as const) spy(Array.prototype, k, `Array.${String(k)}`);
  spy(globalThis, 'encodeURIComponent', 'encodeURIComponent');
  spy(globalThis, 'decodeURIComponent', 'decodeURIComponent');
  spy(Reflect, 'apply', 'Reflect.apply');
}

afterEach(() => {
  while (restores.length > 0) restores.pop()!();
  seen.length = 0;
});

describe('token path over captured built-ins', () => {
  const carriers: TokenCarrier[] = [
    { type: 'header', name: 'Authorization', scheme: 'Bearer' },
    { type: 'query', name: 'access_token' },
    { type: 'ws-message', pattern: '^40\\{"token":"((?:[^"\\\\]|\\\\.)+)"' },
    { type: 'ws-message', format: 'xmpp-sasl-plain', prefix: 'authKey:' },
  ];
  const ledger = createTokenLedger();
  ledger.markStale('stale-1');
  ledger.setFresh(FRESH);
  const sasl = (password: string): string =>
    `<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${Buffer.from(`\u0000me\u0000${password}`).toString('base64')}</auth>`;

  it('substitutes in headers, query, socket URL and frames without a replaced built-in seeing the fresh token', () => {
    const freshUrl = `https://a.test/?access_token=${encodeURIComponent(FRESH)}`;
    patchAll();
    const header = (n: string): string | null => (n === 'authorization' ? 'Bearer stale-1' : null);
    const rewrite = substituteRequest(carriers, header, 'https://a.test/x?b=1&access_token=stale-1#h', ledger);
    const url = substituteUrl(carriers, 'wss://a.test/ws?access_token=stale-1', ledger);
    const frame = substituteMessage(carriers, '40{"token":"stale-1"}', ledger);
    const saslFrame = substituteMessage(carriers, sasl('authKey:stale-1'), ledger);
    const again = replaceMessageToken(carriers, '40{"token":"stale-1"}', 'stale-1', FRESH);
    const read = readRequestToken(carriers, () => null, freshUrl);
    const readHeader = readRequestToken(carriers, () => `Bearer ${FRESH}`, '/');
    const recorded = [...seen];
    while (restores.length > 0) restores.pop()!();
    expect(recorded).toEqual([]);
    expect(rewrite).toEqual({
      headers: [['Authorization', `Bearer ${FRESH}`]],
      url: `https://a.test/x?b=1&access_token=${encodeURIComponent(FRESH)}#h`,
    });
    expect(url).toBe(`wss://a.test/ws?access_token=${encodeURIComponent(FRESH)}`);
    expect(frame).toBe(`40{"token":"${FRESH}"}`);
    expect(saslFrame).toBe(sasl(`authKey:${FRESH}`));
    expect(again).toBe(frame);
    expect(read).toBe(FRESH);
    expect(readHeader).toBe(FRESH);
  });

  it('the recorders work: the same calls through the replaced built-ins are noted', () => {
    patchAll();
    void FRESH.slice(1);
    void [FRESH].join('');
    void /x/.test(FRESH);
    const recorded = [...seen];
    while (restores.length > 0) restores.pop()!();
    expect(recorded).toEqual(expect.arrayContaining(['String.slice', 'Array.join', 'RegExp.exec']));
  });
});

describe('intrinsics helpers', () => {
  it('split and join agree with the methods', () => {
    for (const [s, sep] of [
      ['a&b&&c', '&'],
      ['', '&'],
      ['abc', '&'],
      ['&a&', '&'],
      ['a\u0000b\u0000c', '\u0000'],
      ['x++y', '+'],
    ] as const) {
      expect(split(s, sep)).toEqual(s.split(sep));
      expect(join(s.split(sep), sep)).toBe(s);
    }
  });

  it('withAt copies and sets one entry', () => {
    const a = [1, 2, 3];
    expect(withAt(a, 1, 'x')).toEqual([1, 'x', 3]);
    expect(withAt([1], 1, 'x')).toEqual([1, 'x']);
    expect(a).toEqual([1, 2, 3]);
  });
});
