/**
 * The Genesys Cloud vendor lab (tests/lab/README.md "Vendor labs: Genesys Cloud"): the
 * platform side genesys-cloud-streaming-client 19.4.1 (npm; GitHub commit
 * aa266dfbcfc5d7d5aaf8df3ea8e0e3b8b82a1b51) talks to, and the lab page that runs it.
 *
 * Host names (the client derives them from its `host` option, `src/client.ts` constructor:
 * `apiHost = host.replace('wss://streaming.', '')`; `src/http-client.ts` `_buildUri`:
 * `https://api.${apiHost}/api/v2/${path}`; `src/notifications.ts` `pubsubHost`:
 * `notifications.${apiHost}`), all on the lab's one port and only with `tls`:
 * - `streaming.genesys.test`: the XMPP WebSocket `/stream/channels/{id}` (lib/genesys-xmpp.mjs);
 * - `api.genesys.test`: the REST calls the client makes, CORS open to the lab's origins:
 *   `GET /api/v2/users/me` (`src/client.ts` `prepareForConnect` reads `chat.jabberId`;
 *   `?expand=organization` adds `organization`), `POST /api/v2/notifications/channels?connectionType=streaming`
 *   (same; reads `id`), `POST|PUT|GET /api/v2/notifications/channels/{id}/subscriptions`
 *   (`src/notifications.ts` `makeBulkSubscribeRequest`), `POST /api/v2/diagnostics/trace`
 *   (the client's log uploads: genesys-cloud-client-logger 4.2.18 `log-uploader`, URL from
 *   `src/client.ts` constructor). Every one needs `Authorization: Bearer` with a live lab
 *   token: 401 otherwise.
 * - the lab page, on the softphone origin: `GET /vendors/genesys/` (tests/lab/vendors/genesys/).
 *
 * Faults (besides the lab's own `publish-storm`, `silent-stall`, `server-down`, which reach
 * these streams through the lab's fault targets): `genesys-silent-revoke`, `genesys-channel-expiry`.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAgent, findOrg } from './directory.mjs';
import { bearerToken, readBody, readJsonObject, sendJson } from './http-kit.mjs';
import { LAB_HOSTS } from './tls.mjs';
import { createXmppStreams } from './genesys-xmpp.mjs';

export const GENESYS_HOSTS = Object.freeze({ api: 'api.genesys.test', streaming: 'streaming.genesys.test' });
/** The lab page's path on the softphone origin. */
export const GENESYS_PAGE_PATH = '/vendors/genesys/';
/** Notification channels live 24 h, as Genesys Cloud's do; `genesys-channel-expiry` ends one early. */
const CHANNEL_TTL_MS = 24 * 3600_000;

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vendors', 'genesys');
const PAGE_FILES = new Map([
  ['', ['index.html', 'text/html; charset=utf-8']],
  ['index.html', ['index.html', 'text/html; charset=utf-8']],
  ['page.js', ['page.js', 'text/javascript; charset=utf-8']],
]);
/**
 * The vendor's own browser build, published in the npm package (`"web"` in its package.json:
 * `dist/streaming-client.browser.js`, webpack, sets `window.GenesysCloudStreamingClient`),
 * served as it is: no bundling of ours, nothing shimmed.
 */
export const CLIENT_BUNDLE = 'streaming-client.browser.js';

/** @returns {string} absolute path of the vendor's browser build in node_modules */
export function clientBundlePath() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('genesys-cloud-streaming-client/package.json')), 'dist', CLIENT_BUNDLE);
}

/**
 * @typedef {import('./genesys-xmpp.mjs').Channel & { createdAt: number, expiresAt: number, expired: boolean, topics: string[] }} LabChannel
 * @typedef {{ at: number, kind: 'rest' | 'sasl', what: string }} Refusal
 *   a request the lab refused for its token: `rest` "METHOD template 401", `sasl` "SASL not-authorized (token revoked)"
 */

/**
 * The Genesys lab, made once per lab (tests/lab/server.mjs `VENDOR_LABS`).
 * @param {{ tokens: ReturnType<typeof import('./token-store.mjs').createTokenStore>, heartbeatMs: number, origin: () => string }} ctx
 *   `origin`: the softphone app's origin (with `tls`: `https://softphone.test:PORT`), whose
 *   port the Genesys host names share
 * @returns {import('../server.mjs').VendorLab & { stats: () => Record<string, unknown> }}
 */
