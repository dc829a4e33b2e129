/**
 * The lab softphone: signs in, fetches the agent and a media token, registers the webphone
 * endpoint, opens the notification socket, sets presence, and takes calls over a loopback
 * WebRTC call. It recovers from nothing beyond what the seeds' softphone does:
 * - a failed media-token fetch greys mic and speaker out until the page is reloaded;
 * - the socket reconnects forever with the token it was opened with (except after a normal
 *   close, code 1000);
 * - switching organisation (org picker, `switchOrg`, the `org-switch` fault's push) gets the
 *   new org's token, registers the endpoint and opens a NEW socket without tearing the old
 *   org's socket or the live call down (seed 002's bug);
 * - presence is "Available" only while the socket is open and the last presence PUT succeeded;
 * - the microphone greys out while its permission is blocked or its track ended, and comes
 *   back only on a permission change to granted or a device appearing (mic.js).
 *
 * Transports (`?transport=`): `page` (default) — fetch, XHR and WebSocket in the page, OAuth
 * sign-in; `shared-worker` / `worker` — API calls and the socket in softphone-worker.js (a
 * SharedWorker shared by the origin's pages, or a dedicated Worker), which signs in with the
 * session cookie and holds the token (worker-transport.js). `?widget=attacker` loads a
 * third-party widget script from the attacker origin once signed in.
 *
 * Test hook: `window.labSoftphone` — `status()`, `answer()`, `hangup()`, `switchOrg()`, `lookUpCaller()` (see README.md).
 * The access token lives in a module variable only and is never exposed.
 */
import { beginLogin, completeLogin } from './auth.js';
import { createApi } from './api.js';
import { createFailureLog } from './failures.js';
import { createSignalling } from './signalling.js';
import { startLoopbackCall } from './call.js';
import { createMicrophone } from './mic.js';
import { render } from './ui.js';
import { createWorkerTransport } from './worker-transport.js';
import { getItem, setItem } from './session-store.js';
import { callerQuery, lookUpCaller, wrapUpSocket } from './caller-data.js';

const LOAD_COUNT_KEY = 'lab.loadCount';
/** How long `labSoftphone.answer()` waits for a connected call (ms). */
const ANSWER_TIMEOUT_MS = 20_000;
const ALERTING_TOPIC = /^v2\.users\.[^.]+\.conversations$/;
/** Lab-only push of the `mic-revoked` fault (see tests/lab/README.md). */
const DEVICES_TOPIC = 'lab.devices';
/** Lab-only push of the `org-switch` fault: the agent picked another organisation. */
const ORG_TOPIC = 'lab.org';
/** @type {'page' | 'shared-worker' | 'worker'} chosen by `?transport=` (the page transport's OAuth return has none: page) */
const TRANSPORT = (() => {
  const t = new URLSearchParams(location.search).get('transport');
  return t === 'shared-worker' || t === 'worker' ? t : 'page';
})();

/**
 * @type {'standard' | 'custom'} chosen by `?carriers=` and kept in sessionStorage: this module
 * runs before the sign-in puts the query back (auth.js), so the OAuth return's document reads it
 * from there. `standard` — `Authorization: Bearer` and the socket URL's `access_token`; `custom`
 * — an `X-Auth-Token` header and socket.io's CONNECT packet (`40{"token":"…"}`) as the socket's
 * first frame, none in its URL.
 */
const CARRIERS = (() => {
  const c = new URLSearchParams(location.search).get('carriers');
  if (c === 'custom' || c === 'standard') setItem('lab.carriers', c);
  return getItem('lab.carriers') === 'custom' ? 'custom' : 'standard';
})();

const startedAt = Date.now();
/** @type {string | null} memory only: a reload is what gets a new one */
let accessToken = null;

