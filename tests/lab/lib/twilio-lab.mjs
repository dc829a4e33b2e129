/**
 * The Twilio Voice vendor lab (tests/lab/README.md "Vendor labs: Twilio Voice"): the page that
 * runs the vendor's published `@twilio/voice-sdk` unmodified, the token endpoint of the
 * customer's own backend, a stand-in for the Insights event gateway, and the PStream signalling
 * back end with its loopback far end (twilio-pstream.mjs). Made by `startLab` (server.mjs
 * VENDOR_LABS); everything lives on the softphone site, so with `tls` the SDK reaches it at
 * `wss://softphone.test:PORT/signal` through its `chunderw` option.
 *
 * Routes (softphone site):
 * - `GET /vendors/twilio/` the lab page (tests/lab/vendors/twilio/), `GET /vendors/twilio/<file>`
 *   its scripts;
 * - `GET /vendors/twilio/sdk/twilio.min.js` the package's own browser bundle
 *   (`@twilio/voice-sdk/dist/twilio.min.js`), byte for byte;
 * - `GET /vendors/twilio/sounds/silence.wav` the one sound every SDK sound option points at;
 * - `POST /vendors/twilio/token?identity=ID` the customer's backend: `{identity, token, ttl}`;
 *   Twilio access tokens are minted by the customer's server, not by Twilio's client;
 * - `POST /v4/<endpoint>` the Insights publisher's requests (`X-Twilio-Token` header, as
 *   @twilio/voice-sdk 2.18.5 lib/twilio/eventpublisher.ts builds them): 200 with a live token,
 *   401 otherwise;
 * - WebSocket `/signal` (PStream) and `/vendors/twilio/far-end` (the far end's lab socket).
 *
 * Control API (loopback): `POST /lab/fault/twilio-silent-revoke`, `POST /lab/twilio/ring`
 * `{identity?, from?}`, `POST /lab/twilio/hangup` `{callSid?}`, `GET /lab/twilio/state`.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readJsonObject, sendJson } from './http-kit.mjs';
import { createPStreamServer } from './twilio-pstream.mjs';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vendors', 'twilio');
const PAGE_FILE_RE = /^[a-z0-9-]+\.(js|css|html)$/;
const TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8' };
/** The organisation whose access tokens the lab's token store mints JWT-shaped (lib/directory.mjs). */
const JWT_ORG = 'org-b';
/** Identities the token endpoint mints for: the lab's agents. */
const IDENTITY_RE = /^agent-[0-9]$/;

/** @returns {string} the path of the SDK's browser bundle inside node_modules */
function sdkBundlePath() {
  const require = createRequire(import.meta.url);
  // "main" is es5/twilio.js; the browser bundle is dist/twilio.min.js beside it (package.json "build:dist-min").
  return join(dirname(require.resolve('@twilio/voice-sdk')), '..', 'dist', 'twilio.min.js');
}

