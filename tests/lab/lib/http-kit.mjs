/**
 * Small HTTP helpers for the lab server: JSON answers, bodies, cookies, and the route
 * templates under which requests are counted ("METHOD path-template status").
 */

/** Bodies above this are refused (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Route templates: the path with ids replaced by `{id}`, so that counts fold per endpoint.
 * The app uses the same names for its own failure counts.
 * @type {ReadonlyArray<[RegExp, string]>}
 */
const TEMPLATES = [
  [/^\/api\/v2\/presence\/users\/[^/]+$/, '/api/v2/presence/users/{id}'],
  [/^\/api\/v2\/conversations\/[^/]+\/answer$/, '/api/v2/conversations/{id}/answer'],
  [/^\/api\/v2\/conversations\/[^/]+\/disconnect$/, '/api/v2/conversations/{id}/disconnect'],
  [/^\/lab\/fault\/[^/]+$/, '/lab/fault/{name}'],
];

/**
 * @param {string} pathname URL path without query
 * @returns {string} the route template, e.g. `/api/v2/presence/users/{id}`
 */
export function pathTemplate(pathname) {
  for (const [re, name] of TEMPLATES) if (re.test(pathname)) return name;
  return pathname;
}

/**
 * Sends a JSON answer. `Cache-Control: no-store` on everything: tokens must not be cached
 * (RFC 6749 §5.1) and the lab has nothing worth caching.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string | string[]>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

/**
 * Sends an error in the platform's error shape `{message, code, status}`.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} code  e.g. `bad.credentials`
 * @param {string} message
 * @param {Record<string, string | string[]>} [headers]
 */
export function sendApiError(res, status, code, message, headers) {
  sendJson(res, status, { message, code, status }, headers);
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {string} location
 * @param {string[]} [cookies] `Set-Cookie` values
 */
export function redirect(res, location, cookies = []) {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', ...(cookies.length ? { 'Set-Cookie': cookies } : {}) });
  res.end();
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} html
 * @param {string[]} [cookies]
 */
export function sendHtml(res, status, html, cookies = []) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    ...(cookies.length ? { 'Set-Cookie': cookies } : {}),
  });
  res.end(html);
}

/**
 * Reads the request body as text.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<string>}
 * @throws {Error} with `status = 413` above `MAX_BODY_BYTES`
 */
export function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Reads a JSON object body; an empty body is `{}`.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Record<string, unknown>>}
 * @throws {Error} with `status = 400` when the body is not a JSON object
 */
export async function readJsonObject(req) {
  const text = await readBody(req);
  if (!text.trim()) return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new Error('body is not a JSON object'), { status: 400 });
  }
  return value;
}

/**
 * @param {string | undefined} header the `Cookie` request header
 * @returns {Record<string, string>}
 */
export function parseCookies(header) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const name = part.slice(0, i).trim();
    if (!(name in out)) out[name] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * A `Set-Cookie` value: always HttpOnly; SameSite=Lax by default (the app's JavaScript never
 * reads cookies; Lax lets top-level navigations to /oauth/authorize carry the session).
 * `crossSite` (the lab over HTTPS, where the softphone may be framed by a page of another
 * site) makes it `SameSite=None; Secure; Partitioned` instead: a cookie set or sent in a
 * cross-site frame needs SameSite=None, SameSite=None needs Secure, and a cookie a cross-site
 * frame sets is kept, once third-party cookies are blocked, only when it is partitioned by
 * the top-level site (CHIPS, `Partitioned`). See tests/lab/README.md "Cookies in a frame".
 * @param {string} name
 * @param {string} value
 * @param {{ path: string, maxAgeSeconds: number, crossSite?: boolean }} opts `maxAgeSeconds` 0 deletes the cookie
 * @returns {string}
 */
export function cookie(name, value, { path, maxAgeSeconds, crossSite = false }) {
  const site = crossSite ? 'SameSite=None; Secure; Partitioned' : 'SameSite=Lax';
  return `${name}=${encodeURIComponent(value)}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; ${site}`;
}

/**
 * @param {string | undefined} address `socket.remoteAddress`
 * @returns {boolean} true for 127.0.0.0/8 and ::1 (also IPv4-mapped)
 */
export function isLoopback(address) {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\./.test(a);
}

/**
 * The bearer token of a request: `Authorization: Bearer` (RFC 6750 §2.1), else an
 * `X-Amz-Bearer` header carrying the token itself (as Amazon Connect's client sends it:
 * amazon-connect-streams src/client.js, `AWSClient.prototype._callImpl`, commit
 * cc9c58756ce8be45c2d88d07bc604eb2b1955fa1), else an `X-Auth-Token` header (the lab app's
 * `custom` carriers), else the `access_token` query parameter (RFC 6750 §2.3).
 * @param {import('node:http').IncomingMessage} req
 * @param {URL} url
 * @returns {string | null}
 */
export function bearerToken(req, url) {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m ? m[1] : null;
  }
  const amz = req.headers['x-amz-bearer'];
  if (typeof amz === 'string') return amz.trim() || null;
  // The lab app's `custom` carriers (tests/lab/app/main.js): the token alone in a header of its own.
  const custom = req.headers['x-auth-token'];
  if (typeof custom === 'string') return custom.trim() || null;
  return url.searchParams.get('access_token');
}

/**
 * @param {string} s
 * @returns {string} HTML-escaped text
 */
export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