const s = {
  loggedIn: false,
  /** @type {{ id: string, name: string, orgId: string, orgName: string } | null} */
  agent: null,
  /** @type {{ id: string, name: string }[]} the agent's organisations (from /users/me) */
  orgs: [],
  /** `id`: the organisation of the access token in use; `switches`: times it changed */
  org: { /** @type {string | null} */ id: null, switching: false, switches: 0 },
  /** @type {'connecting' | 'open' | 'closed'} */
  signalling: 'connecting',
  presenceConfirmed: false,
  presenceSettled: false,
  presenceInFlight: false,
  mediaReady: false,
  mediaFailed: false,
  mediaInFlight: false,
  micMuted: false,
  speakerMuted: false,
  /** @type {{ id: string | null, from: string | null, state: 'idle' | 'ringing' | 'connecting' | 'connected' | 'ended', inboundAudioBytes: number, endReason: string | null }} */
  call: { id: null, from: null, state: 'idle', inboundAudioBytes: 0, endReason: null },
  loadCount: 0,
  /** @type {string | null} */
  signinProblem: null,
  /** @type {number | null} */
  lastHeartbeatAt: null,
};
/** @type {Awaited<ReturnType<typeof startLoopbackCall>> | null} */
let callHandle = null;
/** @type {{ resolve: (v: unknown) => void, reject: (e: Error) => void, timer: ReturnType<typeof setTimeout> } | null} */
let pendingAnswer = null;

const failures = createFailureLog(() => update());
const microphone = createMicrophone({
  onChange: () => update(),
  note: (text) => failures.note(text),
  callNeedsTrack: () => callHandle !== null && callHandle.mic.readyState === 'ended',
  giveTrackToCall: (track) => {
    const handle = callHandle;
    if (!handle) return track.stop();
    handle
      .replaceMic(track)
      .then(() => {
        handle.mic.enabled = !s.micMuted;
      })
      .catch(() => track.stop());
  },
});
const workerTransport = TRANSPORT === 'page' ? null : createWorkerTransport({ kind: TRANSPORT, failures, onChange: () => update() });
const api = workerTransport
  ? workerTransport.api
  : createApi({ token: () => accessToken, failures, header: CARRIERS === 'custom' ? 'X-Auth-Token' : 'Authorization' });
/** @type {ReturnType<typeof createSignalling>[]} every signalling instance started, newest last */
const signallingInstances = [];
/** @type {ReturnType<typeof createSignalling> | null} the newest instance: its state is what the UI shows */
let signalling = null;
/** Switches run one after the other. */
let switchChain = Promise.resolve();
const audio = /** @type {HTMLAudioElement} */ (document.getElementById('remote-audio'));

/** @returns {'Connecting' | 'Available' | 'Unreachable'} */
function presence() {
  if (s.signalling === 'open' && s.presenceConfirmed) return 'Available';
  return s.presenceSettled ? 'Unreachable' : 'Connecting';
}

/** @returns {string | null} why Answer is unavailable, or null */
function answerBlocker() {
  if (s.call.state !== 'ringing') return 'no call is ringing';
  if (!s.mediaReady) return 'media is unavailable';
  if (microphone.state !== 'ready') return 'the microphone is unavailable';
  if (s.signalling !== 'open') return 'signalling is not open';
  return null;
}

/** The state as the UI draws it. */
export function snapshotForUi() {
  return {
    ...s,
    presence: presence(),
    micEnabled: s.mediaReady && microphone.state === 'ready',
    speakerEnabled: s.mediaReady,
    mic: microphone.snapshot(),
    canAnswer: answerBlocker() === null,
    log: failures.entries,
    startedAt,
  };
}

function update() {
  render(snapshotForUi());
}

/** @param {Error | null} error null = the call connected */
function settleAnswer(error) {
  const p = pendingAnswer;
  if (!p) return;
  pendingAnswer = null;
  clearTimeout(p.timer);
  if (error) p.reject(error);
  else p.resolve(structuredClone(s.call));
}

