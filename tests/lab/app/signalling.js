/**
 * The notification socket. Each instance holds the token it was created with (the URL is
 * built anew for each attempt from `url()`, which the app binds to that token), and
 * reconnects after every close except a normal one, backing off 1 s, 2 s, 4 s, then every
 * 8 s, forever. Reconnecting with a revoked token is what leaves the seeds' agents stuck.
 *
 * Reconnect rule: code 1000 (Normal Closure, RFC 6455 §7.4.1: "the purpose for which the
 * connection was established has been fulfilled") ends the instance, whoever closed the
 * socket; any other close (1006 after a dropped connection, 1001, 1005, 4000…) → reconnect.
 *
 * With `authFrame` (the `custom` carriers of main.js), the token is not in the URL: the first
 * frame is socket.io's CONNECT packet with an `auth` payload (`40{"token":"…"}`,
 * socket.io-protocol v5), and the socket counts as open only once the server's CONNECT
 * acknowledgement (`40{…}`) arrives; a CONNECT_ERROR (`44{…}`) is followed by the server's close.
 */

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 8000;
/** RFC 6455 §7.4.1: the one close code after which the instance does not reconnect. */
export const NORMAL_CLOSURE = 1000;

/**
 * @param {{
 *   url: () => string,
 *   onState: (state: 'connecting' | 'open' | 'closed') => void,
 *   onOpen: () => void,
 *   onClose: (code: number, reason: string, wasClean: boolean, wasOpen: boolean, willReconnect: boolean) => void,
 *   onMessage: (message: any) => void,
 *   authFrame?: () => string,
 * }} opts `url`: the socket URL, built anew for each attempt; `onClose` gets `wasOpen` false
 *   when the attempt never opened (refused upgrade) and `willReconnect` false after a normal
 *   close or `stop()`
 */
export function createSignalling(opts) {
  /** @type {WebSocket | null} */
  let ws = null;
  let attempt = 0;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let stopped = false;

  function connect() {
    timer = null;
    if (stopped) return;
    opts.onState('connecting');
    const socket = new WebSocket(opts.url());
    ws = socket;
    let wasOpen = false;
    const opened = () => {
      wasOpen = true;
      attempt = 0;
      opts.onState('open');
      opts.onOpen();
    };
    socket.onopen = () => {
      if (opts.authFrame) socket.send(opts.authFrame());
      else opened();
    };
    socket.onmessage = (ev) => {
      if (opts.authFrame && typeof ev.data === 'string' && /^4[04]/.test(ev.data)) {
        if (ev.data.startsWith('40') && !wasOpen) opened();
        return;
      }
      let msg;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      opts.onMessage(msg);
    };
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      if (ev.code === NORMAL_CLOSURE) stopped = true;
      opts.onState('closed');
      opts.onClose(ev.code, ev.reason, ev.wasClean, wasOpen, !stopped);
      if (stopped) return;
      const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
      attempt++;
      timer = setTimeout(connect, delay);
    };
  }

  return {
    start: connect,
    /** Closes the socket (1000) and stops reconnecting. */
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      ws?.close(NORMAL_CLOSURE);
    },
    /** @returns {boolean} whether this instance's socket is OPEN now */
    isOpen() {
      return ws !== null && ws.readyState === WebSocket.OPEN;
    },
  };
}
