/**
 * The request/reply protocol between extension pages (popup, options, diagnostics) and the
 * service worker, typed once: the request's `type` determines its parameters and its reply
 * ({@link UiReplies}), the worker's handler table must answer every request with its reply
 * type ({@link UiHandlers}), and a page's request has one timeout, one reply check
 * ({@link checkUiReply}) and one way to fail ({@link UiResult}) whichever page sends it.
 *
 * The wire format is unchanged: the request is the plain `{ type, ...params }` object that
 * `UiRequestSchema` (./ui.ts) parses, and the reply is the plain answer object. The browser
 * call itself is passed in ({@link createUiRequester}), so this module stays free of
 * `browser.*`; the worker's dispatch is in ./ui-dispatch.ts.
 *
 * This module imports no zod at load time: the popup and the diagnostics page, which never
 * ask for the configuration's full shape at open, stay without the schema bundle. The
 * configuration replies are parsed with their zod schemas, loaded with the first such reply.
 */
import type { ConfigResponse, EventsResponse, ExportResponse, SetUserConfigResponse, StateResponse, UiRequest } from './ui';

/** Every request a page may send, by its `type`. */
export type UiRequestType = UiRequest['type'];

/** The request of one type, as sent on the wire (`{ type, ...params }`). */
export type UiRequestOf<T extends UiRequestType> = Extract<UiRequest, { type: T }>;

/** A request's parameters: the request without its `type` (`{}` for `get-state`). */
export type UiParams<T extends UiRequestType> = Omit<UiRequestOf<T>, 'type'>;

/**
 * The reply to each request type. A request type without an entry here is a compile error in
 * {@link UiProtocol}, {@link UiHandlers} and the reply checks.
 */
export interface UiReplies {
  'get-state': StateResponse;
  'get-events': EventsResponse;
  'get-config': ConfigResponse;
  'set-user-config': SetUserConfigResponse;
  'reset-user-config': ConfigResponse;
  'get-export': ExportResponse;
}

/** The whole protocol as one map: `{ 'get-state': { request, reply }, … }`. */
export type UiProtocol = { [T in UiRequestType]: { request: UiRequestOf<T>; reply: UiReplies[T] } };

/**
 * The worker's handler table: one handler per request type, given the parsed request and
 * resolving to that type's reply. A handler that resolves to another reply type, or a missing
 * one, does not compile. A handler may reject; the page then gets `unavailable`.
 */
export type UiHandlers = { [T in UiRequestType]: (request: UiRequestOf<T>) => Promise<UiReplies[T]> };

/**
 * Why a page got no usable reply:
 * - `timeout`: no answer within the request's `timeoutMs` (the worker may hold a message
 *   without answering, e.g. while it is starting);
 * - `unavailable`: the send failed (no receiver, the worker restarting, the handler rejected);
 * - `malformed`: an answer came but is not the request's reply (no listener answered, which
 *   arrives as `undefined`, or an answer of another shape).
 */
export type UiFailure = 'timeout' | 'unavailable' | 'malformed';

/** The outcome of one request: the checked reply, or why there is none. Never a thrown error. */
export type UiResult<T extends UiRequestType> = { ok: true; reply: UiReplies[T] } | { ok: false; failure: UiFailure };

/** Options of one request. */
export interface UiRequestOptions {
  /** Give up after this long, ms (each page keeps its own figure: the popup 1500, exports 30,000). */
  timeoutMs: number;
}

/**
 * Sends one request to the worker and resolves to its raw answer. The extension side passes
 * `browser.runtime.sendMessage`; it may reject or throw.
 */
export type UiSend = (message: UiRequest) => Promise<unknown>;

/** A bound request function: `request('get-state', {}, { timeoutMs: 1500 })`. Never rejects. */
export type UiRequester = <T extends UiRequestType>(type: T, params: UiParams<T>, options: UiRequestOptions) => Promise<UiResult<T>>;

