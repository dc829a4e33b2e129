/**
 * Reading and rewriting `fetch(input, init)` arguments without disturbing them: the page's
 * objects are never mutated; a rewrite builds new `Headers`, a new init or a new `Request`.
 * Header names are matched case-insensitively (RFC 9110 §5.1).
 *
 * Arguments the probe rewrote carry the fresh token: they are read with the getters and methods
 * captured at document_start (natives.ts, src/recovery/intrinsics.ts) — never `instanceof`
 * (a page may define `Request[Symbol.hasInstance]`), `request.url`, `headers.get`, array
 * spread or `Reflect.apply` as the page may have replaced them — and built as objects without
 * prototype, so the native's reads of absent `RequestInit` members reach no getter the page
 * could have put on `Object.prototype`.
 */
import { ObjectPrototype, bare, isInstance, protoOf } from '../../src/recovery/intrinsics';
import { readRequestToken, substituteRequest } from '../../src/recovery/token-carriers';
import type { TokenCarrier } from '../../src/recovery/token-carriers';
import type { TokenLedger } from '../../src/recovery/token-substitution';
import { call } from './natives';
import type { Natives } from './natives';

/** One call's arguments, read once. */
export interface FetchCall {
  /** The arguments as the page passed them. */
  args: unknown[];
  /** The input when it is a `Request`, else null. */
  request: Request | null;
  /** The URL as written (`Request.url` for a Request, else the input as a string). */
  rawUrl: string;
  /** The init when it is a plain object (the only kind that can be copied faithfully), else null. */
  plainInit: Record<string, unknown> | null;
}

/** An object literal (or a null-prototype object): the only kind of init that can be copied faithfully. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = protoOf(v);
  return proto === ObjectPrototype || proto === null;
};

/** Reads the arguments of one call. @throws what the input's `toString` throws */
export function readFetchCall(natives: Natives, args: unknown[]): FetchCall {
  const input = args[0];
  const request = isInstance(input, natives.Request) ? (input as Request) : null;
  const rawUrl = request ? urlOf(natives, request) : typeof input === 'string' ? input : String(input);
  return { args, request, rawUrl, plainInit: isPlainObject(args[1]) ? args[1] : null };
}

const urlOf = (natives: Natives, r: Request): string => (natives.requestUrl ? call<string>(natives.requestUrl, r) : r.url);
const headersOf = (natives: Natives, r: Request): Headers =>
  natives.requestHeaders ? call<Headers>(natives.requestHeaders, r) : r.headers;
const headerGet = (natives: Natives, h: Headers, name: string): string | null =>
  natives.headersGet ? call<string | null>(natives.headersGet, h, name) : h.get(name);

/** The method, upper-cased, at most 16 characters; GET by default. */
export function methodOf(c: FetchCall): string {
  const m: unknown = c.plainInit?.method ?? c.request?.method ?? 'GET';
  const s = String(m).toUpperCase().slice(0, 16);
  return s.length > 0 ? s : 'GET';
}

const initHeaders = (c: FetchCall): unknown => {
  const init = c.args[1];
  if (typeof init !== 'object' || init === null) return undefined;
  return (init as { headers?: unknown }).headers;
};

/** The header value `name` (lower case) of a HeadersInit-like source, or null. */
function readHeader(natives: Natives, source: unknown, name: string): string | null {
  if (source === undefined || source === null) return null;
  if (isInstance(source, natives.Headers)) return headerGet(natives, source as Headers, name);
  if (Array.isArray(source)) {
    for (const pair of source as unknown[]) {
      if (Array.isArray(pair) && pair.length === 2 && String(pair[0]).toLowerCase() === name) return String(pair[1]);
    }
    return null;
  }
  if (typeof source === 'object') {
    for (const key of Object.keys(source)) {
      if (key.toLowerCase() === name) return String((source as Record<string, unknown>)[key]);
    }
  }
  return null;
}

/**
 * The value of header `name` (lower case) that will be sent (init headers win over the
 * Request's), or null.
 */
export function headerOf(natives: Natives, c: FetchCall, name: string): string | null {
  const fromInit = initHeaders(c);
  if (fromInit !== undefined) return readHeader(natives, fromInit, name);
  return c.request ? headerGet(natives, headersOf(natives, c.request), name) : null;
}

