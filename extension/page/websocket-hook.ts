/**
 * `WebSocket`: the constructor is wrapped (prototype, statics and `instanceof` are the
 * native's). A stale `access_token` in the URL is replaced by the fresh token before the
 * native socket is built, so `socket.url` shows the URL actually used. Each socket gets its
 * own listeners (the page's handlers are untouched): `ws-open`, `ws-close`, and `ws-activity`
 * at most once per second, carrying the cumulative count of messages received.
 */
import { substituteAccessToken } from '../../src/recovery/token-substitution';
import { MAX_TEXT, MAX_URL, clip } from './context';
import type { ProbeContext } from './context';
import { call } from './natives';

/** Least time between two `ws-activity` observations of one socket, ms. */
export const ACTIVITY_INTERVAL_MS = 1000;

function watchSocket(ctx: ProbeContext, ws: WebSocket): void {
  const { natives } = ctx;
  const socketId = ctx.nextId('ws');
  let messagesIn = 0;
  let lastMessageAt = 0;
  let lastPostAt = -Infinity;
  let timer: number | null = null;

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

  listen('open', () => {
    ctx.post({ type: 'ws-open', at: ctx.now(), socketId, url: clip(ws.url, MAX_URL), protocol: clip(ws.protocol, MAX_TEXT) });
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
    if (timer !== null) {
      ctx.cancel(timer);
      flush();
    }
    const e = ev as CloseEvent;
    ctx.post({
      type: 'ws-close',
      at: ctx.now(),
      socketId,
      url: clip(ws.url, MAX_URL),
      code: Math.min(4999, Math.max(0, Math.trunc(e.code))),
      reason: clip(e.reason, MAX_TEXT),
      wasClean: e.wasClean,
    });
  });
}

/** Wraps `window.WebSocket`. @throws never */
export function hookWebSocket(ctx: ProbeContext): void {
  if (!ctx.natives.WebSocket) return;
  ctx.disguise.replaceConstructor<typeof WebSocket>(ctx.natives.win, 'WebSocket', {
    construct(native, args, newTarget) {
      let callArgs = args;
      try {
        if (ctx.ledger.active && args.length > 0) {
          const s = substituteAccessToken(String(args[0]), ctx.ledger);
          if (s !== null) callArgs = [s, ...args.slice(1)];
        }
      } catch {
        callArgs = args;
      }
      const ws = Reflect.construct(native, callArgs, newTarget) as WebSocket;
      try {
        watchSocket(ctx, ws);
      } catch {
        // observation only
      }
      return ws;
    },
  });
}
