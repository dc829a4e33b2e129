/**
 * The Amazon Connect lab's back end for the CCP's SharedWorker: the CTI API and the transport
 * socket, spoken as amazon-connect-streams 2.28.2 speaks them (npm package,
 * release/connect-streams.js; readable sources at github.com/amazon-connect/amazon-connect-streams
 * commit cc9c58756ce8be45c2d88d07bc604eb2b1955fa1: src/client.js, src/worker.js,
 * src/lib/amazon-connect-websocket-manager.js(.map)). Behaviour: tests/lab/README.md
 * "Vendor labs: Amazon Connect".
 *
 * CTI API: `POST /api` (AWSClient: `baseUrl + '/api'`, or the CCP's `endpoint`), the AWS JSON 1.0
 * protocol of the bundled service model (metadata `protocol: "json"`, `jsonVersion: "1.0"`,
 * `targetPrefix: "AmazonConnectCTIService"`): `X-Amz-Target: AmazonConnectCTIService.<Operation>`,
 * a JSON body, the agent's token in `X-Amz-Bearer` (AWSClient `_callImpl`, on the request's
 * `build` event) and again in the body's `authentication.authToken` (`_translateParams`). The lab
 * checks the header against the token store; a missing, unknown, revoked or expired token →
 * 401 `{"__type":"UnauthorizedException"}`, which the SDK turns into `err.code`
 * UnauthorizedException, `err.statusCode` 401 (AWSClient retries the polling methods, up to
 * MAX_UNAUTHORIZED_RETRY_COUNT 20, then `authFailure`).
 *
 * Operations answered: GetAgentSnapshot (a long poll: with the current `nextToken` the answer
 * waits up to `timeout` ms, the worker's GET_AGENT_TIMEOUT_MS 30 s, for a change),
 * GetAgentConfiguration, GetAgentStates, GetAgentPermissions, GetDialableCountryCodes,
 * GetRoutingProfileQueues (the worker's pollForAgentConfiguration, every 30 s), CreateTransport
 * `web_socket` (the WebSocketManager's connection config: `{webSocketTransport:{url,
 * transportLifeTimeInSeconds, expiry}}`, the URL valid for URL_VALID_MS), PutAgentState,
 * SendClientLogs / SendSoftphoneCallMetrics / SendSoftphoneCallReport (accepted, dropped). Any
 * other operation → 400 `InvalidStateException`.
 *
 * Transport socket `/vendors/amazon/transport?id=…` (the URL CreateTransport answered): JSON
 * text frames `{"topic","content"}` (websocket manager `createWebSocketPayload`). The client
 * sends `aws/heartbeat` every 10 s (HEARTBEAT_INTERVAL_MS) and reconnects through a new
 * CreateTransport when the previous one got no answer; `aws/subscribe {topics}` is answered
 * `{"topic":"aws/subscribe","content":{"status":"success","topics":[…]}}`. An unknown or
 * expired transport id → the upgrade is refused with 403 (a presigned URL past its time).
 *
 * Faults: `terminateAll` drops every transport socket without a close frame (1006) and every
 * long poll held open (the connection destroyed); `stallOpen(until)` makes the sockets open now
 * silent (no answers) until `until`.
 */
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { readBody, sendJson } from './http-kit.mjs';

const TARGET_PREFIX = 'AmazonConnectCTIService.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** A held GetAgentSnapshot waits at most this long (src/worker.js GET_AGENT_TIMEOUT_MS). */
const MAX_POLL_MS = 30_000;
/**
 * How long a transport URL may be used to connect. The client assumes 85 s
 * (WEBSOCKET_URL_VALID_TIME_MS, "Ideally this URL validity time should be provided by server").
 */
export const URL_VALID_MS = 85_000;
/** transportLifeTimeInSeconds: the client reconnects after it; at least MIN_WEBSOCKET_LIFETIME_MS 300 s. */
export const TRANSPORT_LIFETIME_S = 600;
const LOG_MAX = 2000;
const ACCOUNT = 'arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-00000000lab0';

