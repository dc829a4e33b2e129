/**
 * The fault registry: named faults, their defaults, what injecting them does, and which are
 * active until when. Route handlers ask `faults.active(name)`; the control API injects.
 *
 * Implemented: publish-storm (seeds 000/001), renegotiation-timeout (seed 002), server-down,
 * silent-stall, mic-revoked (as far as a server can: see its description). Registered but not
 * yet implemented: org-switch (answers 501).
 */

/**
 * @typedef {{ name: string, since: number, until: number | null, params: Record<string, number> }} ActiveFault
 *   `since`/`until`: ms since epoch; `until` null = until cleared.
 * @typedef {{
 *   revokeAllAccessTokens: () => number,
 *   terminateAllSockets: () => number,
 *   pushToAllSockets: (message: unknown) => number,
 * }} FaultTargets what a fault may act on
 * @typedef {{
 *   description: string,
 *   implemented: boolean,
 *   defaults: Record<string, number>,
 *   durationParam?: string,
 *   inject?: (targets: FaultTargets, params: Record<string, number>) => Record<string, unknown>,
 * }} FaultDefinition
 */

/** @type {Readonly<Record<string, FaultDefinition>>} */
export const FAULT_DEFINITIONS = Object.freeze({
  'publish-storm': {
    description: 'Seeds 000/001: revoke every access token, drop every notification socket without a close frame '
      + '(the browser reports 1006), then answer presence PUTs 429 with Retry-After for rateLimitMs. '
      + 'Login sessions and refresh cookies stay valid.',
    implemented: true,
    defaults: { retryAfterSeconds: 3, rateLimitMs: 8000 },
    durationParam: 'rateLimitMs',
    inject: (t) => ({ revokedTokens: t.revokeAllAccessTokens(), terminatedSockets: t.terminateAllSockets() }),
  },
  'renegotiation-timeout': {
    description: 'Seed 002: GET/PUT /api/v2/users/me/webphone/endpoint wait latencyMs, then answer 408, '
      + 'for durationMs or until `count` 408s reached the page, whichever ends first (count 0 = no limit). '
      + 'A 408 on a reused keep-alive connection is resent by Chromium itself and does not use up `count`.',
    implemented: true,
    defaults: { durationMs: 20_000, latencyMs: 1000, count: 0 },
    durationParam: 'durationMs',
  },
  'server-down': {
    description: 'Every request except the control API answers 503 and every notification socket is dropped '
      + '(1006); upgrades are refused with 503, for durationMs.',
    implemented: true,
    defaults: { durationMs: 10_000 },
    durationParam: 'durationMs',
    inject: (t) => ({ terminatedSockets: t.terminateAllSockets() }),
  },
  'silent-stall': {
    description: 'Notification sockets stay open but the server sends nothing (no heartbeats, no pushes) '
      + 'and ignores what it receives, for durationMs.',
    implemented: true,
    defaults: { durationMs: 30_000 },
    durationParam: 'durationMs',
  },
  'slow-refresh': {
    description: 'The cookie refresh endpoint answers after delayMs, for durationMs: room to stop the extension\'s '
      + 'service worker while its token refresh is in flight.',
    implemented: true,
    defaults: { durationMs: 30_000, delayMs: 3000 },
    durationParam: 'durationMs',
  },
  'org-switch': {
    description: 'Seed 002: the agent switches organisation while the old org\'s sockets and peer connections live on. Not implemented yet.',
    implemented: false,
    defaults: {},
  },
  'mic-revoked': {
    description: 'The agent\'s microphone goes away, as far as a server can make that happen: every notification '
      + 'socket gets the lab-only push {"topicName":"lab.devices","eventBody":{"event":"microphone-removed"}}, and '
      + 'the lab app ends its live microphone tracks the way the browser does when the capturing device is unplugged '
      + '(stop, then an `ended` event). The fake capture device stays available. A permission revocation cannot come '
      + 'from a server: block the site\'s microphone in the browser (chrome.contentSettings.microphone).',
    implemented: true,
    defaults: {},
    inject: (t) => ({ notifiedSockets: t.pushToAllSockets({ topicName: 'lab.devices', eventBody: { event: 'microphone-removed' } }) }),
  },
});

/**
 * @param {{ now?: () => number }} [opts] `now`: clock in ms since epoch
 */
export function createFaults({ now = Date.now } = {}) {
  /** @type {Map<string, ActiveFault>} */
  const active = new Map();
  /** @type {Map<string, number>} uses left for count-limited faults */
  const budget = new Map();

  /** @param {string} name */
  function current(name) {
    const f = active.get(name);
    if (!f) return null;
    if (f.until !== null && f.until <= now()) {
      active.delete(name);
      return null;
    }
    return f;
  }

  return {
    /**
     * Injects a fault.
     * @param {string} name a key of `FAULT_DEFINITIONS`
     * @param {Record<string, unknown>} body caller parameters (numbers; others ignored)
     * @param {FaultTargets} targets
     * @returns {{ fault: string, since: number, until: number | null, params: Record<string, number> } & Record<string, unknown>}
     * @throws {Error} `status` 404 for an unknown fault, 501 for one not implemented,
     *   400 for a parameter that is not a finite number ≥ 0
     */
    inject(name, body, targets) {
      const def = Object.hasOwn(FAULT_DEFINITIONS, name) ? FAULT_DEFINITIONS[name] : undefined;
      if (!def) throw Object.assign(new Error(`unknown fault "${name}"`), { status: 404 });
      if (!def.implemented) throw Object.assign(new Error(`fault "${name}" is not implemented yet`), { status: 501 });
      /** @type {Record<string, number>} */
      const params = { ...def.defaults };
      for (const key of Object.keys(def.defaults)) {
        if (body[key] === undefined) continue;
        const v = body[key];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          throw Object.assign(new Error(`${key} must be a number >= 0`), { status: 400 });
        }
        params[key] = v;
      }
      const since = now();
      const until = def.durationParam ? since + (params[def.durationParam] ?? 0) : null;
      const effects = def.inject ? def.inject(targets, params) : {};
      active.set(name, { name, since, until, params });
      if (params.count) budget.set(name, params.count);
      else budget.delete(name);
      return { fault: name, since, until, params, ...effects };
    },

    /**
     * @param {string} name
     * @returns {ActiveFault | null} the fault while it is active
     */
    active(name) {
      return current(name);
    },

    /**
     * Uses the fault once if it is active and its `count` budget (if any) is not spent.
     * @param {string} name
     * @returns {ActiveFault | null}
     */
    take(name) {
      const f = current(name);
      if (!f) return null;
      const left = budget.get(name);
      if (left === undefined) return f;
      if (left <= 0) return null;
      budget.set(name, left - 1);
      if (left - 1 === 0) active.delete(name);
      return f;
    },

    /**
     * @param {string} name
     * @returns {boolean} whether it was active
     */
    clear(name) {
      budget.delete(name);
      return active.delete(name);
    },

    clearAll() {
      active.clear();
      budget.clear();
    },

    /** @returns {Record<string, { since: number, until: number | null } & Record<string, number>>} active faults by name */
    snapshot() {
      /** @type {Record<string, any>} */
      const out = {};
      for (const name of [...active.keys()]) {
        const f = current(name);
        if (f) out[name] = { since: f.since, until: f.until, ...f.params, ...(budget.has(name) ? { countLeft: budget.get(name) } : {}) };
      }
      return out;
    },
  };
}