/** @returns {Buffer} 100 ms of silence, 8 kHz 8-bit mono PCM WAV */
function silenceWav() {
  const samples = 800;
  const b = Buffer.alloc(44 + samples, 0x80);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  return b;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {Buffer} body
 * @param {string} type
 * @returns {number}
 */
function sendBytes(res, body, type) {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
  return 200;
}

/** @type {import('../server.mjs').VendorLabFactory} */
export function createTwilioLab({ tokens, heartbeatMs }) {
  const pstream = createPStreamServer({ tokens, heartbeatMs });
  const wav = silenceWav();
  const counts = { tokenRequests: 0, insightsPosts: 0, insightsRefused: 0, pageLoads: 0 };

  return {
    /** Fault definitions of this lab, as `GET /lab/faults` lists them. */
    faults: {
      'twilio-silent-revoke': {
        description:
          "Twilio lab: every access token of the store is revoked (the app's Twilio token among them), nothing else: the " +
          'signalling sockets stay open and heartbeats go on. The next listen, register (every 30 s: lib/twilio/device.ts ' +
          'REGISTRATION_INTERVAL) or invite is refused with error 31204 (the SDK: AccessTokenInvalid 20101), while the SDK ' +
          'still reports itself registered.',
        implemented: true,
        defaults: {},
      },
    },

    async handleRequest(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if (path === '/vendors/twilio/token' && method === 'POST') {
        const identity = url.searchParams.get('identity') ?? 'agent-1';
        if (!IDENTITY_RE.test(identity)) {
          sendJson(res, 400, { message: 'identity must be a lab agent id', code: 'bad.request', status: 400 });
          return 400;
        }
        counts.tokenRequests++;
        const { token, expiresIn } = tokens.issueAccessToken(identity, 'session', JWT_ORG);
        res.setHeader('Cache-Control', 'no-store');
        sendJson(res, 200, { identity, token, ttl: expiresIn });
        return 200;
      }
      if (path.startsWith('/v4/') && method === 'POST') {
        counts.insightsPosts++;
        const header = req.headers['x-twilio-token'];
        const ok = typeof header === 'string' && tokens.checkAccessToken(header).ok;
        req.resume();
        if (!ok) counts.insightsRefused++;
        sendJson(res, ok ? 200 : 401, ok ? {} : { code: 20101, message: 'Invalid Access Token' });
        return ok ? 200 : 401;
      }
      if (!path.startsWith('/vendors/twilio/') || method !== 'GET') return null;
      const name = path.slice('/vendors/twilio/'.length) || 'index.html';
      if (name === 'sdk/twilio.min.js') return sendBytes(res, await readFile(sdkBundlePath()), TYPES.js);
      if (name === 'sounds/silence.wav') return sendBytes(res, wav, 'audio/wav');
      const m = PAGE_FILE_RE.exec(name);
      if (!m) return null;
      let body;
      try {
        body = await readFile(join(PAGE_DIR, name));
      } catch {
        return null;
      }
      if (name === 'index.html') counts.pageLoads++;
      return sendBytes(res, body, TYPES[/** @type {'js' | 'css' | 'html'} */ (m[1])]);
    },

    handleUpgrade(req, socket, head, url) {
      if (url.pathname === '/signal') return pstream.acceptSignal(req, socket, head);
      if (url.pathname === '/vendors/twilio/far-end') return pstream.acceptFarEnd(req, socket, head);
      return null;
    },

    async handleControl(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if (path === '/lab/fault/twilio-silent-revoke' && method === 'POST') {
        await readJsonObject(req);
        const since = Date.now();
        // The store has one revocation: every access token, the Twilio lab's among them. Sockets stay
        // open and heartbeats go on; the next listen, register or invite is refused (twilio-pstream.mjs).
        sendJson(res, 200, {
          fault: 'twilio-silent-revoke',
          since,
          until: null,
          params: {},
          revokedTokens: tokens.revokeAllAccessTokens(),
        });
        return 200;
      }
      if (path === '/lab/twilio/ring' && method === 'POST') {
        const body = await readJsonObject(req);
        if (body.identity !== undefined && typeof body.identity !== 'string') return fail(res, 400, 'identity must be a string');
        if (body.from !== undefined && typeof body.from !== 'string') return fail(res, 400, 'from must be a string');
        const r = pstream.ring({ identity: body.identity, from: body.from });
        if (!r.ok) return fail(res, 409, r.reason);
        sendJson(res, 200, { callSid: r.callSid });
        return 200;
      }
      if (path === '/lab/twilio/hangup' && method === 'POST') {
        const body = await readJsonObject(req);
        if (body.callSid !== undefined && typeof body.callSid !== 'string') return fail(res, 400, 'callSid must be a string');
        sendJson(res, 200, { hungUp: pstream.hangupFromServer(body.callSid) });
        return 200;
      }
      if (path === '/lab/twilio/state' && method === 'GET') {
        sendJson(res, 200, { ...pstream.snapshot(), counts: { ...pstream.counts(), ...counts } });
        return 200;
      }
      return null;
    },

    terminateAll: () => pstream.terminateAll(),
    stallOpen: (until) => pstream.stallOpen(until),
    unstallAll: () => pstream.unstallAll(),
    reset() {
      pstream.resetLog();
      for (const k of /** @type {(keyof typeof counts)[]} */ (Object.keys(counts))) counts[k] = 0;
    },
    close: () => pstream.close(),
  };
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} message
 * @returns {number}
 */
function fail(res, status, message) {
  sendJson(res, status, { error: message });
  return status;
}