/** The AbortSignal the call carries (init's wins over the Request's), or null. */
export function signalOf(natives: Natives, c: FetchCall): AbortSignal | null {
  const init = c.args[1];
  const fromInit = typeof init === 'object' && init !== null ? (init as { signal?: unknown }).signal : undefined;
  if (fromInit !== undefined && fromInit !== null) return isInstance(fromInit, natives.AbortSignal) ? (fromInit as AbortSignal) : null;
  return c.request ? c.request.signal : null;
}

/** The token the call carries in the first carrier that holds one (src/recovery/token-carriers.ts), else null. */
export function bearerOf(natives: Natives, c: FetchCall, carriers: readonly TokenCarrier[]): string | null {
  return readRequestToken(carriers, (name) => headerOf(natives, c, name), c.rawUrl);
}

function withHeaders(natives: Natives, source: unknown, set: readonly [string, string][]): Headers {
  if (!natives.Headers) throw new TypeError('no Headers');
  const h = new natives.Headers(source as HeadersInit | undefined);
  // The captured `set`: a value may carry the fresh token.
  for (let i = 0; i < set.length; i++) call(natives.headersSet, h, set[i]![0], set[i]![1]);
  return h;
}

/** Init for a body-less copy of `r` at another URL (every readable RequestInit member). */
function bodylessInit(r: Request, headers: HeadersInit): RequestInit {
  return bare({
    method: r.method,
    headers,
    mode: r.mode === 'navigate' ? 'same-origin' : r.mode,
    credentials: r.credentials,
    cache: r.cache,
    redirect: r.redirect,
    referrer: r.referrer,
    referrerPolicy: r.referrerPolicy,
    integrity: r.integrity,
    keepalive: r.keepalive,
    signal: r.signal,
  });
}

/**
 * The call's arguments with stale tokens replaced in every header and query carrier, or null
 * when nothing changes or the rewrite cannot be faithful: an init that is not a plain object,
 * or a Request with a body whose URL would change (it cannot be rebuilt synchronously).
 * A Request input is consumed when its headers are rewritten: clone it first to keep a copy.
 * @throws TypeError from the Headers/Request constructors on invalid input (the page's own
 *   fetch would throw the same)
 */
export function substituteFetchArgs(
  natives: Natives,
  c: FetchCall,
  ledger: TokenLedger,
  carriers: readonly TokenCarrier[],
): unknown[] | null {
  if (!ledger.active || !natives.Request) return null;
  const rewrite = substituteRequest(carriers, (name) => headerOf(natives, c, name), c.rawUrl, ledger);
  if (rewrite === null) return null;
  const newHeaders = rewrite.headers.length > 0 ? rewrite.headers : null;
  let newUrl = rewrite.url;

  const init = c.args[1];
  const headersInInit = initHeaders(c) !== undefined;
  if (newHeaders !== null && headersInInit && c.plainInit === null) return null;
  let newInit: unknown = init;
  if (newHeaders !== null && headersInInit && c.plainInit) {
    newInit = bare({ ...c.plainInit, headers: withHeaders(natives, c.plainInit.headers, newHeaders) });
  }

  const r = c.request;
  let input: unknown;
  if (r === null) {
    // Without a Request, the headers can only have come from the init.
    input = newUrl ?? c.rawUrl;
  } else {
    if (newUrl !== null && r.method !== 'GET' && r.method !== 'HEAD') newUrl = null;
    const own = headersOf(natives, r);
    const requestHeaders: HeadersInit = newHeaders !== null && !headersInInit ? withHeaders(natives, own, newHeaders) : own;
    input = r;
    if (newUrl !== null) input = new natives.Request(newUrl, bodylessInit(r, requestHeaders));
    else if (newHeaders !== null && !headersInInit) input = new natives.Request(r, bare({ headers: requestHeaders }));
    if (input === r && newInit === init) return null;
  }
  // Index writes, no spread: the new arguments carry the fresh token.
  const out: unknown[] = [input];
  if (c.args.length > 1) out[1] = newInit;
  for (let i = 2; i < c.args.length; i++) out[i] = c.args[i];
  return out;
}
