/**
 * Which successful HTTP exchanges the page probe reports. A success (2xx/3xx) only ever
 * matters to the worker as the end of an incident (src/session/incident-rules.ts): it
 * resolves the open `rate-limited` / `request-timeout` / `server-error` incident of its
 * request key, and a protected one resolves the open `unauthorized` incident. Posting every
 * protected success costs a structured clone, a schema parse and a port message each, so a
 * success is reported only when it can end something:
 *
 * 1. a failure (status 0 or ≥ 400, hidden from the page or not, 401s and `token-needed`
 *    included) was reported for the same request key since the key's last reported success;
 * 2. it is protected, and a protected 401, a `token-needed` or a failed token retry was
 *    reported since the last reported protected success (any protected success resolves
 *    `unauthorized`, whatever its key);
 * 3. otherwise at most once per {@link SUCCESS_REPORT_INTERVAL_MS} per request key, so an
 *    incident opened by a failure the probe never saw (the worker's `chrome.webRequest`
 *    observer, a SharedWorker's request) still ends within a second of traffic.
 *
 * Request keys are {@link requestKey} of the URL as reported, the worker's own key.
 *
 * Memory: at most {@link MAX_SUCCESS_REPORT_KEYS} keys; the one written least recently is
 * forgotten first. Forgetting is safe: a key the gate does not know is reported at its next
 * success, so no failure is ever left without the success that would resolve it.
 */
import { requestKey } from '../session/request-path';

/** Fewest ms between two reported successes of one request key with no failure between them. */
export const SUCCESS_REPORT_INTERVAL_MS = 1000;

/**
 * Most request keys remembered at once. A key is at most 2,048 characters (the observation's
 * URL bound), so the gate holds at most about 512 K characters, ~1 MiB as UTF-16.
 */
export const MAX_SUCCESS_REPORT_KEYS = 256;

/** See the module comment. Not safe to share between documents: one instance per probe. */
export interface SuccessReports {
  /**
   * A failure of `url` was reported (or is about to be): status 0 or ≥ 400, hidden from the
   * page or not.
   * @param unauthorized true for what opens an `unauthorized` incident: a protected 401, a
   *   `token-needed`, a failed token retry
   */
  failed(url: string, unauthorized: boolean): void;
  /**
   * Whether a success of `url` is to be reported; when true it is counted as reported.
   * @param now epoch ms (or any clock consistent between calls); a clock that went back
   *   counts as a full interval elapsed
   * @param force report it whatever the rules say (an identity response), counting it
   */
  admit(url: string, isProtected: boolean, now: number, force?: boolean): boolean;
  /** Request keys remembered now, ≤ {@link MAX_SUCCESS_REPORT_KEYS}. */
  size(): number;
}

interface KeyState {
  /** A failure was reported since the key's last reported success. */
  failed: boolean;
  /** Epoch ms of the key's last reported success; null: none yet. */
  reportedAt: number | null;
}

/**
 * Creates an empty gate.
 * @param maxKeys memory bound, ≥ 1 (default {@link MAX_SUCCESS_REPORT_KEYS})
 * @param intervalMs per-key interval, ≥ 0 (default {@link SUCCESS_REPORT_INTERVAL_MS})
 * @throws {RangeError} on a non-integer or out-of-range bound
 */
export function createSuccessReports(maxKeys = MAX_SUCCESS_REPORT_KEYS, intervalMs = SUCCESS_REPORT_INTERVAL_MS): SuccessReports {
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be an integer ≥ 1, got ${maxKeys}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError(`intervalMs must be ≥ 0, got ${intervalMs}`);
  /** In write order, oldest first (a Map iterates in insertion order). */
  const keys = new Map<string, KeyState>();
  let unauthorizedPending = false;

  const write = (key: string, state: KeyState): void => {
    keys.delete(key);
    keys.set(key, state);
    if (keys.size > maxKeys) {
      const oldest = keys.keys().next();
      if (!oldest.done) keys.delete(oldest.value);
    }
  };

  return {
    failed(url, unauthorized) {
      const key = requestKey(url);
      write(key, { failed: true, reportedAt: keys.get(key)?.reportedAt ?? null });
      if (unauthorized) unauthorizedPending = true;
    },
    admit(url, isProtected, now, force = false) {
      const key = requestKey(url);
      const state = keys.get(key);
      const report =
        force ||
        state === undefined ||
        state.failed ||
        (isProtected && unauthorizedPending) ||
        state.reportedAt === null ||
        now < state.reportedAt ||
        now - state.reportedAt >= intervalMs;
      if (!report) return false;
      write(key, { failed: false, reportedAt: now });
      if (isProtected) unauthorizedPending = false;
      return true;
    },
    size: () => keys.size,
  };
}