async function fetchMediaToken() {
  if (s.mediaFailed || s.mediaInFlight) return;
  s.mediaInFlight = true;
  const r = await api.mediaToken();
  s.mediaInFlight = false;
  // The loopback call needs no media token; having one is what "media ready" means.
  if (r.ok && r.body && typeof r.body.mediaToken === 'string') {
    s.mediaReady = true;
  } else {
    s.mediaReady = false;
    s.mediaFailed = true;
    failures.note('Media token unavailable: microphone and speaker are disabled until the page is reloaded.');
  }
  update();
}

async function putPresence() {
  if (!s.agent || s.presenceInFlight) return;
  s.presenceInFlight = true;
  const r = await api.setAvailable(s.agent.id);
  s.presenceInFlight = false;
  s.presenceSettled = true;
  s.presenceConfirmed = r.ok && s.signalling === 'open';
  update();
}

/**
 * Starts a new signalling instance bound to the access token held now. The previous instance
 * (if any) is left as it is: its socket stays open or keeps reconnecting with its own token,
 * and its pushes still reach the app; only the newest instance drives `signalling` and presence.
 */
function startSignalling() {
  const token = accessToken ?? '';
  /** @type {ReturnType<typeof createSignalling> | null} */
  let self = null;
  const current = () => self !== null && self === signalling;
  /** @type {Parameters<typeof createSignalling>[0]} */
  const opts = {
    url: () => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      if (CARRIERS === 'custom') return `${scheme}://${location.host}/api/v2/notifications?auth=message${callerQuery()}`;
      return `${scheme}://${location.host}/api/v2/notifications?access_token=${encodeURIComponent(token)}${callerQuery()}`;
    },
    ...(CARRIERS === 'custom' ? { authFrame: () => `40${JSON.stringify({ token })}` } : {}),
    onState: (state) => {
      if (current()) {
        s.signalling = state;
        if (state !== 'open') s.presenceConfirmed = false;
      }
      update();
    },
    onOpen: () => {
      if (current()) putPresence();
      if (current() && !workerTransport) void lookUpCaller(api.request);
    },
    onClose: (code, reason, wasClean, wasOpen) => {
      failures.socketClosed(code, reason);
      if (current()) {
        if (wasOpen) s.presenceSettled = true;
        // Seed 001: the softphone asks for a new media token the moment signalling drops.
        if (wasOpen && (!wasClean || code !== 1000)) fetchMediaToken();
      }
      update();
    },
    onMessage: (msg) => onPush(msg, current()),
  };
  self = workerTransport ? workerTransport.createSignalling(opts) : createSignalling(opts);
  signallingInstances.push(self);
  signalling = self;
  self.start();
}

/**
 * A message from any signalling instance. Heartbeats count only from the newest one; calls
 * and lab pushes are handled whichever socket brought them (a stale session still delivers).
 * @param {any} msg
 * @param {boolean} fromCurrent
 */
function onPush(msg, fromCurrent) {
  if (!msg || typeof msg.topicName !== 'string') return;
  if (msg.topicName === 'channel.metadata' && msg.eventBody?.message === 'WebSocket Heartbeat') {
    if (!fromCurrent) return;
    s.lastHeartbeatAt = Date.now();
    if (!s.presenceConfirmed) putPresence();
    update();
    return;
  }
  if (ALERTING_TOPIC.test(msg.topicName) && msg.eventBody?.state === 'alerting') incomingCall(msg.eventBody);
  if (msg.topicName === DEVICES_TOPIC && msg.eventBody?.event === 'microphone-removed') microphone.simulateDeviceLoss();
  if (msg.topicName === ORG_TOPIC && msg.eventBody?.event === 'switch-organization' && typeof msg.eventBody.organizationId === 'string') {
    // Stands for the agent picking that organisation in the org picker.
    switchOrg(msg.eventBody.organizationId).catch((e) => failures.note(`Organization switch refused: ${/** @type {Error} */ (e).message}`));
  }
}

