/**
 * The Genesys Cloud lab page: signs in like the lab app (OAuth 2.0 code flow with PKCE S256,
 * RFC 6749 §4.1, RFC 7636, against the lab's /oauth/authorize and /oauth/token; the redirect
 * URI is this page), then runs genesys-cloud-streaming-client (npm 19.4.1, its published
 * browser build `window.GenesysCloudStreamingClient`, unmodified) with that token against the
 * lab: `host: wss://streaming.genesys.test:PORT`, from which the client derives its API host
 * `api.genesys.test:PORT` itself (src/client.ts constructor, GitHub commit
 * aa266dfbcfc5d7d5aaf8df3ea8e0e3b8b82a1b51).
 *
 * The access token lives in this module's memory only, as a Genesys app keeps it: a revoked
 * token stays revoked until the page is reloaded.
 *
 * `?telemetry=off` turns the client's log uploads off (its `optOutOfWebrtcStatsTelemetry`).
 *
 * Test hook `window.labVendor` (JSON, never a token): `{vendor, phase, connected, connecting,
 * agent, events: [{at, name, detail}], eventCounts, saslFailures, errors: [{at, type, name,
 * message, condition}], logs: [{at, level, message}], connectedAt, disconnectedAt, connects,
 * disconnects, loadedAt}` — times in ms since the epoch.
 */

const CLIENT_ID = 'lab-softphone';
const PKCE_KEY = 'lab.genesys.pkce';
/** The page's query before the sign-in redirect (the redirect URI carries none). */
const QUERY_KEY = 'lab.genesys.query';
const MAX_ENTRIES = 300;
/** Client events too frequent or too raw to list one by one (counted in `eventCounts`). */
const UNLISTED = new Set(['raw:incoming', 'raw:outgoing', 'raw', 'stream:data', 'stanza', 'iq', 'message', 'presence']);
/** @param {string} name */
const listed = (name) => !UNLISTED.has(name) && !name.startsWith('iq:id:') && !name.startsWith('message:id:');

const state = {
  vendor: 'genesys-cloud-streaming-client',
  phase: 'starting',
  connected: false,
  connecting: false,
  agent: /** @type {null | {id: string, name: string, orgId: string | null}} */ (null),
  events: /** @type {{at: number, name: string, detail: string}[]} */ ([]),
  eventCounts: /** @type {Record<string, number>} */ ({}),
  saslFailures: 0,
  errors: /** @type {{at: number, type: string, name: string, message: string, condition: string | null}[]} */ ([]),
  logs: /** @type {{at: number, level: string, message: string}[]} */ ([]),
  connectedAt: /** @type {number | null} */ (null),
  disconnectedAt: /** @type {number | null} */ (null),
  connects: 0,
  disconnects: 0,
  loadedAt: Date.now(),
};
/** @type {any} */ (window).labVendor = state;

const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
const eventsEl = /** @type {HTMLElement} */ (document.getElementById('events'));

/** @template T @param {T[]} list @param {T} item */
function bounded(list, item) {
  list.push(item);
  if (list.length > MAX_ENTRIES) list.shift();
}

/** @param {string} phase @param {string} text */
function show(phase, text) {
  state.phase = phase;
  statusEl.dataset.state = phase;
  statusEl.textContent = text;
}

/** @param {string} name @param {string} [detail] */
function record(name, detail = '') {
  const at = Date.now();
  bounded(state.events, { at, name, detail });
  const li = document.createElement('li');
  li.textContent = `${new Date(at).toISOString().slice(11, 23)} ${name}${detail ? ` ${detail}` : ''}`;
  eventsEl.append(li);
  while (eventsEl.children.length > MAX_ENTRIES) eventsEl.firstElementChild?.remove();
}

/**
 * An error the client reported to this app (connect() rejected, or its own reconnect's
 * rejection that nobody awaits). A StreamingClientError whose cause is a SaslError
 * (src/client.ts `connect`) is a SASL failure the app saw.
 * @param {any} err
 */
function clientError(err) {
  if (!err || typeof err !== 'object') return;
  const details = err.details && typeof err.details === 'object' ? err.details : null;
  const condition = details && details.name === 'SaslError' ? String(details.condition ?? '') : null;
  if (condition !== null) state.saslFailures++;
  bounded(state.errors, {
    at: Date.now(),
    type: String(err.type ?? ''),
    name: String(err.name ?? ''),
    message: String(err.message ?? ''),
    condition,
  });
  record('error', `${err.type ?? err.name}: ${err.message}${condition !== null ? ` (SASL ${condition})` : ''}`);
  // The client gives up on an invalid token (src/client.ts backoffConnectRetryHandler) and leaves
  // its `connecting` flag set, so the flags alone cannot say it stopped.
  if (err.type === 'invalid_token') show('failed', `not reconnecting: ${err.message}${condition !== null ? ` (SASL ${condition})` : ''}`);
}

/** @param {Uint8Array} bytes @returns {string} base64url without padding (RFC 4648 §5) */
function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const redirectUri = () => `${location.origin}${location.pathname}`;

