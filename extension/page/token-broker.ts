/**
 * Fresh bearer tokens for 401 recovery (docs/architecture.md §3 rung 2), inside the page.
 *
 * A protected request rejected with 401 asks {@link TokenBroker.obtainFresh} for a token to
 * retry with. The first request per rejected token posts `token-needed` (with the token's
 * SHA-256 fingerprint, never the token) and waits; concurrent rejections of the same token
 * share that wait (single flight). A `token` command answers every waiter — the fresh token
 * belongs to the tab's identity, whichever request asked — and becomes the ledger's fresh
 * token, so later requests and sockets are substituted before they are sent. A
 * `token-failed` for the flight's request, or `tokenWaitMs` without an answer, ends the wait
 * with null.
 */
import { mapDelete, mapGet, mapSet, mapValues } from '../../src/recovery/intrinsics';
import { createTokenLedger } from '../../src/recovery/token-substitution';
import type { TokenLedger } from '../../src/recovery/token-substitution';
import type { PageObservation } from '../../src/protocol/page';
import { call } from './natives';
import type { Natives } from './natives';

/** See the module comment. */
export interface TokenBroker {
  readonly ledger: TokenLedger;
  /**
   * Marks `rejected` stale and calls `done` once, later (never synchronously), with a token to
   * retry with, or null (no token within `tokenWaitMs`, `token-failed`, or no SHA-256 in this
   * context). A callback, not a promise: every `await` or `then` of a promise reads its
   * `constructor`, where a page's getter would get the promise and could take the token from it
   * with its own saved `then` (ECMA-262 §27.2.4.7.1 PromiseResolve, §27.2.5.4.1 SpeciesConstructor).
   * @param url the rejected request's URL (reported in `token-needed`)
   * @param requestId the rejected request's id (the `token-needed` request id when it asks)
   */
  obtainFresh(rejected: string, url: string, requestId: string, done: (token: string | null) => void): void;
  /**
   * Handles a `token` command; `expiresAt` (epoch ms) when the token endpoint said; `replaces`:
   * a token the server refused where the probe could not see it (a WebSocket upgrade's 401,
   * seen by the worker), marked stale so its next use carries `accessToken`.
   */
  onToken(accessToken: string, expiresAt?: number, replaces?: string): void;
  /** Handles a `token-failed` command. */
  onTokenFailed(requestId: string): void;
  /**
   * The tab switched organisation: forgets every token it held (a fresh token of the old org
   * must never answer a 401 of the new one) and ends the waits in flight with null.
   */
  forgetTokens(): void;
}

interface Flight {
  requestId: string;
  rejected: string;
  timer: number | undefined;
  resolve(token: string | null): void;
}

/** Hooks the broker needs from the probe. */
export interface TokenBrokerDeps {
  natives: Natives;
  post(obs: PageObservation): void;
  now(): number;
  waitMs(): number;
  truncateUrl(url: string): string;
}

/**
 * Creates the broker with an empty ledger.
 * @throws never
 */
export function createTokenBroker(deps: TokenBrokerDeps): TokenBroker {
  const { natives } = deps;
  const ledger = createTokenLedger();
  const flights = new Map<string, Flight>();
  let freshExpiresAt = Infinity;
  const encoder = natives.TextEncoder ? new natives.TextEncoder() : null;
  // The flights' `resolve` hands the fresh token on: `flights` is used through the Map methods
  // captured at document_start only (src/recovery/intrinsics.ts), never the page's.

  const settle = (flight: Flight, token: string | null): void => {
    if (mapGet(flights, flight.rejected) !== flight) return;
    mapDelete(flights, flight.rejected);
    if (flight.timer !== undefined) call(natives.clearTimeout, natives.win, flight.timer);
    flight.resolve(token);
  };

  const fingerprint = async (token: string): Promise<string> => {
    if (!encoder || !natives.textEncode || !natives.subtle || !natives.digest) throw new Error('no SHA-256 here');
    // A rejected token may be one the probe substituted (a fresh token refused in turn).
    const bytes = call<Uint8Array>(natives.textEncode, encoder, token);
    const digest = await call<Promise<ArrayBuffer>>(natives.digest, natives.subtle, 'SHA-256', bytes);
    let hex = '';
    for (const b of new Uint8Array(digest, 0, 8)) hex += (b < 16 ? '0' : '') + b.toString(16);
    return hex;
  };

  return {
    ledger,
    obtainFresh(rejected, url, requestId, done) {
      ledger.markStale(rejected);
      // A token received earlier answers at once (in a microtask), unless it is known to have expired since.
      const known = ledger.replacementFor(rejected);
      if (known !== null && deps.now() < freshExpiresAt) {
        call(natives.queueMicrotask, natives.win, () => done(known));
        return;
      }
      const existing = mapGet(flights, rejected);
      if (existing) {
        const prev = existing.resolve;
        existing.resolve = (t) => {
          prev(t);
          done(t);
        };
        return;
      }
      const flight: Flight = { requestId, rejected, timer: undefined, resolve: done };
      mapSet(flights, rejected, flight);
      flight.timer = call<number>(natives.setTimeout, natives.win, () => settle(flight, null), deps.waitMs());
      call(
        natives.promiseThen,
        fingerprint(rejected),
        (tokenHash: string) => {
          if (mapGet(flights, rejected) !== flight) return;
          deps.post({ type: 'token-needed', at: deps.now(), requestId, url: deps.truncateUrl(url), tokenHash });
        },
        () => settle(flight, null),
      );
    },
    onToken(accessToken, expiresAt, replaces) {
      if (replaces !== undefined) ledger.markStale(replaces);
      ledger.setFresh(accessToken);
      freshExpiresAt = expiresAt ?? Infinity;
      const waiting = mapValues(flights);
      for (let i = 0; i < waiting.length; i++) settle(waiting[i]!, waiting[i]!.rejected === accessToken ? null : accessToken);
    },
    onTokenFailed(requestId) {
      const waiting = mapValues(flights);
      for (let i = 0; i < waiting.length; i++) if (waiting[i]!.requestId === requestId) settle(waiting[i]!, null);
    },
    forgetTokens() {
      ledger.clear();
      freshExpiresAt = Infinity;
      const waiting = mapValues(flights);
      for (let i = 0; i < waiting.length; i++) settle(waiting[i]!, null);
    },
  };
}