/** @returns {number} signalling instances whose socket is OPEN now */
function openSignallingSockets() {
  return signallingInstances.filter((i) => i.isOpen()).length;
}

/**
 * The seed's softphone switching organisation, faithfully WITHOUT tearing the old one down:
 * new token (refresh with `organizationId`), `/users/me`, media state reset and a new media
 * token, endpoint registration (XHR), a new signalling instance. The old instance's socket and
 * a live call's peer connections are left as they were.
 * @param {string} orgId
 * @returns {Promise<void>} when the flow finished, whatever the outcome (failures are logged)
 */
async function runOrgSwitch(orgId) {
  if (s.org.id === orgId) return;
  const name = s.orgs.find((o) => o.id === orgId)?.name ?? orgId;
  s.org.switching = true;
  update();
  try {
    const r = await api.switchOrganization(orgId);
    if (!r.ok || typeof r.body?.access_token !== 'string') {
      failures.note(`Could not switch to ${name} (${r.status}${r.body?.error ? ` ${r.body.error}` : ''}).`);
      return;
    }
    accessToken = r.body.access_token;
    s.org.id = orgId;
    s.org.switches++;
    update();
    const me = await api.me();
    if (me.ok && me.body) setAgent(me.body);
    s.mediaReady = false;
    s.mediaFailed = false;
    s.mediaInFlight = false;
    update();
    await fetchMediaToken();
    const ep = await api.registerEndpoint(['opus']);
    if (!ep.ok && typeof ep.body?.message === 'string') failures.note(`Webphone endpoint registration failed: ${ep.body.message}.`);
    startSignalling();
  } finally {
    s.org.switching = false;
    update();
  }
}

/**
 * @param {string} orgId one of the agent's organisations
 * @returns {Promise<void>} when the switch flow finished, whatever the outcome
 * @throws {Error} (rejects) for an organisation the agent does not belong to, or before sign-in
 */
function switchOrg(orgId) {
  if (!s.orgs.some((o) => o.id === orgId)) return Promise.reject(new Error(`unknown organization "${orgId}"`));
  const run = switchChain.then(() => runOrgSwitch(orgId));
  switchChain = run.catch(() => {});
  return run;
}

/** @param {any} body a `/api/v2/users/me` answer */
function setAgent(body) {
  s.agent = { id: body.id, name: body.name, orgId: body.organization?.id, orgName: body.organization?.name };
  if (Array.isArray(body.organizations)) {
    s.orgs = body.organizations.filter((o) => o && typeof o.id === 'string').map((o) => ({ id: o.id, name: String(o.name ?? o.id) }));
  }
  if (s.org.id === null && typeof body.organization?.id === 'string') s.org.id = body.organization.id;
}

/** @param {{ id?: unknown, from?: unknown }} body */
function incomingCall(body) {
  if (typeof body.id !== 'string') return;
  if (['ringing', 'connecting', 'connected'].includes(s.call.state)) {
    failures.note(`Missed call from ${String(body.from ?? 'unknown')}: already on a call.`);
    return;
  }
  s.call = {
    id: body.id,
    from: typeof body.from === 'string' ? body.from : 'Unknown caller',
    state: 'ringing',
    inboundAudioBytes: 0,
    endReason: null,
  };
  update();
}

/** @param {string} reason */
function endCall(reason) {
  callHandle?.hangup();
  callHandle = null;
  if (s.call.state !== 'idle') {
    s.call.state = 'ended';
    s.call.endReason = reason;
  }
  settleAnswer(new Error(`call ended: ${reason}`));
  update();
}

