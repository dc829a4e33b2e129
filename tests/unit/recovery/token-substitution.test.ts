import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTokenLedger } from '../../../src/recovery/token-substitution';
import type { TokenLedger } from '../../../src/recovery/token-substitution';
import { readHeaderToken, readQueryToken, substituteHeaderToken, substituteQueryToken } from '../../../src/recovery/token-carriers';
import type { HeaderCarrier } from '../../../src/recovery/token-carriers';

// The default carriers (RFC 6750 §2.1 and §2.3), as the probe reads them.
const BEARER: HeaderCarrier = { type: 'header', name: 'Authorization', scheme: 'Bearer' };
const parseBearer = (v: string) => readHeaderToken(BEARER, v);
const substituteBearer = (v: string, l: TokenLedger) => substituteHeaderToken(BEARER, v, l);
const readAccessToken = (url: string) => readQueryToken(url, 'access_token');
const substituteAccessToken = (url: string, l: TokenLedger) => substituteQueryToken(url, 'access_token', l);

function ledgerWith(stale: string[], fresh: string | null) {
  const l = createTokenLedger();
  for (const t of stale) l.markStale(t);
  if (fresh !== null) l.setFresh(fresh);
  return l;
}

describe('token ledger', () => {
  it('forgets every token on clear (another identity signs in)', () => {
    const l = ledgerWith(['old-a', 'older-a'], 'fresh-a');
    expect(l.replacementFor('old-a')).toBe('fresh-a');
    l.clear();
    expect(l.fresh).toBeNull();
    expect(l.active).toBe(false);
    expect(l.isStale('old-a')).toBe(false);
    expect(l.replacementFor('old-a')).toBeNull();
    l.markStale('b-1');
    l.setFresh('b-2');
    expect(l.replacementFor('b-1')).toBe('b-2');
    expect(l.replacementFor('old-a')).toBeNull();
  });

  it('replaces only stale tokens, and only once a fresh one is known', () => {
    const l = createTokenLedger();
    l.markStale('old');
    expect(l.active).toBe(false);
    expect(l.replacementFor('old')).toBeNull();
    l.setFresh('new');
    expect(l.active).toBe(true);
    expect(l.replacementFor('old')).toBe('new');
    expect(l.replacementFor('other')).toBeNull();
    expect(l.replacementFor('new')).toBeNull();
  });

  it('un-stales a token that comes back as the fresh one and replaces older ones by the latest', () => {
    const l = ledgerWith(['a'], 'b');
    l.markStale('b');
    l.setFresh('c');
    expect(l.replacementFor('a')).toBe('c');
    expect(l.replacementFor('b')).toBe('c');
    l.setFresh('a');
    expect(l.isStale('a')).toBe(false);
    expect(l.replacementFor('b')).toBe('a');
  });

  it('forgets the oldest stale token beyond its capacity', () => {
    const l = createTokenLedger(2);
    l.markStale('t1');
    l.markStale('t2');
    l.markStale('t3');
    expect([l.isStale('t1'), l.isStale('t2'), l.isStale('t3')]).toEqual([false, true, true]);
    l.markStale('');
    expect(l.isStale('')).toBe(false);
  });
});

describe('Authorization: Bearer (RFC 6750 §2.1)', () => {
  it('parses the scheme case-insensitively', () => {
    expect(parseBearer('Bearer abc.def-ghi_~+/==')).toBe('abc.def-ghi_~+/==');
    expect(parseBearer('bearer  xyz ')).toBe('xyz');
    expect(parseBearer('Basic dXNlcjpwYXNz')).toBeNull();
    expect(parseBearer('Bearer')).toBeNull();
    expect(parseBearer('Bearer a b')).toBeNull();
  });

  it('substitutes a stale token, keeping the spelling of the scheme', () => {
    const l = ledgerWith(['old'], 'new');
    expect(substituteBearer('Bearer old', l)).toBe('Bearer new');
    expect(substituteBearer('BEARER old', l)).toBe('BEARER new');
    expect(substituteBearer('Bearer other', l)).toBeNull();
    expect(substituteBearer('Basic old', l)).toBeNull();
    expect(substituteBearer('Bearer old', ledgerWith(['old'], null))).toBeNull();
  });
});

describe('access_token query parameter (RFC 6750 §2.3)', () => {
  it('reads the decoded value', () => {
    expect(readAccessToken('wss://h/ws?x=1&access_token=a%2Bb&y=2')).toBe('a+b');
    expect(readAccessToken('https://h/p?access_token=a+b')).toBe('a b');
    expect(readAccessToken('https://h/p#access_token=frag')).toBeNull();
    expect(readAccessToken('https://h/p?my_access_token=x')).toBeNull();
    expect(readAccessToken('https://h/p?access_token=')).toBeNull();
    expect(readAccessToken('https://h/p?access_token=%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('replaces stale values only and keeps the rest byte for byte', () => {
    const l = ledgerWith(['old+/='], 'fr+sh');
    const url = 'wss://h/ws/v2?a=%20x&access_token=old%2B%2F%3D&b=c#frag?access_token=old';
    expect(substituteAccessToken(url, l)).toBe('wss://h/ws/v2?a=%20x&access_token=fr%2Bsh&b=c#frag?access_token=old');
    expect(substituteAccessToken('wss://h/ws?access_token=other', l)).toBeNull();
    expect(substituteAccessToken('wss://h/ws', l)).toBeNull();
  });

  it('round-trips: a substituted URL reads back as the fresh token', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (stale, fresh) => {
        fc.pre(stale !== fresh);
        const l = ledgerWith([stale], fresh);
        const url = `https://h/p?q=1&access_token=${encodeURIComponent(stale)}#f`;
        const out = substituteAccessToken(url, l);
        return out !== null && readAccessToken(out) === fresh && out.startsWith('https://h/p?q=1&') && out.endsWith('#f');
      }),
    );
  });
});
