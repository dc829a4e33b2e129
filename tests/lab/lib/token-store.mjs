/**
 * Credentials the lab hands out: login sessions, refresh tokens, authorization codes, access
 * tokens and media tokens. Everything is in memory and dies with the server.
 *
 * Token shapes (documented in tests/lab/README.md):
 * - opaque: 32 random bytes, base64url (43 characters) — access tokens of org-a, refresh
 *   tokens, session ids, authorization codes;
 * - JWT-shaped: `base64url(header).base64url(payload).base64url(HMAC-SHA256)` (RFC 7519
 *   compact form, `alg: HS256`, per-lab random key) with `iss`, `sub` (user id), `org`,
 *   `iat`, `exp` (s since epoch), `jti` — access tokens of org-b and every media token.
 * The lab never trusts a token's own claims: each one is looked up in this store, which is
 * what makes revocation possible.
 *
 * Organisations (seed 002): every access token, refresh token, authorization code and login
 * session is bound to one organisation the agent is a member of. A login starts in the
 * agent's home organisation; `setSessionOrg` and a refresh token issued for another
 * organisation move the agent (see the refresh endpoint in oauth-routes.mjs).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { JWT_ACCESS_TOKEN_ORGS, findAgent, isMember } from './directory.mjs';

/** Authorization codes live 60 s (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const CODE_TTL_MS = 60_000;
/** Login sessions and refresh tokens live 12 h, far beyond any test. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** Media tokens (`/api/v2/communications/webRTC`) live 5 minutes. */
export const MEDIA_TOKEN_TTL_SECONDS = 300;

