/**
 * Counters the tests assert on ("exactly one refresh call", "the media-token request got a
 * 401"), and a timestamped log of the latest requests ("the retry came no earlier than
 * Retry-After after the 429"). `reset()` zeroes them and empties the log; `wsOpen` is a gauge
 * and survives a reset.
 */

/** Requests kept in the log (the oldest are dropped first). */
export const REQUEST_LOG_LIMIT = 2000;

/**
 * @typedef {{ method: string, path: string, status: number, receivedAt: number, answeredAt: number }} LoggedRequest
 *   `path`: the route template; `receivedAt`: when the request arrived, `answeredAt`: when its
 *   answer was sent (ms since epoch)
 */

/**
 * @returns {{ request: (method: string, template: string, status: number, receivedAt?: number) => void,
 *   requestLog: () => LoggedRequest[],
 *   refreshCall: (userId: string | null) => void, tokenIssued: () => void, pageLoad: () => void,
 *   wsAccepted: () => void, wsClosed: () => void, wsRejected: () => void, wsConflict: () => void, reset: () => void,
 *   snapshot: () => object }} counters; `snapshot()` returns a copy
 */
export function createStats() {
  const s = {
    refreshCalls: 0,
    /** @type {Record<string, number>} keyed by user id; calls without a valid cookie under `(none)` */
    refreshCallsByUser: {},
    tokensIssued: 0,
    wsConnectionsTotal: 0,
    wsOpen: 0,
    wsRejected: 0,
    /** notification upgrades accepted and dropped at once: another organisation's socket of the same login session was open */
    wsConflicts: 0,
    pageLoads: 0,
    /** @type {Record<string, number>} keyed "METHOD path-template status" */
    requests: {},
  };
  /** @type {LoggedRequest[]} */
  let log = [];

  return {
    /**
     * Counts an answered request and logs it, now as its answer time.
     * @param {string} method
     * @param {string} template route template (see `pathTemplate`)
     * @param {number} status
     * @param {number} [receivedAt] ms since epoch the request arrived (default: now)
     */
    request(method, template, status, receivedAt) {
      const key = `${method} ${template} ${status}`;
      s.requests[key] = (s.requests[key] ?? 0) + 1;
      const answeredAt = Date.now();
      log.push({ method, path: template, status, receivedAt: receivedAt ?? answeredAt, answeredAt });
      if (log.length > REQUEST_LOG_LIMIT) log = log.slice(-REQUEST_LOG_LIMIT);
    },
    /** @returns {LoggedRequest[]} a copy of the log, oldest first */
    requestLog() {
      return log.map((r) => ({ ...r }));
    },
    /** @param {string | null} userId */
    refreshCall(userId) {
      s.refreshCalls++;
      const k = userId ?? '(none)';
      s.refreshCallsByUser[k] = (s.refreshCallsByUser[k] ?? 0) + 1;
    },
    tokenIssued() {
      s.tokensIssued++;
    },
    pageLoad() {
      s.pageLoads++;
    },
    wsAccepted() {
      s.wsConnectionsTotal++;
      s.wsOpen++;
    },
    wsClosed() {
      s.wsOpen = Math.max(0, s.wsOpen - 1);
    },
    wsRejected() {
      s.wsRejected++;
    },
    wsConflict() {
      s.wsConflicts++;
    },
    reset() {
      s.refreshCalls = 0;
      s.refreshCallsByUser = {};
      s.tokensIssued = 0;
      s.wsConnectionsTotal = 0;
      s.wsRejected = 0;
      s.wsConflicts = 0;
      s.pageLoads = 0;
      s.requests = {};
      log = [];
    },
    /** @returns {typeof s} a copy */
    snapshot() {
      return structuredClone(s);
    },
  };
}
