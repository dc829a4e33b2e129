/**
 * The Genesys Cloud lab's streaming back end: XMPP over WebSocket (RFC 7395) at
 * `wss://streaming.genesys.test:PORT/stream/channels/{channelId}`, as
 * genesys-cloud-streaming-client 19.4.1 (npm; GitHub commit
 * aa266dfbcfc5d7d5aaf8df3ea8e0e3b8b82a1b51) and the `stanza` 12 client inside it speak it:
 *
 * - `src/connection-manager.ts` `getStandardOptions`: the socket URL is
 *   `${host}/stream/channels/${channelId}`, the SASL credentials `username: jid`,
 *   `password: 'authKey:' + authToken`; the ANONYMOUS mechanism is pushed to priority 0, so a
 *   server offering PLAIN gets PLAIN (`AUTHZID \0 AUTHCID \0 PASSWORD`, RFC 4616 §2; stanza
 *   `lib/sasl` `PLAIN.createResponse`).
 * - stanza `transports/websocket.js`: subprotocol `xmpp`, one element per text frame,
 *   `<open/>` / `<close/>` of `urn:ietf:params:xml:ns:xmpp-framing` (RFC 7395 §3.3-3.6).
 * - `src/webrtc.ts` `_refreshIceServers`: during every connection attempt two XEP-0215
 *   queries (`turn`, `stun`) to the JID's domain; an unanswered one fails the attempt.
 * - `src/client.ts` `setupConnectionMonitoring`: a pubsub subscribe to node
 *   `enable.server.side.pings` on `notifications.<apiHost>`; answered, the client expects the
 *   server to send XEP-0199 pings and disconnects after 35 s without any stanza
 *   (`src/server-monitor.ts` DEFAULT_STANZA_TIMEOUT); refused, it pings every 14 s itself and
 *   disconnects after 2 missed answers (`src/ping.ts`).
 * - `src/client.ts` `saslErrorIsRetryable`: `not-authorized` is not retryable: after it the
 *   client never reconnects (`backoffConnectRetryHandler` answers false).
 *
 * SASL: the password's token is looked up in the lab's token store (revoked, expired,
 * unknown → `<failure><not-authorized/></failure>`, RFC 6120 §6.5.10), and must belong to the
 * channel's user. A failure leaves the stream open for another `<auth>` (RFC 6120 §6.4.5:
 * at least 2 retries): up to SASL_RETRIES more attempts, then `<policy-violation/>` and the
 * stream is closed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
const NS_SESSION = 'urn:ietf:params:xml:ns:xmpp-session';
const NS_STREAMS = 'http://etherx.jabber.org/streams';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const NS_PING = 'urn:xmpp:ping';
const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';

/** SASL retries allowed on one stream after a failure (RFC 6120 §6.4.5: at least 2, at most 5). */
export const SASL_RETRIES = 3;
/** The pubsub node that asks for server-side pings (`src/client.ts` `setupConnectionMonitoring`). */
export const SERVER_PINGS_NODE = 'enable.server.side.pings';
/**
 * Period of the server's XEP-0199 pings once asked for them (ms): below the client's 35 s
 * stanza timeout (`src/server-monitor.ts` DEFAULT_STANZA_TIMEOUT), so a healthy stream never
 * trips it.
 */
export const DEFAULT_SERVER_PING_MS = 30_000;

/**
 * @typedef {{ name: string, attrs: Record<string, string>, selfClosing: boolean, inner: string }} Element
 *   the outer element of one frame; `inner` its content (raw XML)
 * @typedef {{ id: string, userId: string, orgId: string, jid: string }} Channel
 * @typedef {{
 *   id: string, channel: Channel, ws: import('ws').WebSocket, openedAt: number,
 *   state: 'open-wait' | 'sasl' | 'restart-wait' | 'bound-wait' | 'ready' | 'closing',
 *   saslAttempts: number, fullJid: string | null, serverPings: NodeJS.Timeout | null,
 *   stalledUntil: number | null, pingSeq: number, subscriptions: Set<string>,
 * }} Stream
 * @typedef {{ at: number, channelId: string, event: string }} StreamEvent
 *   `event`: `sasl-success`, `sasl-failure`, `bound`, `closed 1000`, … (never a token)
 */

