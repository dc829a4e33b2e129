/**
 * The Twilio Voice lab softphone: the app a customer writes around @twilio/voice-sdk 2.18.5
 * (its own browser bundle, `window.Twilio`, unmodified), shaped like Twilio's quickstart: the
 * token comes from the customer's backend (`POST /vendors/twilio/token`), `Device.register()` on
 * load, and the app's own refresh `tokenWillExpire` → fetch a token → `device.updateToken(token)`
 * (lib/twilio/device.ts `updateToken`, `tokenWillExpireEvent`). The SDK signals to this lab:
 * `chunderw` = this page's host, i.e. `wss://<host>/signal` (lib/twilio/regions.ts
 * `createSignalingEndpointURL`), Insights `eventgw` = this page's host (lib/twilio/eventpublisher.ts).
 *
 * Every SDK event is logged in `window.labVendor`:
 *   { vendor, sdkVersion, loads, identity, registered, deviceState, events: [{at, name, code?}],
 *     errors: [{at, code, name, message, callSid?}], call: {direction, sid, status, packetsReceived, packetsSent, ...} | null,
 *     tokenFetches, tokenUpdates, fenced, farEnd }
 * and driven through `window.labVendorApi`: register(), dial(), accept(), hangup().
 * Query: `identity` (default agent-1), `autoAnswer=1` (accept incoming calls), `register=0`
 * (no register on load), `farEnd=0` (no far end in this page). No token is ever logged.
 */
