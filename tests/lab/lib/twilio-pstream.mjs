/**
 * The Twilio Voice lab's signalling back end: PStream over a WebSocket at `/signal`, spoken as
 * the client in `@twilio/voice-sdk` 2.18.5 speaks it (npm package, lib/twilio/pstream.ts,
 * wstransport.ts, device.ts, call.ts, rtc/peerconnection.ts; same files at
 * github.com/twilio/twilio-voice.js commit 34709fe78f24fb3a45c6cf79e003103662c25414), and a lab
 * socket for the far end of its loopback calls. Behaviour: tests/lab/README.md "Vendor labs:
 * Twilio Voice".
 *
 * Frames are JSON text `{"type","version":"1.6","payload"}` (pstream.ts `_publish`), except the
 * heartbeat: a lone `"\n"`, which the client echoes (wstransport.ts `_onSocketMessage`); any frame
 * resets the client's 15 s HEARTBEAT_TIMEOUT, after which it drops the socket and reconnects.
 *
 * Client → lab: `listen {token, browserinfo, reconnectTimeout}` (on every open and every
 * `Device.updateToken`), `register {media:{audio}}` (Device.register, then every 30 s:
 * device.ts REGISTRATION_INTERVAL), `invite {callsid, sdp, twilio:{params}}` (an outgoing call;
 * with `reconnect` a signalling reconnect of a live call), `answer {callsid, sdp}` (an incoming
 * call accepted), `hangup {callsid}`, `reject {callsid}`.
 * Lab → client: `connected {region, edge, token:{identity, ttl}}` (device.ts
 * `_onSignalingConnected`: `ttl` schedules `tokenWillExpire` ttl − tokenRefreshMs later), `ready`
 * / `offline` (registered / unregistered), `invite {callsid, sdp, parameters}`, `ringing`,
 * `answer {callsid, sdp, reconnect}`, `hangup {callsid}`, `cancel {callsid}`, and
 * `error {error:{code, message}, callsid?}`: 31204 for a token that is unknown or revoked,
 * 31205 for an expired one (device.ts `_onSignalingError` turns them into AccessTokenInvalid
 * 20101 and AccessTokenExpired 20104). A refused `listen` leaves the socket open, unauthenticated;
 * a `register` or `invite` on such a socket, or whose token has been revoked since its `listen`,
 * is refused the same way (pstream.ts `register`: "A queued register is replayed alongside
 * `listen`, before the server validates the token, and earns a 31204").
 *
 * Far end (lab only, `/vendors/twilio/far-end`, JSON): lab → far end `offer {callSid, sdp}` (the
 * SDK's outgoing call: answer it), `make-offer {callSid}` (an incoming call for the SDK: offer
 * one), `answer {callSid, sdp}` (the SDK accepted), `hangup {callSid}`; far end → lab `answer`,
 * `offer`, `hangup` with the same fields. The latest far-end socket is the one used.
 *
 * Faults: `terminateAll` drops every signalling socket without a close frame (the browser
 * reports 1006); `stallOpen(until)` makes the signalling sockets open now silent (no heartbeats,
 * no answers, received frames ignored) until `until`. The far-end socket is left alone: it is
 * the other party, not the agent's signalling.
 */
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';

const PSTREAM_VERSION = '1.6';
const LOG_MAX = 1000;
/** A lab account SID, shaped like Twilio's (AC + 32 hex digits). */
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

/** @param {string} prefix @returns {string} `prefix` + 32 hex digits, Twilio's SID shape */
const sid = (prefix) => `${prefix}${randomBytes(16).toString('hex')}`;

/**
 * @typedef {{ id: number, ws: import('ws').WebSocket, token: string | null, identity: string | null,
 *   registered: boolean, stalledUntil: number | null, openedAt: number, timer: NodeJS.Timeout }} SignalClient
 *   `token`: the token of the last accepted `listen` (kept to notice a later revocation, never logged)
 * @typedef {{ callSid: string, outboundId: string | null, direction: 'inbound' | 'outbound',
 *   state: 'offering' | 'ringing' | 'connected', client: SignalClient, reconnect: string, from: string,
 *   answerSdp: string | null }} LabCall `direction` as the SDK sees it
 * @typedef {{ at: number, socket: number, dir: 'in' | 'out' | 'lab', type: string, code?: number, callSid?: string }} LogEntry
 */