/** @param {string} s @returns {string} */
function xmlEscape(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** @param {string} s @returns {string} */
function xmlUnescape(s) {
  return s.replace(
    /&(lt|gt|amp|quot|apos);/g,
    (_m, e) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[/** @type {string} */ (e)] ?? '',
  );
}

/**
 * Parses the outer element of one RFC 7395 frame (a complete element; stanza writes one per
 * text frame). Enough XML for the lab: attributes, self-closing, the raw inner content.
 * @param {string} text
 * @returns {Element | null}
 */
export function parseFrame(text) {
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text);
  if (!m) return null;
  const name = /** @type {string} */ (m[1]).replace(/^[\w-]+:/, '');
  /** @type {Record<string, string>} */
  const attrs = {};
  for (const a of (m[2] ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    attrs[/** @type {string} */ (a[1])] = xmlUnescape(a[2] ?? a[3] ?? '');
  const selfClosing = m[3] === '/';
  let inner = '';
  if (!selfClosing) {
    const end = text.lastIndexOf('</');
    inner = end > m[0].length ? text.slice(m.index + m[0].length, end) : '';
  }
  return { name, attrs, selfClosing, inner };
}

/**
 * The first child element of `inner`: its local name, namespace and attributes.
 * @param {string} inner
 * @returns {{ name: string, xmlns: string, attrs: Record<string, string>, inner: string } | null}
 */
function firstChild(inner) {
  const el = parseFrame(inner);
  if (!el) return null;
  return { name: el.name, xmlns: el.attrs.xmlns ?? '', attrs: el.attrs, inner: el.inner };
}

/**
 * @param {{
 *   checkToken: (token: string) => { ok: true, userId: string } | { ok: false, problem: string },
 *   findChannel: (id: string) => Channel | null,
 *   pubsubHost: () => string,
 *   serverPingMs?: number,
 *   onEvent?: (e: StreamEvent) => void,
 *   now?: () => number,
 * }} opts `checkToken`: the lab's token store verdict for a SASL PLAIN password's token;
 *   `pubsubHost`: `notifications.<apiHost>`, the `from` of the server's pubsub answers
 */
export function createXmppStreams(opts) {
  const now = opts.now ?? Date.now;
  const serverPingMs = opts.serverPingMs ?? DEFAULT_SERVER_PING_MS;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024,
    // RFC 7395 §3.1: the `xmpp` subprotocol, which stanza asks for.
    handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false),
  });
  /** @type {Set<Stream>} */
  const streams = new Set();
  const counts = { streamsOpened: 0, saslSuccesses: 0, saslFailures: 0, serverPingsSent: 0, serverPingsAnswered: 0, clientPings: 0 };

  /** @param {Stream} s @param {string} event */
  const note = (s, event) => opts.onEvent?.({ at: now(), channelId: s.channel.id, event });

  /** @param {Stream} s */
  const stalled = (s) => s.stalledUntil !== null && now() < s.stalledUntil;

  /** @param {Stream} s @param {string} xml */
  function send(s, xml) {
    if (s.ws.readyState !== s.ws.OPEN || stalled(s)) return false;
    s.ws.send(xml);
    return true;
  }

  /** @param {Stream} s */
  function domainOf(s) {
    return s.channel.jid.split('@')[1] ?? 'genesys.test';
  }

  /** @param {Stream} s @param {string} condition RFC 6120 §4.9.3 */
  function streamError(s, condition) {
    send(s, `<stream:error xmlns:stream="${NS_STREAMS}"><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>`);
    endStream(s);
  }

  /**
   * Ends the stream from the server side the RFC 7395 §3.6 way: `<close/>`, then the WebSocket
   * closing handshake (1000) once the client answered with its own `<close/>`, or after 2 s.
   * @param {Stream} s
   */
  function endStream(s) {
    if (s.state === 'closing') return;
    s.state = 'closing';
    stopPings(s);
    send(s, `<close xmlns="${NS_FRAMING}"/>`);
    setTimeout(() => {
      if (s.ws.readyState === s.ws.OPEN) s.ws.close(1000);
    }, 2000).unref();
  }

  /** @param {Stream} s */
  function stopPings(s) {
    if (s.serverPings) clearInterval(s.serverPings);
    s.serverPings = null;
  }

  /** @param {Stream} s */
  function sendFeatures(s) {
    send(s, `<open xmlns="${NS_FRAMING}" from="${xmlEscape(domainOf(s))}" id="${randomUUID()}" version="1.0" xml:lang="en"/>`);
    if (s.state === 'open-wait') {
      s.state = 'sasl';
      send(
        s,
        `<stream:features xmlns:stream="${NS_STREAMS}"><mechanisms xmlns="${NS_SASL}"><mechanism>PLAIN</mechanism></mechanisms></stream:features>`,
      );
    } else {
      s.state = 'bound-wait';
      send(
        s,
        `<stream:features xmlns:stream="${NS_STREAMS}"><bind xmlns="${NS_BIND}"/><session xmlns="${NS_SESSION}"><optional/></session></stream:features>`,
      );
    }
  }

  /**
   * SASL PLAIN (RFC 4616 §2): `authzid \0 authcid \0 passwd`, `passwd` = `authKey:<token>`.
   * @param {Stream} s
   * @param {Element} el
   */
  function onAuth(s, el) {
    if (s.state !== 'sasl') return streamError(s, 'policy-violation');
    s.saslAttempts++;
    const fail = (/** @type {string} */ condition, /** @type {string} */ why) => {
      counts.saslFailures++;
      note(s, `sasl-failure ${condition} (${why})`);
      send(s, `<failure xmlns="${NS_SASL}"><${condition}/></failure>`);
      // RFC 6120 §6.4.5: past the allowed retries, close the stream with <policy-violation/>.
      if (s.saslAttempts > SASL_RETRIES) streamError(s, 'policy-violation');
    };
    if (el.attrs.mechanism !== 'PLAIN') return fail('invalid-mechanism', 'not PLAIN');
    const b64 = el.inner.trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return fail('incorrect-encoding', 'not base64'); // RFC 6120 §6.5.2
    const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
    if (parts.length !== 3) return fail('malformed-request', 'not authzid\\0authcid\\0passwd');
    const [, authcid = '', passwd = ''] = parts;
    if (!passwd.startsWith('authKey:')) return fail('not-authorized', 'password without authKey:');
    const verdict = opts.checkToken(passwd.slice('authKey:'.length));
    if (!verdict.ok) return fail('not-authorized', `token ${verdict.problem}`);
    const user = authcid.split('@')[0];
    if (verdict.userId !== s.channel.userId || user !== s.channel.userId) return fail('not-authorized', 'token of another user');
    counts.saslSuccesses++;
    note(s, 'sasl-success');
    s.state = 'restart-wait';
    send(s, `<success xmlns="${NS_SASL}"/>`);
  }

  /**
   * @param {Stream} s
   * @param {Element} el an `<iq>`
   */
  function onIq(s, el) {
    const { id = '', type = '' } = el.attrs;
    if (type === 'result' || type === 'error') {
      if (id.startsWith('lab-ping-')) counts.serverPingsAnswered++;
      return;
    }
    if (s.state !== 'bound-wait' && s.state !== 'ready') return streamError(s, 'not-authorized');
    const child = firstChild(el.inner);
    const to = el.attrs.to;
    const reply = (/** @type {string} */ body) =>
      send(
        s,
        `<iq xmlns="jabber:client" type="result" id="${xmlEscape(id)}"${to ? ` from="${xmlEscape(to)}"` : ''}${s.fullJid ? ` to="${xmlEscape(s.fullJid)}"` : ''}>${body}</iq>`,
      );
    if (child?.name === 'bind' && child.xmlns === NS_BIND && type === 'set') {
      const resource = /<resource>([^<]*)<\/resource>/.exec(child.inner)?.[1] ?? randomUUID();
      s.fullJid = `${s.channel.jid}/${xmlUnescape(resource)}`;
      s.state = 'ready';
      note(s, 'bound');
      return reply(`<bind xmlns="${NS_BIND}"><jid>${xmlEscape(s.fullJid)}</jid></bind>`);
    }
    if (child?.name === 'session' && child.xmlns === NS_SESSION) return reply('');
    if (child?.name === 'ping' && child.xmlns === NS_PING) {
      counts.clientPings++;
      return reply('');
    }
    if (child?.name === 'services' && child.xmlns.startsWith('urn:xmpp:extdisco:')) {
      // XEP-0215 §3: no TURN or STUN service in the lab (no media is negotiated here).
      return reply(`<services xmlns="${child.xmlns}"${child.attrs.type ? ` type="${xmlEscape(child.attrs.type)}"` : ''}/>`);
    }
    if (child?.name === 'pubsub' && child.xmlns === NS_PUBSUB) {
      const sub = /<(subscribe|unsubscribe)\s[^>]*node\s*=\s*["']([^"']+)["'][^>]*>/.exec(child.inner);
      if (sub) {
        const node = xmlUnescape(sub[2] ?? '');
        if (sub[1] === 'unsubscribe') {
          s.subscriptions.delete(node);
          return reply('');
        }
        s.subscriptions.add(node);
        note(s, `subscribed ${node}`);
        if (node === SERVER_PINGS_NODE && !s.serverPings) startServerPings(s);
        return reply(
          `<pubsub xmlns="${NS_PUBSUB}"><subscription node="${xmlEscape(node)}" jid="${xmlEscape(s.fullJid ?? s.channel.jid)}" subscription="subscribed"/></pubsub>`,
        );
      }
    }
    // RFC 6120 §8.4: an IQ get/set nobody handles.
    send(
      s,
      `<iq xmlns="jabber:client" type="error" id="${xmlEscape(id)}"><error type="cancel"><service-unavailable xmlns="${NS_STANZAS}"/></error></iq>`,
    );
  }

  /** XEP-0199 §4.1 server-to-client pings, as the client asked (`enable.server.side.pings`). @param {Stream} s */
  function startServerPings(s) {
    s.serverPings = setInterval(() => {
      if (stalled(s) || s.state !== 'ready') return;
      const id = `lab-ping-${++s.pingSeq}`;
      if (
        send(
          s,
          `<iq xmlns="jabber:client" type="get" id="${id}" from="${xmlEscape(domainOf(s))}" to="${xmlEscape(s.fullJid ?? '')}"><ping xmlns="${NS_PING}"/></iq>`,
        )
      )
        counts.serverPingsSent++;
    }, serverPingMs);
  }

  /** @param {Stream} s @param {string} text */
  function onFrame(s, text) {
    if (stalled(s)) return;
    const el = parseFrame(text);
    if (!el) return streamError(s, 'not-well-formed');
    if (el.name === 'open') {
      if (s.state === 'open-wait' || s.state === 'restart-wait') return sendFeatures(s);
      return streamError(s, 'invalid-xml');
    }
    if (el.name === 'close') {
      // RFC 7395 §3.6: answer the client's <close/> with ours, then the WebSocket close.
      if (s.state !== 'closing') {
        s.state = 'closing';
        stopPings(s);
        send(s, `<close xmlns="${NS_FRAMING}"/>`);
      }
      if (s.ws.readyState === s.ws.OPEN) s.ws.close(1000);
      return;
    }
    if (el.name === 'auth' && (el.attrs.xmlns ?? NS_SASL) === NS_SASL) return onAuth(s, el);
    if (el.name === 'abort' && el.attrs.xmlns === NS_SASL) {
      send(s, `<failure xmlns="${NS_SASL}"><aborted/></failure>`);
      return;
    }
    if (el.name === 'iq') return onIq(s, el);
    // presence, message, anything else: accepted and dropped (no routing in the lab).
  }

  return {
    counts,

    /**
     * Takes an upgrade to `/stream/channels/{id}`. No token here: it travels in SASL.
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @param {string} channelId
     * @returns {number} the HTTP status (101; 404 for an unknown or expired channel; 400 without the `xmpp` subprotocol)
     */
    handleUpgrade(req, socket, head, channelId) {
      const channel = opts.findChannel(channelId);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      const refuse = (/** @type {number} */ status, /** @type {string} */ reason) => {
        socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return status;
      };
      if (!channel) return refuse(404, 'Not Found');
      if (!offered.includes('xmpp')) return refuse(400, 'Bad Request');
      wss.handleUpgrade(req, socket, head, (ws) => {
        /** @type {Stream} */
        const s = {
          id: randomBytes(6).toString('hex'),
          channel,
          ws,
          openedAt: now(),
          state: 'open-wait',
          saslAttempts: 0,
          fullJid: null,
          serverPings: null,
          stalledUntil: null,
          pingSeq: 0,
          subscriptions: new Set(),
        };
        streams.add(s);
        counts.streamsOpened++;
        note(s, 'opened');
        ws.on('error', () => {
          /* the close event follows */
        });
        ws.on('message', (data, isBinary) => {
          if (!isBinary) onFrame(s, String(data));
        });
        ws.on('close', (code) => {
          stopPings(s);
          streams.delete(s);
          note(s, `closed ${code}`);
        });
      });
      return 101;
    },

    /** @returns {number} streams open now */
    openCount() {
      let n = 0;
      for (const s of streams) if (s.ws.readyState === s.ws.OPEN) n++;
      return n;
    },

    /** @returns {number} streams open and authenticated (bound) now */
    readyCount() {
      let n = 0;
      for (const s of streams) if (s.ws.readyState === s.ws.OPEN && s.state === 'ready') n++;
      return n;
    },

    /** Drops every stream without a close frame (the browser reports 1006). @returns {number} */
    terminateAll() {
      const n = streams.size;
      for (const s of [...streams]) {
        stopPings(s);
        s.ws.terminate();
      }
      return n;
    },

    /**
     * Ends every ready stream the RFC 7395 §3.6 way (`<close/>`, then close 1000): to the
     * client a clean end of stream, after which it reconnects on the same channel.
     * @returns {number} streams ended
     */
    endAll() {
      let n = 0;
      for (const s of streams)
        if (s.ws.readyState === s.ws.OPEN && s.state !== 'closing') {
          endStream(s);
          n++;
        }
      return n;
    },

    /**
     * Pushes a pubsub event (XEP-0060 §7.1.2, payload as XEP-0335 JSON) on `node` to every ready stream.
     * @param {string} node
     * @param {unknown} payload
     * @returns {number} streams written to
     */
    pushEvent(node, payload) {
      let n = 0;
      for (const s of streams) {
        if (s.state !== 'ready') continue;
        const json = xmlEscape(JSON.stringify(payload));
        if (
          send(
            s,
            `<message xmlns="jabber:client" from="${xmlEscape(opts.pubsubHost())}" to="${xmlEscape(s.fullJid ?? s.channel.jid)}" id="${randomUUID()}">` +
              `<event xmlns="${NS_PUBSUB_EVENT}"><items node="${xmlEscape(node)}"><item id="${randomUUID()}"><json xmlns="urn:xmpp:json:0">${json}</json></item></items></event></message>`,
          )
        )
          n++;
      }
      return n;
    },

    /**
     * Ends the streams of one channel (RFC 7395 §3.6).
     * @param {string} channelId
     * @returns {number}
     */
    endChannel(channelId) {
      let n = 0;
      for (const s of streams)
        if (s.channel.id === channelId && s.state !== 'closing') {
          endStream(s);
          n++;
        }
      return n;
    },

    /**
     * Silent stall of the streams open now: no server pings, no answers, what they send is
     * ignored, until `until` (ms since epoch). The `ws` library still answers control frames.
     * @param {number} until
     * @returns {number} streams stalled
     */
    stallOpen(until) {
      let n = 0;
      for (const s of streams)
        if (s.ws.readyState === s.ws.OPEN) {
          s.stalledUntil = until;
          n++;
        }
      return n;
    },

    unstallAll() {
      for (const s of streams) s.stalledUntil = null;
    },

    resetCounts() {
      for (const k of /** @type {(keyof typeof counts)[]} */ (Object.keys(counts))) counts[k] = 0;
    },

    close() {
      for (const s of [...streams]) {
        stopPings(s);
        s.ws.terminate();
      }
      wss.close();
    },
  };
}
