/**
 * `WebSocket`: the constructor is wrapped (prototype, statics and `instanceof` are the
 * native's). A stale token in the URL's query carriers (`access_token` by default) is replaced
 * by the fresh token before the native socket is built, so `socket.url` shows the URL actually
 * used. With `ws-message` token carriers (src/recovery/token-carriers.ts), `send` is wrapped
 * too: a text frame carrying a stale token goes out with the fresh one, and a refusal of the
 * socket's credentials (a SASL `<failure>`, an error frame or close naming auth) asks for one
 * fresh token; a SASL failure is answered in place ({@link SocketWatch.outgoing}, `onRefusal`).
 * Each socket gets its
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
import {
  closeNamesAuthRefusal,
  createFrameAssembler,
  isSaslCarrier,
  isSaslFailure,
  isWsCarrier,
  namesAuthRefusal,
  readMessageToken,
  readUrlToken,
  replaceMessageToken,
  substituteMessage,
  substituteUrl,
} from '../../src/recovery/token-carriers';
import type { FrameAssembler } from '../../src/recovery/token-carriers';
import { apply, construct, weakGet, weakSet } from '../../src/recovery/intrinsics';
import { MAX_TEXT, MAX_URL, clip } from './context';
import type { ProbeContext, SocketControl } from './context';
import { call } from './natives';
import { stringifyLeading } from './string-args';
import { createWeakRegistry } from './weak-registry';
import type { WeakRegistry } from './weak-registry';

/** Least time between two `ws-activity` observations of one socket, ms. */
export const ACTIVITY_INTERVAL_MS = 1000;
/** Longest a SASL `<auth>` split across frames is held for joining before it goes out as it came, ms. */
export const SPLIT_AUTH_HOLD_MS = 1000;

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
  /** The token the socket carries: in its latest token-bearing frame, else in its URL's query carriers; or null. */
  readonly token: string | null;
  /**
   * A text frame the page sends (the `send` wrapper): the frames to send natively in its place,
   * with stale tokens replaced; none while a split SASL `<auth>` is being joined.
   */
  outgoing(text: string): string[];
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
  const urlToken = readUrlToken(ctx.carriers(), urlOf());
  /** The latest frame that carried a token, as sent; `sasl`: a SASL `<auth>` the probe can send again. */
  let sent: { token: string; frame: string; sasl: boolean } | null = null;
  /** Tokens whose refusal on this socket was already answered (one refresh each). */
  // Tokens the server refused, as keys of an object without prototype: a socket's token may be
  // the fresh one, and a Set's methods are the page's to replace.
  const refused: Record<string, true> = { __proto__: null } as unknown as Record<string, true>;
  /** Synthetic events the probe dispatched to the page: its own listener lets them pass. */
  const redelivered = new WeakSet<Event>();
  let assembler: FrameAssembler | null = null;
  let holdTimer: number | null = null;
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
  const sendNative = (frame: string): void => {
    if (natives.ws.send) call(natives.ws.send, ws, frame);
  };

  /** The token of `frame` (if any) becomes the socket's; stale tokens are replaced towards the audience. */
  const prepare = (frame: string): string => {
    const carriers = ctx.carriers();
    const token = readMessageToken(carriers, frame);
    if (token === null) return frame;
    const out = ctx.doc.ledger.active && ctx.inAudience(urlOf()) ? (substituteMessage(carriers, frame, ctx.doc.ledger) ?? frame) : frame;
    const used = out === frame ? token : (readMessageToken(carriers, out) ?? token);
    sent = {
      token: used,
      frame: out,
      sasl: carriers.some(isSaslCarrier) && readMessageToken(carriers.filter(isSaslCarrier), out) !== null,
    };
    return out;
  };

  /** The split `<auth>` did not complete in time: what was held goes out as it came. */
  const releaseHeld = (): void => {
    holdTimer = null;
    for (const frame of assembler?.flush() ?? []) {
      try {
        sendNative(prepare(frame));
      } catch {
        // the socket closed meanwhile: the page's frames would have failed the same way
      }
    }
  };

  /**
   * The server refused the credentials the socket carried (a SASL `<failure>`, an error frame
   * naming auth): one refresh per token. A SASL failure is kept from the page while a fresh
   * token is sought, and the `<auth>` is sent again on the same stream with it (RFC 6120
   * §6.4.5 lets the client retry); without a fresh token the page gets the failure as it came.
   */
  const reportRefusal = (via: 'sasl-failure' | 'message' | 'close', reason: string): void => {
    ctx.post({ type: 'ws-auth-refused', at: ctx.now(), socketId, url: clip(urlOf(), MAX_URL), via, reason: clip(reason, MAX_TEXT) });
  };

  const onRefusal = (ev: MessageEvent<string>, data: string): void => {
    const last = sent;
    if (last === null || last.token in refused || !namesAuthRefusal(data)) return;
    const url = urlOf();
    if (!ctx.inAudience(url)) return;
    refused[last.token] = true;
    const sasl = last.sasl && isSaslFailure(data);
    reportRefusal(sasl ? 'sasl-failure' : 'message', data);
    // Without a refresh strategy the refusal is reported only: the 401 incident leads to a safe reload.
    if (!ctx.config().tokenRefresh) return;
    // A callback, no promise: see TokenBroker.obtainFresh. It is called later, once `onFresh` is known.
    let onFresh: ((fresh: string | null) => void) | null = null;
    ctx.broker.obtainFresh(last.token, clip(url, MAX_URL), ctx.doc.nextId('w'), (fresh) => onFresh?.(fresh));
    if (!(sasl && natives.MessageEvent)) return;
    call(natives.stopImmediatePropagation, ev);
    const MessageEventCtor = natives.MessageEvent;
    onFresh = (fresh) => {
      const again = fresh === null ? null : replaceMessageToken(ctx.carriers(), last.frame, last.token, fresh);
      if (again !== null && fresh !== null && readyState() === OPEN) {
        try {
          sendNative(again);
          sent = { token: fresh, frame: again, sasl: true };
          return;
        } catch {
          // closed meanwhile: the page learns of the failure below
        }
      }
      const copy = new MessageEventCtor('message', { data, origin: ev.origin, lastEventId: ev.lastEventId });
      redelivered.add(copy);
      call(natives.dispatchEvent, ws, copy);
    };
  };

  listen('message', (ev) => {
    if (redelivered.has(ev)) return;
    const data: unknown = (ev as MessageEvent).data;
    if (typeof data === 'string' && sent !== null) onRefusal(ev as MessageEvent<string>, data);
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
    // Refused by a close naming auth: the softphone's next socket should carry a fresh token.
    const token = sent?.token ?? urlToken;
    if (token !== null && !(token in refused) && closeNamesAuthRefusal(e.code, e.reason) && ctx.inAudience(urlOf())) {
      refused[token] = true;
      reportRefusal('close', `${e.code} ${e.reason}`);
      if (ctx.config().tokenRefresh) ctx.broker.obtainFresh(token, clip(urlOf(), MAX_URL), ctx.doc.nextId('w'), () => undefined);
    }
  });
  listen('error', (ev) => {
    if (told && ev.isTrusted) call(natives.stopImmediatePropagation, ev);
  });
  registry.add(socketId, ws);

  return {
    socketId,
    get token() {
      return sent?.token ?? urlToken;
    },
    outgoing(text) {
      const carriers = ctx.carriers();
      if (!carriers.some(isWsCarrier)) return [text];
      let frames = [text];
      if (carriers.some(isSaslCarrier)) {
        assembler ??= createFrameAssembler();
        frames = assembler.push(text);
        if (assembler.holding && holdTimer === null) holdTimer = ctx.later(releaseHeld, SPLIT_AUTH_HOLD_MS);
        if (!assembler.holding && holdTimer !== null) {
          ctx.cancel(holdTimer);
          holdTimer = null;
        }
      }
      // Index loop, no `map`: the prepared frames may carry the fresh token.
      const out: string[] = [];
      for (let i = 0; i < frames.length; i++) out[i] = prepare(frames[i]!);
      return out;
    },
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
          const w = weakGet(watches, ws);
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
      const w = ws && weakGet(watches, ws);
      if (!w || w.readyState() !== OPEN) return;
      w.close('stall', STALL_CODE, `No heartbeat for ${Math.max(0, Math.trunc(silentSeconds))} s`);
      w.armStallFallback();
    },
  };
}