async function answerCall() {
  if (answerBlocker()) return;
  const call = s.call;
  const current = () => s.call === call && call.state === 'connecting';
  call.state = 'connecting';
  update();
  const r = await api.answer(/** @type {string} */ (call.id));
  if (!current()) return;
  if (!r.ok) return endCall(`answer failed (${r.status})`);
  // Codec renegotiation goes through the webphone endpoint (seed 002's 408 lands here).
  const reneg = await api.registerEndpoint(['opus', 'PCMU']);
  if (!current()) return;
  if (!reneg.ok) return endCall(`renegotiation failed (${reneg.status})`);
  let handle;
  try {
    handle = await startLoopbackCall({
      audioElement: audio,
      onInboundBytes: (bytes, growing, connectionState) => {
        if (s.call !== call) return;
        call.inboundAudioBytes = bytes;
        if (call.state === 'connecting' && growing && connectionState === 'connected') {
          call.state = 'connected';
          settleAnswer(null);
        }
        update();
      },
      onFailed: (why) => {
        if (s.call === call) endCall(why);
      },
    });
  } catch (e) {
    failures.note(`Call setup failed: ${/** @type {Error} */ (e).message}`);
    if (current()) endCall('media setup failed');
    return;
  }
  if (!current()) {
    handle.hangup();
    return;
  }
  callHandle = handle;
  microphone.watch(handle.mic);
  handle.mic.enabled = !s.micMuted;
  audio.muted = s.speakerMuted;
}

function hangupCall() {
  if (s.call.state !== 'connecting' && s.call.state !== 'connected') return;
  const id = s.call.id;
  endCall('hung up');
  if (id) api.disconnect(id);
}

document.getElementById('answer')?.addEventListener('click', () => {
  answerCall();
});
document.getElementById('hangup')?.addEventListener('click', hangupCall);
document.getElementById('mic')?.addEventListener('click', () => {
  s.micMuted = !s.micMuted;
  if (callHandle) callHandle.mic.enabled = !s.micMuted;
  update();
});
document.getElementById('org')?.addEventListener('change', (ev) => {
  const value = /** @type {HTMLSelectElement} */ (ev.target).value;
  switchOrg(value).catch((e) => failures.note(`Organization switch refused: ${/** @type {Error} */ (e).message}`));
});
document.getElementById('speaker')?.addEventListener('click', () => {
  s.speakerMuted = !s.speakerMuted;
  audio.muted = s.speakerMuted;
  update();
});

/**
 * Test hook. `status()` never carries a token.
 */
