/**
 * Login, OAuth 2.0 authorization code flow with PKCE, and the cookie refresh endpoint.
 *
 * - `GET /login[?user=ID&return=PATH]`: the login page, or (with `user`) start a session:
 *   cookies `lab_session` (Path=/) and `lab_refresh` (Path=/api/v2/authentication), both
 *   HttpOnly, SameSite=Lax; then 302 to `return` (a same-origin path, default `/`).
 * - `GET /logout`: ends the session, clears both cookies, 302 to /login.
 * - `GET /oauth/authorize`: RFC 6749 §4.1.1 with PKCE S256 (RFC 7636 §4.3) and `prompt=none`
 *   (OpenID Connect Core §3.1.2.1; `error=login_required` per §3.1.2.6).
 * - `POST /oauth/token`: RFC 6749 §4.1.3, PKCE verified per RFC 7636 §4.6; answers per §5.1
 *   and §5.2; also (re)sets the `lab_refresh` cookie.
 * - `POST /api/v2/authentication/refresh`: cookie `lab_refresh` → a new access token of the
 *   cookie's organisation (RFC 6749 §5.1 JSON); every call is counted. With a JSON body
 *   `{"organizationId":"org-b"}` it switches organisation (seed 002's multi-org OAuth): a
 *   token of that organisation, a `lab_refresh` cookie bound to it, and the login session
 *   moved there; 403 `{error:"access_denied"}` when the agent is not a member.
 * - `GET /auth/authorize` (the SharedWorker and Worker variants of the app): cookie
 *   `lab_session` → `{accessToken, expiration}`, the shape Amazon Connect's worker reads
 *   (amazon-connect-streams src/worker.js `ClientEngine.prototype.authorize`, src/core.js
 *   `connect.core.authorize`, commit cc9c58756ce8be45c2d88d07bc604eb2b1955fa1).
 *
 * Over HTTPS (`startLab({ tls: true })`) both cookies are `SameSite=None; Secure; Partitioned`
 * instead of `SameSite=Lax`, so that a softphone framed by a page of another site keeps them.
 */
import { createHash } from 'node:crypto';
import { findAgent, isMember } from './directory.mjs';
import { SESSION_TTL_SECONDS } from './token-store.mjs';
import { cookie, parseCookies, readBody, readJsonObject, redirect, sendHtml, sendJson, escapeHtml } from './http-kit.mjs';
import { loginPageHtml } from './login-page.mjs';

export const SESSION_COOKIE = 'lab_session';
export const REFRESH_COOKIE = 'lab_refresh';
const REFRESH_COOKIE_PATH = '/api/v2/authentication';
/** RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** RFC 7636 §4.2: base64url of a SHA-256, no padding, 43 characters. */
const CHALLENGE_RE = /^[A-Za-z0-9\-_]{43}$/;
const CLIENT_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * @typedef {{
 *   tokens: ReturnType<typeof import('./token-store.mjs').createTokenStore>,
 *   stats: ReturnType<typeof import('./stats.mjs').createStats>,
 *   faults?: { active(name: string): { params: Record<string, number> } | null },
 *   port: () => number,
 *   crossSiteCookies?: boolean,
 *   appOrigin?: (origin: string) => boolean,
 * }} OAuthContext `crossSiteCookies`: cookies `SameSite=None; Secure; Partitioned` (the lab
 *   over HTTPS); `appOrigin`: whether an origin is one the lab serves the app on (over HTTPS:
 *   `https://softphone.test:PORT`, `https://softphone-b.test:PORT`), accepted in redirect URIs
 */

/**
 * @param {string} userId
 * @param {string} orgId the organisation the refresh token is bound to
 * @param {OAuthContext} ctx
 */
function refreshCookie(userId, orgId, ctx) {
  return cookie(REFRESH_COOKIE, ctx.tokens.issueRefreshToken(userId, orgId), {
    path: REFRESH_COOKIE_PATH,
    maxAgeSeconds: SESSION_TTL_SECONDS,
    crossSite: ctx.crossSiteCookies,
  });
}

/**
 * A `return` parameter is honoured only as a same-origin path (no open redirect).
 * @param {string | null} value
 * @returns {string}
 */
function safeReturn(value) {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\') ? value : '/';
}

/**
 * Redirect URIs accepted: on the lab origin (any loopback name with the lab's port), on an
 * origin `ctx.appOrigin` accepts (the lab's app host names over HTTPS), or a
 * `https://<id>.chromiumapp.org/...` URI, the form `chrome.identity.launchWebAuthFlow` uses.
 * @param {string | null} value
 * @param {OAuthContext} ctx
 * @returns {URL | null}
 */
