/**
 * The softphone's worker for `?transport=shared-worker` (a SharedWorker every page of the
 * origin shares) and `?transport=worker` (a dedicated Worker, one per page). Shaped like
 * Amazon Connect's CCP SharedWorker (amazon-connect-streams, commit
 * cc9c58756ce8be45c2d88d07bc604eb2b1955fa1):
 *
 * - it gets its token itself from a cookie-authenticated `GET /auth/authorize`
 *   (`credentials: 'include'`, src/core.js `connect.core.authorize`) and reads
 *   `{accessToken, expiration}` from the answer (src/worker.js `ClientEngine.prototype.authorize`);
 * - it makes the API calls with the token in an `X-Amz-Bearer` header (src/client.js,
 *   `AWSClient.prototype._callImpl`);
 * - it holds the one notification socket and hands every message to every page connected to
 *   it (src/worker.js: one WebSocketManager in the ClientEngine, `global.onconnect` adding
 *   each page's port to the multiplexer).
 *
 * Unlike Connect it recovers from nothing, as the lab's page transport: the token is
 * obtained once per worker and kept in memory, shared by every page using the worker; a
 * revoked token stays revoked until the worker itself ends. A SharedWorker ends only when no
 * page uses it any more, so reloading one page while another still holds the worker changes
 * nothing (tests/lab/README.md "The SharedWorker and Worker transports"); a dedicated Worker
 * ends with its page. The socket reconnect rule is the page's (signalling.js).
 *
 * Messages, page → worker: `{op:'hello', rid}` (authorizes when the worker has no token yet;
 * answer `{rid, ok, status, worker}`), `{op:'api', rid, method, path, body}` (answer `{rid, ok,
 * status, statusText, body}`), `{op:'subscribe'}` / `{op:'unsubscribe'}` (socket events),
 * `{op:'close'}` (the page goes away). Worker → page: answers by `rid`, `{type:'sig', event:
 * 'state'|'open'|'close'|'message', …}`, `{type:'worker', worker}` when the pages change.
 * No message to a page ever carries the token.
 */
import { createSignalling } from './signalling.js';

/* global SharedWorkerGlobalScope */
const shared = typeof SharedWorkerGlobalScope !== 'undefined' && self instanceof SharedWorkerGlobalScope;
const info = {
  id: crypto.randomUUID(),
  kind: shared ? 'shared-worker' : 'worker',
  startedAt: Date.now(),
  authorizedAt: /** @type {number | null} */ (null),
};

/** @type {string | null} memory only; obtained once */
let token = null;
/** @type {number | null} ms since epoch, from the authorize answer */
let expiration = null;
/** @type {Promise<{ ok: boolean, status: number }> | null} */
let authorizing = null;
/** @type {Set<MessagePort | DedicatedWorkerGlobalScope>} pages connected */
const ports = new Set();
/** @type {Set<MessagePort | DedicatedWorkerGlobalScope>} pages that want socket events */
const subscribers = new Set();
/** @type {ReturnType<typeof createSignalling> | null} */
let signalling = null;
/** @type {'connecting' | 'open' | 'closed'} */
let socketState = 'connecting';

/** @returns {{ id: string, kind: string, startedAt: number, authorizedAt: number | null, pages: number, tokenExpiresAt: number | null }} */
const snapshot = () => ({ ...info, pages: ports.size, tokenExpiresAt: expiration });

/** @param {unknown} message */
function toSubscribers(message) {
  for (const p of subscribers) p.postMessage(message);
}

function pagesChanged() {
  for (const p of ports) p.postMessage({ type: 'worker', worker: snapshot() });
}

/** @returns {Promise<{ ok: boolean, status: number }>} */
function authorize() {
  if (token) return Promise.resolve({ ok: true, status: 200 });
  authorizing ??= (async () => {
    try {
      const res = await fetch('/auth/authorize', { credentials: 'include', headers: { Accept: 'application/json' } });
      const body = await res.json().catch(() => null);
      if (!res.ok || typeof body?.accessToken !== 'string') return { ok: false, status: res.status };
      token = body.accessToken;
      expiration = new Date(body.expiration).getTime();
      info.authorizedAt = Date.now();
      return { ok: true, status: res.status };
    } catch {
      return { ok: false, status: 0 };
    } finally {
      authorizing = null;
    }
  })();
  return authorizing;
}

/**
 * @param {{ method: string, path: string, body?: unknown }} r
 * @returns {Promise<{ ok: boolean, status: number, statusText: string, body: any }>}
 */
async function apiCall({ method, path, body }) {
  if (typeof path !== 'string' || !path.startsWith('/api/v2/')) return { ok: false, status: 0, statusText: 'not an API path', body: null };
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', 'X-Amz-Bearer': token ?? '' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0, statusText: '', body: null };
  }
  const parsed = await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, statusText: res.statusText, body: parsed };
}

/** The one socket, started when the first page subscribes; its events go to every subscriber. */
function startSignalling() {
  signalling = createSignalling({
    url: () =>
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v2/notifications?access_token=${encodeURIComponent(token ?? '')}`,
    onState: (state) => {
      socketState = state;
      toSubscribers({ type: 'sig', event: 'state', state });
    },
    onOpen: () => toSubscribers({ type: 'sig', event: 'open' }),
    onClose: (code, reason, wasClean, wasOpen) => toSubscribers({ type: 'sig', event: 'close', code, reason, wasClean, wasOpen }),
    onMessage: (message) => toSubscribers({ type: 'sig', event: 'message', message }),
  });
  signalling.start();
}

/** @param {MessagePort | DedicatedWorkerGlobalScope} port */
function attach(port) {
  ports.add(port);
  port.onmessage = async (ev) => {
    const m = ev.data ?? {};
    if (m.op === 'hello') {
      const r = await authorize();
      port.postMessage({ rid: m.rid, ok: r.ok, status: r.status, worker: snapshot() });
      pagesChanged();
    } else if (m.op === 'api') {
      port.postMessage({ rid: m.rid, ...(await apiCall(m)) });
    } else if (m.op === 'subscribe') {
      subscribers.add(port);
      if (!signalling) startSignalling();
      else {
        port.postMessage({ type: 'sig', event: 'state', state: socketState });
        if (socketState === 'open') port.postMessage({ type: 'sig', event: 'open' });
      }
    } else if (m.op === 'unsubscribe') {
      subscribers.delete(port);
    } else if (m.op === 'close') {
      subscribers.delete(port);
      ports.delete(port);
      pagesChanged();
    }
  };
}

if (shared) {
  /** @param {MessageEvent} event */
  self.onconnect = (event) => {
    const port = event.ports[0];
    if (port) {
      attach(port);
      port.start();
    }
  };
} else {
  attach(/** @type {DedicatedWorkerGlobalScope} */ (/** @type {unknown} */ (self)));
}
