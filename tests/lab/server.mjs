/**
 * The softphone lab: a local platform (OAuth, REST API, notification WebSocket) and the
 * softphone web app it serves, with fault injection. Test bed for the e2e specs and what
 * `npm run lab` runs. Endpoints, control API and token shapes: tests/lab/README.md.
 *
 * With `tls` the lab also serves HTTPS for several sites on loopback, routed by the `Host`
 * header on the same port: the softphone (`softphone.test`, `softphone-b.test`), a CRM on
 * another site that frames it (`crm.test`), and a hostile origin (`attacker.test`); see
 * tests/lab/README.md "Topologies".
 *
 *   node tests/lab/server.mjs [--port 8787] [--host 127.0.0.1] [--heartbeat-ms 5000]
 *                             [--token-ttl-s 600] [--tls] [--verbose]
 */
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { AGENTS, ORGS, findAgent } from './lib/directory.mjs';
import { createTokenStore } from './lib/token-store.mjs';
import { createStats } from './lib/stats.mjs';
import { FAULT_DEFINITIONS, createFaults } from './lib/faults.mjs';
import { createNotificationHub } from './lib/notifications.mjs';
import { handleApi } from './lib/api-routes.mjs';
import {
  SESSION_COOKIE,
  handleAuthorize,
  handleLogin,
  handleLogout,
  handleRefresh,
  handleSessionAuthorize,
  handleToken,
} from './lib/oauth-routes.mjs';
import { handleControl } from './lib/control-routes.mjs';
import { parseCookies, pathTemplate, sendApiError, sendHtml, sendJson } from './lib/http-kit.mjs';
import { createAttackerSite } from './lib/attacker.mjs';
import { APP_TRANSPORTS, crmPageHtml } from './lib/crm-page.mjs';
import { LAB_HOSTS, TLS_BROWSER_ARGS, dualProtocolServer, makeCertificate } from './lib/tls.mjs';
import { createTwilioLab } from './lib/twilio-lab.mjs';
import { createGenesysLab } from './lib/genesys-lab.mjs';
import { createAmazonLab } from './lib/amazon-lab.mjs';

export { LAB_HOSTS, TLS_BROWSER_ARGS };

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), 'app');
const STATIC_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const STATIC_NAME_RE = /^[a-z0-9-]+\.(js|css|html|svg)$/;
/** App loads with one of these `?transport=` values sign in with the session cookie, not OAuth. */
const WORKER_TRANSPORTS = new Set(['shared-worker', 'worker']);
/** Caller numbers for rung calls, in turn (NANP fiction range 555-01xx). */
const CALLERS = ['+1 312 555 0100', '+1 312 555 0142', '+1 773 555 0199', '+1 630 555 0123'];

/**
 * @typedef {ReturnType<typeof createLabState>} LabStateImpl
 */

/**
 * A vendor lab (tests/lab/README.md "Vendor labs"): made once per lab from the lab's shared
 * parts; each handler answers the status it sent, or null when the request is not its own.
 * @typedef {{
 *   handleRequest?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL) => Promise<number | null> | number | null,
 *   handleUpgrade?: (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, url: URL) => number | null,
 *   handleControl?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL) => Promise<number | null> | number | null,
 *   terminateAll?: () => number,
 *   stallOpen?: (until: number) => number,
 *   unstallAll?: () => void,
 *   reset?: () => void,
 *   close?: () => void,
 *   faults?: Record<string, { description: string, implemented: boolean, defaults: Record<string, number> }>,
 * }} VendorLab `terminateAll`, `stallOpen`, `unstallAll`: the vendor's sockets in the lab faults
 *   (publish-storm, server-down, silent-stall) alongside the notification sockets; `faults`: the
 *   vendor lab's own faults (`POST /lab/fault/<name>`, answered by its `handleControl`), listed by
 *   `GET /lab/faults` with the lab's
 * @typedef {(ctx: { tokens: ReturnType<typeof createTokenStore>, heartbeatMs: number, origin: () => string }) => VendorLab} VendorLabFactory
 */

/** @type {VendorLabFactory[]} one line per vendor lab */
const VENDOR_LABS = [createTwilioLab, createGenesysLab, createAmazonLab];

