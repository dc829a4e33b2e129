/**
 * `WebSocket`: the constructor is wrapped (prototype, statics and `instanceof` are the
 * native's). A stale `access_token` in the URL is replaced by the fresh token before the
 * native socket is built, so `socket.url` shows the URL actually used. Each socket gets its
 * own listeners (the page's handlers are untouched): `ws-open`, `ws-close`, and `ws-activity`
 * at most once per second, carrying the cumulative count of messages received.
 *
 * The probe closes a socket itself in two cases (the {@link SocketControl}), always with the
 * captured native `close`, and says why in the `ws-close` (`closedBy`):
 * - `org-switch` (org-switch.ts): `close(1000, 'Organization switched')`;
 * - `stall` (the worker's `close-stalled-socket`, docs/architecture.md §3 rung 3): an OPEN socket with no
 *   message for too long gets `close(4000, 'No heartbeat for <n> s')`, so the app's own
 *   reconnect logic runs. A dead connection cannot finish the close handshake (Chromium waits
 *   up to a minute for the server's Close frame), so when no close event came within
 *   {@link STALL_FALLBACK_MS} the probe dispatches a synthetic `close` (1006, not clean) to
 *   the page and posts the `ws-close` then. The probe's listeners are registered in the
 *   constructor, before any of the page's (`onclose` included), so when the native close
 *   event arrives later its `stopImmediatePropagation` keeps it — and a late `error` — from
 *   the page: the page sees exactly one close.
 *
 * Watched sockets are kept by id in a weak registry (weak-registry.ts) and dropped once closed.
 */
import type { STALL_CLOSE_CODE, STALL_CLOSE_FALLBACK_MS } from '../../src/protocol/page';
import { readAccessToken, substituteAccessToken } from '../../src/recovery/token-substitution';
import { MAX_TEXT, MAX_URL, clip } from './context';
import type { ProbeContext, SocketControl } from './context';
import { call } from './natives';
import { stringifyLeading } from './string-args';
import { createWeakRegistry } from './weak-registry';
import type { WeakRegistry } from './weak-registry';

/** Least time between two `ws-activity` observations of one socket, ms. */
export const ACTIVITY_INTERVAL_MS = 1000;

// The contract's values, checked against its types; importing them would build every schema.
/** Close code of a stall close (RFC 6455 §7.4.2, private use). */
export const STALL_CODE: typeof STALL_CLOSE_CODE = 4000;
/** How long a stall close may take before the page is told the socket closed, ms. */
export const STALL_FALLBACK_MS: typeof STALL_CLOSE_FALLBACK_MS = 3000;
/** Close code and reason of an org-switch close. */
export const ORG_SWITCH_CODE = 1000;
export const ORG_SWITCH_REASON = 'Organization switched';
/** The close the page is told of when a stall close cannot finish (RFC 6455 §7.4.1: no Close frame). */
const ABNORMAL_CLOSURE = 1006;

// WebSocket.readyState values (WHATWG WebSockets §3).
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

type ClosedBy = 'stall' | 'org-switch';

/** The probe's handle on one socket (kept in a WeakMap keyed by the socket). */
interface SocketWatch {
  readonly socketId: string;
  /** `access_token` of the socket's URL (RFC 6750 §2.3), or null. */
  readonly token: string | null;
  /** Native readyState. */
  readyState(): number;
  /** Native close, remembering why for the `ws-close`. */
  close(by: ClosedBy, code: number, reason: string): void;
  /** After a stall close: tell the page it closed if the close event does not come in time. */
  armStallFallback(): void;
}

