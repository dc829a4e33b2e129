/**
 * The platform API under `/api/v2/`, in the seeds' shapes. Every route needs a bearer token
 * (`Authorization: Bearer`, RFC 6750 §2.1, or `access_token` query, §2.3); a missing,
 * unknown, revoked or expired token gets 401 `{message, code:"bad.credentials", status:401}`
 * with `WWW-Authenticate` per RFC 6750 §3.
 *
 * Organisations (seed 002): every access token belongs to one organisation; `/users/me`, the
 * media token and the webphone endpoint are per organisation. A `PUT` of the webphone
 * endpoint while the caller's login session still holds an open notification socket of
 * another organisation answers 409 "connection reset" (the seed's resource conflict).
 */
import { randomUUID } from 'node:crypto';
import { findAgent, findOrg } from './directory.mjs';
import { bearerToken, readJsonObject, sendApiError, sendJson } from './http-kit.mjs';

/** Presence values accepted by PUT presence (the platform's system presences). */
export const SYSTEM_PRESENCES = Object.freeze([
  'Available',
  'Away',
  'Busy',
  'Offline',
  'Idle',
  'On Queue',
  'Meal',
  'Training',
  'Meeting',
  'Break',
]);

/**
 * @typedef {{ id: string, from: string, offeredTo: string[] | null, state: 'alerting' | 'connected' | 'disconnected', answeredBy: string | null, createdAt: number }} LabCall
 *   `offeredTo` null = offered to every agent.
 * @typedef {{
 *   tokens: ReturnType<typeof import('./token-store.mjs').createTokenStore>,
 *   faults: ReturnType<typeof import('./faults.mjs').createFaults>,
 *   calls: Map<string, LabCall>,
 *   presence: Map<string, { systemPresence: string, modifiedDate: string }>,
 *   endpoints: Map<string, { endpointId: string, status: 'registered', codecs: string[], modifiedDate: string }>,
 *   connectionReused: (req: import('node:http').IncomingMessage) => boolean,
 *   orgConflict: (req: import('node:http').IncomingMessage, orgId: string) => boolean,
 * }} ApiContext `connectionReused`: whether the request came on a keep-alive connection that
 *   already carried an earlier request; `orgConflict`: whether the request's login session
 *   (cookie `lab_session`) holds an open notification socket of an organisation other than
 *   `orgId`; `endpoints` is keyed `userId@orgId`
 */

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @param {ApiContext} ctx
 * @returns {Promise<number>} status sent
 */
