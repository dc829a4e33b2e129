/**
 * Counters the tests assert on ("exactly one refresh call", "the media-token request got a
 * 401"). `reset()` zeroes them; `wsOpen` is a gauge and survives a reset.
 */

/**
 * @returns {{ request: (method: string, template: string, status: number) => void,
 *   refreshCall: (userId: string | null) => void, tokenIssued: () => void, pageLoad: () => void,
 *   wsAccepted: () => void, wsClosed: () => void, wsRejected: () => void, reset: () => void,
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
    pageLoads: 0,
    /** @type {Record<string, number>} keyed "METHOD path-template status" */
    requests: {},
  };

  return {
    /**
     * @param {string} method
     * @param {string} template route template (see `pathTemplate`)
     * @param {number} status
     */
    request(method, template, status) {
      const key = `${method} ${template} ${status}`;
      s.requests[key] = (s.requests[key] ?? 0) + 1;
    },
    /** @param {string | null} userId */
    refreshCall(userId) {
      s.refreshCalls++;
      const k = userId ?? '(none)';
      s.refreshCallsByUser[k] = (s.refreshCallsByUser[k] ?? 0) + 1;
    },
    tokenIssued() { s.tokensIssued++; },
    pageLoad() { s.pageLoads++; },
    wsAccepted() { s.wsConnectionsTotal++; s.wsOpen++; },
    wsClosed() { s.wsOpen = Math.max(0, s.wsOpen - 1); },
    wsRejected() { s.wsRejected++; },
    reset() {
      s.refreshCalls = 0;
      s.refreshCallsByUser = {};
      s.tokensIssued = 0;
      s.wsConnectionsTotal = 0;
      s.wsRejected = 0;
      s.pageLoads = 0;
      s.requests = {};
    },
    /** @returns {typeof s} a copy */
    snapshot() {
      return structuredClone(s);
    },
  };
}
