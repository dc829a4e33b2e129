/**
 * The far end of the lab's loopback calls: a plain RTCPeerConnection with the (fake) microphone,
 * signalled through the lab's own socket `/vendors/twilio/far-end`; the lab relays its SDP to the
 * SDK as PStream `answer` / `invite` (tests/lab/lib/twilio-pstream.mjs). It waits for its ICE
 * candidates before sending its SDP; the SDK does not wait for its own (its offer or answer goes
 * out right after setLocalDescription: @twilio/voice-sdk 2.18.5 lib/twilio/rtc/peerconnection.ts
 * `makeOutgoingCall` / `answerIncomingCall`), and the far end learns the SDK's addresses from its
 * connectivity checks (peer-reflexive candidates, RFC 8445 §7.3.1.3).
 * State in `window.labVendor.farEnd`. `?farEnd=0` leaves it out.
 */
(() => {
  if (new URLSearchParams(location.search).get('farEnd') === '0') return;
  const lab = (window.labVendor = window.labVendor || {});
  const state = (lab.farEnd = { connected: false, calls: {} });
  /** @type {Map<string, RTCPeerConnection>} */
  const peers = new Map();
  let ws = null;

  const gathered = (pc) =>
    new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const done = () => {
        if (pc.iceGatheringState === 'complete') resolve();
      };
      pc.addEventListener('icegatheringstatechange', done);
      setTimeout(resolve, 3000);
    });

  async function peer(callSid) {
    const pc = new RTCPeerConnection();
    peers.set(callSid, pc);
    const s = (state.calls[callSid] = { ice: 'new', packetsReceived: 0, ended: false });
    pc.addEventListener('iceconnectionstatechange', () => (s.ice = pc.iceConnectionState));
    const media = await navigator.mediaDevices.getUserMedia({ audio: true });
    for (const t of media.getAudioTracks()) pc.addTrack(t, media);
    const poll = setInterval(async () => {
      if (pc.signalingState === 'closed') return clearInterval(poll);
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') s.packetsReceived = r.packetsReceived;
      });
    }, 500);
    return pc;
  }

  function end(callSid) {
    const pc = peers.get(callSid);
    peers.delete(callSid);
    if (pc) {
      pc.getSenders().forEach((x) => x.track && x.track.stop());
      pc.close();
    }
    if (state.calls[callSid]) state.calls[callSid].ended = true;
  }

  async function onMessage(m) {
    if (m.type === 'offer') {
      const pc = await peer(m.callSid);
      await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      ws.send(JSON.stringify({ type: 'answer', callSid: m.callSid, sdp: pc.localDescription.sdp }));
    } else if (m.type === 'make-offer') {
      const pc = await peer(m.callSid);
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      ws.send(JSON.stringify({ type: 'offer', callSid: m.callSid, sdp: pc.localDescription.sdp }));
    } else if (m.type === 'answer') {
      await peers.get(m.callSid)?.setRemoteDescription({ type: 'answer', sdp: m.sdp });
    } else if (m.type === 'hangup') {
      end(m.callSid);
    }
  }

  function connect() {
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/vendors/twilio/far-end`);
    ws.onopen = () => (state.connected = true);
    ws.onclose = () => {
      state.connected = false;
      setTimeout(connect, 1000);
    };
    ws.onmessage = (e) => {
      onMessage(JSON.parse(e.data)).catch((err) => (state.lastError = String(err && err.message)));
    };
  }
  connect();
  lab.farEndHangup = (callSid) => {
    for (const id of callSid ? [callSid] : [...peers.keys()]) {
      ws.send(JSON.stringify({ type: 'hangup', callSid: id }));
      end(id);
    }
  };
})();
