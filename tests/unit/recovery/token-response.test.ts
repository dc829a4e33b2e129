import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OAUTH_TOKEN_ERROR_CODES, TokenResponseError, parseTokenResponse } from '../../../src/recovery/token-response';

const NOW = 1_700_000_000_000;
const TOKEN = 'mF_9.B5f-4.1JqM';

function catchError(fn: () => unknown): TokenResponseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TokenResponseError);
    return e as TokenResponseError;
  }
  throw new Error('expected a TokenResponseError');
}

describe('parseTokenResponse — RFC 6749 §5.1 success', () => {
  it('parses the RFC example', () => {
    const body = {
      access_token: '2YotnFZFEjr1zCsicMWpAA',
      token_type: 'example'.replace('example', 'Bearer'),
      expires_in: 3600,
      refresh_token: 'tGzv3JOkF0XG5Qx2TlKWIA',
      example_parameter: 'example_value',
    };
    expect(parseTokenResponse(200, body, NOW)).toEqual({
      accessToken: '2YotnFZFEjr1zCsicMWpAA',
      tokenType: 'Bearer',
      expiresInSeconds: 3600,
      expiresAt: NOW + 3_600_000,
      refreshToken: 'tGzv3JOkF0XG5Qx2TlKWIA',
    });
  });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('accepts token_type %s', (tokenType) => {
    expect(parseTokenResponse(200, { access_token: TOKEN, token_type: tokenType }, NOW).tokenType).toBe('Bearer');
  });

  it('takes a missing token_type as Bearer', () => {
    expect(parseTokenResponse(200, { access_token: TOKEN }, NOW)).toEqual({ accessToken: TOKEN, tokenType: 'Bearer' });
  });

  it('accepts any 2xx and a JSON text body', () => {
    expect(parseTokenResponse(201, JSON.stringify({ access_token: TOKEN, expires_in: '60' }), NOW)).toMatchObject({
      accessToken: TOKEN,
      expiresAt: NOW + 60_000,
    });
  });

  it('keeps scope, and fractional expires_in in ms', () => {
    expect(parseTokenResponse(200, { access_token: TOKEN, scope: 'a b', expires_in: 1.5 }, NOW)).toMatchObject({
      scope: 'a b',
      expiresAt: NOW + 1500,
    });
  });

  it.each([0, -1, Number.NaN, 'soon', null, {}, Number.POSITIVE_INFINITY])('ignores expires_in %j', (expiresIn) => {
    const r = parseTokenResponse(200, { access_token: TOKEN, expires_in: expiresIn }, NOW);
    expect(r.expiresAt).toBeUndefined();
    expect(r.expiresInSeconds).toBeUndefined();
  });
});

describe('parseTokenResponse — failures', () => {
  it.each(OAUTH_TOKEN_ERROR_CODES)('turns §5.2 error %s into a typed error', (code) => {
    const e = catchError(() => parseTokenResponse(400, { error: code, error_description: 'Refresh token expired' }, NOW));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.description).toBe('Refresh token expired');
    expect(e.message).toBe(`token endpoint refused: ${code} (Refresh token expired)`);
    expect(e.name).toBe('TokenResponseError');
  });

  it('keeps extension error codes and the error_uri', () => {
    const e = catchError(() => parseTokenResponse(401, { error: 'login_required', error_uri: 'https://idp.example/help' }, NOW));
    expect(e).toMatchObject({ code: 'login_required', status: 401, uri: 'https://idp.example/help' });
  });

  it('treats an error body as an error even with status 200', () => {
    expect(catchError(() => parseTokenResponse(200, { error: 'invalid_grant' }, NOW)).code).toBe('invalid_grant');
  });

  it('refuses error codes with characters §5.2 forbids', () => {
    expect(catchError(() => parseTokenResponse(400, { error: 'bad"code\n' }, NOW)).code).toBe('invalid_response');
  });

  it.each([
    [401, null, 'http_error', /HTTP 401/],
    [500, '<html>oops</html>', 'http_error', /HTTP 500/],
    [0, undefined, 'http_error', /HTTP 0/],
    [200, null, 'invalid_response', /no access_token/],
    [200, '<html>', 'invalid_response', /no access_token/],
    [200, [TOKEN], 'invalid_response', /no access_token/],
    [200, { token: TOKEN }, 'invalid_response', /no access_token/],
    [200, { access_token: 42 }, 'invalid_response', /not a string/],
    [200, { access_token: '' }, 'invalid_response', /empty/],
    [200, { access_token: 'a b' }, 'invalid_response', /characters/],
    [200, { access_token: 'abc\r\nX-Evil: 1' }, 'invalid_response', /characters/],
    [200, { access_token: 'a'.repeat(8193) }, 'invalid_response', /longer than 8192/],
    [200, { access_token: TOKEN, token_type: 'mac' }, 'invalid_response', /token_type "mac" is not Bearer/],
    [200, { access_token: TOKEN, token_type: 'DPoP' }, 'invalid_response', /not Bearer/],
  ])('status %s body %j → %s', (status, body, code, message) => {
    const e = catchError(() => parseTokenResponse(status, body, NOW));
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.message).toMatch(message);
  });

  it('never puts the token in a message, property or serialisation', () => {
    const secret = 'c2VjcmV0LXRva2VuLXZhbHVlLTEyMzQ1Njc4OTA';
    const bodies: unknown[] = [
      { access_token: secret, token_type: secret },
      { access_token: `${secret} x`, token_type: 'Bearer' },
      { access_token: secret, error: 'invalid_grant', error_description: `token ${secret} revoked` },
      { access_token: secret, error: secret },
      JSON.stringify({ access_token: secret, token_type: 'mac' }),
    ];
    for (const body of bodies) {
      const e = catchError(() => parseTokenResponse(200, body, NOW));
      const everything = [e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(Object.entries(e)), String(e)].join('\n');
      expect(everything).not.toContain(secret);
    }
  });

  it('property: whatever the body, it returns a Bearer token or throws a TokenResponseError without the token', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 599 }),
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              access_token: fc.oneof(fc.string(), fc.constant(TOKEN)),
              token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'mac'), fc.string()),
              expires_in: fc.oneof(fc.double(), fc.integer(), fc.string()),
              error: fc.oneof(fc.constantFrom(...OAUTH_TOKEN_ERROR_CODES), fc.string()),
              error_description: fc.string(),
            },
            { requiredKeys: [] },
          ),
        ),
        (status, body) => {
          try {
            const r = parseTokenResponse(status, body, NOW);
            expect(status).toBeGreaterThanOrEqual(200);
            expect(status).toBeLessThan(300);
            expect(r.tokenType).toBe('Bearer');
            expect(r.accessToken).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
            if (r.expiresAt !== undefined) expect(r.expiresAt).toBeGreaterThan(NOW);
          } catch (e) {
            expect(e).toBeInstanceOf(TokenResponseError);
            const token = (body as { access_token?: unknown } | null)?.access_token;
            if (typeof token === 'string' && token.length >= 8) {
              expect((e as Error).message).not.toContain(token);
            }
          }
        },
      ),
    );
  });
});