function validRedirectUri(value, ctx) {
  if (!value) return null;
  let u;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  if (u.hash) return null; // RFC 6749 §3.1.2: no fragment
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol === 'http:' && loopback && Number(u.port) === ctx.port()) return u;
  if (ctx.appOrigin?.(u.origin)) return u;
  if (u.protocol === 'https:' && /^[a-p]{32}\.chromiumapp\.org$/.test(u.hostname)) return u;
  return null;
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @param {OAuthContext} ctx
 * @returns {number} status sent
 */
export function handleLogin(req, res, url, ctx) {
  const returnTo = safeReturn(url.searchParams.get('return'));
  const user = url.searchParams.get('user');
  if (!user) {
    sendHtml(res, 200, loginPageHtml(returnTo));
    return 200;
  }
  if (!findAgent(user)) {
    sendHtml(
      res,
      404,
      `<!doctype html><title>Unknown agent</title><p>Unknown agent ${escapeHtml(user)}. <a href="/login">Choose another</a>.</p>`,
    );
    return 404;
  }
  const { sessionId, refreshToken } = ctx.tokens.login(user);
  const crossSite = ctx.crossSiteCookies;
  redirect(res, returnTo, [
    cookie(SESSION_COOKIE, sessionId, { path: '/', maxAgeSeconds: SESSION_TTL_SECONDS, crossSite }),
    cookie(REFRESH_COOKIE, refreshToken, { path: REFRESH_COOKIE_PATH, maxAgeSeconds: SESSION_TTL_SECONDS, crossSite }),
  ]);
  return 302;
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} _url
 * @param {OAuthContext} ctx
 * @returns {number}
 */
export function handleLogout(req, res, _url, ctx) {
  ctx.tokens.endSession(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
  const crossSite = ctx.crossSiteCookies;
  redirect(res, '/login', [
    cookie(SESSION_COOKIE, '', { path: '/', maxAgeSeconds: 0, crossSite }),
    cookie(REFRESH_COOKIE, '', { path: REFRESH_COOKIE_PATH, maxAgeSeconds: 0, crossSite }),
  ]);
  return 302;
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @param {OAuthContext} ctx
 * @returns {number}
 */
export function handleAuthorize(req, res, url, ctx) {
  const q = url.searchParams;
  const clientId = q.get('client_id');
  const redirectUri = validRedirectUri(q.get('redirect_uri'), ctx);
  // RFC 6749 §4.1.2.1: with a bad client or redirect URI, tell the user, never redirect.
  if (!clientId || !CLIENT_ID_RE.test(clientId) || !redirectUri) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'client_id or redirect_uri missing or not allowed' });
    return 400;
  }
  const state = q.get('state');
  /** @param {Record<string, string>} params */
  const back = (params) => {
    const to = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
    if (state !== null) to.searchParams.set('state', state);
    redirect(res, to.toString());
    return 302;
  };
  if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
  const challenge = q.get('code_challenge');
  if (!challenge || !CHALLENGE_RE.test(challenge) || q.get('code_challenge_method') !== 'S256') {
    return back({ error: 'invalid_request', error_description: 'PKCE with code_challenge_method=S256 is required' });
  }
  const session = ctx.tokens.session(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
  if (!session) {
    if (q.get('prompt') === 'none') return back({ error: 'login_required' });
    redirect(res, `/login?return=${encodeURIComponent(url.pathname + url.search)}`);
    return 302;
  }
  // The code (and so the token) is for the organisation the session is in now.
  const code = ctx.tokens.issueCode({
    userId: session.userId,
    orgId: session.orgId,
    clientId,
    redirectUri: redirectUri.toString(),
    codeChallenge: challenge,
  });
  return back({ code });
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} _url
 * @param {OAuthContext} ctx
 * @returns {Promise<number>}
 */