function watchSocket(ctx: ProbeContext, ws: WebSocket, registry: WeakRegistry<WebSocket>): SocketWatch {
  const { natives } = ctx;
  const socketId = ctx.doc.nextId('ws');
  const urlOf = (): string => (natives.ws.url ? call<string>(natives.ws.url, ws) : ws.url);
  const token = readAccessToken(urlOf());
  let messagesIn = 0;
  let lastMessageAt = 0;
  let lastPostAt = -Infinity;
  let timer: number | null = null;
  let closedBy: ClosedBy | null = null;
  let fallback: number | null = null;
  /** The page was told the socket closed (synthetic close): native close and error are kept from it. */
  let told = false;

  const flush = (): void => {
    timer = null;
    lastPostAt = ctx.now();
    ctx.post({ type: 'ws-activity', at: lastPostAt, socketId, messagesIn, lastMessageAt });
  };

  const listen = (type: string, fn: (ev: Event) => void): void => {
    call(natives.addEventListener, ws, type, (ev: Event) => {
      try {
        fn(ev);
      } catch {
        // best effort
      }
    });
  };

  const postClose = (code: number, reason: string, wasClean: boolean): void => {
    registry.delete(socketId);
    if (fallback !== null) ctx.cancel(fallback);
    fallback = null;
    if (timer !== null) {
      ctx.cancel(timer);
      flush();
    }
    ctx.post({
      type: 'ws-close',
      at: ctx.now(),
      socketId,
      url: clip(urlOf(), MAX_URL),
      code: Math.min(4999, Math.max(0, Math.trunc(code))),
      reason: clip(reason, MAX_TEXT),
      wasClean,
      ...(closedBy !== null ? { closedBy } : {}),
    });
  };

  const readyState = (): number => (natives.ws.readyState ? call<number>(natives.ws.readyState, ws) : ws.readyState);

  /** The stall close did not finish: the page learns of it now, as a lost connection. */
  const tellPage = (): void => {
    fallback = null;
    // Closed by now: its close event is queued and will be reported as usual.
    if (told || readyState() === CLOSED) return;
    told = true;
    postClose(ABNORMAL_CLOSURE, '', false);
    if (!natives.CloseEvent) return;
    const ev = new natives.CloseEvent('close', { code: ABNORMAL_CLOSURE, reason: '', wasClean: false });
    call(natives.dispatchEvent, ws, ev);
  };

  listen('open', () => {
    // The captured getter: a page's own patch of `protocol` does not count the probe's read.
    const protocol = natives.ws.protocol ? call<string>(natives.ws.protocol, ws) : ws.protocol;
    ctx.post({ type: 'ws-open', at: ctx.now(), socketId, url: clip(urlOf(), MAX_URL), protocol: clip(protocol, MAX_TEXT) });
  });
  listen('message', () => {
    messagesIn += 1;
    lastMessageAt = ctx.now();
    if (timer !== null) return;
    const wait = lastPostAt + ACTIVITY_INTERVAL_MS - lastMessageAt;
    if (wait <= 0) flush();
    else timer = ctx.later(flush, wait);
  });
  listen('close', (ev) => {
    // Untrusted: the probe's synthetic close or a page's own dispatch; the socket did not close.
    if (!ev.isTrusted) return;
    if (told) {
      call(natives.stopImmediatePropagation, ev);
      return;
    }
    const e = ev as CloseEvent;
    postClose(e.code, e.reason, e.wasClean);
  });
  listen('error', (ev) => {
    if (told && ev.isTrusted) call(natives.stopImmediatePropagation, ev);
  });
  registry.add(socketId, ws);

  return {
    socketId,
    token,
    readyState,
    close(by, code, reason) {
      if (!natives.ws.close) throw new TypeError('native missing');
      closedBy = by;
      try {
        call(natives.ws.close, ws, code, reason);
      } catch (err) {
        closedBy = null;
        throw err;
      }
    },
    armStallFallback() {
      if (fallback === null && !told) fallback = ctx.later(tellPage, STALL_FALLBACK_MS);
    },
  };
}

function socketControl(registry: WeakRegistry<WebSocket>, watches: WeakMap<WebSocket, SocketWatch>): SocketControl {
  return {
    closeForOrgSwitch(keepToken) {
      let closed = 0;
      for (const [, ws] of registry.entries()) {
        try {
          const w = watches.get(ws);
          if (!w) continue;
          const state = w.readyState();
          if (state !== CONNECTING && state !== OPEN) continue;
          if (keepToken !== null && w.token === keepToken) continue;
          w.close('org-switch', ORG_SWITCH_CODE, ORG_SWITCH_REASON);
          closed += 1;
        } catch {
          // this one stays as it is
        }
      }
      return closed;
    },
    closeStalled(socketId, silentSeconds) {
      const ws = registry.get(socketId);
      const w = ws && watches.get(ws);
      if (!w || w.readyState() !== OPEN) return;
      w.close('stall', STALL_CODE, `No heartbeat for ${Math.max(0, Math.trunc(silentSeconds))} s`);
      w.armStallFallback();
    },
  };
}

/** Wraps `window.WebSocket`. @throws never */
export function hookWebSocket(ctx: ProbeContext): void {
  if (!ctx.natives.WebSocket) return;
  const registry = createWeakRegistry<WebSocket>(ctx.natives);
  const watches = new WeakMap<WebSocket, SocketWatch>();
  const wrapper = ctx.disguise.replaceConstructor<typeof WebSocket>(ctx.natives.win, 'WebSocket', {
    construct(native, pageArgs, newTarget) {
      // The URL converted once, when the probe is to read it (a page `toString` runs once).
      const args = ctx.doc.ledger.active ? stringifyLeading(pageArgs, 1, 1) : pageArgs;
      let callArgs = args;
      try {
        if (ctx.doc.ledger.active && args.length > 0 && ctx.inAudience(ctx.absoluteUrl(String(args[0])))) {
          const s = substituteAccessToken(String(args[0]), ctx.doc.ledger);
          if (s !== null) callArgs = [s, ...args.slice(1)];
        }
      } catch {
        callArgs = args;
      }
      const ws = Reflect.construct(native, callArgs, newTarget) as WebSocket;
      try {
        watches.set(ws, watchSocket(ctx, ws, registry));
      } catch {
        // observation only
      }
      return ws;
    },
  });
  if (wrapper !== null && ctx.natives.ws.close) ctx.doc.sessions.sockets = socketControl(registry, watches);
}