// --- reply checks -----------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The state's envelope only: the sessions inside are rendered defensively by the popup, which
 * says "this state could not be shown" for a malformed one rather than "no answer".
 */
function stateReply(value: unknown): StateResponse | null {
  return isObject(value) && value.type === 'state' && Array.isArray(value.sessions) && typeof value.now === 'number'
    ? (value as unknown as StateResponse)
    : null;
}

/** Envelope only: up to 10,000 events, read by code that tolerates unknown event types. */
function eventsReply(value: unknown): EventsResponse | null {
  return isObject(value) && value.type === 'events' && Array.isArray(value.events) && Array.isArray(value.incidents)
    ? (value as unknown as EventsResponse)
    : null;
}

/** Every field the export buttons use: the file's name, its content and one of the two types. */
function exportReply(value: unknown): ExportResponse | null {
  return isObject(value) &&
    value.type === 'export' &&
    typeof value.filename === 'string' &&
    typeof value.text === 'string' &&
    (value.mime === 'application/json' || value.mime === 'text/plain')
    ? (value as unknown as ExportResponse)
    : null;
}

/** The configuration replies, parsed with their zod schemas (./ui.ts), loaded on first use. */
const configReply = async (value: unknown): Promise<ConfigResponse | null> => {
  const parsed = (await import('./ui')).ConfigResponseSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
};
const setUserConfigReply = async (value: unknown): Promise<SetUserConfigResponse | null> => {
  const parsed = (await import('./ui')).SetUserConfigResponseSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
};

/** The one place a reply is checked: per request type, the reply or null. */
const REPLY_CHECKS: { [T in UiRequestType]: (value: unknown) => UiReplies[T] | null | Promise<UiReplies[T] | null> } = {
  'get-state': stateReply,
  'get-events': eventsReply,
  'get-config': configReply,
  'set-user-config': setUserConfigReply,
  'reset-user-config': configReply,
  'get-export': exportReply,
};

/**
 * Checks an answer against the reply type of `type`: the configuration replies are parsed
 * with their zod schemas (the parsed copy is returned), the others checked by shape.
 * @returns the reply, or null when `value` is not a reply to `type`; rejects only when the
 *   schema module cannot be loaded
 */
export async function checkUiReply<T extends UiRequestType>(type: T, value: unknown): Promise<UiReplies[T] | null> {
  return REPLY_CHECKS[type](value);
}

// --- the page side ----------------------------------------------------------------------------

/**
 * Builds the request function every page uses. One request: send `{ type, ...params }`,
 * wait at most `options.timeoutMs`, check the answer with {@link checkUiReply}. The returned
 * promise never rejects and nothing is logged: a worker that is starting, restarting or not
 * listening yet is an ordinary condition for a page.
 * @param send the transport (`browser.runtime.sendMessage` in the extension)
 */
export function createUiRequester(send: UiSend): UiRequester {
  return async <T extends UiRequestType>(type: T, params: UiParams<T>, options: UiRequestOptions): Promise<UiResult<T>> => {
    const message = { ...params, type } as UiRequest;
    type Outcome = { answered: true; answer: unknown } | { answered: false; failure: UiFailure };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ answered: false, failure: 'timeout' }), options.timeoutMs);
    });
    const sent = (async (): Promise<Outcome> => {
      try {
        return { answered: true, answer: await send(message) };
      } catch {
        return { answered: false, failure: 'unavailable' };
      }
    })();
    try {
      const outcome = await Promise.race([sent, timeout]);
      if (!outcome.answered) return { ok: false, failure: outcome.failure };
      const reply = await checkUiReply(type, outcome.answer).catch(() => null);
      return reply === null ? { ok: false, failure: 'malformed' } : { ok: true, reply };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The reply of a result, or null when there was none (for pages that show "no answer"). */
export function replyOrNull<T extends UiRequestType>(result: UiResult<T>): UiReplies[T] | null {
  return result.ok ? result.reply : null;
}