export async function handleToken(req, res, _url, ctx) {
  /** @param {number} status @param {string} error @param {string} description */
  const fail = (status, error, description) => {
    sendJson(res, status, { error, error_description: description });
    return status;
  };
  if (req.method !== 'POST') return fail(405, 'invalid_request', 'use POST');
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    return fail(400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('grant_type') !== 'authorization_code') return fail(400, 'unsupported_grant_type', 'only authorization_code');
  const code = form.get('code');
  const verifier = form.get('code_verifier');
  if (!code || !verifier) return fail(400, 'invalid_request', 'code and code_verifier are required');
  const taken = ctx.tokens.takeCode(code);
  if (!taken.ok) return fail(400, 'invalid_grant', `authorization code ${taken.reason}`);
  const { grant } = taken;
  if (form.get('client_id') !== grant.clientId) return fail(400, 'invalid_grant', 'client_id does not match the code');
  if (form.get('redirect_uri') !== grant.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri does not match the code');
  if (!VERIFIER_RE.test(verifier)) return fail(400, 'invalid_grant', 'code_verifier is malformed');
  // RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (computed !== grant.codeChallenge) return fail(400, 'invalid_grant', 'PKCE verification failed');
  const { token, expiresIn } = ctx.tokens.issueAccessToken(grant.userId, 'authorization_code', grant.orgId);
  taken.bind(token);
  ctx.stats.tokenIssued();
  sendJson(
    res,
    200,
    { access_token: token, token_type: 'Bearer', expires_in: expiresIn },
    { 'Set-Cookie': [refreshCookie(grant.userId, grant.orgId, ctx)] },
  );
  return 200;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `POST /api/v2/authentication/refresh`. Counted first, whatever the outcome; the
 * `slow-refresh` fault delays the answer.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} _url
 * @param {OAuthContext} ctx
 * @returns {Promise<number>}
 */
export async function handleRefresh(req, res, _url, ctx) {
  const grant = ctx.tokens.refreshGrant(parseCookies(req.headers.cookie)[REFRESH_COOKIE]);
  ctx.stats.refreshCall(grant?.userId ?? null);
  const slow = ctx.faults?.active('slow-refresh');
  if (slow) await sleep(slow.params.delayMs ?? 3000);
  return answerRefresh(req, res, grant, ctx);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {{ userId: string, orgId: string } | null} grant the refresh cookie's user and organisation
 * @param {OAuthContext} ctx
 * @returns {Promise<number>}
 */
async function answerRefresh(req, res, grant, ctx) {
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'use POST' }, { Allow: 'POST' });
    return 405;
  }
  let body;
  try {
    body = await readJsonObject(req);
  } catch (e) {
    sendJson(res, 400, { error: 'invalid_request', error_description: /** @type {Error} */ (e).message });
    return 400;
  }
  if (!grant) {
    sendJson(res, 401, { error: 'invalid_grant', error_description: 'refresh cookie missing, unknown or expired' });
    return 401;
  }
  const wanted = body.organizationId;
  if (wanted !== undefined && (typeof wanted !== 'string' || !wanted)) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'organizationId must be a non-empty string' });
    return 400;
  }
  if (wanted === undefined) {
    const { token, expiresIn } = ctx.tokens.issueAccessToken(grant.userId, 'refresh', grant.orgId);
    ctx.stats.tokenIssued();
    sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
    return 200;
  }
  // Organisation switch (seed 002): RFC 6749 §5.2 has no "not a member" error; access_denied
  // (§4.1.2.1, "the resource owner or authorization server denied the request") says it best.
  if (!isMember(grant.userId, wanted)) {
    sendJson(res, 403, { error: 'access_denied', error_description: 'the user is not a member of that organization' });
    return 403;
  }
  const { token, expiresIn } = ctx.tokens.issueAccessToken(grant.userId, 'refresh', wanted);
  ctx.stats.tokenIssued();
  // The login session moves too (when it is this user's), so a reload stays in the new organisation.
  const sessionId = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  if (ctx.tokens.sessionUser(sessionId) === grant.userId) ctx.tokens.setSessionOrg(sessionId, wanted);
  sendJson(
    res,
    200,
    { access_token: token, token_type: 'Bearer', expires_in: expiresIn },
    { 'Set-Cookie': [refreshCookie(grant.userId, wanted, ctx)] },
  );
  return 200;
}

/**
 * `GET /auth/authorize`: the cookie-authenticated token endpoint of the worker variants of the
 * app, shaped like Amazon Connect's: the worker calls it with `credentials: 'include'`
 * (amazon-connect-streams src/core.js `connect.core.authorize`) and reads `accessToken` and
 * `expiration` (`new Date(response.expiration)`) from the answer (src/worker.js
 * `ClientEngine.prototype.authorize`; both commit cc9c58756ce8be45c2d88d07bc604eb2b1955fa1).
 * Live login session (cookie `lab_session`) → 200 `{accessToken, expiration}` (`expiration`
 * in ms since epoch), a token of the session's organisation; none → 401 in the platform's
 * error shape. Counted in `tokensIssued` when a token is issued.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} _url
 * @param {OAuthContext} ctx
 * @returns {number}
 */
export function handleSessionAuthorize(req, res, _url, ctx) {
  if (req.method !== 'GET') {
    sendJson(res, 405, { message: 'Use GET.', code: 'method.not.allowed', status: 405 }, { Allow: 'GET' });
    return 405;
  }
  const session = ctx.tokens.session(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
  if (!session) {
    sendJson(res, 401, { message: 'No login session.', code: 'bad.credentials', status: 401 });
    return 401;
  }
  const { token, expiresIn } = ctx.tokens.issueAccessToken(session.userId, 'session', session.orgId);
  ctx.stats.tokenIssued();
  sendJson(res, 200, { accessToken: token, expiration: Date.now() + expiresIn * 1000 });
  return 200;
}