/**
 * @typedef {{ stateName: string, stateType: string, since: number, version: number,
 *   waiters: Set<() => void> }} AgentRecord
 * @typedef {{ at: number, op: string, status: number, user?: string }} ApiLogEntry
 * @typedef {{ id: number, ws: import('ws').WebSocket, userId: string, openedAt: number,
 *   stalledUntil: number | null, heartbeats: number }} TransportClient
 */

/** The agent states GetAgentStates lists (type and name as src/agent.js AgentStateType reads them). */
const AGENT_STATES = [
  { type: 'routable', name: 'Available' },
  { type: 'not_routable', name: 'Break' },
  { type: 'offline', name: 'Offline' },
];

/**
 * @param {{ tokens: ReturnType<typeof import('./token-store.mjs').createTokenStore>,
 *   origin: () => string, now?: () => number }} opts `origin`: the softphone site, for the transport URL
 */
export function createConnectCti({ tokens, origin, now = Date.now }) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** @type {Map<string, AgentRecord>} */
  const agents = new Map();
  /** @type {Map<string, { userId: string, expiresAt: number }>} */
  const transports = new Map();
  /** @type {Set<TransportClient>} */
  const clients = new Set();
  /** @type {Set<import('node:http').IncomingMessage>} */
  const heldPolls = new Set();
  /** @type {ApiLogEntry[]} */
  let log = [];
  let nextSocketId = 1;
  const counts = {
    transportsCreated: 0,
    socketsOpened: 0,
    socketsClosed: 0,
    upgradesRefused: 0,
    heartbeatsAnswered: 0,
    subscribes: 0,
    pollsHeld: 0,
    pollsDropped: 0,
  };
  /** @type {Record<string, Record<string, number>>} operation → status → count */
  let apiCounts = {};

  /** @param {string} userId @returns {AgentRecord} */
  function agent(userId) {
    let a = agents.get(userId);
    if (!a) {
      a = { stateName: 'Available', stateType: 'routable', since: now(), version: 1, waiters: new Set() };
      agents.set(userId, a);
    }
    return a;
  }

  /** @param {string} userId */
  const agentArn = (userId) => `${ACCOUNT}/agent/${userId}`;
  const queue = { queueARN: `${ACCOUNT}/queue/lab-basic`, name: 'BasicQueue' };

  /** @param {string} userId */
  function snapshot(userId) {
    const a = agent(userId);
    return {
      snapshot: {
        state: {
          agentStateARN: `${ACCOUNT}/agent-state/${a.stateName}`,
          type: a.stateType,
          name: a.stateName,
          startTimestamp: a.since / 1000,
        },
        agentAvailabilityState: { state: a.stateType === 'routable' ? 'Available' : 'NotAvailable', timeStamp: a.since / 1000 },
        contacts: [],
        snapshotTimestamp: now() / 1000,
      },
      nextToken: String(a.version),
    };
  }

  /** @param {ApiLogEntry} e */
  function note(e) {
    log.push(e);
    if (log.length > LOG_MAX) log = log.slice(-LOG_MAX);
    const per = (apiCounts[e.op] ??= {});
    per[String(e.status)] = (per[String(e.status)] ?? 0) + 1;
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {string} type the exception name (AWS JSON protocol `__type`)
   * @param {string} message
   */
  function sendError(res, status, type, message) {
    sendJson(res, status, { __type: type, message }, { 'Content-Type': CONTENT_TYPE, 'x-amzn-ErrorType': type });
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} userId
   * @param {Record<string, any>} body
   * @returns {Promise<number>}
   */
  async function getAgentSnapshot(req, res, userId, body) {
    const a = agent(userId);
    const wait = Math.min(MAX_POLL_MS, Math.max(0, Number(body.timeout) || 0));
    if (body.nextToken === String(a.version) && wait > 0) {
      counts.pollsHeld++;
      heldPolls.add(req);
      const changed = await new Promise((resolve) => {
        const timer = setTimeout(() => done(false), wait);
        const onChange = () => done(true);
        const onGone = () => done(null);
        /** @param {boolean | null} v */
        function done(v) {
          clearTimeout(timer);
          a.waiters.delete(onChange);
          req.socket.off('close', onGone);
          resolve(v);
        }
        a.waiters.add(onChange);
        req.socket.once('close', onGone);
      });
      heldPolls.delete(req);
      if (changed === null) return 0;
    }
    sendJson(res, 200, snapshot(userId), { 'Content-Type': CONTENT_TYPE });
    return 200;
  }

  /**
   * @param {string} userId
   * @param {string} op
   * @param {Record<string, any>} body
   * @returns {{ status: number, body: unknown } | { status: number, error: string, message: string }}
   */
  function answer(userId, op, body) {
    switch (op) {
      case 'GetAgentConfiguration':
        return {
          status: 200,
          body: {
            configuration: {
              name: userId,
              username: userId,
              softphoneEnabled: true,
              softphoneAutoAccept: false,
              extension: '',
              routingProfile: {
                name: 'Basic Routing Profile',
                routingProfileARN: `${ACCOUNT}/routing-profile/lab-basic`,
                defaultOutboundQueue: queue,
                channelConcurrencyMap: { VOICE: 1 },
              },
              agentPreferences: {},
              agentARN: agentArn(userId),
            },
          },
        };
      case 'GetAgentStates':
        return { status: 200, body: { states: AGENT_STATES.map((s) => ({ agentStateARN: `${ACCOUNT}/agent-state/${s.name}`, ...s })) } };
      case 'GetAgentPermissions':
        return { status: 200, body: { permissions: ['outboundCall', 'voiceContactTransfer'] } };
      case 'GetDialableCountryCodes':
        return { status: 200, body: { countryCodes: ['us'] } };
      case 'GetRoutingProfileQueues':
        return { status: 200, body: { queues: [queue] } };
      case 'CreateTransport': {
        if (body.transportType !== 'web_socket')
          return {
            status: 400,
            error: 'InvalidStateException',
            message: `transportType ${String(body.transportType)} is not offered by the lab`,
          };
        const id = randomBytes(24).toString('base64url');
        const expiresAt = now() + URL_VALID_MS;
        transports.set(id, { userId, expiresAt });
        counts.transportsCreated++;
        const wsOrigin = origin().replace(/^http/, 'ws');
        return {
          status: 200,
          body: {
            webSocketTransport: {
              url: `${wsOrigin}/vendors/amazon/transport?id=${id}`,
              transportLifeTimeInSeconds: TRANSPORT_LIFETIME_S,
              expiry: new Date(expiresAt).toISOString(),
            },
          },
        };
      }
      case 'PutAgentState': {
        const s = AGENT_STATES.find((x) => body.state && x.name === body.state.name);
        if (!s) return { status: 400, error: 'InvalidStateException', message: 'unknown agent state' };
        const a = agent(userId);
        a.stateName = s.name;
        a.stateType = s.type;
        a.since = now();
        a.version++;
        for (const w of [...a.waiters]) w();
        return { status: 200, body: {} };
      }
      case 'SendClientLogs':
      case 'SendSoftphoneCallMetrics':
      case 'SendSoftphoneCallReport':
        return { status: 200, body: {} };
      default:
        return { status: 400, error: 'InvalidStateException', message: `${op} is not offered by the lab` };
    }
  }

  /** @param {TransportClient} c */
  const stalled = (c) => c.stalledUntil !== null && now() < c.stalledUntil;

  return {
    /**
     * `POST /api`.
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:http').ServerResponse} res
     * @returns {Promise<number>} status sent (0: the client went away first)
     */
    async handleApi(req, res) {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      /** @type {Record<string, any>} */
      let body;
      try {
        const text = await readBody(req);
        body = text ? JSON.parse(text) : {};
      } catch {
        body = {};
      }
      if (!op) {
        sendError(res, 400, 'UnknownOperationException', 'X-Amz-Target names no AmazonConnectCTIService operation');
        note({ at: now(), op: '?', status: 400 });
        return 400;
      }
      const header = req.headers['x-amz-bearer'];
      const check = tokens.checkAccessToken(typeof header === 'string' ? header : null);
      if (!check.ok) {
        sendError(res, 401, 'UnauthorizedException', `The token is ${check.problem}.`);
        note({ at: now(), op, status: 401 });
        return 401;
      }
      const userId = check.record.userId;
      if (op === 'GetAgentSnapshot') {
        const status = await getAgentSnapshot(req, res, userId, body);
        if (status === 0) counts.pollsDropped++;
        note({ at: now(), op, status, user: userId });
        return status;
      }
      const r = answer(userId, op, body);
      if ('error' in r) sendError(res, r.status, r.error, r.message);
      else sendJson(res, r.status, r.body, { 'Content-Type': CONTENT_TYPE });
      note({ at: now(), op, status: r.status, user: userId });
      return r.status;
    },

    /**
     * WebSocket `/vendors/amazon/transport?id=…`.
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @param {URL} url
     * @returns {number} 101, or 403 when refused
     */
    acceptTransport(req, socket, head, url) {
      const t = transports.get(url.searchParams.get('id') ?? '');
      if (!t || t.expiresAt <= now()) {
        counts.upgradesRefused++;
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return 403;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        /** @type {TransportClient} */
        const c = { id: nextSocketId++, ws, userId: t.userId, openedAt: now(), stalledUntil: null, heartbeats: 0 };
        clients.add(c);
        counts.socketsOpened++;
        ws.on('message', (data, isBinary) => {
          if (isBinary || stalled(c)) return;
          /** @type {any} */
          let m;
          try {
            m = JSON.parse(data.toString());
          } catch {
            return;
          }
          if (m?.topic === 'aws/heartbeat') {
            c.heartbeats++;
            counts.heartbeatsAnswered++;
            ws.send(JSON.stringify({ topic: 'aws/heartbeat' }));
          } else if (m?.topic === 'aws/subscribe' || m?.topic === 'aws/unsubscribe') {
            counts.subscribes++;
            const topics = Array.isArray(m.content?.topics) ? m.content.topics.filter((x) => typeof x === 'string') : [];
            ws.send(JSON.stringify({ topic: m.topic, content: { status: 'success', topics } }));
          }
        });
        ws.on('close', () => {
          clients.delete(c);
          counts.socketsClosed++;
        });
        ws.on('error', () => {
          /* the peer went away */
        });
      });
      return 101;
    },

    /** @returns {number} sockets and held polls dropped */
    terminateAll() {
      let n = 0;
      for (const c of clients) {
        c.ws.terminate();
        n++;
      }
      for (const req of heldPolls) {
        req.socket.destroy();
        n++;
      }
      return n;
    },

    /** @param {number} until @returns {number} sockets now silent */
    stallOpen(until) {
      let n = 0;
      for (const c of clients) {
        if (c.ws.readyState !== c.ws.OPEN) continue;
        c.stalledUntil = until;
        n++;
      }
      return n;
    },

    unstallAll() {
      for (const c of clients) c.stalledUntil = null;
    },

    /** Empties the log and the counts (lab reset); sockets, transports and agent states stay. */
    resetLog() {
      log = [];
      apiCounts = {};
      for (const k of /** @type {(keyof typeof counts)[]} */ (Object.keys(counts))) counts[k] = 0;
    },

    /**
     * @returns {{ sockets: { id: number, userId: string, openedAt: number, stalled: boolean, heartbeats: number }[],
     *   heldPolls: number, agents: Record<string, { state: string, version: number }>, api: Record<string, Record<string, number>>,
     *   log: ApiLogEntry[], counts: typeof counts }} no token
     */
    snapshot() {
      /** @type {Record<string, { state: string, version: number }>} */
      const agentStates = {};
      for (const [id, a] of agents) agentStates[id] = { state: a.stateName, version: a.version };
      return {
        sockets: [...clients].map((c) => ({
          id: c.id,
          userId: c.userId,
          openedAt: c.openedAt,
          stalled: stalled(c),
          heartbeats: c.heartbeats,
        })),
        heldPolls: heldPolls.size,
        agents: agentStates,
        api: structuredClone(apiCounts),
        log: [...log],
        counts: { ...counts },
      };
    },

    close() {
      for (const c of clients) c.ws.terminate();
      clients.clear();
      for (const req of heldPolls) req.socket.destroy();
      wss.close();
    },
  };
}
