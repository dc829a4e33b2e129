/**
 * Wires the probe: capture natives, install the `toString` disguise, open the channel (its
 * port changes hands with the relay at once, or when the relay starts, handshake.ts), wrap
 * fetch, XHR, WebSocket, RTCPeerConnection, getUserMedia and the Worker constructors, say hello
 * (the first observation on the port), then watch the microphone permission. Commands go to
 * their handler by type (an exhaustive switch).
 */
import type { PageCommand, ProbeConfig } from '../../src/protocol/page';
import { version } from '../../manifest.json';
import { openChannel } from './channel';
import { MAX_URL, clip, createContext } from './context';
import { DEFAULT_PROBE_CONFIG } from './default-config';
import { createDisguise } from './disguise';
import { hookFetch } from './fetch-hook';
import { hookGetUserMedia, watchMicrophonePermission } from './media-hook';
import { reacquireMedia } from './media-recovery';
import { call, captureNatives } from './natives';
import { hookPeerConnection } from './peer-connection-hook';
import { createTokenBroker } from './token-broker';
import { hookWebSocket } from './websocket-hook';
import { hookXhr } from './xhr-hook';
import { hookWorkers } from './worker-hook';

/** Reported in `hello`: the extension version the probe was built with. */
export const PROBE_VERSION: string = version;

/**
 * Tells whether a window has the probe, so a second injection (a stale registration next to
 * the current one, say) does not wrap the wrappers: `Function.prototype.toString.call(mark)`
 * answers `softphone-guard.probe <version>` where the probe is installed, and throws the native TypeError
 * elsewhere. No property is added to the window, where `Reflect.ownKeys(window)` would show it
 * to every page (the transparency suite compares that list with the native one).
 */
export const INSTALLED_MARK = Symbol.for('softphone-guard.probe');

/**
 * What the probe's `toString` answers for {@link INSTALLED_MARK}: a page `toString` wrapper of
 * its own that answers every non-function with some string must not pass for the probe.
 */
const INSTALLED_ANSWER = `softphone-guard.probe ${version}`;

/** True when the probe is installed in `win` (see {@link INSTALLED_MARK}). @throws never */
export function probeInstalled(win: Window & typeof globalThis): boolean {
  try {
    const answer: unknown = Reflect.apply(win.Function.prototype.toString, INSTALLED_MARK, []);
    return typeof answer === 'string' && answer.startsWith('softphone-guard.probe ');
  } catch {
    return false;
  }
}

/**
 * Installs the probe in `win`, once per window. Each hook is installed on its own: one that
 * fails leaves the others, and the page, as they were.
 * @throws never
 */
export function startProbe(win: Window & typeof globalThis): void {
  if (probeInstalled(win)) return;
  const natives = captureNatives(win);
  const disguise = createDisguise({ key: INSTALLED_MARK, answer: INSTALLED_ANSWER });
  let config: ProbeConfig = DEFAULT_PROBE_CONFIG;

  const onCommand = (cmd: PageCommand): void => {
    switch (cmd.type) {
      case 'config':
        config = cmd;
        return;
      case 'token':
        broker.onToken(cmd.accessToken, cmd.expiresAt, cmd.replaces);
        return;
      case 'token-failed':
        broker.onTokenFailed(cmd.requestId);
        return;
      case 'reacquire-media':
        reacquireMedia(ctx);
        return;
      case 'close-stalled-socket':
        ctx.doc.sessions.sockets?.closeStalled(cmd.socketId, cmd.silentSeconds);
        return;
      default: {
        // A command added to the contract must be handled here: this fails to compile otherwise.
        const unhandled: never = cmd;
        return unhandled;
      }
    }
  };
  const channel = openChannel(natives, onCommand);
  const now = (): number => call<number>(natives.dateNow, Date);
  const broker = createTokenBroker({
    natives,
    post: channel.post,
    now,
    waitMs: () => config.tokenWaitMs,
    truncateUrl: (url) => clip(url, MAX_URL),
  });
  const ctx = createContext({ natives, disguise, broker, post: channel.post, config: () => config });

  for (const hook of [hookFetch, hookXhr, hookWebSocket, hookPeerConnection, hookGetUserMedia, hookWorkers]) {
    try {
      hook(ctx);
    } catch {
      // leave this API native
    }
  }
  channel.post({ type: 'hello', at: ctx.now(), href: clip(win.location.href, MAX_URL), probeVersion: PROBE_VERSION });
  // Nothing to wrap here, and the query's synchronous part is the costliest step: off the
  // document_start path.
  ctx.later(() => watchMicrophonePermission(ctx), 0);
}
