/*
 * The micro-benchmark page's script (a classic script, no build step). Every figure is a
 * loop timed with performance.now() inside the page, so the driver's round trips (Playwright,
 * CDP) are not in it. Each function resolves with milliseconds unless it says otherwise.
 */
(function () {
  'use strict';
  const wsUrl = (path) => `ws://${location.host}${path}`;
  const now = () => performance.now();

  /** `n` sequential fetches of `path`, body read; `bearer`: with an Authorization header. */
  async function fetchLoop(n, path, bearer) {
    const init = bearer ? { headers: { Authorization: 'Bearer bench-not-a-real-token' } } : undefined;
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const res = await fetch(path, init);
      await res.text();
    }
    return now() - t0;
  }

  function openSocket(path) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(path));
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error(`socket ${path} failed`));
    });
  }

  /** `n` echo round trips on one socket, one message in flight at a time (socket open excluded). */
  async function wsEcho(n) {
    const ws = await openSocket('/ws/echo');
    const payload = 'x'.repeat(64);
    const t0 = now();
    await new Promise((resolve) => {
      let left = n;
      ws.onmessage = () => {
        left -= 1;
        if (left === 0) resolve();
        else ws.send(payload);
      };
      ws.send(payload);
    });
    const ms = now() - t0;
    ws.close(1000);
    return ms;
  }

  const connected = (pc) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (pc.connectionState === 'connected') resolve();
        else if (pc.connectionState === 'failed') reject(new Error('peer connection failed'));
      };
      pc.addEventListener('connectionstatechange', check);
      check();
    });

  /** Two connections on loopback, candidates exchanged as they come; `stream`: its tracks are sent. */
  async function connectPair(stream) {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate).catch(() => undefined);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate).catch(() => undefined);
    if (stream) for (const t of stream.getTracks()) a.addTrack(t, stream);
    else a.createDataChannel('bench');
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    await Promise.all([connected(a), connected(b)]);
    return [a, b];
  }

  /** Constructor to both connections `connected` (data channel, offer/answer, ICE on loopback). */
  async function pcSetup() {
    const t0 = now();
    const [a, b] = await connectPair(null);
    const ms = now() - t0;
    a.close();
    b.close();
    return ms;
  }

  let call = null;
  /**
   * A call that stays up: microphone (fake device) sent from one connection to the other.
   * With `pollMs` > 0 the page polls `getStats()` of both connections itself every `pollMs` ms
   * and reads each report's RTP streams, as softphones do for their own call-quality display.
   * @param {number} [pollMs] the page's own polling interval, ms (0: no polling)
   */
  async function startCall(pollMs = 0) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pcs = await connectPair(stream);
    call = { stream, pcs, timer: null, polled: 0 };
    if (pollMs > 0) {
      const state = call;
      state.timer = setInterval(() => {
        for (const pc of pcs) {
          pc.getStats().then(
            (report) => {
              let bytes = 0;
              report.forEach((r) => {
                if (r.type === 'inbound-rtp' || r.type === 'outbound-rtp') bytes += r.bytesReceived ?? r.bytesSent ?? 0;
              });
              if (bytes > 0) state.polled++;
            },
            () => undefined,
          );
        }
      }, pollMs);
    }
    return true;
  }
  /** How many of the page's own `getStats()` reports had RTP bytes (0 without polling). */
  function pagePolls() {
    return call ? call.polled : 0;
  }
  /** Audio bytes received so far by the receiving connection (the call is flowing). */
  async function callBytes() {
    if (!call) return 0;
    let bytes = 0;
    (await call.pcs[1].getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived;
    });
    return bytes;
  }
  function stopCall() {
    if (!call) return;
    if (call.timer !== null) clearInterval(call.timer);
    for (const pc of call.pcs) pc.close();
    for (const t of call.stream.getTracks()) t.stop();
    call = null;
  }

  /**
   * Opens a socket the server drops on request, waits `settleMs`, asks for the drop and
   * resolves with the epoch time (ms) the page's close handler ran, and the close code.
   */
  async function dropSample(settleMs) {
    const ws = await openSocket('/ws/drop');
    await new Promise((r) => setTimeout(r, settleMs));
    return new Promise((resolve) => {
      ws.onclose = (e) => resolve({ closeAt: Date.now(), code: e.code });
      ws.send('drop');
    });
  }

  /**
   * True when Softphone Guard's page probe is installed in this window: it answers
   * `Function.prototype.toString` on its mark with its version (older builds set the mark as
   * a window property instead).
   */
  function probed() {
    const mark = Symbol.for('softphone-guard.probe');
    if (Object.prototype.hasOwnProperty.call(window, mark)) return true;
    try {
      return typeof Function.prototype.toString.call(mark) === 'string';
    } catch {
      return false;
    }
  }

  window.bench = { fetchLoop, wsEcho, pcSetup, startCall, callBytes, pagePolls, stopCall, dropSample, probed };
})();
