import { describe, expect, it } from 'vitest';
import { REDACTED, isSensitiveKey, redactString, redactUrl, redactValue } from '../../../src/redact/redact';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZ2VudC0xIiwib3JnIjoiYWNtZSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const OPAQUE = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA';

describe('redactString', () => {
  it.each([
    ['Authorization: Bearer abc.DEF-123_~+/==', 'Authorization: [redacted]'],
    ['bearer abc123', 'bearer [redacted]'],
    ['sent Bearer%20abc%2B123 to x', 'sent Bearer%20[redacted] to x'],
    ['Basic dXNlcjpwYXNz', 'Basic [redacted]'],
    ['Basic dXNlcjpwYXNzd29yZDEyMw==', 'Basic [redacted]'],
    ['Basic setup failed', 'Basic setup failed'],
    [`token ${JWT} expired`, 'token [redacted] expired'],
    [`x${JWT}y`, 'x[redacted]'],
    ['Cookie: sid=abc; theme=dark\nAccept: */*', 'Cookie: [redacted]\nAccept: */*'],
    ['set-cookie: sid=abc; Path=/; HttpOnly', 'set-cookie: [redacted]'],
    ['{"access_token":"abc","expires_in":3600}', '{"access_token":"[redacted]","expires_in":3600}'],
    ['{"refreshToken": "abc", "scope": "x"}', '{"refreshToken": "[redacted]", "scope": "x"}'],
    ['{"password":12345,"user":"bob"}', '{"password":[redacted],"user":"bob"}'],
    ["{'client_secret': 's3cr3t'}", "{'client_secret': '[redacted]'}"],
    ['{\\"access_token\\":\\"abc\\",\\"n\\":1}', '{\\"access_token\\":\\"[redacted]\\",\\"n\\":1}'],
    ['login password=hunter2 ok', 'login password=[redacted] ok'],
    ['x-api-key: k-123', 'x-api-key: [redacted]'],
    ['error code=500', 'error code=500'],
  ])('%j → %j', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('redacts IPv4 and IPv6 addresses in ICE candidates, keeping the rest', () => {
    expect(
      redactString('candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 192.168.1.2 rport 54321 generation 0'),
    ).toBe('candidate:842163049 1 udp 1677729535 [redacted] 54321 typ srflx raddr [redacted] rport 54321 generation 0');
    expect(redactString('a=candidate:1 1 UDP 2122262783 2001:db8::1:2 50000 typ host')).toBe(
      'a=candidate:1 1 UDP 2122262783 [redacted] 50000 typ host',
    );
    expect(redactString('candidate:1 1 udp 1 fe80::1%eth0 9 typ host')).toBe('candidate:1 1 udp 1 [redacted] 9 typ host');
    expect(redactString('candidate:1 1 udp 1 ::ffff:10.0.0.1 9 typ host')).toBe('candidate:1 1 udp 1 [redacted] 9 typ host');
  });

  it('keeps mDNS candidate host names, which are already anonymous', () => {
    const c = 'candidate:1 1 udp 2122260223 3f2a1b4c-1111-2222-3333-444455556666.local 54321 typ host';
    expect(redactString(c)).toBe(c);
  });

  it('redacts SDP connection and origin addresses', () => {
    expect(redactString('o=- 46117 2 IN IP4 127.0.0.1\r\nc=IN IP4 198.51.100.1\r\nc=IN IP6 2001:db8::9')).toBe(
      'o=- 46117 2 IN IP4 [redacted]\r\nc=IN IP4 [redacted]\r\nc=IN IP6 [redacted]',
    );
  });

  it('leaves IP addresses outside ICE and SDP alone', () => {
    expect(redactString('http://127.0.0.1:8080/api/v2/users/me')).toBe('http://127.0.0.1:8080/api/v2/users/me');
  });

  it('is idempotent on its own output', () => {
    for (const s of [
      'Authorization: Bearer abc',
      'https://x/y?access_token=abc&z=1',
      'login password=hunter2 ok',
      '{"token":"a"}',
      `x ${JWT}`,
    ]) {
      const once = redactString(s);
      expect(redactString(once)).toBe(once);
    }
  });

  it('passes ordinary text through untouched', () => {
    for (const s of ['', 'WebSocket closed abnormally (1006)', 'tokenRefresh failed: HTTP 500', 'The token was rejected']) {
      expect(redactString(s)).toBe(s);
    }
  });

  it('returns an empty string for non-strings', () => {
    expect(redactString(undefined as unknown as string)).toBe('');
    expect(redactString(42 as unknown as string)).toBe('');
  });

  it('stays linear on long hostile input', () => {
    const inputs = [
      'a_'.repeat(100_000),
      'eyJ'.repeat(100_000),
      `candidate:${'1:'.repeat(100_000)}`,
      `${'token'.repeat(50_000)}=`,
      `"password":"${'\\'.repeat(100_000)}`,
      'Bearer '.repeat(50_000),
    ];
    const started = Date.now();
    for (const s of inputs) redactString(s);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host, path and harmless parameters; redacts credentials', () => {
    expect(redactUrl('wss://streaming.mypurecloud.com/channels/abc?access_token=SECRET1&x=1&refresh_token=SECRET2#code=SECRET3')).toBe(
      'wss://streaming.mypurecloud.com/channels/abc?access_token=[redacted]&x=1&refresh_token=[redacted]#code=[redacted]',
    );
    expect(redactUrl('https://login.example.com/cb?code=SECRET&state=xyz')).toBe('https://login.example.com/cb?code=[redacted]&state=xyz');
    expect(redactUrl('https://x.example.com/cb#access_token=SECRET&token_type=Bearer&expires_in=3600')).toBe(
      'https://x.example.com/cb#access_token=[redacted]&token_type=Bearer&expires_in=3600',
    );
  });

  it.each([
    ['https://u:p@example.com/x', 'https://[redacted]@example.com/x'],
    [
      'https://a.example.com/x?client_secret=s&password=p&id_token=t&token=t2',
      'https://a.example.com/x?client_secret=[redacted]&password=[redacted]&id_token=[redacted]&token=[redacted]',
    ],
    [
      'https://s3.amazonaws.com/b/k?X-Amz-Credential=AK%2F2024&X-Amz-Signature=abc&X-Amz-Security-Token=tok&X-Amz-Expires=60',
      'https://s3.amazonaws.com/b/k?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&X-Amz-Security-Token=[redacted]&X-Amz-Expires=60',
    ],
    ['https://maps.example.com/api?key=AIzaSECRET&q=x', 'https://maps.example.com/api?key=[redacted]&q=x'],
    [`https://x.example.com/sessions/${JWT}/state`, 'https://x.example.com/sessions/[redacted]/state'],
    [
      'https://x.example.com/login?redirect=https%3A%2F%2Fy%2Fcb%3Faccess_token%3DSECRET%26a%3D1',
      'https://x.example.com/login?redirect=https%3A%2F%2Fy%2Fcb%3Faccess_token%3D[redacted]%26a%3D1',
    ],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('keeps ordinary URLs exactly as written', () => {
    for (const u of [
      'https://apps.mypurecloud.com/directory/#/person/abc',
      'http://localhost:5173/api/v2/users/me?expand=organization',
      'wss://x.example.com/ws?channel=1&v=2',
    ]) {
      expect(redactUrl(u)).toBe(u);
    }
  });

  it('returns an empty string for non-strings', () => {
    expect(redactUrl(null as unknown as string)).toBe('');
  });
});

describe('isSensitiveKey', () => {
  it.each([
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'Set-Cookie',
    'token',
    'access_token',
    'accessToken',
    'refresh_token',
    'id_token',
    'X-Auth-Token',
    'password',
    'newPassword',
    'passwd',
    'client_secret',
    'clientSecret',
    'apiKey',
    'x-api-key',
    'privateKey',
    'code_verifier',
    'JSESSIONID',
    'X-Amz-Security-Token',
  ])('%s is sensitive', (k) => {
    expect(isSensitiveKey(k)).toBe(true);
  });

  it.each(['tokenHash', 'tokenRefresh', 'tokenExpiresAt', 'code', 'auth', 'key', 'url', 'refreshCount', 'headers', 'id'])(
    '%s is not',
    (k) => {
      expect(isSensitiveKey(k)).toBe(false);
    },
  );
});

describe('redactValue', () => {
  it('redacts by key name and inside strings, deeply, without touching the input', () => {
    const input = {
      url: `https://x/api?access_token=${OPAQUE}&a=1`,
      headers: { Authorization: `Bearer ${OPAQUE}`, Accept: 'application/json', Cookie: 'sid=1' },
      nested: [{ note: `got ${JWT}`, token: 12345, ok: true }],
      tokenHash: '0123456789abcdef',
      code: 1006,
    };
    const copy = structuredClone(input);
    expect(redactValue(input)).toEqual({
      url: 'https://x/api?access_token=[redacted]&a=1',
      headers: { Authorization: REDACTED, Accept: 'application/json', Cookie: REDACTED },
      nested: [{ note: 'got [redacted]', token: REDACTED, ok: true }],
      tokenHash: '0123456789abcdef',
      code: 1006,
    });
    expect(input).toEqual(copy);
  });

  it('keeps values under sensitive keys that carry nothing', () => {
    expect(redactValue({ token: null, password: '', cookie: undefined, secret: false })).toEqual({
      token: null,
      password: '',
      cookie: undefined,
      secret: false,
    });
  });

  it('redacts header pairs', () => {
    expect(
      redactValue([
        ['Authorization', 'Token abc'],
        ['Accept', '*/*'],
      ]),
    ).toEqual([
      ['Authorization', REDACTED],
      ['Accept', '*/*'],
    ]);
  });

  it('removes IPs under address keys of ICE candidate objects', () => {
    expect(
      redactValue({ candidate: 'candidate:1 1 udp 1 10.1.2.3 9 typ host', address: '10.1.2.3', relatedAddress: '2001:db8::1', port: 9 }),
    ).toEqual({ candidate: 'candidate:1 1 udp 1 [redacted] 9 typ host', address: REDACTED, relatedAddress: REDACTED, port: 9 });
  });

  it('breaks cycles but keeps shared references', () => {
    const shared = { v: 1 };
    const a: Record<string, unknown> = { shared, again: shared };
    a.self = a;
    expect(redactValue(a)).toEqual({ shared: { v: 1 }, again: { v: 1 }, self: '[circular]' });
  });

  it('bounds depth, string length, array length, keys and total work', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 50; i += 1) deep = { d: deep };
    expect(JSON.stringify(redactValue(deep, { maxDepth: 3 }))).toBe('{"d":{"d":{"d":"[depth limit]"}}}');

    const long = redactValue('a'.repeat(100), { maxStringLength: 10 });
    expect(long).toBe('aaaaaaaaaa…[truncated 90 chars]');

    expect(redactValue([1, 2, 3, 4], { maxArrayLength: 2 })).toEqual([1, 2, '[… 2 more]']);
    expect(redactValue({ a: 1, b: 2, c: 3 }, { maxKeys: 1 })).toEqual({ a: 1, '…': '2 more keys' });

    const wide = Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => ({ x: 1 })));
    const out = JSON.stringify(redactValue(wide, { maxNodes: 500 }));
    expect(out).toContain('[truncated]');
  });

  it('redacts before truncating, so a cut never exposes part of a token', () => {
    const s = `${'x'.repeat(90)}Bearer ${OPAQUE}`;
    const out = redactValue(s, { maxStringLength: 100 }) as string;
    expect(out).not.toContain(OPAQUE.slice(0, 5));
    const huge = `${'x'.repeat(10)}${JWT}${'y'.repeat(1_000_000)}`;
    expect(redactValue(huge, { maxStringLength: 50 })).not.toContain('eyJ');
  });

  it('converts non-JSON values', () => {
    const err = new Error(`failed with Bearer ${OPAQUE}`);
    const out = redactValue({
      err,
      when: new Date(0),
      bad: new Date(Number.NaN),
      url: new URL(`https://x/cb?code=${OPAQUE}`),
      map: new Map<unknown, unknown>([
        ['password', 'p'],
        [1, 'one'],
      ]),
      set: new Set(['a']),
      bin: new Uint8Array(4),
      fn: () => 1,
      sym: Symbol('s'),
      big: 10n,
      re: /x/g,
    }) as Record<string, unknown>;
    expect(out.err).toMatchObject({ name: 'Error', message: 'failed with Bearer [redacted]' });
    expect(JSON.stringify(out.err)).not.toContain(OPAQUE);
    expect(out).toMatchObject({
      when: '1970-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
      url: 'https://x/cb?code=[redacted]',
      map: { password: REDACTED, 1: 'one' },
      set: ['a'],
      bin: '[binary 4 bytes]',
      fn: '[function]',
      sym: '[symbol]',
      big: '10',
      re: '/x/g',
    });
  });

  it('follows Error causes', () => {
    const err = new Error('outer', { cause: new Error(`inner ${JWT}`) });
    expect(JSON.stringify(redactValue(err))).not.toContain(JWT);
  });

  it('survives throwing getters, revoked proxies and __proto__ keys', () => {
    const trap = Object.defineProperty({ ok: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(redactValue(trap)).toEqual({ ok: 1, boom: '[unreadable]' });

    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(redactValue({ p: proxy })).toEqual({ p: '[unreadable]' });

    const evil = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const out = redactValue(evil) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('redacts secrets hidden in object keys', () => {
    expect(Object.keys(redactValue({ [JWT]: 1 }) as object)).toEqual([REDACTED]);
  });
});
