// The lab CCP: a page that does what Amazon's CCP does with amazon-connect-streams 2.28.2
// (release/connect-streams.js, unmodified): it obtains the agent's token from
// GET /auth/authorize (connect.core.authorize, credentials 'include'), then
// connect.core.initSharedWorker with the lab's endpoints; the SharedWorker
// (shared-worker.js → connect.worker.main) makes every API call, long-polls the agent
// snapshot, refreshes its token and holds the transport socket. Everything the worker reports
// reaches this page through the streams' own conduit and event bus.
// State for tests in `window.labVendor` (no token is ever logged). Behaviour:
// tests/lab/README.md "Vendor labs: Amazon Connect".
/* global connect */
(function () {
  'use strict';
  const LOG_MAX = 500;
  const loads = Number(sessionStorage.getItem('labVendorLoads') || '0') + 1;
  sessionStorage.setItem('labVendorLoads', String(loads));

  const state = {
    vendor: 'amazon-connect',
    streamsVersion: (window.connect && connect.version) || null,
    loads,
    signedIn: null,
    initialized: false,
    /** the latest agent snapshot the worker sent: state name and type, contacts, when */
    agent: null,
    snapshots: 0,
    /** `open`: the connection as a whole (gained, not lost since) */
    socket: { open: false, gains: 0, losts: 0, opens: 0, closes: 0, initFailures: 0, lastClose: null },
    /** API results the worker reported (connect.EventType.API_METRIC): per method, per status */
    api: {},
    events: [],
    errors: [],
  };
  window.labVendor = state;

  const statusEl = document.getElementById('status');
  const socketEl = document.getElementById('socket-status');
  const logEl = document.getElementById('log');

  /** @param {string} name @param {Record<string, unknown>} [extra] */
  function note(name, extra) {
    const e = Object.assign({ at: Date.now(), name }, extra || {});
    state.events.push(e);
    if (state.events.length > LOG_MAX) state.events.shift();
    logEl.textContent += `${new Date(e.at).toISOString().slice(11, 23)} ${name}${extra ? ' ' + JSON.stringify(extra) : ''}\n`;
  }
  /** @param {string} name @param {string} message */
  function fail(name, message) {
    state.errors.push({ at: Date.now(), name, message });
    if (state.errors.length > LOG_MAX) state.errors.shift();
    note(name, { message });
  }
  function render() {
    statusEl.textContent = state.agent
      ? `${state.agent.state} (${state.agent.type})`
      : state.signedIn === false
        ? 'not signed in'
        : 'starting';
    socketEl.textContent = state.socket.open ? 'open' : state.socket.initFailures ? 'failed' : 'closed';
  }

  async function start() {
    let auth;
    try {
      // connect.core.authorize is the streams' own GET of the authorize endpoint (credentials 'include').
      auth = await connect.core.authorize('/auth/authorize');
    } catch (e) {
      state.signedIn = false;
      fail('authorize-failed', `status ${e && e.status}`);
      const a = document.createElement('a');
      a.href = `/login?user=agent-1&return=${encodeURIComponent(location.pathname + location.search)}`;
      a.textContent = 'Sign in';
      document.body.insertBefore(a, logEl);
      render();
      return;
    }
    state.signedIn = true;
    const origin = location.origin;
    connect.core.initSharedWorker({
      sharedWorkerUrl: '/vendors/amazon/shared-worker.js',
      authToken: auth.accessToken,
      authTokenExpiration: new Date(auth.expiration),
      // Required by initSharedWorker; the CCP's worker never sends it anywhere (src/worker.js).
      refreshToken: 'unused',
      region: 'us-east-1',
      // The CTI API (AWSClient endpoint) and the task templates client fall back to it.
      endpoint: `${origin}/api`,
      authorizeEndpoint: '/auth/authorize',
      // connect.core.init in the worker asserts both (AgentAppClient); no call here uses them.
      agentAppEndpoint: `${origin}/vendors/amazon/agent-app`,
      authCookieName: 'lab-agent-app',
    });
    const bus = connect.core.getEventBus();
    bus.subscribe(connect.EventType.ACKNOWLEDGE, () => {
      if (!state.initialized) note('worker-acknowledged');
      state.initialized = true;
    });
    bus.subscribe(connect.AgentEvents.UPDATE, (agent) => {
      const s = agent && agent.snapshot;
      if (!s) return;
      state.snapshots++;
      const next = { state: s.state && s.state.name, type: s.state && s.state.type, contacts: (s.contacts || []).length, at: Date.now() };
      if (!state.agent || state.agent.state !== next.state || state.agent.contacts !== next.contacts)
        note('agent-update', { state: next.state, contacts: next.contacts });
      state.agent = next;
      render();
    });
    for (const [name, key] of [
      ['auth-fail', connect.EventType.AUTH_FAIL],
      ['access-denied', connect.EventType.ACCESS_DENIED],
      ['authorize-retries-exhausted', connect.EventType.AUTHORIZE_RETRIES_EXHAUSTED],
      ['cti-authorize-retries-exhausted', connect.EventType.CTI_AUTHORIZE_RETRIES_EXHAUSTED],
    ]) {
      bus.subscribe(key, () => fail(name, key));
    }
    // After AUTH_FAIL the page authorizes again by itself (src/core.js _handleCTIAuthFail); the
    // answer's token is dropped there: only the worker's own checkAuthToken replaces its token.
    bus.subscribe(connect.EventType.AUTHORIZE_SUCCESS, () => note('authorize-success'));
    bus.subscribe(connect.EventType.API_METRIC, (m) => {
      if (!m || !m.name) return;
      const status = String(((m.optionalDimensions || []).find((d) => d.name === 'HttpStatusCode') || {}).value || '');
      const per = (state.api[m.name] = state.api[m.name] || {});
      per[status] = (per[status] || 0) + 1;
      if (status !== '200') note('api', { method: m.name, status });
    });
    // Open and close are per socket: the manager opens a second socket before it closes the first
    // (websocket manager initWebSocket, "secondary"). Gain and lost are the connection as a whole.
    bus.subscribe(connect.WebSocketEvents.CONNECTION_OPEN, () => {
      state.socket.opens++;
      note('socket-open');
    });
    bus.subscribe(connect.WebSocketEvents.CONNECTION_CLOSE, (r) => {
      state.socket.closes++;
      state.socket.lastClose = r ? { code: r.code, reason: r.reason || '' } : null;
      note('socket-close', state.socket.lastClose || undefined);
    });
    bus.subscribe(connect.WebSocketEvents.CONNECTION_GAIN, () => {
      state.socket.gains++;
      state.socket.open = true;
      note('socket-gain');
      render();
    });
    bus.subscribe(connect.WebSocketEvents.CONNECTION_LOST, () => {
      state.socket.losts++;
      state.socket.open = false;
      note('socket-lost');
      render();
    });
    bus.subscribe(connect.WebSocketEvents.INIT_FAILURE, () => {
      state.socket.initFailures++;
      state.socket.open = false;
      fail('socket-init-failure', connect.WebSocketEvents.INIT_FAILURE);
      render();
    });
    render();
  }

  start().catch((e) => fail('start-failed', String(e && e.message)));
})();
