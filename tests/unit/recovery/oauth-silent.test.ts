import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SignInRequiredError,
  base64Url,
  buildAuthorizeUrl,
  codeVerifierFrom,
  parseAuthorizeRedirect,
  tokenRequestBody,
} from '../../../src/recovery/oauth-silent';

describe('oauth-silent (pure parts)', () => {
  it('derives the RFC 7636 Appendix B challenge from its verifier', () => {
    // RFC 7636 Appendix B: verifier and S256 challenge.
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = base64Url(new Uint8Array(createHash('sha256').update(verifier).digest()));
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers from 32 random bytes, and refuses fewer bytes', () => {
    const v = codeVerifierFrom(new Uint8Array(randomBytes(32)));
    expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(() => codeVerifierFrom(new Uint8Array(16))).toThrow(RangeError);
  });

  it('builds a prompt=none authorization request with PKCE S256', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authorizeUrl: 'https://login.example/oauth/authorize?tenant=x',
        clientId: 'softphone',
        redirectUri: 'https://abc.chromiumapp.org/oauth',
        scope: 'openid',
        state: 's1',
        codeChallenge: 'c1',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'x',
      response_type: 'code',
      client_id: 'softphone',
      redirect_uri: 'https://abc.chromiumapp.org/oauth',
      scope: 'openid',
      state: 's1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
      prompt: 'none',
    });
  });

  it('reads the code, refuses a foreign state, and turns login_required into a sign-in error', () => {
    expect(parseAuthorizeRedirect('https://a.chromiumapp.org/oauth?code=abc&state=s1', 's1')).toBe('abc');
    expect(() => parseAuthorizeRedirect('https://a.chromiumapp.org/oauth?code=abc&state=evil', 's1')).toThrow(/state/);
    expect(() => parseAuthorizeRedirect('https://a.chromiumapp.org/oauth?error=login_required&state=s1', 's1')).toThrow(
      SignInRequiredError,
    );
    expect(() => parseAuthorizeRedirect('https://a.chromiumapp.org/oauth?error=server_error&state=s1', 's1')).toThrow(/server_error/);
    expect(() => parseAuthorizeRedirect('https://a.chromiumapp.org/oauth?state=s1', 's1')).toThrow(/no code/);
  });

  it('builds the code exchange body', () => {
    const body = new URLSearchParams(tokenRequestBody({ code: 'c', codeVerifier: 'v', redirectUri: 'r', clientId: 'id' }));
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c',
      code_verifier: 'v',
      redirect_uri: 'r',
      client_id: 'id',
    });
  });
});