export async function handleApi(req, res, url, ctx) {
  const path = url.pathname;
  const method = req.method ?? 'GET';

  // A rate limiter sits in front of the API: the 429 comes before authentication.
  const presenceMatch = /^\/api\/v2\/presence\/users\/([^/]+)$/.exec(path);
  if (presenceMatch && method === 'PUT') {
    const storm = ctx.faults.active('publish-storm');
    if (storm) {
      const retryAfter = String(Math.ceil(storm.params.retryAfterSeconds ?? 3));
      // RFC 9110 §10.2.3 (Retry-After in seconds), RFC 6585 §4 (429).
      sendApiError(res, 429, 'too.many.requests', 'Rate limit exceeded the maximum. Retry the request in a few seconds.', {
        'Retry-After': retryAfter,
      });
      return 429;
    }
  }

  const check = ctx.tokens.checkAccessToken(bearerToken(req, url));
  if (!check.ok) {
    // RFC 6750 §3.1: no error code when the request carried no token at all.
    const challenge =
      check.problem === 'missing'
        ? 'Bearer realm="softphone-lab"'
        : `Bearer realm="softphone-lab", error="invalid_token", error_description="The access token is ${check.problem}"`;
    sendApiError(res, 401, 'bad.credentials', 'Invalid login credentials.', { 'WWW-Authenticate': challenge });
    return 401;
  }
  const userId = check.record.userId;
  const orgId = check.record.orgId;
  const agent = findAgent(userId);
  if (!agent) {
    sendApiError(res, 401, 'bad.credentials', 'Invalid login credentials.', {
      'WWW-Authenticate': 'Bearer realm="softphone-lab", error="invalid_token"',
    });
    return 401;
  }
  /** @param {string} allow */
  const notAllowed = (allow) => {
    sendApiError(res, 405, 'method.not.allowed', `Use ${allow}.`, { Allow: allow });
    return 405;
  };

  if (path === '/api/v2/users/me') {
    if (method !== 'GET') return notAllowed('GET');
    // The organisation of the token used; `organizations`: every one the agent belongs to.
    /** @param {string} id */
    const org = (id) => ({ id, name: findOrg(id)?.name ?? id });
    sendJson(res, 200, {
      id: agent.id,
      name: agent.name,
      email: agent.email,
      organization: org(orgId),
      organizations: agent.orgIds.map(org),
    });
    return 200;
  }

  if (path === '/api/v2/communications/webRTC') {
    if (method !== 'GET') return notAllowed('GET');
    const media = ctx.tokens.issueMediaToken(userId, orgId);
    sendJson(res, 200, { mediaToken: media.token, expiresIn: media.expiresIn, iceServers: [] });
    return 200;
  }

  if (path === '/api/v2/users/me/webphone/endpoint') {
    if (method !== 'GET' && method !== 'PUT') return notAllowed('GET, PUT');
    // Seed 002: the old organisation's session is still up in this login session.
    if (method === 'PUT' && ctx.orgConflict(req, orgId)) {
      sendApiError(res, 409, 'conflict', 'connection reset');
      return 409;
    }
    // Chromium resends a request by itself, on a new connection, when a 408 arrives on a reused
    // keep-alive connection (it takes that for an idle-connection timeout), so the page never
    // sees that 408. Only 408s on fresh connections reach the page; only those use up `count`.
    const reused = ctx.connectionReused(req);
    const stall = reused ? ctx.faults.active('renegotiation-timeout') : ctx.faults.take('renegotiation-timeout');
    if (stall) {
      if (!reused) await sleep(stall.params.latencyMs ?? 0);
      // RFC 9110 §15.5.9: a 408 comes with "Connection: close".
      sendApiError(res, 408, 'request.timeout', 'The request timed out while renegotiating the webphone endpoint.', {
        Connection: 'close',
      });
      return 408;
    }
    const endpointKey = `${userId}@${orgId}`;
    let ep = ctx.endpoints.get(endpointKey);
    if (method === 'PUT') {
      let body;
      try {
        body = await readJsonObject(req);
      } catch (e) {
        sendApiError(res, 400, 'bad.request', /** @type {Error} */ (e).message);
        return 400;
      }
      const codecs = Array.isArray(body.codecs) ? body.codecs.filter((c) => typeof c === 'string').slice(0, 16) : ['opus'];
      ep = { endpointId: ep?.endpointId ?? `wp-${randomUUID()}`, status: 'registered', codecs, modifiedDate: new Date().toISOString() };
      ctx.endpoints.set(endpointKey, ep);
    }
    if (!ep) {
      sendApiError(res, 404, 'not.found', 'No webphone endpoint is registered for this user.');
      return 404;
    }
    sendJson(res, 200, ep);
    return 200;
  }

  if (presenceMatch) {
    if (method !== 'PUT' && method !== 'GET') return notAllowed('GET, PUT');
    const target = decodeURIComponent(presenceMatch[1] ?? '');
    if (target !== userId) {
      sendApiError(res, 403, 'not.authorized', 'You may only set your own presence.');
      return 403;
    }
    if (method === 'GET') {
      sendJson(res, 200, ctx.presence.get(userId) ?? { systemPresence: 'Offline', modifiedDate: null });
      return 200;
    }
    let body;
    try {
      body = await readJsonObject(req);
    } catch (e) {
      sendApiError(res, 400, 'bad.request', /** @type {Error} */ (e).message);
      return 400;
    }
    const def = /** @type {{ systemPresence?: unknown } | undefined} */ (body.presenceDefinition);
    const value = def && typeof def === 'object' ? def.systemPresence : undefined;
    if (typeof value !== 'string' || !SYSTEM_PRESENCES.includes(value)) {
      sendApiError(res, 400, 'bad.request', `presenceDefinition.systemPresence must be one of ${SYSTEM_PRESENCES.join(', ')}.`);
      return 400;
    }
    const p = { systemPresence: value, modifiedDate: new Date().toISOString() };
    ctx.presence.set(userId, p);
    sendJson(res, 200, p);
    return 200;
  }

  const convMatch = /^\/api\/v2\/conversations\/([^/]+)\/(answer|disconnect)$/.exec(path);
  if (convMatch) {
    if (method !== 'POST') return notAllowed('POST');
    const call = ctx.calls.get(decodeURIComponent(convMatch[1] ?? ''));
    if (!call || (call.offeredTo !== null && !call.offeredTo.includes(userId))) {
      sendApiError(res, 404, 'not.found', 'No such conversation for this user.');
      return 404;
    }
    if (convMatch[2] === 'answer') {
      if (call.state !== 'alerting' && !(call.state === 'connected' && call.answeredBy === userId)) {
        sendApiError(res, 409, 'conversation.not.alerting', `The conversation is ${call.state}.`);
        return 409;
      }
      call.state = 'connected';
      call.answeredBy = userId;
      sendJson(res, 200, { id: call.id, state: 'connected' });
      return 200;
    }
    call.state = 'disconnected';
    sendJson(res, 200, { id: call.id, state: 'disconnected' });
    return 200;
  }

  sendApiError(res, 404, 'not.found', 'No such resource.');
  return 404;
}