/** `args` with its first entry replaced by `first` (index writes: `first` may carry the fresh token). */
function withFirst(args: readonly unknown[], first: unknown): unknown[] {
  const out: unknown[] = [first];
  for (let i = 1; i < args.length; i++) out[i] = args[i];
  return out;
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
          const s = substituteUrl(ctx.carriers(), String(args[0]), ctx.doc.ledger);
          if (s !== null) callArgs = withFirst(args, s);
        }
      } catch {
        callArgs = args;
      }
      const ws = construct(native, callArgs, newTarget) as WebSocket;
      try {
        // The captured WeakMap methods: a watch exposes the socket's token.
        weakSet(watches, ws, watchSocket(ctx, ws, registry));
      } catch {
        // observation only
      }
      return ws;
    },
  });
  if (wrapper !== null && ctx.natives.ws.close) ctx.doc.sessions.sockets = socketControl(registry, watches);
  if (wrapper !== null) hookSend(ctx, watches);
}

/**
 * Wraps `WebSocket.prototype.send` for the `ws-message` token carriers: a text frame of a
 * watched socket goes out with stale tokens replaced (a split SASL `<auth>` joined first).
 * Binary frames, unwatched sockets and configurations without such a carrier take the
 * native path untouched, and so do its exceptions (sending while CONNECTING).
 */
function hookSend(ctx: ProbeContext, watches: WeakMap<WebSocket, SocketWatch>): void {
  const proto = ctx.natives.WebSocket?.prototype;
  if (!proto) return;
  ctx.disguise.replaceMethod(proto, 'send', {
    apply(native, thisArg, args) {
      const data: unknown = args[0];
      const w = typeof data === 'string' ? weakGet(watches, thisArg as WebSocket) : undefined;
      if (!w) return apply(native, thisArg, args);
      let frames: string[];
      try {
        frames = w.outgoing(data as string);
      } catch {
        frames = [data as string];
      }
      for (let i = 0; i < frames.length; i++) apply(native, thisArg, withFirst(args, frames[i]!));
      return undefined;
    },
  });
}
