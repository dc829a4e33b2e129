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
 */
import { createHmac, randomBytes } from 'node:crypto';
import { JWT_ACCESS_TOKEN_ORGS, findAgent } from './directory.mjs';

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
 *   revoked: boolean, grant: 'authorization_code' | 'refresh', code?: string }} AccessRecord
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
  /** @type {Map<string, { userId: string, expiresAt: number }>} */
  const sessions = new Map();
  /** @type {Map<string, { userId: string, expiresAt: number }>} */
  const refreshTokens = new Map();
  /** @type {Map<string, { userId: string, clientId: string, redirectUri: string, codeChallenge: string, expiresAt: number, used: boolean, accessToken?: string }>} */
  const codes = new Map();
  /** @type {Map<string, { userId: string, expiresAt: number }>} */
  const mediaTokens = new Map();

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
      iss: issuer(), sub: userId, org: orgId, ...(aud ? { aud } : {}),
      iat, exp: iat + ttlSeconds, jti: randomBytes(9).toString('base64url'),
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
     * `lab_refresh` cookie value) for an agent.
     * @param {string} userId
     * @returns {{ sessionId: string, refreshToken: string }}
     * @throws {Error} when the agent does not exist
     */
    login(userId) {
      if (!findAgent(userId)) throw new Error(`unknown agent ${userId}`);
      const expiresAt = now() + SESSION_TTL_SECONDS * 1000;
      const sessionId = opaqueToken();
      sessions.set(sessionId, { userId, expiresAt });
      return { sessionId, refreshToken: this.issueRefreshToken(userId) };
    },

    /**
     * @param {string} userId
     * @returns {string} a new refresh token, valid `SESSION_TTL_SECONDS`
     */
    issueRefreshToken(userId) {
      const token = opaqueToken();
      refreshTokens.set(token, { userId, expiresAt: now() + SESSION_TTL_SECONDS * 1000 });
      return token;
    },

    /**
     * @param {string | undefined} sessionId
     * @returns {string | null} the user id of a live session
     */
    sessionUser(sessionId) {
      const s = sessionId ? sessions.get(sessionId) : undefined;
      return s && s.expiresAt > now() ? s.userId : null;
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
      const r = token ? refreshTokens.get(token) : undefined;
      return r && r.expiresAt > now() ? r.userId : null;
    },

    /**
     * Issues a single-use authorization code bound to the client, redirect URI and PKCE
     * challenge (RFC 7636 §4.4).
     * @param {{ userId: string, clientId: string, redirectUri: string, codeChallenge: string }} grant
     * @returns {string}
     */
    issueCode(grant) {
      prune();
      const code = opaqueToken();
      codes.set(code, { ...grant, expiresAt: now() + CODE_TTL_MS, used: false });
      return code;
    },

    /**
     * Takes a code for exchange. A second use is refused and revokes the access token issued
     * for the first (RFC 6749 §4.1.2).
     * @param {string} code
     * @returns {{ ok: true, grant: { userId: string, clientId: string, redirectUri: string, codeChallenge: string }, bind: (accessToken: string) => void } | { ok: false, reason: 'unknown' | 'expired' | 'reused' }}
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
        grant: { userId: c.userId, clientId: c.clientId, redirectUri: c.redirectUri, codeChallenge: c.codeChallenge },
        bind: (accessToken) => { c.accessToken = accessToken; },
      };
    },

    /**
     * Issues an access token: opaque for most orgs, JWT-shaped for `JWT_ACCESS_TOKEN_ORGS`.
     * @param {string} userId
     * @param {'authorization_code' | 'refresh'} grant
     * @returns {{ token: string, expiresIn: number }} `expiresIn` in seconds
     * @throws {Error} when the agent does not exist
     */
    issueAccessToken(userId, grant) {
      const agent = findAgent(userId);
      if (!agent) throw new Error(`unknown agent ${userId}`);
      prune();
      const token = JWT_ACCESS_TOKEN_ORGS.has(agent.orgId)
        ? jwt(userId, agent.orgId, tokenTtlSeconds)
        : opaqueToken();
      const issuedAt = now();
      access.set(token, {
        token, userId, orgId: agent.orgId, issuedAt,
        expiresAt: issuedAt + tokenTtlSeconds * 1000, revoked: false, grant,
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
     * @returns {{ token: string, expiresIn: number }} a JWT-shaped media token, `expiresIn` in s
     */
    issueMediaToken(userId) {
      const agent = findAgent(userId);
      const token = jwt(userId, agent ? agent.orgId : '', MEDIA_TOKEN_TTL_SECONDS, 'media');
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
      let live = 0; let revoked = 0;
      for (const r of access.values()) {
        if (r.revoked) revoked++;
        else if (r.expiresAt > t) live++;
      }
      return { live, revoked, sessions: sessions.size };
    },
  };
}