/** Navigates to the lab's /oauth/authorize (RFC 7636 §4.1-4.3). */
async function beginLogin() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const st = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state: st }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    state: st,
    code_challenge: base64url(digest),
    code_challenge_method: 'S256',
  });
  location.assign(`/oauth/authorize?${q}`);
}

/**
 * @param {URLSearchParams} params
 * @returns {Promise<string>} the access token
 */
async function completeLogin(params) {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null');
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', location.pathname);
  if (!saved || saved.state !== params.get('state')) throw new Error('sign-in state does not match');
  const res = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      code_verifier: saved.verifier,
      redirect_uri: redirectUri(),
      client_id: CLIENT_ID,
    }),
  });
  if (!res.ok) throw new Error(`token exchange failed: ${res.status}`);
  const body = await res.json();
  if (typeof body.access_token !== 'string') throw new Error('token exchange failed: no access_token');
  return body.access_token;
}

/** A logger for the client's `logger` option: keeps the message text only (details may hold anything). */
const logger = Object.fromEntries(
  ['log', 'debug', 'info', 'warn', 'error'].map((level) => [
    level,
    (/** @type {unknown} */ message) => {
      if (level === 'debug') return;
      bounded(state.logs, {
        at: Date.now(),
        level,
        message: typeof message === 'string' ? message : String(/** @type {any} */ (message)?.message ?? message),
      });
    },
  ]),
);

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    show('failed', `sign-in failed: ${params.get('error')}`);
    return;
  }
  if (!params.has('code')) {
    sessionStorage.setItem(QUERY_KEY, location.search);
    show('signing-in', 'signing in');
    await beginLogin();
    return;
  }
  const token = await completeLogin(params);
  const streamingHost = `wss://streaming.genesys.test:${location.port}`;
  const apiOrigin = `https://api.genesys.test:${location.port}`;

  // Who the agent is (the Genesys app's own call; `expand=organization` names the org).
  const me = await fetch(`${apiOrigin}/api/v2/users/me?expand=organization`, { headers: { Authorization: `Bearer ${token}` } });
  if (me.ok) {
    const body = await me.json();
    state.agent = { id: body.id, name: body.name, orgId: body.organization?.id ?? null };
    /** @type {HTMLElement} */ (document.getElementById('agent')).textContent = `${body.name} (${body.organization?.name ?? '?'})`;
  }

  const Client = /** @type {any} */ (window).GenesysCloudStreamingClient; // the vendor's browser build
  // `?telemetry=off`: the client's own opt-out of its log uploads and stats (src/client.ts
  // constructor: `initializeServerLogging: !optOutOfWebrtcStatsTelemetry`), so that a stream's SASL
  // `<auth>` is the first request carrying the token after a fault.
  const optOutOfWebrtcStatsTelemetry = new URLSearchParams(sessionStorage.getItem(QUERY_KEY) ?? '').get('telemetry') === 'off';
  const client = new Client({
    host: streamingHost,
    authToken: token,
    appName: 'softphone-guard-lab',
    appVersion: '1.0.0',
    logger,
    optOutOfWebrtcStatsTelemetry,
  });

  // Every event the client emits, by name (arguments are not kept: raw stanzas carry the token).
  const emit = client.emit.bind(client);
  client.emit = (/** @type {string} */ name, /** @type {any[]} */ ...args) => {
    const key = name.startsWith('iq:id:') ? 'iq:id:*' : name.startsWith('message:id:') ? 'message:id:*' : name;
    state.eventCounts[key] = (state.eventCounts[key] ?? 0) + 1;
    if (listed(name)) {
      let detail = '';
      if (name === 'disconnected') detail = JSON.stringify(args[0] ?? null);
      if (name === 'sasl' || name === 'stream:error') detail = String(args[0]?.condition ?? args[0]?.type ?? '');
      record(name, detail);
    }
    return emit(name, ...args);
  };
  client.on('connected', () => {
    state.connects++;
    state.connectedAt = Date.now();
    show('connected', 'connected');
  });
  client.on('disconnected', (/** @type {{reconnecting?: boolean} | undefined} */ info) => {
    state.disconnects++;
    state.disconnectedAt = Date.now();
    show('disconnected', info?.reconnecting ? 'disconnected, reconnecting' : 'disconnected');
  });
  window.addEventListener('unhandledrejection', (e) => clientError(e.reason));
  setInterval(() => {
    state.connected = Boolean(client.connected);
    state.connecting = Boolean(client.connecting);
    if (!state.connected && !state.connecting && state.phase === 'disconnected') show('failed', 'disconnected, not reconnecting');
  }, 250);

  show('connecting', 'connecting');
  try {
    await client.connect({ keepTryingOnFailure: true });
  } catch (err) {
    clientError(err);
    show('failed', `not connected: ${/** @type {Error} */ (err).message}`);
  }
}

main().catch((e) => {
  record('page-error', String(e?.message ?? e));
  show('failed', `page error: ${e?.message ?? e}`);
});