/* global Twilio -- the SDK bundle's global (dist/twilio.min.js) */
(() => {
  const params = new URLSearchParams(location.search);
  const identity = params.get('identity') || 'agent-1';
  const loads = Number(sessionStorage.getItem('labVendorLoads') || '0') + 1;
  sessionStorage.setItem('labVendorLoads', String(loads));
  const lab = Object.assign((window.labVendor = window.labVendor || {}), {
    vendor: 'twilio',
    sdkVersion: Twilio.Device.version,
    loads,
    identity,
    registered: false,
    deviceState: 'unregistered',
    events: [],
    errors: [],
    call: null,
    tokenFetches: 0,
    tokenUpdates: 0,
  });
  const $ = (id) => document.getElementById(id);
  const logEl = $('log');

  function event(name, extra = {}) {
    const e = { at: Date.now(), name, ...extra };
    lab.events.push(e);
    if (lab.events.length > 500) lab.events.shift();
    logEl.textContent += `${new Date(e.at).toISOString().slice(11, 23)} ${name}${extra.code ? ` ${extra.code}` : ''}\n`;
    logEl.scrollTop = logEl.scrollHeight;
  }

  function render() {
    $('status').textContent = lab.deviceState;
    $('call-status').textContent = lab.call ? `${lab.call.direction} ${lab.call.status}` : 'none';
  }

  async function fetchToken() {
    lab.tokenFetches++;
    const res = await fetch(`/vendors/twilio/token?identity=${encodeURIComponent(identity)}`, { method: 'POST' });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    return (await res.json()).token;
  }

  const sound = `${location.origin}/vendors/twilio/sounds/silence.wav`;
  const sounds = {};
  for (const name of ['incoming', 'outgoing', 'disconnect', 'dtmfs', 'dtmfh', ...'0123456789'.split('').map((d) => `dtmf${d}`)])
    sounds[name] = sound;

  let device = null;
  let activeCall = null;
  /** The CallSid, or before the answer an outgoing call's own id (the `callsid` of its invite). */
  const callId = (call) => call.parameters.CallSid || call.outboundConnectionId || null;

  function watchCall(call, direction) {
    activeCall = call;
    lab.call = {
      direction,
      sid: call.parameters.CallSid || null,
      status: call.status(),
      accepted: false,
      ended: false,
      packetsReceived: 0,
      bytesReceived: 0,
      packetsSent: 0,
      bytesSent: 0,
    };
    const update = (name, extra) => {
      lab.call.status = call.status();
      lab.call.sid = call.parameters.CallSid || lab.call.sid;
      if (name) event(`call.${name}`, extra);
      render();
    };
    call.on('accept', () => {
      lab.call.accepted = true;
      update('accept');
    });
    call.on('ringing', () => update('ringing'));
    call.on('reconnecting', (e) => update('reconnecting', { code: e && e.code }));
    call.on('reconnected', () => update('reconnected'));
    call.on('warning', (name) => update('warning', { warning: name }));
    call.on('sample', (s) => {
      const t = s.totals || s;
      lab.call.packetsReceived = t.packetsReceived || 0;
      lab.call.bytesReceived = t.bytesReceived || 0;
      lab.call.packetsSent = t.packetsSent || 0;
      lab.call.bytesSent = t.bytesSent || 0;
    });
    call.on('error', (err) => {
      lab.errors.push({ at: Date.now(), code: err.code, name: err.name, message: err.message, callSid: callId(call) });
      update('error', { code: err.code });
    });
    for (const name of ['cancel', 'disconnect', 'reject']) {
      call.on(name, () => {
        lab.call.ended = true;
        update(name);
        if (activeCall === call) activeCall = null;
      });
    }
  }

  async function start() {
    device = new Twilio.Device(await fetchToken(), {
      chunderw: location.host,
      eventgw: location.host,
      sounds,
      closeProtection: false,
      tokenRefreshMs: 10_000,
    });
    for (const name of ['registering', 'registered', 'unregistered', 'destroyed']) {
      device.on(name, () => {
        lab.deviceState = device.state;
        lab.registered = device.state === 'registered';
        event(`device.${name}`);
        render();
      });
    }
    device.on('error', (err, call) => {
      const orig = err.originalError && typeof err.originalError.code === 'number' ? err.originalError.code : undefined;
      lab.errors.push({
        at: Date.now(),
        code: err.code,
        signalingCode: orig,
        name: err.name,
        message: err.message,
        callSid: call ? callId(call) : null,
      });
      event('device.error', { code: err.code, signalingCode: orig });
    });
    device.on('incoming', (call) => {
      event('device.incoming');
      watchCall(call, 'incoming');
      render();
      if (params.get('autoAnswer') === '1') call.accept();
    });
    // Twilio's quickstart: the app fetches a fresh token from its backend and hands it to the SDK.
    device.on('tokenWillExpire', async () => {
      event('device.tokenWillExpire');
      try {
        device.updateToken(await fetchToken());
        lab.tokenUpdates++;
        event('app.updateToken');
      } catch (e) {
        event('app.updateToken-failed', { message: String(e && e.message) });
      }
    });
    // What the browser and the SDK say of the input devices (the microphone lost during a call).
    navigator.mediaDevices.addEventListener('devicechange', () => event('media.devicechange'));
    device.audio.on('deviceChange', (lost) => event('audio.deviceChange', { lost: lost.length }));
    lab.deviceReady = true;
    if (params.get('register') !== '0') await window.labVendorApi.register();
  }

  window.labVendorApi = {
    register: () =>
      device.register().catch((e) => {
        event('app.register-failed', { message: String(e && e.message) });
      }),
    async dial() {
      const call = await device.connect({ params: { To: 'lab-far-end' } });
      watchCall(call, 'outgoing');
      render();
      return lab.call;
    },
    accept: () => activeCall && activeCall.accept(),
    hangup: () => activeCall && activeCall.disconnect(),
  };
  $('register').onclick = () => window.labVendorApi.register();
  $('dial').onclick = () => window.labVendorApi.dial();
  $('accept').onclick = () => window.labVendorApi.accept();
  $('hangup').onclick = () => window.labVendorApi.hangup();

  start().catch((e) => {
    lab.startError = String(e && e.message);
    event('app.start-failed', { message: lab.startError });
  });
})();
