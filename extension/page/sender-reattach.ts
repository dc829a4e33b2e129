/**
 * Gives a call in progress its microphone back (rung 4, docs/architecture.md §3 "Media
 * recovery"). When the microphone permission is revoked during a call, Chromium ends the
 * captured audio track; the `RTCRtpSender` keeps that ended track and sends silence. Many
 * softphones only re-open their input when the device list changes — @twilio/voice-sdk 2.18.5
 * re-opens it in `PeerConnection.prototype._onInputDevicesChanged`
 * (lib/twilio/rtc/peerconnection.ts), which `Device` calls only on the AudioHelper's
 * `deviceChange` for a *lost* device (lib/twilio/device.ts, lib/twilio/audiohelper.ts
 * `_updateAvailableDevices`) — so with the same devices listed, the call stays mute until
 * a reload.
 *
 * Once the permission is granted again, every live connection's sender whose track is an
 * ended audio track gets a fresh capture of the same device through
 * `RTCRtpSender.replaceTrack()`, which needs no renegotiation (W3C WebRTC §5.2
 * `replaceTrack`). The ended track keeps the app's handle working: its `enabled` and `stop`
 * are forwarded to the fresh track through own properties of that one ended track object
 * (never a prototype), so the app's mute still mutes and its hang-up still releases the
 * device. The fresh track is also stopped when its connection closes. An app that reads
 * `sender.track` (the Twilio SDK's `mute()` does) sees the fresh track directly.
 */
import type { ProbeContext } from './context';
import { call, getter, method, own } from './natives';

type AnyFn = (...args: never[]) => unknown;

/** The natives this module needs, captured with the peer-connection hook at document_start. */
export interface TrackNatives {
  getSenders?: AnyFn;
  replaceTrack?: AnyFn;
  senderTrack?: AnyFn;
  trackKind?: AnyFn;
  trackReadyState?: AnyFn;
  trackEnabledGet?: AnyFn;
  trackEnabledSet?: AnyFn;
  trackGetSettings?: AnyFn;
  trackStop?: AnyFn;
  streamGetAudioTracks?: AnyFn;
  defineProperty: typeof Object.defineProperty;
}

/**
 * Captures {@link TrackNatives} from `win`. Call at document_start, before any page script.
 * @throws never (missing APIs are left undefined; {@link reattachEndedAudio} then does nothing)
 */
export function captureTrackNatives(win: Window & typeof globalThis): TrackNatives {
  const track = win.MediaStreamTrack?.prototype;
  const sender = win.RTCRtpSender?.prototype;
  return {
    getSenders: method(win.RTCPeerConnection?.prototype, 'getSenders'),
    replaceTrack: method(sender, 'replaceTrack'),
    senderTrack: getter(sender, 'track'),
    trackKind: getter(track, 'kind'),
    trackReadyState: getter(track, 'readyState'),
    trackEnabledGet: getter(track, 'enabled'),
    trackEnabledSet: own(track, 'enabled')?.set as AnyFn | undefined,
    trackGetSettings: method(track, 'getSettings'),
    trackStop: method(track, 'stop'),
    streamGetAudioTracks: method(win.MediaStream?.prototype, 'getAudioTracks'),
    defineProperty: Object.defineProperty,
  };
}

/** Upper bound of senders re-attached in one pass (a page with more is not a softphone). */
export const MAX_REATTACH = 16;

/**
 * One pass over `connections`: each sender carrying an ended audio track gets a fresh capture
 * of the same device (`deviceId` as `ideal`, so a device that is gone falls back to the
 * default) via `replaceTrack`. Captures with the native `getUserMedia`, so the app's own
 * wrapper never sees a capture it did not ask for. `adopt(pc, fresh)` hands the fresh track to
 * the connection's bookkeeping, which stops it when the connection closes.
 * @returns how many senders carry a live microphone track again (0..{@link MAX_REATTACH})
 * @throws never
 */
export async function reattachEndedAudio(
  ctx: ProbeContext,
  tn: TrackNatives,
  connections: readonly RTCPeerConnection[],
  adopt: (pc: RTCPeerConnection, fresh: MediaStreamTrack) => void,
): Promise<number> {
  const { natives } = ctx;
  const md = natives.mediaDevicesObject;
  if (!md || !natives.getUserMedia || !tn.getSenders || !tn.replaceTrack || !tn.senderTrack || !tn.streamGetAudioTracks) return 0;
  let reattached = 0;
  for (const pc of connections) {
    let senders: RTCRtpSender[];
    try {
      senders = call<RTCRtpSender[]>(tn.getSenders, pc);
    } catch {
      continue;
    }
    for (const sender of senders) {
      if (reattached >= MAX_REATTACH) return reattached;
      try {
        const ended = call<MediaStreamTrack | null>(tn.senderTrack, sender);
        if (!ended || call(tn.trackKind, ended) !== 'audio' || call(tn.trackReadyState, ended) !== 'ended') continue;
        const deviceId = call<MediaTrackSettings>(tn.trackGetSettings, ended)?.deviceId;
        const stream = await call<Promise<MediaStream>>(natives.getUserMedia, md, {
          audio: typeof deviceId === 'string' && deviceId !== '' ? { deviceId: { ideal: deviceId } } : true,
        });
        const fresh = call<MediaStreamTrack[]>(tn.streamGetAudioTracks, stream)[0];
        if (!fresh) continue;
        // A muted call stays muted: the fresh track starts as the app left the ended one.
        if (tn.trackEnabledGet && tn.trackEnabledSet) call(tn.trackEnabledSet, fresh, call<boolean>(tn.trackEnabledGet, ended));
        try {
          await call<Promise<void>>(tn.replaceTrack, sender, fresh);
        } catch {
          call(tn.trackStop, fresh);
          continue;
        }
        forward(tn, ended, fresh);
        adopt(pc, fresh);
        reattached += 1;
      } catch {
        // this sender stays as it was
      }
    }
  }
  return reattached;
}

/** The app's handle on the ended track now drives the fresh one (see the module comment). */
function forward(tn: TrackNatives, ended: MediaStreamTrack, fresh: MediaStreamTrack): void {
  const { trackEnabledGet, trackEnabledSet, trackStop } = tn;
  if (trackEnabledGet && trackEnabledSet) {
    tn.defineProperty(ended, 'enabled', {
      configurable: true,
      enumerable: false,
      get: () => call<boolean>(trackEnabledGet, fresh),
      set: (value: unknown) => {
        call(trackEnabledSet, fresh, Boolean(value));
      },
    });
  }
  if (trackStop) {
    tn.defineProperty(ended, 'stop', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: function stop(): void {
        call(trackStop, fresh);
        call(trackStop, ended);
      },
    });
  }
}
