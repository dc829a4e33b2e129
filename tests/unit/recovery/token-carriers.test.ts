import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTokenLedger } from '../../../src/recovery/token-substitution';
import {
  DEFAULT_TOKEN_CARRIERS,
  closeNamesAuthRefusal,
  createFrameAssembler,
  escapeJsonString,
  isSaslFailure,
  namesAuthRefusal,
  readMessageToken,
  readRequestToken,
  readUrlToken,
  replaceMessageToken,
  substituteMessage,
  substituteRequest,
  substituteUrl,
  unescapeJsonString,
} from '../../../src/recovery/token-carriers';
import type { TokenCarrier } from '../../../src/recovery/token-carriers';

function ledgerWith(stale: string[], fresh: string | null) {
  const l = createTokenLedger();
  for (const t of stale) l.markStale(t);
  if (fresh !== null) l.setFresh(fresh);
  return l;
}

const headers =
  (h: Record<string, string>) =>
  (name: string): string | null =>
    Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1] ?? null;

/** SASL PLAIN `<auth>` as a client writes it (RFC 6120 §6.4.2, RFC 4616 §2). */
function saslAuth(password: string, authcid = 'agent@example'): string {
  const b64 = Buffer.from(`\u0000${authcid}\u0000${password}`, 'utf8').toString('base64');
  return `<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${b64}</auth>`;
}

function saslPassword(frame: string): string {
  const b64 = /<auth[^>]*>([^<]*)<\/auth>/.exec(frame)?.[1] ?? '';
  return Buffer.from(b64, 'base64').toString('utf8').split('\u0000')[2] ?? '';
}

const AMZ: TokenCarrier[] = [{ type: 'header', name: 'X-Amz-Bearer' }];
const SASL: TokenCarrier[] = [{ type: 'ws-message', format: 'xmpp-sasl-plain', prefix: 'authKey:' }];
/** Twilio's `listen` (lib/twilio/pstream.ts `_publish('listen', { token, … })`). */
const LISTEN: TokenCarrier[] = [{ type: 'ws-message', pattern: '"type":"listen".*?"token":"([^"]+)"' }];
/** socket.io's CONNECT packet with an `auth` payload (socket.io-protocol v5 §packet encoding). */
const SOCKET_IO: TokenCarrier[] = [{ type: 'ws-message', pattern: '^40(?:/[^,]*,)?\\{"token":"((?:[^"\\\\]|\\\\.)+)"' }];

describe('header carriers', () => {
  it('reads a scheme-less custom header whole and the Bearer scheme case-insensitively', () => {
    expect(readRequestToken(AMZ, headers({ 'x-amz-bearer': ' tok-1 ' }), 'https://h/api')).toBe('tok-1');
    expect(readRequestToken(AMZ, headers({ 'x-amz-bearer': 'two words' }), 'https://h/api')).toBeNull();
    expect(readRequestToken(DEFAULT_TOKEN_CARRIERS, headers({ Authorization: 'bEaReR abc' }), 'https://h/api')).toBe('abc');
    expect(readRequestToken(DEFAULT_TOKEN_CARRIERS, headers({ Authorization: 'Basic abc' }), 'https://h/api')).toBeNull();
  });

  it('replaces a stale token in every header carrier and the query, keeping the spelling', () => {
    const carriers: TokenCarrier[] = [...DEFAULT_TOKEN_CARRIERS, ...AMZ, { type: 'header', name: 'X-Twilio-Token' }];
    const l = ledgerWith(['old'], 'new');
    const rw = substituteRequest(
      carriers,
      headers({ authorization: 'BEARER old', 'X-Amz-Bearer': 'old', 'x-twilio-token': 'other' }),
      'https://h/p?access_token=old&x=1',
      l,
    );
    expect(rw).toEqual({
      headers: [
        ['Authorization', 'BEARER new'],
        ['X-Amz-Bearer', 'new'],
      ],
      url: 'https://h/p?access_token=new&x=1',
    });
    expect(substituteRequest(carriers, headers({ 'x-amz-bearer': 'other' }), 'https://h/p', l)).toBeNull();
    expect(substituteRequest(carriers, headers({ 'x-amz-bearer': 'old' }), 'https://h/p', ledgerWith(['old'], null))).toBeNull();
  });

  it('reads and replaces a custom query parameter', () => {
    const q: TokenCarrier[] = [{ type: 'query', name: 'authKey' }];
    expect(readUrlToken(q, 'wss://h/s?authKey=a%2Bb')).toBe('a+b');
    expect(substituteUrl(q, 'wss://h/s?authKey=old#f', ledgerWith(['old'], 'n/w'))).toBe('wss://h/s?authKey=n%2Fw#f');
  });
});