export function createGenesysLab(ctx) {
  const port = () => new URL(ctx.origin()).port;
  /** The lab's app origins (LAB_HOSTS softphone, softphoneB): the REST API answers their CORS requests. */
  const allowedOrigin = (/** @type {string} */ o) =>
    [LAB_HOSTS.softphone, LAB_HOSTS.softphoneB].some((h) => o === `https://${h}:${port()}`);
  /** @type {Map<string, LabChannel>} */
  const channels = new Map();
  /** @type {Refusal[]} */
  const refusals = [];
  /** @type {import('./genesys-xmpp.mjs').StreamEvent[]} */
  const streamEvents = [];
  const faultsSeen = { silentRevokes: 0, channelExpiries: 0 };
  const host = (/** @type {string} */ name) => `${name}:${port()}`;
  const apiHost = () => `genesys.test:${port()}`;

  /** @param {Refusal} r */
  const refused = (r) => {
    refusals.push(r);
    if (refusals.length > 500) refusals.shift();
  };

  const xmpp = createXmppStreams({
    pubsubHost: () => `notifications.${apiHost()}`,
    checkToken: (token) => {
      const check = ctx.tokens.checkAccessToken(token);
      return check.ok ? { ok: true, userId: check.record.userId } : { ok: false, problem: check.problem };
    },
    findChannel: (id) => {
      const c = channels.get(id);
      return c && !c.expired && c.expiresAt > Date.now() ? c : null;
    },
    onEvent: (e) => {
      streamEvents.push(e);
      if (streamEvents.length > 500) streamEvents.shift();
      if (e.event.startsWith('sasl-failure')) refused({ at: e.at, kind: 'sasl', what: `SASL ${e.event.slice('sasl-failure '.length)}` });
    },
  });

  /**
   * @param {import('node:http').IncomingMessage} req
   * @returns {string | null} the request's host name without the port, lower case
   */
  const hostName = (req) => (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();

  /**
   * CORS for the API (Fetch standard, "CORS protocol"): the lab's own origins only.
   * @param {import('node:http').IncomingMessage} req
   * @returns {Record<string, string>}
   */
  function cors(req) {
    const origin = req.headers.origin;
    if (!origin || !allowedOrigin(origin)) return {};
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'inin-correlation-id, retry-after',
      Vary: 'Origin',
    };
  }

  /**
   * The REST API at `api.genesys.test`.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {URL} url
   * @returns {Promise<number>}
   */
  async function api(req, res, url) {
    const method = req.method ?? 'GET';
    const headers = { ...cors(req), 'inin-correlation-id': randomBytes(8).toString('hex') };
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...headers,
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? 'authorization, content-type'),
        'Access-Control-Max-Age': '5',
      });
      res.end();
      return 204;
    }
    const path = url.pathname;
    const template = path.replace(/^(\/api\/v2\/notifications\/channels\/)[^/]+/, '$1{id}');
    const check = ctx.tokens.checkAccessToken(bearerToken(req, url));
    if (!check.ok) {
      if (check.problem !== 'missing') refused({ at: Date.now(), kind: 'rest', what: `${method} ${template} 401` });
      sendJson(
        res,
        401,
        { message: `The access token is ${check.problem}.`, code: 'bad.credentials', status: 401 },
        {
          ...headers,
          'WWW-Authenticate': `Bearer realm="genesys-lab"${check.problem === 'missing' ? '' : ', error="invalid_token"'}`,
        },
      );
      return 401;
    }
    const { userId, orgId } = check.record;
    const agent = findAgent(userId);
    if (path === '/api/v2/users/me' && method === 'GET') {
      const expand = (url.searchParams.get('expand') ?? '').split(',');
      const org = findOrg(orgId);
      sendJson(
        res,
        200,
        {
          id: userId,
          name: agent?.name ?? userId,
          email: `${userId}@genesys.test`,
          // What `prepareForConnect` reads (src/client.ts): the user's XMPP JID.
          chat: { jabberId: jidOf(userId, orgId) },
          ...(expand.includes('organization') ? { organization: { id: orgId, name: org?.name ?? orgId } } : {}),
        },
        headers,
      );
      return 200;
    }
    if (path === '/api/v2/notifications/channels' && method === 'POST') {
      if (url.searchParams.get('connectionType') !== 'streaming') {
        sendJson(res, 400, { message: 'connectionType=streaming only in the lab', code: 'bad.request', status: 400 }, headers);
        return 400;
      }
      const id = `streaming-${randomBytes(12).toString('hex')}`;
      const createdAt = Date.now();
      channels.set(id, {
        id,
        userId,
        orgId,
        jid: jidOf(userId, orgId),
        createdAt,
        expiresAt: createdAt + CHANNEL_TTL_MS,
        expired: false,
        topics: [],
      });
      sendJson(
        res,
        200,
        {
          id,
          connectUri: `wss://${host(GENESYS_HOSTS.streaming)}/stream/channels/${id}`,
          expires: new Date(createdAt + CHANNEL_TTL_MS).toISOString(),
        },
        headers,
      );
      return 200;
    }
    const sub = /^\/api\/v2\/notifications\/channels\/([^/]+)\/subscriptions$/.exec(path);
    if (sub) {
      const channel = channels.get(sub[1] ?? '');
      if (!channel || channel.userId !== userId) {
        sendJson(res, 404, { message: 'No such channel.', code: 'not.found', status: 404 }, headers);
        return 404;
      }
      if (method === 'POST' || method === 'PUT') {
        /** @type {string[]} */
        let topics;
        try {
          const body = JSON.parse((await readBody(req)) || '[]');
          topics = Array.isArray(body) ? body.map((t) => String(t?.id ?? '')).filter(Boolean) : [];
        } catch {
          sendJson(res, 400, { message: 'Body must be a JSON array of {id}.', code: 'bad.request', status: 400 }, headers);
          return 400;
        }
        channel.topics = method === 'PUT' ? topics : [...new Set([...channel.topics, ...topics])];
      }
      sendJson(res, 200, { entities: channel.topics.map((id) => ({ id, state: 'Permitted' })) }, headers);
      return 200;
    }
    if (path === '/api/v2/diagnostics/trace' && method === 'POST') {
      await readBody(req).catch(() => ''); // the client's logs: read and dropped
      res.writeHead(202, { ...headers, 'Content-Length': 0, 'Cache-Control': 'no-store' }).end();
      return 202;
    }
    sendJson(res, 404, { message: 'No such resource in the lab.', code: 'not.found', status: 404 }, headers);
    return 404;
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {string} rest path after GENESYS_PAGE_PATH
   * @returns {Promise<number>}
   */
  async function page(res, rest) {
    const file = rest === CLIENT_BUNDLE ? [clientBundlePath(), 'text/javascript; charset=utf-8'] : PAGE_FILES.get(rest);
    if (!file) {
      sendJson(res, 404, { message: 'No such file.', code: 'not.found', status: 404 });
      return 404;
    }
    const [name, type] = /** @type {[string, string]} */ (file);
    const body = await readFile(name.startsWith('/') ? name : join(PAGE_DIR, name));
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    res.end(body);
    return 200;
  }

  return {
    name: 'genesys',

    /**
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:http').ServerResponse} res
     * @param {URL} url
     * @returns {Promise<number> | null} the status sent, or null when the request is not this lab's
     */
    handleRequest(req, res, url) {
      const name = hostName(req);
      if (name === GENESYS_HOSTS.api) return api(req, res, url);
      if (name === GENESYS_HOSTS.streaming) {
        sendJson(res, 426, { message: 'Upgrade to a WebSocket.', code: 'upgrade.required', status: 426 });
        return Promise.resolve(426);
      }
      if (url.pathname === GENESYS_PAGE_PATH.slice(0, -1)) {
        res.writeHead(302, { Location: GENESYS_PAGE_PATH }).end();
        return Promise.resolve(302);
      }
      if (url.pathname.startsWith(GENESYS_PAGE_PATH)) return page(res, url.pathname.slice(GENESYS_PAGE_PATH.length));
      return null;
    },

    /**
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @param {URL} url
     * @returns {number | null} the upgrade's status, or null when it is not this lab's
     */
    handleUpgrade(req, socket, head, url) {
      if (hostName(req) !== GENESYS_HOSTS.streaming) return null;
      const m = /^\/stream\/channels\/([^/]+)$/.exec(url.pathname);
      if (m) return xmpp.handleUpgrade(req, socket, head, m[1] ?? '');
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return 404;
    },

    /**
     * The control API of this lab: `POST /lab/fault/genesys-silent-revoke`,
     * `POST /lab/fault/genesys-channel-expiry` (`{fault, since, until, params, ...effects}`),
     * `GET /lab/genesys/stats` ({@link stats}).
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:http').ServerResponse} res
     * @param {URL} url
     * @returns {Promise<number | null>}
     */
    async handleControl(req, res, url) {
      const method = req.method ?? 'GET';
      const fault = /^\/lab\/fault\/(genesys-[a-z-]+)$/.exec(url.pathname)?.[1];
      if (fault && method === 'POST' && Object.hasOwn(this.faults, fault)) {
        await readJsonObject(req);
        const since = Date.now();
        sendJson(res, 200, { fault, since, until: null, params: {}, ...this.injectFault(fault) });
        return 200;
      }
      if (url.pathname === '/lab/genesys/stats' && method === 'GET') {
        sendJson(res, 200, this.stats());
        return 200;
      }
      return null;
    },

    /** Fault definitions of this lab, as `GET /lab/faults` lists them. */
    faults: {
      'genesys-silent-revoke': {
        description:
          'Genesys lab: every access token is revoked, then every ready XMPP stream is ended by the server the ' +
          'RFC 7395 way (<close/>, then WebSocket close 1000, not 1006). The streaming client takes a stream end as a ' +
          'reason to reconnect on the same channel: its next SASL <auth> carries the revoked token and gets ' +
          '<not-authorized/>, after which it never reconnects (src/client.ts saslErrorIsRetryable). Its log upload ' +
          '(POST /api/v2/diagnostics/trace) may meet the 401 first: GET /lab/stats genesys.refusals says which came first.',
        implemented: true,
        defaults: {},
      },
      'genesys-channel-expiry': {
        description:
          "Genesys lab: the channels of the open streams expire: a pubsub event on node 'no_longer_subscribed' " +
          '(src/notifications.ts pubsubEvent; src/client.ts handleNoLongerSubscribed: a hard reconnect is needed), then ' +
          'the stream is ended (RFC 7395 <close/>); the channel is gone (a stream to it gets 404). The client reconnects ' +
          'with a new channel (POST /api/v2/notifications/channels; its JID is kept from the first users/me).',
        implemented: true,
        defaults: {},
      },
    },

    /**
     * @param {string} name
     * @returns {Record<string, unknown> | null} the fault's effects, or null when the fault is not this lab's
     */
    injectFault(name) {
      if (name === 'genesys-silent-revoke') {
        faultsSeen.silentRevokes++;
        const revokedTokens = ctx.tokens.revokeAllAccessTokens();
        return { revokedTokens, endedStreams: xmpp.endAll() };
      }
      if (name === 'genesys-channel-expiry') {
        faultsSeen.channelExpiries++;
        const notified = xmpp.pushEvent('no_longer_subscribed', { message: 'no longer subscribed' });
        let expiredChannels = 0;
        let endedStreams = 0;
        for (const c of channels.values()) {
          if (c.expired) continue;
          c.expired = true;
          expiredChannels++;
          endedStreams += xmpp.endChannel(c.id);
        }
        return { notifiedStreams: notified, expiredChannels, endedStreams };
      }
      return null;
    },

    /** @returns {number} streams dropped without a close frame (1006) */
    terminateAll: () => xmpp.terminateAll(),
    /** @param {number} until ms since epoch @returns {number} streams stalled */
    stallOpen: (until) => xmpp.stallOpen(until),
    unstallAll: () => xmpp.unstallAll(),

    /**
     * @returns {{ channels: number, streamsOpen: number, streamsReady: number, faults: typeof faultsSeen,
     *   refusals: Refusal[], streamEvents: import('./genesys-xmpp.mjs').StreamEvent[] } & typeof xmpp.counts}
     *   counts since the last reset; `refusals` oldest first (never a token)
     */
    stats() {
      return {
        channels: channels.size,
        streamsOpen: xmpp.openCount(),
        streamsReady: xmpp.readyCount(),
        ...xmpp.counts,
        faults: { ...faultsSeen },
        refusals: [...refusals],
        streamEvents: [...streamEvents],
      };
    },

    reset() {
      refusals.length = 0;
      streamEvents.length = 0;
      faultsSeen.silentRevokes = 0;
      faultsSeen.channelExpiries = 0;
      xmpp.resetCounts();
    },

    close() {
      xmpp.close();
    },
  };
}

/**
 * A user's XMPP JID in the lab, shaped like Genesys Cloud's `chat.jabberId` (`<id>@<org>.orgspan.…`).
 * @param {string} userId
 * @param {string} orgId
 */
function jidOf(userId, orgId) {
  return `${userId}@${orgId}.orgspan.genesys.test`;
}
