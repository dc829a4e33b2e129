/**
 * What the XMLHttpRequest modules share: the per-object state of the current exchange, the
 * view the response getters show, and typed access to the captured natives.
 */
import type { RequestLadder } from '../../src/recovery/request-ladder';
import { isHeaderCarrier } from '../../src/recovery/token-carriers';
import type { HeaderCarrier, HeaderReader } from '../../src/recovery/token-carriers';
import type { ProbeContext } from './context';
import { call } from './natives';
import type { Natives } from './natives';

/** Events of an exchange the probe listens to on the page's object (XHR §3.6.x). */
export const XHR_EVENTS = ['readystatechange', 'progress', 'load', 'error', 'abort', 'timeout', 'loadend'] as const;

/** An event the probe kept from the page, to re-dispatch if it gives the original back. */
export interface RecordedEvent {
  type: string;
  /** readyState when the event fired. */
  readyState: number;
  lengthComputable: boolean;
  loaded: number;
  total: number;
}

/** The current exchange of one XMLHttpRequest object (reset by each `open`). */
export interface XhrState {
  /** Bumped by `open` and by the page's `abort`: continuations of an older exchange stop. */
  gen: number;
  /** Arguments of the native `open` (after substitution). */
  openArgs: unknown[];
  /** URL as passed to the native `open`. */
  openUrl: string;
  /** `openUrl` resolved against the document. */
  url: string;
  /** Upper case, ≤ 16 characters. */
  method: string;
  async: boolean;
  protected: boolean;
  identity: boolean;
  /** `setRequestHeader` calls, in order (recorded for protected requests only, for a retry). */
  headers: Array<[string, string]>;
  /**
   * Values sent in the token carriers' headers, by lower-case name, last call winning
   * (protected and identity requests only; src/recovery/token-carriers.ts).
   */
  tokenHeaders: Array<[string, string]>;
  /** The `send` body (protected requests only, for a retry). */
  body: unknown;
  /** Epoch ms at `send`. */
  startedAt: number;
  /**
   * The token the latest send carried, for protected and identity requests (the first token
   * carrier that holds one): an org switch keeps the sockets opened with it.
   */
  token: string | null;
  /**
   * The exchange's retry loop (src/recovery/request-ladder.ts): its id, what may be retried,
   * the retries so far. A new one at each `send`.
   */
  ladder: RequestLadder;
  /** `error`, `timeout` or `abort` when one fired. */
  errorKind: string | null;
  /** The page must not see the native events of its own object (a retry is under way). */
  hiding: boolean;
  /**
   * Events of the current subject (the page's object before the first retry, then the latest
   * retry) kept from the page while the probe decides or waits; replayed if it gives up.
   */
  recorded: RecordedEvent[];
  /** The current subject's `loadend` is among `recorded`. */
  originalEnded: boolean;
  /** The native XHR sending the latest retry, while there is one. */
  retry: XMLHttpRequest | null;
  /** The latest retry's events are held (recorded), not forwarded: it is being retried in turn. */
  held: boolean;
  /** The pending backoff wait, from `ctx.later`. */
  timer: number | undefined;
}

/** What the page sees through the response getters while the probe is in the way. */
export interface XhrView {
  /** Object the getters read from; null: an exchange in flight with nothing received. */
  subject: XMLHttpRequest | null;
  /** readyState shown, or null to read the subject's. */
  readyState: number | null;
}

/** An exchange sent, nothing received yet (OPENED with the send() flag). */
export const IN_FLIGHT: XhrView = { subject: null, readyState: 1 };

type XhrNatives = Natives['xhr'];
type Present<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };
/** Natives a retry does without (it then keeps the XHR's defaults). */
type Optional = 'withCredentials' | 'timeout' | 'setResponseType' | 'setWithCredentials' | 'setTimeout';

/** Shared by xhr-hook.ts, xhr-recovery.ts, xhr-report.ts and xhr-view.ts. */
export interface XhrKit {
  readonly ctx: ProbeContext;
  readonly NativeXhr: typeof XMLHttpRequest;
  readonly x: Present<Omit<XhrNatives, Optional>> & Pick<XhrNatives, Optional>;
  readonly states: WeakMap<XMLHttpRequest, XhrState>;
  readonly views: WeakMap<XMLHttpRequest, XhrView>;
  /** Native readyState, whatever the view shows. */
  readyState(o: XMLHttpRequest): number;
  /** Native status, whatever the view shows. */
  status(o: XMLHttpRequest): number;
  responseType(o: XMLHttpRequest): string;
}

/** The kit, or null when an XHR native the probe needs is missing (then XHR stays native). */
/** The header carrier named `name` (case-insensitive, RFC 9110 §5.1), or undefined. */
export function headerCarrierOf(ctx: ProbeContext, name: string): HeaderCarrier | undefined {
  const lower = name.toLowerCase();
  return ctx.carriers().find((c): c is HeaderCarrier => isHeaderCarrier(c) && c.name.toLowerCase() === lower);
}

/** Records `value` as the one sent in header `name` (lower-cased; a later call replaces it). */
export function setTokenHeader(headers: Array<[string, string]>, name: string, value: string): void {
  const lower = name.toLowerCase();
  // Index loops, no Array methods: `value` may carry the fresh token, and the page may have
  // replaced `Array.prototype.push` by now.
  let n = 0;
  for (let i = 0; i < headers.length; i++) if (headers[i]![0] !== lower) headers[n++] = headers[i]!;
  headers.length = n;
  headers[n] = [lower, value];
}

/** Reads recorded token headers by lower-case name. */
export function tokenHeaderReader(headers: readonly [string, string][]): HeaderReader {
  return (name) => {
    for (let i = 0; i < headers.length; i++) if (headers[i]![0] === name) return headers[i]![1];
    return null;
  };
}

export function createXhrKit(ctx: ProbeContext): XhrKit | null {
  const NativeXhr = ctx.natives.XMLHttpRequest;
  const n = ctx.natives.xhr;
  const { open, send, setRequestHeader, abort, readyState, status, responseType, getAllResponseHeaders, response, responseText } = n;
  if (!NativeXhr || !open || !send || !setRequestHeader || !abort || !readyState || !status || !responseType) return null;
  if (!getAllResponseHeaders || !response || !responseText) return null;
  const x = {
    open,
    send,
    setRequestHeader,
    abort,
    readyState,
    status,
    responseType,
    getAllResponseHeaders,
    response,
    responseText,
    withCredentials: n.withCredentials,
    timeout: n.timeout,
    setResponseType: n.setResponseType,
    setWithCredentials: n.setWithCredentials,
    setTimeout: n.setTimeout,
  };
  return {
    ctx,
    NativeXhr,
    x,
    states: new WeakMap(),
    views: new WeakMap(),
    readyState: (o) => call<number>(readyState, o),
    status: (o) => call<number>(status, o),
    responseType: (o) => call<string>(responseType, o),
  };
}