/**
 * The lab's state and the operations tests and the control API use.
 * @param {{ tokenTtlSeconds: number, heartbeatMs: number, origin: () => string }} opts
 */
function createLabState({ tokenTtlSeconds, heartbeatMs, origin }) {
  const tokens = createTokenStore({ tokenTtlSeconds, issuer: origin });
  const stats = createStats();
  const faults = createFaults();
  const attacker = createAttackerSite();
  const vendors = VENDOR_LABS.map((make) => make({ tokens, heartbeatMs, origin }));
  /** @param {(v: VendorLab) => number | undefined} f */
  const sumVendors = (f) => vendors.reduce((n, v) => n + (f(v) ?? 0), 0);
  /** @type {Map<string, import('./lib/api-routes.mjs').LabCall>} */
  const calls = new Map();
  const presence = new Map();
  const endpoints = new Map();
  let callerTurn = 0;

  /**
   * @param {import('node:http').IncomingMessage} req
   * @returns {string | null} the live login session the request carries (cookie `lab_session`)
   */
  const loginSession = (req) => {
    const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    return id && tokens.sessionUser(id) ? id : null;
  };

  const hub = createNotificationHub({
    heartbeatMs,
    authenticate: (token, req) => {
      if (faults.active('server-down')) return { ok: false, status: 503, reason: 'The service is unavailable.' };
      const check = tokens.checkAccessToken(token);
      return check.ok
        ? { ok: true, userId: check.record.userId, orgId: check.record.orgId, sessionId: loginSession(req) }
        : { ok: false, status: 401, reason: `The access token is ${check.problem}.` };
    },
    onAccepted: () => stats.wsAccepted(),
    onClosed: () => stats.wsClosed(),
    onRejected: () => stats.wsRejected(),
    onConflict: () => stats.wsConflict(),
  });

  /** @type {import('./lib/faults.mjs').FaultTargets} */
  const targets = {
    revokeAllAccessTokens: () => tokens.revokeAllAccessTokens(),
    terminateAllSockets: () => hub.terminateAll() + sumVendors((v) => v.terminateAll?.()),
    pushToAllSockets: (message) => hub.push(null, message),
    stallOpenSockets: (until) => hub.stallOpen(until) + sumVendors((v) => v.stallOpen?.(until)),
    unstallSockets: () => {
      hub.unstallAll();
      for (const v of vendors) v.unstallAll?.();
    },
  };

  return {
    tokens,
    counters: stats,
    faultRegistry: faults,
    hub,
    calls,
    presence,
    endpoints,
    loginSession,
    agents: AGENTS,
    orgs: ORGS,
    attackerSite: attacker,
    vendors,

    /**
     * Offers a call: pushes `alerting` to one user's sockets, or to every socket.
     * @param {{ userId?: string, from?: string }} [opts]
     * @returns {{ callId: string, delivered: number }} `delivered`: sockets written to
     * @throws {Error} `status` 404 for an unknown user
     */
    ring({ userId, from } = {}) {
      if (userId !== undefined && !findAgent(userId)) throw Object.assign(new Error(`unknown agent "${userId}"`), { status: 404 });
      const id = randomUUID();
      const caller = from ?? CALLERS[callerTurn++ % CALLERS.length] ?? CALLERS[0];
      calls.set(id, { id, from: caller, offeredTo: userId ? [userId] : null, state: 'alerting', answeredBy: null, createdAt: Date.now() });
      /** @param {string} uid */
      const message = (uid) => ({ topicName: `v2.users.${uid}.conversations`, eventBody: { id, state: 'alerting', from: caller } });
      let delivered = 0;
      if (userId) delivered = hub.push(userId, message(userId));
      else for (const uid of hub.connectedUsers()) delivered += hub.push(uid, message(uid));
      return { callId: id, delivered };
    },

    /**
     * @param {string} name fault name (see FAULT_DEFINITIONS)
     * @param {Record<string, unknown>} [params]
     * @returns {Record<string, unknown>} `{fault, since, until, params, ...effects}`, times in ms since epoch
     * @throws {Error} `status` 404 unknown, 501 not implemented, 400 bad parameter
     */
    injectFault(name, params = {}) {
      return faults.inject(name, params, targets);
    },

    /**
     * @param {{ retryAfterSeconds?: number, rateLimitMs?: number }} [params]
     * @returns {Record<string, unknown>} `{fault, since, until, params, revokedTokens, terminatedSockets}`
     */
    publishStorm(params = {}) {
      return faults.inject('publish-storm', params, targets);
    },

    /** @param {string} name @returns {boolean} whether it was active */
    clearFault(name) {
      return faults.clear(name, targets);
    },

    /** @returns {{ definitions: Record<string, { description: string, implemented: boolean, defaults: Record<string, number> }>, active: Record<string, unknown> }} */
    faults() {
      /** @type {Record<string, any>} */
      const definitions = {};
      for (const [name, d] of Object.entries(FAULT_DEFINITIONS))
        definitions[name] = { description: d.description, implemented: d.implemented, defaults: d.defaults };
      for (const v of vendors) Object.assign(definitions, v.faults ?? {});
      return { definitions, active: faults.snapshot() };
    },

    /** Clears faults, counters and the attacker's log. Tokens, sessions and open sockets stay. */
    reset() {
      faults.clearAll(targets);
      stats.reset();
      attacker.clear();
      for (const v of vendors) v.reset?.();
    },

    /**
     * What every request to the attacker origin carried (at most 2000, oldest first); emptied by `reset()`.
     * @returns {import('./lib/attacker.mjs').AttackerLogEntry[]}
     */
    attackerLog() {
      return attacker.log();
    },

    /**
     * @returns {{ refreshCalls: number, refreshCallsByUser: Record<string, number>, tokensIssued: number,
     *   wsConnectionsTotal: number, wsOpen: number, wsRejected: number, wsConflicts: number, pageLoads: number,
     *   requests: Record<string, number>, faults: Record<string, unknown> }}
     */
    stats() {
      return { ...stats.snapshot(), faults: faults.snapshot() };
    },

    /**
     * The latest requests (at most 2000, oldest first), control calls excluded; emptied by `reset()`.
     * @returns {import('./lib/stats.mjs').LoggedRequest[]}
     */
    requestLog() {
      return stats.requestLog();
    },
  };
}

