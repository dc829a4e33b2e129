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
 */
import { WebSocketServer } from 'ws';

/**
 * @param {{
 *   heartbeatMs: number,
 *   authenticate: (token: string | null) => { ok: true, userId: string } | { ok: false, status: number, reason: string },
 *   isStalled: () => boolean,
 *   onAccepted: () => void,
 *   onClosed: () => void,
 *   onRejected: (status: number) => void,
 * }} opts `heartbeatMs`: heartbeat period (ms); `authenticate` decides at the upgrade;
 *   `isStalled`: true while the server must send nothing (silent-stall fault).
 */
export function createNotificationHub(opts) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** @type {Map<import('ws').WebSocket, { userId: string, timer: NodeJS.Timeout }>} */
  const clients = new Map();

  /**
   * @param {import('ws').WebSocket} ws
   * @param {unknown} message
   */
  function send(ws, message) {
    if (ws.readyState !== ws.OPEN || opts.isStalled()) return false;
    ws.send(JSON.stringify(message));
    return true;
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
      const auth = opts.authenticate(url.searchParams.get('access_token'));
      if (!auth.ok) {
        const body = JSON.stringify({ message: auth.reason, code: auth.status === 401 ? 'bad.credentials' : 'service.unavailable', status: auth.status });
        const reason = auth.status === 401 ? 'Unauthorized' : 'Service Unavailable';
        socket.end(
          `HTTP/1.1 ${auth.status} ${reason}\r\n`
          + 'Content-Type: application/json\r\n'
          + (auth.status === 401 ? 'WWW-Authenticate: Bearer realm="softphone-lab", error="invalid_token"\r\n' : '')
          + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        opts.onRejected(auth.status);
        return auth.status;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const timer = setInterval(() => {
          send(ws, { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
        }, opts.heartbeatMs);
        clients.set(ws, { userId: auth.userId, timer });
        opts.onAccepted();
        ws.on('message', (data) => {
          if (opts.isStalled()) return;
          try {
            const msg = JSON.parse(String(data));
            if (msg && msg.message === 'ping') send(ws, { topicName: 'channel.metadata', eventBody: { message: 'pong' } });
          } catch { /* not JSON: ignored, as the platform does */ }
        });
        ws.on('close', () => {
          const c = clients.get(ws);
          if (!c) return;
          clearInterval(c.timer);
          clients.delete(ws);
          opts.onClosed();
        });
        ws.on('error', () => { /* the close event follows */ });
      });
      return 101;
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