Object.defineProperty(window, 'labSoftphone', {
  configurable: false,
  enumerable: false,
  value: Object.freeze({
    /** @returns {object} see README.md "Test hook" */
    status() {
      return {
        transport: TRANSPORT,
        worker: workerTransport ? workerTransport.info() : null,
        loggedIn: s.loggedIn,
        agent: s.agent ? { id: s.agent.id, name: s.agent.name, orgId: s.agent.orgId } : null,
        org: { id: s.org.id, switching: s.org.switching, switches: s.org.switches },
        presence: presence(),
        signalling: s.signalling,
        signallingSockets: openSignallingSockets(),
        mediaReady: s.mediaReady,
        mediaTokenInFlight: s.mediaInFlight,
        micEnabled: s.mediaReady && microphone.state === 'ready',
        speakerEnabled: s.mediaReady,
        mic: microphone.snapshot(),
        micMuted: s.micMuted,
        speakerMuted: s.speakerMuted,
        call: {
          id: s.call.id,
          from: s.call.from,
          state: s.call.state,
          inboundAudioBytes: s.call.inboundAudioBytes,
          endReason: s.call.endReason,
        },
        failures: failures.snapshot(),
        lastHeartbeatAt: s.lastHeartbeatAt,
        signinProblem: s.signinProblem,
        loadCount: s.loadCount,
        startedAt,
      };
    },
    /**
     * With the `?callerPhone=` lab option (caller-data.js): the screen pop's contact lookup
     * once more, now. Resolves with its HTTP status (0 = network error; -1 without the option).
     * @returns {Promise<number>}
     */
    async lookUpCaller() {
      if (workerTransport) return -1;
      let status = -1;
      await lookUpCaller(async (method, path) => {
        const r = await api.request(method, path);
        status = r.status;
        return r;
      });
      return status;
    },
    /**
     * Clicks Answer.
     * @returns {Promise<object>} the call (`{id, from, state:'connected', inboundAudioBytes}`) once connected
     * @throws {Error} when Answer is unavailable, the call ends first, or 20 s pass
     */
    answer() {
      return new Promise((resolve, reject) => {
        const why = answerBlocker();
        if (why) return reject(new Error(`cannot answer: ${why}`));
        if (pendingAnswer) return reject(new Error('an answer is already in progress'));
        pendingAnswer = {
          resolve,
          reject,
          timer: setTimeout(() => settleAnswer(new Error('timed out waiting for the call to connect')), ANSWER_TIMEOUT_MS),
        };
        /** @type {HTMLButtonElement} */ (document.getElementById('answer')).click();
      });
    },
    /**
     * Clicks Hang up.
     * @returns {Promise<object>} the call (`state: 'ended'`)
     * @throws {Error} when there is no call to hang up
     */
    async hangup() {
      if (s.call.state !== 'connecting' && s.call.state !== 'connected') throw new Error('no call to hang up');
      /** @type {HTMLButtonElement} */ (document.getElementById('hangup')).click();
      return structuredClone(s.call);
    },
    /**
     * Switches organisation the way the org picker does (and the seed's softphone: without
     * tearing the old organisation's socket or call down).
     * @param {string} orgId one of the agent's organisations
     * @returns {Promise<object>} `status().org` once the switch flow finished, whatever the outcome
     * @throws {Error} for an organisation the agent does not belong to (or before sign-in)
     */
    async switchOrg(orgId) {
      await switchOrg(String(orgId));
      return { id: s.org.id, switching: s.org.switching, switches: s.org.switches };
    },
  }),
});

async function boot() {
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    s.signinProblem = params.get('error');
    s.presenceSettled = true;
    s.signalling = 'closed';
    history.replaceState(null, '', location.pathname);
    update();
    return;
  }
  if (workerTransport) {
    // Signed in by the session cookie: the worker authorizes (or already holds a token).
    countLoad();
    const r = await workerTransport.init();
    if (!r.ok) {
      s.signinProblem = r.status === 401 ? 'not signed in' : `authorization failed (${r.status})`;
      s.presenceSettled = true;
      s.signalling = 'closed';
      document
        .getElementById('signin-link')
        ?.setAttribute('href', `/login?return=${encodeURIComponent(location.pathname + location.search)}`);
      update();
      return;
    }
  } else {
    if (!params.has('code')) {
      await beginLogin();
      return;
    }
    countLoad();
    try {
      accessToken = await completeLogin(params, failures.http);
    } catch (e) {
      s.signinProblem = /** @type {Error} */ (e).message;
      s.presenceSettled = true;
      s.signalling = 'closed';
      update();
      return;
    }
  }
  s.loggedIn = true;
  update();
  loadWidget();
  microphone.start();
  const me = await api.me();
  if (me.ok && me.body) setAgent(me.body);
  update();
  await fetchMediaToken();
  await api.registerEndpoint(['opus']);
  startSignalling();
  if (!workerTransport && accessToken) void wrapUpSocket(accessToken);
}

function countLoad() {
  s.loadCount = Number(getItem(LOAD_COUNT_KEY) ?? '0') + 1;
  setItem(LOAD_COUNT_KEY, String(s.loadCount));
  update();
}

/**
 * `?widget=attacker`: a third-party widget script from the attacker origin (same port, host
 * `attacker.test`) runs in this page; it provokes 401s from its own server (tests/lab/lib/attacker.mjs).
 */
function loadWidget() {
  if (new URLSearchParams(location.search).get('widget') !== 'attacker') return;
  const script = document.createElement('script');
  script.src = `${location.protocol}//attacker.test:${location.port}/widget.js`;
  document.head.append(script);
}

update();
boot();
