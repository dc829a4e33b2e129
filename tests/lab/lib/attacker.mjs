/**
 * The attacker origin (`attacker.test`, the lab's hostile site): it answers every `/api/v2/*`
 * request with 401, lets any origin call it (CORS open, credentials included), and logs what
 * each request carried, so a test can see whether a bearer token of the lab ever reached it.
 *
 * | request | answer |
 * |---|---|
 * | `OPTIONS /api/v2/*` (preflight) | 204, `Access-Control-Allow-Origin` echoing `Origin`, the requested method and headers allowed, credentials allowed |
 * | any other method on `/api/v2/*` | 401 `{message, code:"bad.credentials", status:401}` with `WWW-Authenticate: Bearer …`, the same CORS headers |
 * | WebSocket upgrade on `/api/v2/*` | refused with HTTP 401 |
 * | `GET /widget.js` | the "third-party widget": every 2 s `fetch('<this origin>/api/v2/x', {headers: {Authorization: 'Bearer junk'}})` |
 * | `GET /` | an empty page of this site (for scripts run from an unmonitored site) |
 *
 * Every request (preflights and upgrades included) is logged: method, path, `Origin`, and the
 * raw values of `Authorization`, `X-Amz-Bearer` and the `access_token` query parameter (null
 * when absent). These are the values a leak check must look at; the log never leaves the lab.
 */
import { sendHtml, sendJson } from './http-kit.mjs';

/** Requests kept in the log (the oldest are dropped first). */
export const ATTACKER_LOG_LIMIT = 2000;

/** How often the widget provokes a 401 (ms). */
export const WIDGET_PERIOD_MS = 2000;

/**
 * @typedef {{ at: number, method: string, path: string, origin: string | null, upgrade: boolean,
 *   authorization: string | null, xAmzBearer: string | null, accessToken: string | null }} AttackerLogEntry
 *   `at`: ms since epoch; `upgrade`: a WebSocket upgrade request
 */

const WIDGET_JS = `// A third-party widget on the softphone page: it provokes 401s from its own server.
(() => {
  const origin = new URL(document.currentScript.src).origin;
  const hit = () => fetch(origin + '/api/v2/x', { headers: { Authorization: 'Bearer junk' } }).catch(() => {});
  hit();
  setInterval(hit, ${WIDGET_PERIOD_MS});
})();
`;

/** @param {string | string[] | undefined} v */
const one = (v) => (Array.isArray(v) ? v.join(', ') : (v ?? null));

export function createAttackerSite() {
  /** @type {AttackerLogEntry[]} */
  let log = [];

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {URL} url
   * @param {boolean} upgrade
   */
  function record(req, url, upgrade) {
    log.push({
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      origin: one(req.headers.origin),
      upgrade,
      authorization: one(req.headers.authorization),
      xAmzBearer: one(req.headers['x-amz-bearer']),
      accessToken: url.searchParams.get('access_token'),
    });
    if (log.length > ATTACKER_LOG_LIMIT) log = log.slice(-ATTACKER_LOG_LIMIT);
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @returns {Record<string, string>} CORS headers that let any origin in, with credentials
   */
  function cors(req) {
    const origin = one(req.headers.origin);
    return {
      'Access-Control-Allow-Origin': origin ?? '*',
      ...(origin ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
      'Access-Control-Expose-Headers': 'WWW-Authenticate',
      Vary: 'Origin',
    };
  }

  return {
    /**
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:http').ServerResponse} res
     * @param {URL} url
     * @returns {number} status sent
     */
    handle(req, res, url) {
      const path = url.pathname;
      if (path.startsWith('/api/v2/')) {
        record(req, url, false);
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            ...cors(req),
            'Access-Control-Allow-Methods': one(req.headers['access-control-request-method']) ?? 'GET, POST, PUT, DELETE, PATCH',
            'Access-Control-Allow-Headers': one(req.headers['access-control-request-headers']) ?? '*',
            'Content-Length': 0,
          });
          res.end();
          return 204;
        }
        sendJson(
          res,
          401,
          { message: 'Invalid login credentials.', code: 'bad.credentials', status: 401 },
          { ...cors(req), 'WWW-Authenticate': 'Bearer realm="attacker", error="invalid_token"' },
        );
        return 401;
      }
      if (path === '/widget.js' && req.method === 'GET') {
        res.writeHead(200, {
          'Content-Type': 'text/javascript; charset=utf-8',
          'Content-Length': Buffer.byteLength(WIDGET_JS),
          'Cache-Control': 'no-store',
        });
        res.end(WIDGET_JS);
        return 200;
      }
      if (path === '/' && req.method === 'GET') {
        sendHtml(
          res,
          200,
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Attacker</title><link rel="icon" href="data:,"></head><body><p>attacker.test</p></body></html>',
        );
        return 200;
      }
      sendJson(res, 404, { message: 'No such resource.', code: 'not.found', status: 404 });
      return 404;
    },

    /**
     * A WebSocket upgrade to the attacker: logged, refused with 401.
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {URL} url
     */
    handleUpgrade(req, socket, url) {
      if (url.pathname.startsWith('/api/v2/')) record(req, url, true);
      const status = url.pathname.startsWith('/api/v2/') ? '401 Unauthorized' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    },

    /** @returns {AttackerLogEntry[]} a copy of the log, oldest first */
    log: () => log.map((e) => ({ ...e })),

    /** Empties the log. */
    clear() {
      log = [];
    },
  };
}
