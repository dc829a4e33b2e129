/**
 * `oauth-silent` token strategy: `chrome.identity.launchWebAuthFlow({interactive: false})`
 * with `prompt=none`, authorization code + PKCE S256, the code exchanged at `tokenUrl`.
 * Succeeds only while the identity provider's sign-in session (its cookie) is valid; when it
 * is not, the provider answers `login_required` and this throws {@link SignInRequiredError}.
 * Bounded by {@link SILENT_FLOW_TIMEOUT_MS}. The token goes back to the caller only.
 */
import browser from 'webextension-polyfill';
import type { Config } from '../../src/policy/schema';
import {
  SignInRequiredError,
  base64Url,
  buildAuthorizeUrl,
  codeVerifierFrom,
  parseAuthorizeRedirect,
  tokenRequestBody,
} from '../../src/recovery/oauth-silent';
import { parseTokenResponse } from '../../src/recovery/token-response';
import type { TokenResponse } from '../../src/recovery/token-response';

/** Upper bound for the silent authorization round trip and for the code exchange, each, ms. */
export const SILENT_FLOW_TIMEOUT_MS = 10_000;

export { SignInRequiredError };

/**
 * Runs the silent flow once.
 * @returns the token response (RFC 6749 §5.1)
 * @throws {SignInRequiredError} when only an interactive sign-in can help
 * @throws {Error} when the configuration is incomplete, the flow times out, or the exchange fails
 */
export async function obtainTokenSilently(config: Config): Promise<TokenResponse> {
  const { authorizeUrl, tokenUrl, clientId, scope } = config.tokenRefresh;
  if (!authorizeUrl || !tokenUrl || !clientId) throw new Error('oauth-silent needs authorizeUrl, tokenUrl and clientId');
  const verifier = codeVerifierFrom(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const redirectUri = browser.identity.getRedirectURL('oauth');
  const url = buildAuthorizeUrl({ authorizeUrl, clientId, redirectUri, scope, state, codeChallenge: challenge });

  const redirect = await Promise.race([
    chrome.identity.launchWebAuthFlow({
      url,
      interactive: false,
      abortOnLoadForNonInteractive: true,
      timeoutMsForNonInteractive: SILENT_FLOW_TIMEOUT_MS,
    }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('silent authorization timed out')), SILENT_FLOW_TIMEOUT_MS + 1000)),
  ]).catch((error: unknown) => {
    // Chrome reports a provider page that wanted interaction as "User interaction required."
    const message = error instanceof Error ? error.message : String(error);
    if (/interaction required/i.test(message)) throw new SignInRequiredError('interaction_required');
    throw new Error(`silent authorization failed: ${message.slice(0, 120)}`);
  });
  if (!redirect) throw new Error('silent authorization returned no redirect');
  const code = parseAuthorizeRedirect(redirect, state);

  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: tokenRequestBody({ code, codeVerifier: verifier, redirectUri, clientId }),
    cache: 'no-store',
    signal: AbortSignal.timeout(SILENT_FLOW_TIMEOUT_MS),
  });
  const body: unknown = await response.json().catch(() => null);
  return parseTokenResponse(response.status, body, Date.now());
}
