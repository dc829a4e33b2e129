/**
 * The page side of `?transport=shared-worker` and `?transport=worker`: the app's API calls and
 * notification socket run in softphone-worker.js, which holds the token. Same interface as
 * the page transport (api.js `createApi`, signalling.js `createSignalling`), so the rest of
 * the app does not know the difference; failures are counted in the page as before. Before
 * the page goes away it tells the worker (`close`), as Connect's CCP does on unload
 * (amazon-connect-streams src/core.js `global.onunload`, commit
 * cc9c58756ce8be45c2d88d07bc604eb2b1955fa1).
 *
 * The organisation switch is not available with these transports (the worker's token is
 * obtained once): `switchOrganization` answers a failure the app logs.
 */

const WORKER_URL = '/app/softphone-worker.js';

/**
 * @typedef {{ id: string, kind: 'shared-worker' | 'worker', startedAt: number, authorizedAt: number | null,
 *   pages: number, tokenExpiresAt: number | null }} WorkerInfo `pages`: pages connected to the worker now
 * @typedef {{ ok: boolean, status: number, body: any }} ApiResult `status` 0 = network error
 */

/**
 * @param {{ kind: 'shared-worker' | 'worker', failures: ReturnType<typeof import('./failures.js').createFailureLog>, onChange: () => void }} deps
 */
export function createWorkerTransport({ kind, failures, onChange }) {
  /** @type {MessagePort | Worker} */
  let port;
  if (kind === 'shared-worker') {
    const w = new SharedWorker(WORKER_URL, { type: 'module', name: 'lab-softphone' });
    w.onerror = () => failures.note('The softphone worker failed to start.');
    port = w.port;
  } else {
    const w = new Worker(WORKER_URL, { type: 'module', name: 'lab-softphone' });
    w.onerror = () => failures.note('The softphone worker failed.');
    port = w;
  }
  /** @type {WorkerInfo | null} */
  let worker = null;
  let nextRid = 1;
  /** @type {Map<number, (answer: any) => void>} */
  const pending = new Map();
  /** @type {Set<(event: any) => void>} signalling instances of this page */
  const subscriptions = new Set();

  port.onmessage = (ev) => {
    const m = ev.data ?? {};
    if (typeof m.rid === 'number') {
      pending.get(m.rid)?.(m);
      pending.delete(m.rid);
      return;
    }
    if (m.type === 'worker') {
      worker = m.worker;
      onChange();
    } else if (m.type === 'sig') {
      for (const deliver of [...subscriptions]) deliver(m);
    }
  };
  if (port instanceof MessagePort) port.start();
  addEventListener('pagehide', () => port.postMessage({ op: 'close' }));

  /**
   * @param {Record<string, unknown>} message
   * @returns {Promise<any>} the worker's answer
   */
  function call(message) {
    const rid = nextRid++;
    return new Promise((resolve) => {
      pending.set(rid, resolve);
      port.postMessage({ ...message, rid });
    });
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] sent as JSON
   * @returns {Promise<ApiResult>}
   */
  async function request(method, path, body) {
    const r = await call({ op: 'api', method, path, body });
    if (!r.ok) failures.http(method, path, r.status, r.statusText);
    return { ok: r.ok, status: r.status, body: r.body };
  }

  return {
    /**
     * Connects to the worker, which authorizes when it holds no token yet.
     * @returns {Promise<{ ok: boolean, status: number }>} `status` of the worker's `GET /auth/authorize` (200 when it already had a token)
     */
    async init() {
      const r = await call({ op: 'hello' });
      worker = r.worker;
      if (!r.ok) failures.http('GET', '/auth/authorize', r.status);
      onChange();
      return { ok: r.ok, status: r.status };
    },

    /** @returns {WorkerInfo | null} the worker this page uses (null before it answered) */
    info: () => (worker ? { ...worker } : null),

    /** The same calls as api.js `createApi`, through the worker. */
    api: {
      /** @returns {Promise<ApiResult>} */
      me: () => request('GET', '/api/v2/users/me'),
      /** @returns {Promise<ApiResult>} */
      mediaToken: () => request('GET', '/api/v2/communications/webRTC'),
      /** @param {string[]} codecs @returns {Promise<ApiResult>} */
      registerEndpoint: (codecs) => request('PUT', '/api/v2/users/me/webphone/endpoint', { codecs }),
      /** @param {string} userId @returns {Promise<ApiResult>} */
      setAvailable: (userId) =>
        request('PUT', `/api/v2/presence/users/${encodeURIComponent(userId)}`, { presenceDefinition: { systemPresence: 'Available' } }),
      /** @param {string} callId @returns {Promise<ApiResult>} */
      answer: (callId) => request('POST', `/api/v2/conversations/${encodeURIComponent(callId)}/answer`),
      /** @param {string} callId @returns {Promise<ApiResult>} */
      disconnect: (callId) => request('POST', `/api/v2/conversations/${encodeURIComponent(callId)}/disconnect`),
      /** @returns {Promise<ApiResult>} a failure: the worker's token is obtained once */
      switchOrganization: async () => ({ ok: false, status: 0, body: { error: `not available with the ${kind} transport` } }),
    },

    /**
     * A signalling instance fed by the worker's socket (signalling.js's interface; `url` unused).
     * @param {{
     *   onState: (state: 'connecting' | 'open' | 'closed') => void,
     *   onOpen: () => void,
     *   onClose: (code: number, reason: string, wasClean: boolean, wasOpen: boolean, willReconnect: boolean) => void,
     *   onMessage: (message: any) => void,
     * }} opts
     */
    createSignalling(opts) {
      let open = false;
      /** @param {any} m */
      const deliver = (m) => {
        if (m.event === 'state') {
          open = m.state === 'open';
          opts.onState(m.state);
        } else if (m.event === 'open') opts.onOpen();
        else if (m.event === 'close') opts.onClose(m.code, m.reason, m.wasClean, m.wasOpen, true);
        else if (m.event === 'message') opts.onMessage(m.message);
      };
      return {
        start() {
          subscriptions.add(deliver);
          if (subscriptions.size === 1) port.postMessage({ op: 'subscribe' });
        },
        /** Stops this page's interest in the worker's socket (the socket itself stays). */
        stop() {
          subscriptions.delete(deliver);
          if (subscriptions.size === 0) port.postMessage({ op: 'unsubscribe' });
          open = false;
        },
        /** @returns {boolean} whether the worker's socket is OPEN, as last reported */
        isOpen: () => open,
      };
    },
  };
}
