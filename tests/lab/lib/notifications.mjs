/**
 * The notification WebSocket `/api/v2/notifications?access_token=T`, in the shape of the
 * seeds' platform: the token is checked at the upgrade (an HTTP 401 there makes the browser
 * report close code 1006), heartbeats every `heartbeatMs`, and pushes such as incoming calls.
 *
 * Messages (server → client), JSON text frames:
 * - heartbeat: `{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}`
 * - pong to a client `{"message":"ping"}`: `{"topicName":"channel.metadata","eventBody":{"message":"pong"}}`
 * - incoming call: `{"topicName":"v2.users.{id}.conversations","eventBody":{"id","state":"alerting","from"}}`
 * - lab only, the `mic-revoked` fault: `{"topicName":"lab.devices","eventBody":{"event":"microphone-removed"}}`
 * - lab only, the `org-switch` fault: `{"topicName":"lab.org","eventBody":{"event":"switch-organization","organizationId"}}`
 *
 * One organisation per login session (seed 002): an upgrade for organisation X while a socket
 * of another organisation opened with the same login session (cookie `lab_session`) is still
 * OPEN is accepted and dropped at once without a close frame (`terminate()`: the browser
 * reports 1006). A socket without a live login session is never in conflict.
 *
 * Token in the first frame (`?auth=message`, the lab app's `custom` carriers): the upgrade is
 * accepted without a token, and the client's first text frame must be socket.io's CONNECT
 * packet with an `auth` payload, `40{"token":"…"}` (socket.io-protocol v5), within
 * {@link AUTH_FRAME_TIMEOUT_MS}. A valid token gets the CONNECT acknowledgement `40{"sid":"…"}`
 * and the socket then works as above; anything else gets a CONNECT_ERROR
 * `44{"message":"unauthorized"}` and the close 4401 "unauthorized" (4000 + HTTP status, the
 * private-use range of RFC 6455 §7.4.2), and counts as a refused upgrade (`onRejected(401)`).
 *
 * Silent stall: `stallOpen(until)` makes the sockets open at that moment go silent (no
 * heartbeats, pushes or pongs; received messages ignored) until `until`; sockets opened later
 * work normally. The `ws` library still answers control frames by itself: a client's close
 * frame gets the closing handshake (so a client closing a stalled socket sees a clean close
 * with its own code) and a ping frame gets a pong; browsers send no pings of their own.
 */
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

/** How long a `?auth=message` socket may take to send its CONNECT packet, ms. */
export const AUTH_FRAME_TIMEOUT_MS = 5000;
/** socket.io CONNECT with an auth payload (socket.io-protocol v5 packet encoding: type 0 after the engine.io message type 4). */
const CONNECT_RE = /^40(\{.*\})$/s;

/**
 * @typedef {{ userId: string, orgId: string, sessionId: string | null, timer: NodeJS.Timeout, stalledUntil: number | null }} Client
 *   `sessionId`: the live login session the upgrade carried, or null; `stalledUntil`: ms since
 *   epoch the silent stall of this socket ends, null when not stalled
 */

/**
 * @param {{
 *   heartbeatMs: number,
 *   authenticate: (token: string | null, req: import('node:http').IncomingMessage) =>
 *     { ok: true, userId: string, orgId: string, sessionId: string | null } | { ok: false, status: number, reason: string },
 *   onAccepted: () => void,
 *   onClosed: () => void,
 *   onRejected: (status: number) => void,
 *   onConflict: () => void,
 *   now?: () => number,
 * }} opts `heartbeatMs`: heartbeat period (ms); `authenticate` decides at the upgrade (token from
 *   the URL, login session from the request's cookies); `onConflict`: an upgrade was accepted
 *   and dropped at once for the one-organisation rule; `now`: clock in ms since epoch
 */
