/**
 * The pure half of the `oauth-silent` token strategy (docs/architecture.md §3 rung 2): an authorization
 * request with `prompt=none` (OpenID Connect Core 1.0 §3.1.2.1) using the authorization code
 * grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636), the parsing of the redirect that comes
 * back, and the token request that exchanges the code. Randomness and SHA-256 are done by the
 * caller (extension/background/oauth-silent.ts) and passed in.
 */

/** The authorization server answered that the user must sign in interactively (OIDC §3.1.2.6). */
export class SignInRequiredError extends Error {
  /** The `error` code from the redirect: login_required, interaction_required, consent_required, … */
  readonly code: string;
  constructor(code: string) {
    super(`sign-in needed (${code})`);
    this.name = 'SignInRequiredError';
    this.code = code;
  }
}

/** Error codes that mean "only an interactive sign-in can fix this" (OIDC Core §3.1.2.6). */
export const SIGN_IN_ERRORS: readonly string[] = [
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
];

/** base64url without padding (RFC 4648 §5), as PKCE requires (RFC 7636 §4.1, §4.2). */
export function base64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A PKCE code verifier from 32 random bytes: 43 characters of the unreserved set
 * (RFC 7636 §4.1 asks for 43–128).
 * @throws {RangeError} when fewer than 32 bytes are given
 */
export function codeVerifierFrom(randomBytes: Uint8Array): string {
  if (randomBytes.length < 32) throw new RangeError('a PKCE verifier needs at least 32 random bytes');
  return base64Url(randomBytes.slice(0, 32));
}

/** Inputs of {@link buildAuthorizeUrl}. */
export interface AuthorizeRequest {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  /** base64url(SHA-256(verifier)) (RFC 7636 §4.2). */
  codeChallenge: string;
}

/**
 * The authorization request URL (RFC 6749 §4.1.1) with PKCE and `prompt=none`.
 * @throws {TypeError} when `authorizeUrl` is not an absolute URL
 */
export function buildAuthorizeUrl(r: AuthorizeRequest): string {
  const url = new URL(r.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', r.clientId);
  url.searchParams.set('redirect_uri', r.redirectUri);
  if (r.scope) url.searchParams.set('scope', r.scope);
  url.searchParams.set('state', r.state);
  url.searchParams.set('code_challenge', r.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('prompt', 'none');
  return url.href;
}

/**
 * Reads the authorization response from the redirect URL (RFC 6749 §4.1.2 and §4.1.2.1).
 * @returns the authorization code
 * @throws {SignInRequiredError} for the "interactive sign-in needed" errors
 * @throws {Error} on a state mismatch (RFC 6749 §10.12), another error, or no code
 */
export function parseAuthorizeRedirect(redirectUrl: string, expectedState: string): string {
  const url = new URL(redirectUrl);
  const params = url.searchParams.has('state') || url.searchParams.has('error') ? url.searchParams : new URLSearchParams(url.hash.slice(1));
  if (params.get('state') !== expectedState) throw new Error('authorization response state does not match the request');
  const error = params.get('error');
  if (error) {
    if (SIGN_IN_ERRORS.includes(error)) throw new SignInRequiredError(error);
    throw new Error(`authorization failed: ${error.slice(0, 64)}`);
  }
  const code = params.get('code');
  if (!code) throw new Error('authorization response has no code');
  return code;
}

/** The token request body exchanging the code (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export function tokenRequestBody(r: { code: string; codeVerifier: string; redirectUri: string; clientId: string }): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: r.code,
    code_verifier: r.codeVerifier,
    redirect_uri: r.redirectUri,
    client_id: r.clientId,
  }).toString();
}