/**
 * Starts the lab.
 * @param {{ port?: number, host?: string, heartbeatMs?: number, tokenTtlSeconds?: number, tls?: boolean, log?: (line: string) => void }} [opts]
 *   `port` 0 = a free port; `heartbeatMs` notification heartbeat period (ms);
 *   `tokenTtlSeconds` access-token lifetime (s); `tls`: HTTPS for the lab's host names
 *   (LAB_HOSTS) with a throwaway certificate, plain HTTP still answered on the same port, and
 *   the login cookies `SameSite=None; Secure; Partitioned`; `log` receives one line per
 *   request ("METHOD path-template status", never a token).
 * @returns {Promise<{ url: string, port: number, tls: boolean, controlUrl: string,
 *   origins: { softphone: string, softphoneB: string, crm: string, attacker: string },
 *   close: () => Promise<void>, state: LabStateImpl }>}
 *   `url`: the app origin, e.g. `http://127.0.0.1:40123` (with `tls`: `https://softphone.test:40123`);
 *   `controlUrl`: plain HTTP on loopback, for the control API from Node (`url` without `tls`);
 *   `origins`: the sites by host name (https with `tls`, else http), reached by a browser
 *   started with TLS_BROWSER_ARGS.
 * @throws {Error} when the port cannot be bound
 */