/** @returns {string} 32 random bytes, base64url (RFC 4648 §5), 43 characters. */
export function opaqueToken() {
  return randomBytes(32).toString('base64url');
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function b64json(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * @typedef {'missing' | 'unknown' | 'revoked' | 'expired'} TokenProblem
 * @typedef {{ token: string, userId: string, orgId: string, issuedAt: number, expiresAt: number,
 *   revoked: boolean, grant: 'authorization_code' | 'refresh' | 'session', code?: string }} AccessRecord
 *   `grant` 'session': issued by `GET /auth/authorize` for a login session
 */

/**
 * Creates an empty store.
 * @param {{ tokenTtlSeconds: number, issuer: () => string, now?: () => number }} opts
 *   `tokenTtlSeconds`: access token lifetime (s); `issuer`: the lab origin, for `iss`;
 *   `now`: clock in ms since epoch.
 */
export function createTokenStore({ tokenTtlSeconds, issuer, now = Date.now }) {
  const jwtKey = randomBytes(32);
  /** @type {Map<string, AccessRecord>} */
  const access = new Map();
  /** @type {Map<string, { userId: string, orgId: string, expiresAt: number }>} `orgId`: the organisation the session is in now */
  const sessions = new Map();
  /** @type {Map<string, { userId: string, orgId: string, expiresAt: number }>} */
  const refreshTokens = new Map();
  /** @type {Map<string, { userId: string, orgId: string, clientId: string, redirectUri: string, codeChallenge: string, expiresAt: number, used: boolean, accessToken?: string }>} */
  const codes = new Map();
  /** @type {Map<string, { userId: string, expiresAt: number }>} */
  const mediaTokens = new Map();

  /**
   * @param {string} userId
   * @param {string | undefined} orgId
   * @returns {string} `orgId`, or the agent's home organisation when undefined
   * @throws {Error} when the agent does not exist or is not a member of `orgId`
   */
  function orgFor(userId, orgId) {
    const agent = findAgent(userId);
    if (!agent) throw new Error(`unknown agent ${userId}`);
    const org = orgId ?? agent.orgId;
    if (!isMember(userId, org)) throw new Error(`agent ${userId} is not a member of ${org}`);
    return org;
  }

  /**
   * @param {string} userId
   * @param {string} orgId
   * @param {number} ttlSeconds
   * @param {string} [aud]
   */
  function jwt(userId, orgId, ttlSeconds, aud) {
    const iat = Math.floor(now() / 1000);
    const header = b64json({ alg: 'HS256', typ: 'JWT' });
    const payload = b64json({
      iss: issuer(),
      sub: userId,
      org: orgId,
      ...(aud ? { aud } : {}),
      iat,
      exp: iat + ttlSeconds,
      jti: randomBytes(9).toString('base64url'),
    });
    const sig = createHmac('sha256', jwtKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  }

  function prune() {
    const t = now();
    for (const [k, r] of access) if (r.expiresAt < t - 3600_000) access.delete(k);
    for (const [k, r] of codes) if (r.expiresAt < t - 3600_000) codes.delete(k);
    for (const [k, r] of mediaTokens) if (r.expiresAt < t) mediaTokens.delete(k);
  }

  return {
    /**
     * Starts a login session (the `lab_session` cookie value) and a refresh token (the
     * `lab_refresh` cookie value) for an agent, both in the agent's home organisation.
     * @param {string} userId
     * @returns {{ sessionId: string, refreshToken: string }}
     * @throws {Error} when the agent does not exist
     */
    login(userId) {
      const orgId = orgFor(userId, undefined);
      const expiresAt = now() + SESSION_TTL_SECONDS * 1000;
      const sessionId = opaqueToken();
      sessions.set(sessionId, { userId, orgId, expiresAt });
      return { sessionId, refreshToken: this.issueRefreshToken(userId, orgId) };
    },

    /**
     * @param {string} userId
     * @param {string} [orgId] default: the agent's home organisation
     * @returns {string} a new refresh token bound to that organisation, valid `SESSION_TTL_SECONDS`
     * @throws {Error} when the agent does not exist or is not a member of `orgId`
     */
    issueRefreshToken(userId, orgId) {
      const org = orgFor(userId, orgId);
      const token = opaqueToken();
      refreshTokens.set(token, { userId, orgId: org, expiresAt: now() + SESSION_TTL_SECONDS * 1000 });
      return token;
    },

    /**
     * @param {string | undefined} sessionId
     * @returns {string | null} the user id of a live session
     */
    sessionUser(sessionId) {
      return this.session(sessionId)?.userId ?? null;
    },

    /**
     * @param {string | undefined} sessionId
     * @returns {{ userId: string, orgId: string } | null} a live session: its user and current organisation
     */
    session(sessionId) {
      const s = sessionId ? sessions.get(sessionId) : undefined;
      return s && s.expiresAt > now() ? { userId: s.userId, orgId: s.orgId } : null;
    },

    /**
     * Moves a live session to another organisation of its agent: later authorization codes
     * (a reload of the app) give tokens of that organisation.
     * @param {string | undefined} sessionId
     * @param {string} orgId
     * @returns {boolean} whether the session exists and its agent is a member of `orgId`
     */
    setSessionOrg(sessionId, orgId) {
      const s = sessionId ? sessions.get(sessionId) : undefined;
      if (!s || s.expiresAt <= now() || !isMember(s.userId, orgId)) return false;
      s.orgId = orgId;
      return true;
    },

    /** @param {string | undefined} sessionId */
    endSession(sessionId) {
      if (sessionId) sessions.delete(sessionId);
    },

    /**
     * @param {string | undefined} token
     * @returns {string | null} the user id of a live refresh token
     */
    refreshUser(token) {
      return this.refreshGrant(token)?.userId ?? null;
    },

    /**
     * @param {string | undefined} token
     * @returns {{ userId: string, orgId: string } | null} user and organisation of a live refresh token
     */
    refreshGrant(token) {
      const r = token ? refreshTokens.get(token) : undefined;
      return r && r.expiresAt > now() ? { userId: r.userId, orgId: r.orgId } : null;
    },

    /**
     * Issues a single-use authorization code bound to the client, redirect URI, PKCE
     * challenge (RFC 7636 §4.4) and organisation (default: the agent's home organisation).
     * @param {{ userId: string, orgId?: string, clientId: string, redirectUri: string, codeChallenge: string }} grant
     * @returns {string}
     */
    issueCode(grant) {
      prune();
      const code = opaqueToken();
      codes.set(code, { ...grant, orgId: orgFor(grant.userId, grant.orgId), expiresAt: now() + CODE_TTL_MS, used: false });
      return code;
    },

    /**
     * Takes a code for exchange. A second use is refused and revokes the access token issued
     * for the first (RFC 6749 §4.1.2).
     * @param {string} code
     * @returns {{ ok: true, grant: { userId: string, orgId: string, clientId: string, redirectUri: string, codeChallenge: string }, bind: (accessToken: string) => void } | { ok: false, reason: 'unknown' | 'expired' | 'reused' }}
     */
    takeCode(code) {
      const c = codes.get(code);
      if (!c) return { ok: false, reason: 'unknown' };
      if (c.used) {
        if (c.accessToken) {
          const rec = access.get(c.accessToken);
          if (rec) rec.revoked = true;
        }
        return { ok: false, reason: 'reused' };
      }
      c.used = true;
      if (c.expiresAt <= now()) return { ok: false, reason: 'expired' };
      return {
        ok: true,
        grant: { userId: c.userId, orgId: c.orgId, clientId: c.clientId, redirectUri: c.redirectUri, codeChallenge: c.codeChallenge },
        bind: (accessToken) => {
          c.accessToken = accessToken;
        },
      };
    },

    /**
     * Issues an access token for one organisation: opaque for most orgs, JWT-shaped for
     * `JWT_ACCESS_TOKEN_ORGS`.
     * @param {string} userId
     * @param {'authorization_code' | 'refresh' | 'session'} grant
     * @param {string} [orgId] default: the agent's home organisation
     * @returns {{ token: string, expiresIn: number }} `expiresIn` in seconds
     * @throws {Error} when the agent does not exist or is not a member of `orgId`
     */
    issueAccessToken(userId, grant, orgId) {
      const org = orgFor(userId, orgId);
      prune();
      const token = JWT_ACCESS_TOKEN_ORGS.has(org) ? jwt(userId, org, tokenTtlSeconds) : opaqueToken();
      const issuedAt = now();
      access.set(token, {
        token,
        userId,
        orgId: org,
        issuedAt,
        expiresAt: issuedAt + tokenTtlSeconds * 1000,
        revoked: false,
        grant,
      });
      return { token, expiresIn: tokenTtlSeconds };
    },

    /**
     * @param {string | undefined | null} token
     * @returns {{ ok: true, record: AccessRecord } | { ok: false, problem: TokenProblem }}
     */
    checkAccessToken(token) {
      if (!token) return { ok: false, problem: 'missing' };
      const rec = access.get(token);
      if (!rec) return { ok: false, problem: 'unknown' };
      if (rec.revoked) return { ok: false, problem: 'revoked' };
      if (rec.expiresAt <= now()) return { ok: false, problem: 'expired' };
      return { ok: true, record: rec };
    },

    /**
     * Revokes every live access token (sessions and refresh tokens stay valid).
     * @returns {number} how many were live
     */
    revokeAllAccessTokens() {
      let n = 0;
      const t = now();
      for (const rec of access.values()) {
        if (!rec.revoked && rec.expiresAt > t) n++;
        rec.revoked = true;
      }
      return n;
    },

    /**
     * @param {string} userId
     * @param {string} [orgId] the organisation of the access token used (default: home)
     * @returns {{ token: string, expiresIn: number }} a JWT-shaped media token, `expiresIn` in s
     */
    issueMediaToken(userId, orgId) {
      const agent = findAgent(userId);
      const token = jwt(userId, orgId ?? (agent ? agent.orgId : ''), MEDIA_TOKEN_TTL_SECONDS, 'media');
      mediaTokens.set(token, { userId, expiresAt: now() + MEDIA_TOKEN_TTL_SECONDS * 1000 });
      return { token, expiresIn: MEDIA_TOKEN_TTL_SECONDS };
    },

    /**
     * Every secret this store ever issued (access, refresh, media tokens, session ids), for
     * leak checks: tests and the demo search the extension's stored and exported data for them.
     * @returns {string[]}
     */
    issuedSecrets() {
      return [...access.keys(), ...refreshTokens.keys(), ...mediaTokens.keys(), ...sessions.keys()];
    },

    /** @returns {{ live: number, revoked: number, sessions: number }} counts, for diagnostics */
    counts() {
      const t = now();
      let live = 0;
      let revoked = 0;
      for (const r of access.values()) {
        if (r.revoked) revoked++;
        else if (r.expiresAt > t) live++;
      }
      return { live, revoked, sessions: sessions.size };
    },
  };
}