export function createNotificationHub(opts) {
  const now = opts.now ?? Date.now;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** @type {Map<import('ws').WebSocket, Client>} */
  const clients = new Map();

  /** @param {Client | undefined} c */
  function stalled(c) {
    return Boolean(c && c.stalledUntil !== null && now() < c.stalledUntil);
  }

  /**
   * @param {import('ws').WebSocket} ws
   * @param {unknown} message
   * @returns {boolean} whether the message was written (open and not stalled)
   */
  function send(ws, message) {
    if (ws.readyState !== ws.OPEN || stalled(clients.get(ws))) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  /**
   * @param {string | null} sessionId
   * @param {string} orgId
   * @returns {boolean} whether that login session holds an OPEN socket of another organisation
   */
  function otherOrgOpen(sessionId, orgId) {
    if (!sessionId) return false;
    for (const [ws, c] of clients) {
      if (c.sessionId === sessionId && c.orgId !== orgId && ws.readyState === ws.OPEN) return true;
    }
    return false;
  }

  /**
   * A socket whose credentials were accepted joins the hub.
   * @param {import('ws').WebSocket} ws
   * @param {{ userId: string, orgId: string, sessionId: string | null }} auth
   */
  function admit(ws, auth) {
    ws.on('error', () => {
      /* the close event follows */
    });
    if (otherOrgOpen(auth.sessionId, auth.orgId)) {
      // Seed 002's resource conflict: accepted, then dropped without a close frame.
      opts.onConflict();
      ws.terminate();
      return;
    }
    const timer = setInterval(() => {
      send(ws, { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
    }, opts.heartbeatMs);
    clients.set(ws, { userId: auth.userId, orgId: auth.orgId, sessionId: auth.sessionId, timer, stalledUntil: null });
    opts.onAccepted();
    ws.on('message', (data) => {
      if (stalled(clients.get(ws))) return;
      try {
        const msg = JSON.parse(String(data));
        if (msg && msg.message === 'ping') send(ws, { topicName: 'channel.metadata', eventBody: { message: 'pong' } });
      } catch {
        /* not JSON: ignored, as the platform does */
      }
    });
    ws.on('close', () => {
      const c = clients.get(ws);
      if (!c) return;
      clearInterval(c.timer);
      clients.delete(ws);
      opts.onClosed();
    });
  }

  /**
   * `?auth=message`: the first frame carries the token (see the module comment).
   * @param {import('ws').WebSocket} ws
   * @param {import('node:http').IncomingMessage} req
   */
  function authenticateByMessage(ws, req) {
    ws.on('error', () => {
      /* the close event follows */
    });
    const refuse = () => {
      opts.onRejected(401);
      if (ws.readyState === ws.OPEN) {
        ws.send('44{"message":"unauthorized"}');
        ws.close(4401, 'unauthorized');
      }
    };
    const timer = setTimeout(refuse, AUTH_FRAME_TIMEOUT_MS);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      const m = isBinary ? null : CONNECT_RE.exec(String(data));
      /** @type {string | null} */
      let token = null;
      try {
        const payload = m ? JSON.parse(m[1]) : null;
        if (payload && typeof payload.token === 'string') token = payload.token;
      } catch {
        /* not JSON: no token */
      }
      const auth = opts.authenticate(token, req);
      if (!auth.ok) return refuse();
      ws.send(`40${JSON.stringify({ sid: randomBytes(9).toString('base64url') })}`);
      admit(ws, auth);
    });
  }

  return {
    /**
     * Handles an HTTP upgrade to the notification socket.
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @param {URL} url
     * @returns {number} the HTTP status of the upgrade (101, or the refusal)
     */
    handleUpgrade(req, socket, head, url) {
      if (url.searchParams.get('auth') === 'message') {
        wss.handleUpgrade(req, socket, head, (ws) => authenticateByMessage(ws, req));
        return 101;
      }
      const auth = opts.authenticate(url.searchParams.get('access_token'), req);
      if (!auth.ok) {
        const body = JSON.stringify({
          message: auth.reason,
          code: auth.status === 401 ? 'bad.credentials' : 'service.unavailable',
          status: auth.status,
        });
        const reason = auth.status === 401 ? 'Unauthorized' : 'Service Unavailable';
        socket.end(
          `HTTP/1.1 ${auth.status} ${reason}\r\n` +
            'Content-Type: application/json\r\n' +
            (auth.status === 401 ? 'WWW-Authenticate: Bearer realm="softphone-lab", error="invalid_token"\r\n' : '') +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        opts.onRejected(auth.status);
        return auth.status;
      }
      wss.handleUpgrade(req, socket, head, (ws) => admit(ws, auth));
      return 101;
    },

    otherOrgOpen,

    /**
     * Silent stall of the sockets open now: they send nothing and ignore what they receive
     * until `until`. Sockets opened later are not affected.
     * @param {number} until ms since epoch
     * @returns {number} how many sockets went silent
     */
    stallOpen(until) {
      let n = 0;
      for (const [ws, c] of clients) {
        if (ws.readyState !== ws.OPEN) continue;
        c.stalledUntil = until;
        n++;
      }
      return n;
    },

    /** Ends every silent stall at once (the fault was cleared). */
    unstallAll() {
      for (const c of clients.values()) c.stalledUntil = null;
    },

    /**
     * Pushes a message to one user's sockets, or to all sockets.
     * @param {string | null} userId null = every socket
     * @param {unknown} message
     * @returns {number} sockets the message was written to
     */
    push(userId, message) {
      let n = 0;
      for (const [ws, c] of clients) if (userId === null || c.userId === userId) n += send(ws, message) ? 1 : 0;
      return n;
    },

    /** @returns {string[]} user ids with an open socket (distinct) */
    connectedUsers() {
      return [...new Set([...clients.values()].map((c) => c.userId))];
    },

    /**
     * Drops every socket without a close frame (TCP teardown), so browsers report 1006.
     * @returns {number} how many were dropped
     */
    terminateAll() {
      const n = clients.size;
      for (const ws of clients.keys()) ws.terminate();
      return n;
    },

    /** Closes every socket and the hub (server shutdown). */
    close() {
      for (const [ws, c] of clients) {
        clearInterval(c.timer);
        ws.terminate();
      }
      clients.clear();
      wss.close();
    },
  };
}