export async function startLab({ port = 0, host = '127.0.0.1', heartbeatMs = 5000, tokenTtlSeconds = 600, tls = false, log } = {}) {
  let boundPort = 0;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const loopbackOrigin = () => `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${boundPort}`;
  /** @param {string} name a host name of LAB_HOSTS */
  const siteOrigin = (name) => `${tls ? 'https' : 'http'}://${name}:${boundPort}`;
  const origin = tls ? () => siteOrigin(LAB_HOSTS.softphone) : loopbackOrigin;
  const lab = createLabState({ tokenTtlSeconds, heartbeatMs, origin });
  const oauthCtx = {
    tokens: lab.tokens,
    stats: lab.counters,
    faults: lab.faultRegistry,
    port: () => boundPort,
    crossSiteCookies: tls,
    /** @param {string} o */
    appOrigin: (o) => o === siteOrigin(LAB_HOSTS.softphone) || o === siteOrigin(LAB_HOSTS.softphoneB),
  };
  /** @type {WeakMap<import('node:net').Socket, number>} requests seen per connection */
  const requestsPerSocket = new WeakMap();
  const apiCtx = {
    tokens: lab.tokens,
    faults: lab.faultRegistry,
    calls: lab.calls,
    presence: lab.presence,
    endpoints: lab.endpoints,
    /** @param {import('node:http').IncomingMessage} req */
    connectionReused: (req) => (requestsPerSocket.get(req.socket) ?? 0) > 1,
    /** @param {import('node:http').IncomingMessage} req @param {string} orgId */
    orgConflict: (req, orgId) => lab.hub.otherOrgOpen(lab.loginSession(req), orgId),
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {URL} url
   * @returns {Promise<number>}
   */
  async function route(req, res, url) {
    const path = url.pathname;
    if (lab.faultRegistry.active('server-down')) {
      sendApiError(res, 503, 'service.unavailable', 'The service is unavailable.');
      return 503;
    }
    // Before the app's routes: a vendor lab may answer under its own host name (api.genesys.test/api/v2/…).
    for (const v of lab.vendors) {
      const status = await v.handleRequest?.(req, res, url);
      if (status != null) return status;
    }
    if (path === '/' || path === '/index.html') {
      // The app bounces through /oauth/authorize on every load; count the load that starts it.
      // The worker transports sign in with the session cookie instead: every load starts the app.
      if (url.searchParams.has('code') || WORKER_TRANSPORTS.has(url.searchParams.get('transport') ?? '')) lab.counters.pageLoad();
      return serveStatic(res, 'index.html');
    }
    if (path.startsWith('/app/')) return serveStatic(res, path.slice(5));
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return 204;
    }
    if (path === '/login') return handleLogin(req, res, url, oauthCtx);
    if (path === '/logout') return handleLogout(req, res, url, oauthCtx);
    if (path === '/oauth/authorize') return handleAuthorize(req, res, url, oauthCtx);
    if (path === '/oauth/token') return handleToken(req, res, url, oauthCtx);
    if (path === '/auth/authorize') return handleSessionAuthorize(req, res, url, oauthCtx);
    if (path === '/api/v2/authentication/refresh') return handleRefresh(req, res, url, oauthCtx);
    if (path.startsWith('/api/v2/')) return handleApi(req, res, url, apiCtx);
    sendJson(res, 404, { message: 'No such resource.', code: 'not.found', status: 404 });
    return 404;
  }

  /**
   * The CRM site: `/crm?user=ID[&transport=T]` embeds the softphone (lib/crm-page.mjs).
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {URL} url
   */
  function routeCrm(req, res, url) {
    if (url.pathname === '/' && req.method === 'GET') {
      res.writeHead(302, { Location: '/crm?user=agent-1', 'Cache-Control': 'no-store' }).end();
      return;
    }
    if (url.pathname !== '/crm' || req.method !== 'GET') {
      sendJson(res, 404, { message: 'No such resource.', code: 'not.found', status: 404 });
      return;
    }
    const agent = findAgent(url.searchParams.get('user') ?? 'agent-1');
    const transport = url.searchParams.get('transport');
    if (!agent || (transport !== null && !APP_TRANSPORTS.includes(transport))) {
      sendJson(res, 400, {
        message: `user must be one of ${AGENTS.map((a) => a.id).join(', ')}; transport one of ${APP_TRANSPORTS.join(', ')}`,
        code: 'bad.request',
        status: 400,
      });
      return;
    }
    const html = crmPageHtml({ softphoneOrigin: siteOrigin(LAB_HOSTS.softphone), user: agent.id, agentName: agent.name, transport });
    sendHtml(res, 200, html);
  }

  /**
   * Which of the lab's sites a request is for, by its `Host` header; the softphone for any
   * name that is not another site's (loopback addresses, `localhost`, no header).
   * @param {import('node:http').IncomingMessage} req
   * @returns {'softphone' | 'crm' | 'attacker'}
   */
  function siteOf(req) {
    const name = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (name === LAB_HOSTS.crm) return 'crm';
    if (name === LAB_HOSTS.attacker) return 'attacker';
    return 'softphone';
  }

  /** @type {import('node:http').RequestListener} */
  const onRequest = (req, res) => {
    const site = siteOf(req);
    // The other sites are not the softphone platform: not counted, not in its request log.
    if (site !== 'softphone') {
      const url = new URL(req.url ?? '/', siteOrigin(LAB_HOSTS[site]));
      try {
        if (site === 'attacker') lab.attackerSite.handle(req, res, url);
        else routeCrm(req, res, url);
      } catch (e) {
        if (!res.headersSent) sendJson(res, 500, { message: /** @type {Error} */ (e).message, code: 'server.error', status: 500 });
        else res.destroy();
      }
      return;
    }
    const receivedAt = Date.now();
    requestsPerSocket.set(req.socket, (requestsPerSocket.get(req.socket) ?? 0) + 1);
    const url = new URL(req.url ?? '/', origin());
    const isControl = url.pathname.startsWith('/lab/');
    const handled = isControl ? handleControl(req, res, url, lab) : route(req, res, url);
    Promise.resolve(handled)
      .then((status) => {
        if (isControl) return;
        const template = pathTemplate(url.pathname);
        lab.counters.request(req.method ?? 'GET', template, status, receivedAt);
        log?.(`${req.method} ${template} ${status}`);
      })
      .catch((e) => {
        const err = /** @type {Error & { status?: number }} */ (e);
        if (!res.headersSent) sendJson(res, err.status ?? 500, { message: err.message, code: 'server.error', status: err.status ?? 500 });
        else res.destroy();
        if (!isControl) lab.counters.request(req.method ?? 'GET', pathTemplate(url.pathname), err.status ?? 500, receivedAt);
      });
  };

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   * @param {Buffer} head
   */
  const onUpgrade = (req, socket, head) => {
    socket.on('error', () => {
      /* the peer went away */
    });
    const site = siteOf(req);
    if (site === 'attacker') {
      lab.attackerSite.handleUpgrade(req, socket, new URL(req.url ?? '/', siteOrigin(LAB_HOSTS.attacker)));
      return;
    }
    if (site === 'crm') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const url = new URL(req.url ?? '/', origin());
    for (const v of lab.vendors) {
      const status = v.handleUpgrade?.(req, socket, head, url);
      if (status == null) continue;
      lab.counters.request('GET', pathTemplate(url.pathname), status);
      log?.(`GET ${pathTemplate(url.pathname)} ${status}`);
      return;
    }
    if (url.pathname !== '/api/v2/notifications') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      lab.counters.request('GET', pathTemplate(url.pathname), 404);
      return;
    }
    const status = lab.hub.handleUpgrade(req, socket, head, url);
    lab.counters.request('GET', '/api/v2/notifications', status);
    log?.(`GET /api/v2/notifications ${status}`);
  };

  const plainServer = createServer(onRequest);
  plainServer.on('upgrade', onUpgrade);
  /** @type {import('node:net').Server} what listens */
  let server = plainServer;
  /** @type {import('node:https').Server | null} */
  let tlsServer = null;
  let destroyAll = () => {};
  if (tls) {
    tlsServer = createHttpsServer(await makeCertificate(), onRequest);
    tlsServer.on('upgrade', onUpgrade);
    ({ server, destroyAll } = dualProtocolServer(tlsServer, plainServer));
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  boundPort = typeof address === 'object' && address ? address.port : port;

  return {
    url: origin(),
    port: boundPort,
    tls,
    controlUrl: loopbackOrigin(),
    origins: {
      softphone: siteOrigin(LAB_HOSTS.softphone),
      softphoneB: siteOrigin(LAB_HOSTS.softphoneB),
      crm: siteOrigin(LAB_HOSTS.crm),
      attacker: siteOrigin(LAB_HOSTS.attacker),
    },
    state: lab,
    close: () =>
      new Promise((resolve) => {
        lab.hub.close();
        for (const v of lab.vendors) v.close?.();
        server.close(() => resolve());
        plainServer.closeAllConnections();
        tlsServer?.closeAllConnections();
        destroyAll();
      }),
  };
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {string} name file name inside tests/lab/app
 * @returns {Promise<number>}
 */
async function serveStatic(res, name) {
  const m = STATIC_NAME_RE.exec(name);
  if (!m) {
    sendJson(res, 404, { message: 'No such file.', code: 'not.found', status: 404 });
    return 404;
  }
  let body;
  try {
    body = await readFile(join(APP_DIR, name));
  } catch {
    sendJson(res, 404, { message: 'No such file.', code: 'not.found', status: 404 });
    return 404;
  }
  res.writeHead(200, {
    'Content-Type': STATIC_TYPES[/** @type {keyof typeof STATIC_TYPES} */ (`.${m[1]}`)],
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
  });
  res.end(body);
  return 200;
}

/**
 * @param {string[]} argv
 * @returns {{ port: number, host: string, heartbeatMs: number, tokenTtlSeconds: number, tls: boolean, verbose: boolean }}
 * @throws {Error} on an unknown flag or a bad number
 */
function parseArgs(argv) {
  const out = { port: 8787, host: '127.0.0.1', heartbeatMs: 5000, tokenTtlSeconds: 600, tls: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a number`);
      return v;
    };
    if (flag === '--port') out.port = num();
    else if (flag === '--host') out.host = argv[++i] ?? out.host;
    else if (flag === '--heartbeat-ms') out.heartbeatMs = num();
    else if (flag === '--token-ttl-s') out.tokenTtlSeconds = num();
    else if (flag === '--tls') out.tls = true;
    else if (flag === '--verbose') out.verbose = true;
    else throw new Error(`unknown flag ${flag}`);
  }
  return out;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`lab: ${/** @type {Error} */ (e).message}`);
    process.exit(2);
  }
  const lab = await startLab({ ...args, log: args.verbose ? (line) => console.log(line) : undefined });
  const c = lab.controlUrl;
  const sites = lab.tls
    ? `
  Sites (HTTPS, throwaway certificate; start the browser with ${TLS_BROWSER_ARGS.map((a) => `'${a}'`).join(' ')}):
    softphone   ${lab.origins.softphone}/   (?transport=page|shared-worker|worker, ?widget=attacker)
    softphone B ${lab.origins.softphoneB}/
    CRM         ${lab.origins.crm}/crm?user=agent-1[&transport=shared-worker]
    attacker    ${lab.origins.attacker}/   (GET ${c}/lab/attacker-log)
`
    : '';
  console.log(`Softphone lab running.

  App:        ${lab.url}/
  Sign in:    ${lab.url}/login   (${AGENTS.map((a) => `${a.id} ${a.name}, ${a.orgIds.join(' + ')}`).join('; ')})
  Heartbeat:  every ${args.heartbeatMs} ms; access tokens live ${args.tokenTtlSeconds} s
${sites}
  Control API (loopback, JSON):
    POST ${c}/lab/fault/publish-storm  {"retryAfterSeconds":3,"rateLimitMs":8000}
    POST ${c}/lab/fault/token-revoke   (revoke every access token, nothing else: a 401 is the first sign)
    POST ${c}/lab/fault/{renegotiation-timeout|server-down|silent-stall|mic-revoked}  (see GET /lab/faults)
    POST ${c}/lab/fault/{genesys-silent-revoke|genesys-channel-expiry|twilio-silent-revoke}  (vendor labs)
    POST ${c}/lab/fault/org-switch     {"toOrg":"org-b"}
    POST ${c}/lab/ring                 {"userId":"agent-1"}
    POST ${c}/lab/reset
    GET  ${c}/lab/stats

  CLI (npm run lab:fault -- ...):
    publish-storm [--retry-after S] [--rate-limit-ms N]
    org-switch [--to ORG]   ring [--user ID]   reset   stats   faults   fault NAME [--param value ...]   clear NAME
    (--lab ${c} or LAB_URL)

Ctrl+C stops the lab.`);
  const stop = () => {
    lab.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`lab: ${/** @type {Error} */ (e).message}`);
    process.exit(1);
  });
}
