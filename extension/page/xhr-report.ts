/**
 * `http` and `identity` observations of XMLHttpRequest exchanges, read with the native
 * getters (never through the page's view).
 */
import { extractIdentity } from '../../src/identity/extract-identity';
import { httpObservation } from '../../src/recovery/request-ladder';
import { MAX_TEXT, MAX_URL, clip } from './context';
import { call } from './natives';
import type { XhrKit, XhrState } from './xhr-kit';

/** `Retry-After` (RFC 9110 §10.2.3) of a response, or null. */
export function retryAfterOf(kit: XhrKit, o: XMLHttpRequest): string | null {
  // Not getResponseHeader: on a cross-origin response it logs "Refused to get unsafe header".
  const all = call<string>(kit.x.getAllResponseHeaders, o);
  for (const line of all.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === 'retry-after') return line.slice(i + 1).trim();
  }
  return null;
}

/**
 * Reads the identity of a 200 identity response `subject` (the page's object or a retry)
 * once it is DONE, and hands it to `ctx.doc.onIdentity` with the token the request carried.
 * Called from the probe's first DONE listener, before the page's handlers see the response.
 * @throws never
 */
export function readXhrIdentity(kit: XhrKit, st: XhrState, subject: XMLHttpRequest): void {
  const { ctx } = kit;
  try {
    if (kit.status(subject) !== 200) return;
    const rt = kit.responseType(subject);
    let json: unknown;
    if (rt === 'json') json = call(kit.x.response, subject);
    else if (rt === '' || rt === 'text') json = JSON.parse(call<string>(kit.x.responseText, subject));
    else return;
    const id = extractIdentity(json, ctx.config().identityFields);
    if (id) ctx.doc.onIdentity(id, st.token);
  } catch {
    // not JSON, or not an identity: nothing to read
  }
}

/** Overrides for one report; by default the state's own exchange. */
export interface XhrReportOptions {
  /** The page never saw this response (replaced by a retry). */
  hidden?: boolean;
  requestId?: string;
  /** Epoch ms the exchange started. */
  startedAt?: number;
  /** Overrides `st.errorKind`. */
  errorKind?: string | null;
}

/**
 * Posts `http` for the exchange of `subject` (the page's object or a retry) when it failed
 * (status 0 or ≥ 400), is an identity request (its identity was read at DONE,
 * {@link readXhrIdentity}), or is a protected success the document's success gate lets
 * through (one that can resolve an incident, success-gate.ts). Called when the exchange
 * ended, or, for an answer replaced by a retry (`hidden`), once its status is known.
 * Exchanges the page aborted are not reported. (A failed token retry has noted `unauthorized`
 * already, when its `http-retry` was posted: src/recovery/request-ladder.ts.)
 * @throws never
 */
export function reportXhr(kit: XhrKit, st: XhrState, subject: XMLHttpRequest, opts: XhrReportOptions = {}): void {
  const { ctx } = kit;
  try {
    const errorKind = opts.errorKind === undefined ? st.errorKind : opts.errorKind;
    if (errorKind === 'abort') return;
    const status = kit.status(subject);
    const url = clip(st.url, MAX_URL);
    const { gate } = ctx.doc;
    if (status === 0 || status >= 400) gate.failed(url, st.protected && status === 401);
    else if (st.identity) gate.reported(url, st.protected);
    else if (!(st.protected && gate.admit(url, true))) return;
    const retryAfter = status >= 400 ? retryAfterOf(kit, subject) : null;
    ctx.post(
      httpObservation(
        {
          transport: 'xhr',
          requestId: opts.requestId ?? st.ladder.id(),
          method: st.method,
          url,
          status,
          startedAt: opts.startedAt ?? st.startedAt,
          protected: st.protected,
          retryAfter: retryAfter === null ? null : clip(retryAfter, MAX_TEXT),
          hidden: opts.hidden,
          givenUp: st.ladder.givenUp,
          error: status === 0 ? (errorKind ?? 'error') : null,
        },
        ctx.now(),
      ),
    );
  } catch {
    // best effort
  }
}