/**
 * @param {{ tokens: ReturnType<typeof import('./token-store.mjs').createTokenStore>, heartbeatMs: number, now?: () => number }} opts
 */
export function createPStreamServer({ tokens, heartbeatMs, now = Date.now }) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  /** @type {Set<SignalClient>} */
  const clients = new Set();
  /** @type {Map<string, LabCall>} by CallSid */
  const calls = new Map();
  /** @type {import('ws').WebSocket | null} */
  let farEnd = null;
  let nextId = 1;
  /** @type {LogEntry[]} */
  let log = [];
  const counts = {
    socketsOpened: 0,
    socketsClosed: 0,
    listen: 0,
    listenRefused: 0,
    register: 0,
    registerRefused: 0,
    invite: 0,
    inviteRefused: 0,
    heartbeatsSent: 0,
    /** @type {Record<string, number>} */
    errorsSent: {},
  };

  /** @param {Omit<LogEntry, 'at'>} e */
  function note(e) {
    log.push({ at: now(), ...e });
    if (log.length > LOG_MAX) log = log.slice(-LOG_MAX);
  }

  /** @param {SignalClient} c */
  const stalled = (c) => c.stalledUntil !== null && now() < c.stalledUntil;

  /**
   * @param {SignalClient} c
   * @param {string} type
   * @param {Record<string, unknown>} [payload]
   */
  function send(c, type, payload = {}) {
    if (c.ws.readyState !== c.ws.OPEN || stalled(c)) return;
    c.ws.send(JSON.stringify({ payload, type, version: PSTREAM_VERSION }));
    const code = type === 'error' ? /** @type {{ code?: number }} */ (payload.error)?.code : undefined;
    if (code !== undefined) counts.errorsSent[code] = (counts.errorsSent[code] ?? 0) + 1;
    note({ socket: c.id, dir: 'out', type, ...(code !== undefined ? { code } : {}), ...callSidOf(payload) });
  }

  /** @param {Record<string, unknown>} payload */
  function callSidOf(payload) {
    return typeof payload.callsid === 'string' ? { callSid: payload.callsid } : {};
  }

  /**
   * The refusal of a token as the client expects it, or null for a live token.
   * @param {string | null} token
   * @returns {{ code: number, message: string } | null}
   */
  function refusal(token) {
    const check = tokens.checkAccessToken(token);
    if (check.ok) return null;
    return check.problem === 'expired' ? { code: 31205, message: 'JWT token expired' } : { code: 31204, message: 'Invalid JWT token' };
  }

  /** @param {unknown} message */
  function toFarEnd(message) {
    if (farEnd && farEnd.readyState === farEnd.OPEN) {
      farEnd.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  /** @param {string} id a CallSid or the SDK's outbound connection id */
  function findCall(id) {
    return calls.get(id) ?? [...calls.values()].find((k) => k.outboundId === id) ?? null;
  }

  /** @param {LabCall} call */
  function endCall(call) {
    calls.delete(call.callSid);
    note({ socket: call.client.id, dir: 'lab', type: 'call-ended', callSid: call.callSid });
  }

  /**
   * @param {SignalClient} c
   * @param {string} type
   * @param {Record<string, any>} payload
   */
  function onSignal(c, type, payload) {
    note({ socket: c.id, dir: 'in', type, ...callSidOf(payload) });
    if (type === 'listen') {
      counts.listen++;
      const token = typeof payload.token === 'string' ? payload.token : null;
      const refused = refusal(token);
      if (refused) {
        counts.listenRefused++;
        c.token = null;
        c.identity = null;
        c.registered = false;
        send(c, 'error', { error: refused });
        return;
      }
      const check = tokens.checkAccessToken(token);
      if (!check.ok) return;
      c.token = token;
      c.identity = check.record.userId;
      const ttl = Math.max(0, Math.floor((check.record.expiresAt - now()) / 1000));
      send(c, 'connected', { region: 'lab', edge: 'lab', token: { identity: c.identity, ttl } });
      return;
    }
    if (type === 'register') {
      counts.register++;
      const refused = refusal(c.token);
      if (refused) {
        counts.registerRefused++;
        send(c, 'error', { error: refused });
        return;
      }
      c.registered = Boolean(payload.media?.audio);
      send(c, c.registered ? 'ready' : 'offline');
      return;
    }
    if (type === 'invite') {
      counts.invite++;
      const callsid = typeof payload.callsid === 'string' ? payload.callsid : '';
      const refused = refusal(c.token);
      if (refused) {
        counts.inviteRefused++;
        send(c, 'error', { callsid, error: refused });
        return;
      }
      if (typeof payload.reconnect === 'string') {
        const call = [...calls.values()].find((k) => k.reconnect === payload.reconnect);
        if (!call) {
          send(c, 'hangup', { callsid });
          return;
        }
        call.client = c;
        send(c, 'answer', { callsid: call.callSid, sdp: call.answerSdp ?? '', reconnect: call.reconnect });
        return;
      }
      if (typeof payload.sdp !== 'string') return;
      const call = /** @type {LabCall} */ ({
        callSid: sid('CA'),
        outboundId: callsid,
        direction: 'outbound',
        state: 'ringing',
        client: c,
        reconnect: sid('RC'),
        from: `client:${c.identity}`,
        answerSdp: null,
      });
      if (!toFarEnd({ type: 'offer', callSid: call.callSid, sdp: payload.sdp })) {
        send(c, 'hangup', { callsid, error: { code: 31480, message: 'Temporarily Unavailable' } });
        return;
      }
      calls.set(call.callSid, call);
      send(c, 'ringing', { callsid: call.callSid });
      return;
    }
    if (type === 'answer') {
      const call = findCall(String(payload.callsid ?? ''));
      if (!call || typeof payload.sdp !== 'string') return;
      call.state = 'connected';
      call.client = c;
      toFarEnd({ type: 'answer', callSid: call.callSid, sdp: payload.sdp });
      return;
    }
    if (type === 'hangup' || type === 'reject') {
      const call = findCall(String(payload.callsid ?? ''));
      if (!call) return;
      toFarEnd({ type: 'hangup', callSid: call.callSid });
      endCall(call);
    }
  }

  /** @param {Record<string, any>} m a far-end message */
  function onFarEnd(m) {
    const call = typeof m.callSid === 'string' ? calls.get(m.callSid) : undefined;
    if (!call) return;
    note({ socket: call.client.id, dir: 'lab', type: `far-end-${m.type}`, callSid: call.callSid });
    if (m.type === 'answer' && typeof m.sdp === 'string' && call.direction === 'outbound') {
      call.state = 'connected';
      call.answerSdp = m.sdp;
      send(call.client, 'answer', { callsid: call.callSid, sdp: m.sdp, reconnect: call.reconnect });
    } else if (m.type === 'offer' && typeof m.sdp === 'string' && call.direction === 'inbound') {
      call.state = 'ringing';
      send(call.client, 'invite', {
        callsid: call.callSid,
        sdp: m.sdp,
        reconnect: call.reconnect,
        parameters: {
          CallSid: call.callSid,
          AccountSid: ACCOUNT_SID,
          From: call.from,
          To: `client:${call.client.identity}`,
          ApiVersion: '2010-04-01',
        },
      });
    } else if (m.type === 'hangup') {
      send(call.client, call.state === 'connected' ? 'hangup' : 'cancel', { callsid: call.callSid });
      endCall(call);
    }
  }

  return {
    /**
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @returns {number} 101
     */
    acceptSignal(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        /** @type {SignalClient} */
        const c = {
          id: nextId++,
          ws,
          token: null,
          identity: null,
          registered: false,
          stalledUntil: null,
          openedAt: now(),
          timer: setInterval(() => {
            if (ws.readyState !== ws.OPEN || stalled(c)) return;
            ws.send('\n');
            counts.heartbeatsSent++;
          }, heartbeatMs),
        };
        clients.add(c);
        counts.socketsOpened++;
        note({ socket: c.id, dir: 'lab', type: 'open' });
        ws.on('message', (data, isBinary) => {
          if (stalled(c) || isBinary) return;
          const text = data.toString();
          if (text === '\n') return;
          /** @type {any} */
          let frame;
          try {
            frame = JSON.parse(text);
          } catch {
            return;
          }
          if (frame && typeof frame.type === 'string')
            onSignal(c, frame.type, frame.payload && typeof frame.payload === 'object' ? frame.payload : {});
        });
        ws.on('close', (code) => {
          clearInterval(c.timer);
          clients.delete(c);
          counts.socketsClosed++;
          note({ socket: c.id, dir: 'lab', type: 'close', code });
        });
        ws.on('error', () => {
          /* the peer went away */
        });
      });
      return 101;
    },

    /**
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @returns {number} 101
     */
    acceptFarEnd(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        farEnd = ws;
        ws.on('message', (data) => {
          try {
            const m = JSON.parse(data.toString());
            if (m && typeof m === 'object') onFarEnd(m);
          } catch {
            /* not JSON: ignored */
          }
        });
        ws.on('close', () => {
          if (farEnd === ws) farEnd = null;
        });
        ws.on('error', () => {
          /* the peer went away */
        });
      });
      return 101;
    },

    /**
     * Rings a registered device: the far end is asked for an offer, which reaches the SDK as `invite`.
     * @param {{ identity?: string, from?: string }} opts
     * @returns {{ ok: true, callSid: string } | { ok: false, reason: string }}
     */
    ring({ identity, from }) {
      const c = [...clients].find((k) => k.registered && k.ws.readyState === k.ws.OPEN && (!identity || k.identity === identity));
      if (!c) return { ok: false, reason: 'no registered device' };
      const call = /** @type {LabCall} */ ({
        callSid: sid('CA'),
        outboundId: null,
        direction: 'inbound',
        state: 'offering',
        client: c,
        reconnect: sid('RC'),
        from: from ?? '+13125550100',
        answerSdp: null,
      });
      if (!toFarEnd({ type: 'make-offer', callSid: call.callSid })) return { ok: false, reason: 'no far end connected' };
      calls.set(call.callSid, call);
      note({ socket: c.id, dir: 'lab', type: 'ring', callSid: call.callSid });
      return { ok: true, callSid: call.callSid };
    },

    /**
     * The far end hangs up: `hangup` (or `cancel` before the answer) to the SDK.
     * @param {string} [callSid] default: every call
     * @returns {number} calls ended
     */
    hangupFromServer(callSid) {
      let n = 0;
      for (const call of [...calls.values()]) {
        if (callSid && call.callSid !== callSid) continue;
        send(call.client, call.state === 'connected' ? 'hangup' : 'cancel', { callsid: call.callSid });
        toFarEnd({ type: 'hangup', callSid: call.callSid });
        endCall(call);
        n++;
      }
      return n;
    },

    /** @returns {number} signalling sockets dropped without a close frame */
    terminateAll() {
      const n = clients.size;
      for (const c of clients) c.ws.terminate();
      return n;
    },

    /** @param {number} until ms since epoch @returns {number} sockets now silent */
    stallOpen(until) {
      let n = 0;
      for (const c of clients) {
        if (c.ws.readyState !== c.ws.OPEN) continue;
        c.stalledUntil = until;
        n++;
      }
      return n;
    },

    unstallAll() {
      for (const c of clients) c.stalledUntil = null;
    },

    /** @returns {typeof counts} */
    counts() {
      return { ...counts, errorsSent: { ...counts.errorsSent } };
    },

    /** Empties the log and the counts (lab reset); sockets and calls stay. */
    resetLog() {
      log = [];
      for (const k of /** @type {(keyof typeof counts)[]} */ (Object.keys(counts))) {
        if (k === 'errorsSent') counts.errorsSent = {};
        else counts[k] = 0;
      }
    },

    /**
     * @returns {{ sockets: { id: number, identity: string | null, authenticated: boolean, registered: boolean, stalled: boolean, openedAt: number }[],
     *   calls: { callSid: string, direction: string, state: string, socket: number }[], farEnd: boolean, log: LogEntry[] }}
     */
    snapshot() {
      return {
        sockets: [...clients].map((c) => ({
          id: c.id,
          identity: c.identity,
          authenticated: c.token !== null,
          registered: c.registered,
          stalled: stalled(c),
          openedAt: c.openedAt,
        })),
        calls: [...calls.values()].map((k) => ({ callSid: k.callSid, direction: k.direction, state: k.state, socket: k.client.id })),
        farEnd: farEnd !== null && farEnd.readyState === farEnd.OPEN,
        log: [...log],
      };
    },

    close() {
      for (const c of clients) {
        clearInterval(c.timer);
        c.ws.terminate();
      }
      clients.clear();
      farEnd?.terminate();
      wss.close();
    },
  };
}
