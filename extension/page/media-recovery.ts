/**
 * Rung 4 in the page (docs/architecture.md §3 "Media recovery"), on the worker's `reacquire-media`:
 *
 * 1. read the `microphone` permission; unless it is `granted` (or becomes so within
 *    {@link PERMISSION_WAIT_MS}: the worker sends the command right after it allowed the
 *    site setting, and the page learns of that a moment later), stop here — a capture now
 *    would put a prompt in front of the agent;
 * 2. re-prime the native `getUserMedia({audio: true})` and stop the primed tracks at once, so
 *    no capture indicator stays on unless the app itself captures;
 * 3. give a call in progress its microphone back: a sender left with an ended audio track gets
 *    a fresh capture through `replaceTrack` (sender-reattach.ts);
 * 4. re-enumerate the devices (labels and ids are hidden while the permission is not granted,
 *    and Chromium fires no `devicechange` when it is granted again);
 * 5. dispatch `devicechange` on `navigator.mediaDevices`, the standard "re-read your devices"
 *    signal (W3C Media Capture and Streams, MediaDevices `ondevicechange`), so an app that waits for a device sees it;
 * 6. answer `media-reacquired` (`reattached`: how many senders of step 3).
 *
 * The captured natives bypass the getUserMedia wrapper: the prime is the probe's own and is
 * reported as `media-reacquired`, never as one of the app's `gum` captures.
 */
import { MAX_TEXT, clip } from './context';
import type { ProbeContext } from './context';
import { call } from './natives';

/** The prime gives up after this long (a capture device that never answers), ms. */
export const REACQUIRE_TIMEOUT_MS = 8000;
/**
 * How long the probe waits for the permission to turn `granted`, ms. Measured on Chromium
 * 156: the page's `change` event follows `contentSettings.microphone.set` within 200 ms.
 */
export const PERMISSION_WAIT_MS = 3000;

let running = false;

interface Outcome {
  ok: boolean;
  errorName?: string;
}

const errorName = (err: unknown): string =>
  clip(typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name) : 'Error', MAX_TEXT);

async function permissionGranted(ctx: ProbeContext): Promise<boolean> {
  const { natives } = ctx;
  if (!natives.permissions || !natives.permissionsQuery || !natives.permissionState) return true;
  let status: PermissionStatus;
  try {
    status = await call<Promise<PermissionStatus>>(natives.permissionsQuery, natives.permissions, { name: 'microphone' });
  } catch {
    // No answer from the Permissions API: the capture itself will tell.
    return true;
  }
  const granted = (): boolean => call<string>(natives.permissionState, status) === 'granted';
  if (granted()) return true;
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (value: boolean): void => {
      if (done) return;
      done = true;
      ctx.cancel(timer);
      resolve(value);
    };
    const timer = ctx.later(() => finish(false), PERMISSION_WAIT_MS);
    call(natives.addEventListener, status, 'change', () => {
      if (granted()) finish(true);
    });
  });
}

function stopAll(ctx: ProbeContext, stream: MediaStream): void {
  const { natives } = ctx;
  for (const track of call<MediaStreamTrack[]>(natives.streamGetTracks, stream)) call(natives.trackStop, track);
}

/** The prime: resolves with the outcome, never rejects; tracks are stopped whenever they arrive. */
function prime(ctx: ProbeContext, md: MediaDevices): Promise<Outcome> {
  const { natives } = ctx;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      ctx.cancel(timer);
      resolve(o);
    };
    const timer = ctx.later(() => settle({ ok: false, errorName: 'TimeoutError' }), REACQUIRE_TIMEOUT_MS);
    try {
      call<Promise<MediaStream>>(natives.getUserMedia, md, { audio: true }).then(
        (stream) => {
          try {
            stopAll(ctx, stream);
          } catch {
            // nothing else to release
          }
          settle({ ok: true });
        },
        (err: unknown) => settle({ ok: false, errorName: errorName(err) }),
      );
    } catch (err) {
      settle({ ok: false, errorName: errorName(err) });
    }
  });
}

async function audioInputs(ctx: ProbeContext, md: MediaDevices): Promise<number> {
  const { natives } = ctx;
  try {
    const devices = await call<Promise<MediaDeviceInfo[]>>(natives.enumerateDevices, md);
    let n = 0;
    for (const d of devices) if (call<string>(natives.deviceKind, d) === 'audioinput') n++;
    return Math.min(n, 1000);
  } catch {
    return 0;
  }
}

async function attempt(ctx: ProbeContext): Promise<void> {
  const { natives } = ctx;
  const md = natives.mediaDevicesObject;
  if (!md || !natives.getUserMedia || !natives.enumerateDevices) {
    ctx.post({ type: 'media-reacquired', at: ctx.now(), ok: false, errorName: 'NotSupportedError', audioInputs: 0 });
    return;
  }
  const outcome: Outcome = (await permissionGranted(ctx)) ? await prime(ctx, md) : { ok: false, errorName: 'NotAllowedError' };
  let reattached = 0;
  if (outcome.ok && ctx.doc.sessions.peerConnections) {
    try {
      reattached = await ctx.doc.sessions.peerConnections.reattachEndedAudio();
    } catch {
      // the call keeps what it had
    }
  }
  const inputs = await audioInputs(ctx, md);
  ctx.post({
    type: 'media-reacquired',
    at: ctx.now(),
    ok: outcome.ok,
    ...(outcome.errorName === undefined ? {} : { errorName: outcome.errorName }),
    audioInputs: inputs,
    ...(reattached > 0 ? { reattached } : {}),
  });
  if (outcome.ok && natives.Event) call(natives.dispatchEvent, md, new natives.Event('devicechange'));
}

/**
 * Carries out `reacquire-media` (see the module comment). One at a time: a command that
 * arrives while one runs is dropped (the running one answers).
 * @throws never
 */
export function reacquireMedia(ctx: ProbeContext): void {
  if (running) return;
  running = true;
  attempt(ctx)
    .catch(() => undefined)
    .finally(() => {
      running = false;
    });
}
