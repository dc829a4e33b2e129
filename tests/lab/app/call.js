/**
 * A real WebRTC call on loopback inside the page: the agent's peer connection sends the
 * microphone track, the "customer" peer connection sends a 440 Hz tone (WebAudio), and
 * offer/answer and ICE candidates are handed across in memory. No ICE servers: host
 * candidates suffice on one machine.
 */

export const STATS_INTERVAL_MS = 500;

/**
 * The customer's voice: an oscillator; a second microphone capture when WebAudio cannot run
 * (an AudioContext may stay suspended without a user gesture).
 * @returns {Promise<{ track: MediaStreamTrack, stop: () => void }>}
 */
async function customerVoice() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const gain = ctx.createGain();
    gain.gain.value = 0.05;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    osc.start();
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 500))]);
    const track = dest.stream.getAudioTracks()[0];
    if (ctx.state === 'running' && track)
      return {
        track,
        stop: () => {
          osc.stop();
          ctx.close();
        },
      };
    ctx.close();
  } catch {
    /* fall through */
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const track = stream.getAudioTracks()[0];
  return { track, stop: () => track.stop() };
}

/**
 * Hands ICE candidates from one peer connection to the other, holding them until the
 * other side has its remote description.
 * @param {RTCPeerConnection} from
 * @param {RTCPeerConnection} to
 * @returns {() => void} flushes held candidates
 */
function pipeCandidates(from, to) {
  /** @type {RTCIceCandidate[]} */
  const held = [];
  from.onicecandidate = (ev) => {
    if (!ev.candidate) return;
    if (to.remoteDescription) to.addIceCandidate(ev.candidate).catch(() => {});
    else held.push(ev.candidate);
  };
  return () => {
    for (const c of held.splice(0)) to.addIceCandidate(c).catch(() => {});
  };
}

/**
 * Starts the call.
 * @param {{
 *   audioElement: HTMLAudioElement,
 *   onInboundBytes: (bytes: number, growing: boolean, connectionState: RTCPeerConnectionState) => void,
 *   onFailed: (reason: string) => void,
 * }} opts `onInboundBytes` every STATS_INTERVAL_MS with the agent side's inbound-rtp audio
 *   `bytesReceived` (bytes) and whether it grew since the previous sample; `onFailed` once when
 *   the call ends by itself: 'peer connection failed', or 'media connection closed' when the
 *   agent's peer connection was closed by someone else (`connectionState`/`signalingState`
 *   read `closed`)
 * @returns {Promise<{ mic: MediaStreamTrack, hangup: () => void, replaceMic: (track: MediaStreamTrack) => Promise<void> }>}
 *   `replaceMic` sends another microphone track in the live call (after the first one ended)
 * @throws {Error} when the microphone cannot be opened or negotiation fails
 */
export async function startLoopbackCall(opts) {
  const micStream = await navigator.mediaDevices.getUserMedia({ audio: true });
  let mic = micStream.getAudioTracks()[0];
  if (!mic) throw new Error('no microphone track');
  /** @type {{ track: MediaStreamTrack, stop: () => void } | null} */
  let customer = null;
  const agentPc = new RTCPeerConnection({ iceServers: [] });
  const customerPc = new RTCPeerConnection({ iceServers: [] });
  let ended = false;
  /** @type {RTCRtpSender | null} */
  let sender = null;
  /** @type {ReturnType<typeof setInterval> | null} */
  let poll = null;

  const hangup = () => {
    if (ended) return;
    ended = true;
    if (poll) clearInterval(poll);
    agentPc.close();
    customerPc.close();
    mic.stop();
    customer?.stop();
    opts.audioElement.srcObject = null;
  };

  try {
    customer = await customerVoice();
    const flushToCustomer = pipeCandidates(agentPc, customerPc);
    const flushToAgent = pipeCandidates(customerPc, agentPc);
    sender = agentPc.addTrack(mic, micStream);
    customerPc.addTrack(customer.track, new MediaStream([customer.track]));
    agentPc.ontrack = (ev) => {
      opts.audioElement.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      opts.audioElement.play().catch(() => {
        /* autoplay refused: bytes still flow */
      });
    };
    const offer = await agentPc.createOffer();
    await agentPc.setLocalDescription(offer);
    await customerPc.setRemoteDescription(offer);
    flushToCustomer();
    const answer = await customerPc.createAnswer();
    await customerPc.setLocalDescription(answer);
    await agentPc.setRemoteDescription(answer);
    flushToAgent();
  } catch (e) {
    hangup();
    throw e;
  }

  agentPc.onconnectionstatechange = () => {
    if (agentPc.connectionState === 'failed' && !ended) {
      hangup();
      opts.onFailed('peer connection failed');
    }
  };

  // Someone else closing the agent's peer connection ends the call. close() fires no event
  // (W3C WebRTC 1.0, RTCPeerConnection.close(): the states just read "closed"), so the
  // sampler looks at the states on every tick.
  const closedBySomeoneElse = () => {
    if (ended || (agentPc.connectionState !== 'closed' && agentPc.signalingState !== 'closed')) return false;
    hangup();
    opts.onFailed('media connection closed');
    return true;
  };

  let last = 0;
  poll = setInterval(async () => {
    if (ended || closedBySomeoneElse()) return;
    let bytes = last;
    try {
      const report = await agentPc.getStats();
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes = s.bytesReceived ?? bytes;
      });
    } catch {
      closedBySomeoneElse();
      return;
    }
    if (ended || closedBySomeoneElse()) return;
    const growing = bytes > last;
    last = bytes;
    opts.onInboundBytes(bytes, growing, agentPc.connectionState);
  }, STATS_INTERVAL_MS);

  const handle = {
    mic,
    hangup,
    /** @param {MediaStreamTrack} track */
    async replaceMic(track) {
      if (ended || !sender) {
        track.stop();
        return;
      }
      await sender.replaceTrack(track);
      mic.stop();
      mic = track;
      handle.mic = track;
    },
  };
  return handle;
}