describe('ws-message carriers: patterns', () => {
  const listen = (token: string) => `{"type":"listen","version":"1.6","payload":{"token":"${token}","browserinfo":{}}}`;

  it('reads the one capture group and replaces only it', () => {
    expect(readMessageToken(LISTEN, listen('eyJ.a.b'))).toBe('eyJ.a.b');
    const out = substituteMessage(LISTEN, listen('old'), ledgerWith(['old'], 'fresh'));
    expect(out).toBe(listen('fresh'));
    expect(substituteMessage(LISTEN, listen('other'), ledgerWith(['old'], 'fresh'))).toBeNull();
    expect(readMessageToken(LISTEN, '{"type":"register","payload":{}}')).toBeNull();
  });

  it('unescapes a JSON-escaped token and writes the fresh one escaped the same way', () => {
    const frame = '40{"token":"a\\/b\\u002ec"}';
    expect(readMessageToken(SOCKET_IO, frame)).toBe('a/b.c');
    const out = substituteMessage(SOCKET_IO, frame, ledgerWith(['a/b.c'], 'x/"y'));
    expect(out).toBe('40{"token":"x\\/\\"y"}');
    expect(JSON.parse((out as string).slice(2))).toEqual({ token: 'x/"y' });
  });

  it('escapes a fresh token a JSON string cannot carry as it is, even when the old one needed nothing', () => {
    const out = substituteMessage(SOCKET_IO, '40{"token":"old"}', ledgerWith(['old'], 'q"\\'));
    expect(JSON.parse((out as string).slice(2))).toEqual({ token: 'q"\\' });
  });

  it('round-trips any token through JSON escaping', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.boolean(), (t, slashes) => {
        const esc = escapeJsonString(t, slashes);
        return unescapeJsonString(esc) === t && JSON.parse(`"${esc}"`) === t;
      }),
    );
  });

  it('leaves frames longer than the scan limit alone', () => {
    expect(readMessageToken(LISTEN, listen('t') + ' '.repeat(70 * 1024))).toBeNull();
  });
});

describe('ws-message carriers: XMPP SASL PLAIN', () => {
  it('reads the password after the prefix and rewrites the base64 with the fresh token', () => {
    const frame = saslAuth('authKey:old-token');
    expect(readMessageToken(SASL, frame)).toBe('old-token');
    const out = substituteMessage(SASL, frame, ledgerWith(['old-token'], 'fresh-token')) as string;
    expect(saslPassword(out)).toBe('authKey:fresh-token');
    expect(out.startsWith('<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">')).toBe(true);
    expect(Buffer.from(/>([^<]*)</.exec(out)?.[1] ?? '', 'base64').toString('utf8')).toBe('\u0000agent@example\u0000authKey:fresh-token');
  });

  it('ignores other mechanisms, other prefixes and what is not base64', () => {
    expect(readMessageToken(SASL, saslAuth('authKey:t').replace('PLAIN', 'SCRAM-SHA-1'))).toBeNull();
    expect(readMessageToken(SASL, saslAuth('password'))).toBeNull();
    expect(readMessageToken(SASL, '<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">!!!</auth>')).toBeNull();
    expect(readMessageToken(SASL, saslAuth('authKey:'))).toBeNull();
  });

  it('round-trips any UTF-8 password', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }),
        fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }),
        (a, b) => {
          if (a.includes('\u0000') || b.includes('\u0000')) return true;
          const out = replaceMessageToken(SASL, saslAuth(`authKey:${a}`), a, b);
          return out !== null && saslPassword(out) === `authKey:${b}` && readMessageToken(SASL, out) === b;
        },
      ),
    );
  });

  it('joins an <auth> split across frames, passes other frames through, and gives up past the limit', () => {
    const frame = saslAuth('authKey:old');
    const asm = createFrameAssembler();
    expect(asm.push('<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="h" version="1.0"/>')).toHaveLength(1);
    expect(asm.push(frame.slice(0, 30))).toEqual([]);
    expect(asm.holding).toBe(true);
    expect(asm.push(frame.slice(30, 60))).toEqual([]);
    const joined = asm.push(frame.slice(60));
    expect(joined).toEqual([frame]);
    expect(readMessageToken(SASL, joined[0] as string)).toBe('old');
    expect(asm.push(frame)).toEqual([frame]);

    const big = createFrameAssembler();
    expect(big.push('<auth mechanism="PLAIN">')).toEqual([]);
    const out = big.push('A'.repeat(70 * 1024));
    expect(out).toHaveLength(2);
    expect(big.holding).toBe(false);
  });

  it('recognises a SASL failure in its namespace only', () => {
    expect(isSaslFailure("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>")).toBe(true);
    expect(isSaslFailure('<failure xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>')).toBe(false);
  });
});

describe('refusals', () => {
  it('names auth in error frames and close reasons, not in ordinary traffic', () => {
    expect(
      namesAuthRefusal('{"type":"error","payload":{"error":{"code":20104,"message":"Access Token expired or expiration date invalid"}}}'),
    ).toBe(true);
    expect(namesAuthRefusal('{"type":"error","payload":{"error":{"code":31204,"message":"JWT is invalid"}}}')).toBe(true);
    expect(namesAuthRefusal('44{"message":"unauthorized"}')).toBe(true);
    expect(namesAuthRefusal('{"type":"connected","payload":{"region":"us1"}}')).toBe(false);
    expect(namesAuthRefusal('{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}')).toBe(false);
    expect(closeNamesAuthRefusal(4401, '')).toBe(true);
    expect(closeNamesAuthRefusal(1008, 'Token expired')).toBe(true);
    expect(closeNamesAuthRefusal(1006, '')).toBe(false);
    expect(closeNamesAuthRefusal(1000, 'bye')).toBe(false);
  });

  it('leaves binary data to the caller: only strings are scanned', () => {
    // The probe never passes an ArrayBuffer or Blob; a frame that happens to look like base64 text is still text.
    expect(readMessageToken([...SASL, ...LISTEN], 'plain text, no token')).toBeNull();
  });
});
