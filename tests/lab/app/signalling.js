/**
 * The notification socket. It reconnects after every close it did not ask for, with the
 * token it already has (which is what leaves the seeds' agents stuck once that token is
 * revoked), backing off 1 s, 2 s, 4 s, then every 8 s, forever.
 */

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 8000;

/**
 * @param {{
 *   url: () => string,
 *   onState: (state: 'connecting' | 'open' | 'closed') => void,
 *   onOpen: () => void,
 *   onClose: (code: number, reason: string, wasClean: boolean, wasOpen: boolean) => void,
 *   onMessage: (message: any) => void,
 * }} opts `url`: the socket URL, built anew for each attempt; `onClose` gets `wasOpen` false
 *   when the attempt never opened (refused upgrade)
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
    socket.onopen = () => {
      wasOpen = true;
      attempt = 0;
      opts.onState('open');
      opts.onOpen();
    };
    socket.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(String(ev.data)); } catch { return; }
      opts.onMessage(msg);
    };
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      opts.onState('closed');
      opts.onClose(ev.code, ev.reason, ev.wasClean, wasOpen);
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
      ws?.close(1000);
    },
  };
}
