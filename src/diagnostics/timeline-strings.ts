/**
 * The shape of every piece of text the diagnostics timeline and charts produce. Like
 * `src/format/strings.ts`, the pure code here holds no English: the diagnostics page passes a
 * table (`extension/diagnostics/strings.ts`), so the wording can move to `_locales` without
 * touching logic. Functions take already formatted pieces and return a phrase.
 */
import type { FormatStrings } from '../format/strings';
import type { TimelineCategory } from './timeline-types';

/** Text table for `src/diagnostics/timeline-*.ts` and `chart-*.ts`. */
export interface TimelineStrings {
  /** Units, number locale and incident/step wording shared with the popup. */
  format: FormatStrings;
  category: Record<TimelineCategory, string>;
  /** Severity words, shown next to an icon so severity never rests on colour alone. */
  severity: Record<'error' | 'warning' | 'info', string>;
  /** Joins detail pieces: `" · "`. */
  separator: string;

  session: {
    hello: string;
    /** `("2.1.0")` → `"probe 2.1.0"`. */
    probeVersion: (version: string) => string;
    /** `("Alex Rivera", "agent-1")` → `"Agent identified: Alex Rivera (agent-1)"`. */
    identity: (name: string, userId: string) => string;
    /** `("org-a", "org-b")` → `"Organisation switched org-a → org-b"`. */
    orgSwitch: (from: string, to: string) => string;
    /** `(sockets, calls)` → `"closed 1 socket and 1 call connection of the old organisation"`. */
    orgSwitchClosed: (sockets: number, calls: number) => string;
  };
  signalling: {
    /** `"/notifications"` → `"WebSocket opened: /notifications"`. */
    open: (path: string) => string;
    /** `(1006, "Abnormal closure")` → `"WebSocket closed: 1006 Abnormal closure"`. */
    close: (code: number, meaning: string) => string;
    /** RFC 6455 §7.4.1 / IANA WebSocket close code names; unknown codes use {@link unknownCode}. */
    codeMeaning: Record<number, string>;
    unknownCode: string;
    /** `"server restarting"` → `"reason: server restarting"`. */
    reason: (reason: string) => string;
    noReason: string;
    clean: string;
    abnormal: string;
    closedBy: Record<'stall' | 'org-switch', string>;
    /** `("45 s")` → `"No message for 45 s: asked the page to close the silent socket"`. */
    stallClose: (silent: string) => string;
    protocol: (protocol: string) => string;
  };
  http: {
    /** `(401, "Unauthorized", "GET", "/api/v2/x")` → `"HTTP 401 Unauthorized: GET /api/v2/x"`. */
    failure: (status: number, statusText: string, method: string, path: string) => string;
    /** `("GET", "/api/v2/x")` → `"Network error: GET /api/v2/x"` (status 0). */
    networkError: (method: string, path: string) => string;
    /** `(200, "GET", "/api/v2/x")` → `"HTTP 200: GET /api/v2/x"` (successes the probe reports). */
    ok: (status: number, method: string, path: string) => string;
    /** RFC 9110 §15 reason phrases by status. */
    statusText: Record<number, string>;
    /** `"1"` → `"Retry-After: 1"`. */
    retryAfter: (value: string) => string;
    /** `"120 ms"` → `"took 120 ms"`. */
    took: (duration: string) => string;
    hiddenFromPage: string;
    waitTooLong: string;
    /** `"fetch"` → `"via fetch"`. */
    transport: (transport: string) => string;
    error: (error: string) => string;
    /** `("GET", "/x", "after a 401 with a fresh token", 200)` → `"Retried GET /x after a 401 with a fresh token: HTTP 200"`. */
    retry: (method: string, path: string, why: string, status: number) => string;
    retryWhy: Record<'unauthorized' | 'backoff', string>;
    retryOutcome: Record<'recovered' | 'failed', string>;
  };
  auth: {
    /** `"/api/v2/x"` → `"401 on /api/v2/x: asked for a fresh token"`. */
    tokenNeeded: (path: string) => string;
    /** A socket's credentials refused (`via`: SASL failure, an incoming frame, a close, an HTTP 401 on its upgrade). */
    socketRefused: (path: string, via: 'sasl-failure' | 'message' | 'close' | 'upgrade') => string;
    refreshStarted: string;
    refreshSucceeded: string;
    /** `"invalid_grant"` → `"Token refresh failed: invalid_grant"`. */
    refreshFailed: (error: string) => string;
    signInRequired: string;
    /** `"07:12"` → `"new token expires 07:12"`. */
    expires: (clock: string) => string;
    /** `("Refreshed ahead of Mon 06:00 America/Chicago", "ok")` → `"Refreshed ahead of … — ok"`. */
    refreshAhead: (note: string, outcome: string) => string;
    outcome: Record<'ok' | 'failed', string>;
  };
  media: {
    /** `("connected", "connected", "stable")` → `"Call connection: ICE connected, connection connected"`. */
    pcState: (ice: string, connection: string, signaling: string) => string;
    /** `("45 ms", "3 ms", "0 %", "4.4")` → `"Call quality: RTT 45 ms, jitter 3 ms, loss 0 %, MOS 4.4"`. */
    stats: (rtt: string, jitter: string, loss: string, mos: string) => string;
    /** Phrases for figures past a threshold: `"RTT above 400 ms"`. */
    above: (metric: string, limit: string) => string;
    below: (metric: string, limit: string) => string;
  };
  device: {
    /** `"denied"` → `"Microphone permission: blocked"`. */
    permission: (state: string) => string;
    permissionState: Record<'granted' | 'denied' | 'prompt', string>;
    gumOk: string;
    /** `"NotAllowedError"` → `"Microphone capture failed: NotAllowedError"`. */
    gumFailed: (errorName: string) => string;
    /** `"audio"` → `"Audio capture track ended (device removed or permission revoked)"`. */
    trackEnded: (kind: string) => string;
  };
  recovery: {
    /**
     * `(ok, 2)` → `"Microphone re-acquired: 2 input devices"`; `reattached`: senders of a call in
     * progress given a fresh microphone track (0: none).
     */
    mediaReacquired: (ok: boolean, inputs: number, errorName?: string, reattached?: number) => string;
    mediaReacquireAsked: string;
    /** `("deferred", "0.2.0")` → `"Extension update 0.2.0 waits for the call to end"`. */
    extensionUpdate: (phase: 'deferred' | 'applying' | 'reattached' | 'reattach-failed' | 'reattach-skipped', version: string) => string;
    micGrant: Record<'pending' | 'ok' | 'failed' | 'not-allowed' | 'not-monitored' | 'limited' | 'embedded', string>;
    safeReload: (cause: string) => string;
    reloadDeferred: (reason: string, cause: string) => string;
    reloadCause: Record<'signalling-not-recovered' | 'token-not-recovered' | 'request-not-recovered', string>;
    deferReason: Record<'call-active' | 'hourly-limit' | 'disabled', string>;
    /** `("Fetched a fresh token — ok")` → the step row's title. */
    step: (sentence: string) => string;
    /** `("WebSocket closed abnormally (1006)")` → `"for: WebSocket closed abnormally (1006)"`. */
    forIncident: (summary: string) => string;
  };
  incident: {
    /** `"WebSocket closed abnormally (1006)"` → `"Incident: WebSocket closed abnormally (1006)"`. */
    opened: (summary: string) => string;
    code: (code: number) => string;
    status: (status: number) => string;
  };
  /** A stored event of a type this page does not know: `"hello-v2"` → `"Event hello-v2"`. */
  unknown: (type: string) => string;
}
