/**
 * Microphone and capture: the `microphone` permission state at start and on every change
 * (`media-permission`), every `getUserMedia` outcome (`gum`), and the end of a captured audio
 * track (`track-ended`: device removed or permission revoked — not the page's own `stop()`,
 * which fires no `ended`, W3C Media Capture §4.3.1).
 */
import type { PageObservation } from '../../src/protocol/page';
import { MAX_TEXT, clip } from './context';
import type { ProbeContext } from './context';
import { call } from './natives';

type PermissionState = Extract<PageObservation, { type: 'media-permission' }>['state'];
const PERMISSION_STATES: readonly PermissionState[] = ['granted', 'denied', 'prompt'];

/** Holds the PermissionStatus (and its change listener) for the document's lifetime. */
const held: PermissionStatus[] = [];

/** Starts watching the microphone permission. @throws never */
export function watchMicrophonePermission(ctx: ProbeContext): void {
  const { natives } = ctx;
  if (!natives.permissions || !natives.permissionsQuery) return;
  const post = (status: PermissionStatus): void => {
    const state = status.state as PermissionState;
    if (PERMISSION_STATES.includes(state)) ctx.post({ type: 'media-permission', at: ctx.now(), state });
  };
  try {
    call<Promise<PermissionStatus>>(natives.permissionsQuery, natives.permissions, { name: 'microphone' })
      .then((status) => {
        held.push(status);
        post(status);
        call(natives.addEventListener, status, 'change', () => {
          try {
            post(status);
          } catch {
            // best effort
          }
        });
      })
      .catch(() => undefined);
  } catch {
    // no Permissions API here
  }
}

const requested = (constraints: unknown, kind: 'audio' | 'video'): boolean => {
  if (typeof constraints !== 'object' || constraints === null) return false;
  const v: unknown = (constraints as Record<string, unknown>)[kind];
  return v !== undefined && v !== false;
};

/** Wraps `MediaDevices.prototype.getUserMedia`. @throws never */
export function hookGetUserMedia(ctx: ProbeContext): void {
  const { natives } = ctx;
  const proto = natives.mediaDevices?.prototype;
  if (!proto) return;
  ctx.disguise.replaceMethod(proto, 'getUserMedia', {
    apply(native, thisArg, args) {
      const result = Reflect.apply(native, thisArg, args) as Promise<MediaStream>;
      try {
        const audio = requested(args[0], 'audio');
        const video = requested(args[0], 'video');
        result.then(
          (stream) => {
            try {
              ctx.post({ type: 'gum', at: ctx.now(), ok: true, audio, video });
              for (const track of stream.getAudioTracks()) {
                call(natives.addEventListener, track, 'ended', () => {
                  ctx.post({ type: 'track-ended', at: ctx.now(), kind: 'audio' });
                });
              }
            } catch {
              // best effort
            }
          },
          (err: unknown) => {
            const name = typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name) : 'Error';
            ctx.post({ type: 'gum', at: ctx.now(), ok: false, audio, video, errorName: clip(name, MAX_TEXT) });
          },
        );
      } catch {
        // observation only
      }
      return result;
    },
  });
}
