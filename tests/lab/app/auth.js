/**
 * Sign-in: OAuth 2.0 authorization code flow with PKCE S256 (RFC 6749 §4.1, RFC 7636).
 * The access token is returned to the caller and kept in memory only, so a revoked token
 * stays revoked until the page is reloaded (seed 001: "resolves after a hard refresh").
 */

import { getItem, removeItem, setItem } from './session-store.js';

export const CLIENT_ID = 'lab-softphone';
const PKCE_KEY = 'lab.pkce';

/** @param {Uint8Array} bytes @returns {string} base64url without padding (RFC 4648 §5) */
function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @returns {string} the redirect URI: the app's own page */
function redirectUri() {
  return `${location.origin}/`;
}

/**
 * Navigates to /oauth/authorize. The verifier, the state and the page's query (`?transport=`,
 * `?widget=`; the redirect URI carries none) wait in sessionStorage (session-store.js).
 * @returns {Promise<void>} never settles in practice (the page navigates away)
 */
export async function beginLogin() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  // RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier)))
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  setItem(PKCE_KEY, JSON.stringify({ verifier, state, search: location.search }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    state,
    code_challenge: base64url(digest),
    code_challenge_method: 'S256',
  });
  location.assign(`/oauth/authorize?${q}`);
}

/**
 * Exchanges the code in the URL for an access token and removes code and state from the
 * address bar (history.replaceState), so a reload starts a fresh sign-in; the query the page
 * had before the sign-in redirect comes back.
 * @param {URLSearchParams} params the page's query
 * @param {(method: string, path: string, status: number, statusText?: string) => void} onHttpFailure
 * @returns {Promise<string>} the access token
 * @throws {Error} on a state mismatch or a failed exchange (message without secrets)
 */
export async function completeLogin(params, onHttpFailure) {
  const code = params.get('code') ?? '';
  const returnedState = params.get('state');
  const saved = JSON.parse(getItem(PKCE_KEY) ?? 'null');
  removeItem(PKCE_KEY);
  const clean = new URL(location.href);
  for (const k of ['code', 'state', 'error', 'error_description']) clean.searchParams.delete(k);
  const search = !clean.search && typeof saved?.search === 'string' ? saved.search : clean.search;
  history.replaceState(null, '', clean.pathname + search + clean.hash);
  if (!saved || saved.state !== returnedState) throw new Error('sign-in state does not match; start again');
  let res;
  try {
    res = await fetch('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: saved.verifier,
        redirect_uri: redirectUri(),
        client_id: CLIENT_ID,
      }),
    });
  } catch {
    onHttpFailure('POST', '/oauth/token', 0);
    throw new Error('token exchange failed: network error');
  }
  if (!res.ok) {
    onHttpFailure('POST', '/oauth/token', res.status, res.statusText);
    throw new Error(`token exchange failed: ${res.status}`);
  }
  const body = await res.json();
  if (typeof body.access_token !== 'string') throw new Error('token exchange failed: no access_token');
  return body.access_token;
}
