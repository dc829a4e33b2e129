/**
 * The lab's control API under `/lab/` (JSON, loopback only, no bearer token):
 *
 * | request | body | answer |
 * |---|---|---|
 * | `POST /lab/fault/{name}` | fault parameters | `{fault, since, until, params, ...effects}` |
 * | `DELETE /lab/fault/{name}` | — | `{fault, cleared}` |
 * | `GET /lab/faults` | — | `{definitions, active}` |
 * | `POST /lab/ring` | `{userId?, from?}` | `{callId, delivered}` |
 * | `POST /lab/reset` | — | `{reset: true}` |
 * | `GET /lab/stats` | — | see `LabState.stats()` |
 * | `GET /lab/requests` | — | `{requests: [{method, path, status, receivedAt, answeredAt}]}`: the latest 2000, oldest first |
 * | `GET /lab/issued-secrets` | — | `{secrets: string[]}`: every token and session id issued, for leak checks |
 * | `GET /lab/attacker-log` | — | `{requests: [{at, method, path, origin, upgrade, authorization, xAmzBearer, accessToken}]}`: what each request to the attacker origin carried, oldest first |
 *
 * A request with an `Origin` header other than the lab's own is refused (403), so a web page
 * cannot drive the control API through the browser.
 */
import { isLoopback, readJsonObject, sendJson } from './http-kit.mjs';

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @param {import('../server.mjs').LabStateImpl} lab
 * @returns {Promise<number>} status sent
 */
export async function handleControl(req, res, url, lab) {
  /** @param {number} status @param {string} message */
  const fail = (status, message) => {
    sendJson(res, status, { error: message });
    return status;
  };
  if (!isLoopback(req.socket.remoteAddress)) return fail(403, 'the control API answers loopback clients only');
  const origin = req.headers.origin;
  if (origin && origin !== url.origin) return fail(403, 'cross-origin control requests are refused');
  const method = req.method ?? 'GET';
  const path = url.pathname;

  try {
    for (const v of lab.vendors) {
      const status = await v.handleControl?.(req, res, url);
      if (status != null) return status;
    }
    const faultMatch = /^\/lab\/fault\/([a-z0-9-]+)$/.exec(path);
    if (faultMatch) {
      const name = faultMatch[1] ?? '';
      if (method === 'POST') {
        sendJson(res, 200, lab.injectFault(name, await readJsonObject(req)));
        return 200;
      }
      if (method === 'DELETE') {
        sendJson(res, 200, { fault: name, cleared: lab.clearFault(name) });
        return 200;
      }
      return fail(405, 'use POST or DELETE');
    }
    if (path === '/lab/faults' && method === 'GET') {
      sendJson(res, 200, lab.faults());
      return 200;
    }
    if (path === '/lab/ring' && method === 'POST') {
      const body = await readJsonObject(req);
      if (body.userId !== undefined && typeof body.userId !== 'string') return fail(400, 'userId must be a string');
      if (body.from !== undefined && typeof body.from !== 'string') return fail(400, 'from must be a string');
      sendJson(res, 200, lab.ring({ userId: body.userId, from: body.from }));
      return 200;
    }
    if (path === '/lab/reset' && method === 'POST') {
      lab.reset();
      sendJson(res, 200, { reset: true });
      return 200;
    }
    if (path === '/lab/issued-secrets' && method === 'GET') {
      sendJson(res, 200, { secrets: lab.tokens.issuedSecrets() });
      return 200;
    }
    if (path === '/lab/attacker-log' && method === 'GET') {
      sendJson(res, 200, { requests: lab.attackerLog() });
      return 200;
    }
    if (path === '/lab/requests' && method === 'GET') {
      sendJson(res, 200, { requests: lab.requestLog() });
      return 200;
    }
    if (path === '/lab/stats' && method === 'GET') {
      sendJson(res, 200, lab.stats());
      return 200;
    }
    return fail(404, `no control endpoint ${method} ${path}`);
  } catch (e) {
    const err = /** @type {Error & { status?: number }} */ (e);
    return fail(err.status ?? 500, err.message);
  }
}
