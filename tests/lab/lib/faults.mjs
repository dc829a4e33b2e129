/**
 * The fault registry: named faults, their defaults, what injecting them does, and which are
 * active until when. Route handlers ask `faults.active(name)`; the control API injects.
 *
 * Implemented: publish-storm (seeds 000/001), token-revoke, renegotiation-timeout and org-switch (seed 002),
 * server-down, silent-stall, slow-refresh, mic-revoked (as far as a server can: see its
 * description).
 *
 * Parameters are numbers (finite, ≥ 0), except those whose default is a string (org-switch's
 * `toOrg`): those take a short identifier string.
 */
import { findOrg } from './directory.mjs';

/**
 * @typedef {Record<string, number | string>} FaultParams
 * @typedef {{ name: string, since: number, until: number | null, params: FaultParams }} ActiveFault
 *   `since`/`until`: ms since epoch; `until` null = until cleared.
 * @typedef {{
 *   revokeAllAccessTokens: () => number,
 *   terminateAllSockets: () => number,
 *   pushToAllSockets: (message: unknown) => number,
 *   stallOpenSockets: (until: number) => number,
 *   unstallSockets: () => void,
 * }} FaultTargets what a fault may act on (`stallOpenSockets`: the sockets open now go silent
 *   until `until`, ms since epoch; answers how many)
 * @typedef {{
 *   description: string,
 *   implemented: boolean,
 *   defaults: FaultParams,
 *   durationParam?: string,
 *   inject?: (targets: FaultTargets, params: FaultParams, window: { since: number, until: number | null }) => Record<string, unknown>,
 *   clear?: (targets: FaultTargets) => void,
 * }} FaultDefinition `inject` may throw an Error with `status` 400 for a bad parameter (nothing
 *   is then injected); `clear` undoes lasting effects when the fault is cleared (DELETE, reset)
 */

/** String parameters: a short identifier. */
const STRING_PARAM_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** @type {Readonly<Record<string, FaultDefinition>>} */
export const FAULT_DEFINITIONS = Object.freeze({
  'publish-storm': {
    description:
      'Seeds 000/001: revoke every access token, drop every notification socket without a close frame ' +
      '(the browser reports 1006), then answer presence PUTs 429 with Retry-After for rateLimitMs. ' +
      'Login sessions and refresh cookies stay valid.',
    implemented: true,
    defaults: { retryAfterSeconds: 3, rateLimitMs: 8000 },
    durationParam: 'rateLimitMs',
    inject: (t) => ({ revokedTokens: t.revokeAllAccessTokens(), terminatedSockets: t.terminateAllSockets() }),
  },
  'token-revoke': {
    description:
      'A silent revoke: every access token is revoked and nothing else happens — sockets stay open, no 429, ' +
      'no push. The app learns of it only from its next request: a 401 is the first sign. ' +
      'Login sessions and refresh cookies stay valid.',
    implemented: true,
    defaults: {},
    inject: (t) => ({ revokedTokens: t.revokeAllAccessTokens() }),
  },
  'renegotiation-timeout': {
    description:
      'Seed 002: GET/PUT /api/v2/users/me/webphone/endpoint wait latencyMs, then answer 408, ' +
      'for durationMs or until `count` 408s reached the page, whichever ends first (count 0 = no limit). ' +
      'A 408 on a reused keep-alive connection is resent by Chromium itself and does not use up `count`.',
    implemented: true,
    defaults: { durationMs: 20_000, latencyMs: 1000, count: 0 },
    durationParam: 'durationMs',
  },
  'server-down': {
    description:
      'Every request except the control API answers 503 and every notification socket is dropped ' +
      '(1006); upgrades are refused with 503, for durationMs.',
    implemented: true,
    defaults: { durationMs: 10_000 },
    durationParam: 'durationMs',
    inject: (t) => ({ terminatedSockets: t.terminateAllSockets() }),
  },
  'silent-stall': {
    description:
      'Half-open connections: the notification sockets open at injection stay open but the server sends ' +
      'them nothing (no heartbeats, pushes or pongs) and ignores what they send, for durationMs (or until cleared). ' +
      "Sockets opened afterwards work normally. The ws library still completes a client's closing handshake.",
    implemented: true,
    defaults: { durationMs: 30_000 },
    durationParam: 'durationMs',
    inject: (t, _p, w) => ({ stalledSockets: t.stallOpenSockets(w.until ?? Number.POSITIVE_INFINITY) }),
    clear: (t) => t.unstallSockets(),
  },
  'slow-refresh': {
    description:
      "The cookie refresh endpoint answers after delayMs, for durationMs: room to stop the extension's " +
      'service worker while its token refresh is in flight.',
    implemented: true,
    defaults: { durationMs: 30_000, delayMs: 3000 },
    durationParam: 'durationMs',
  },
  'org-switch': {
    description:
      'Seed 002: the agent picks another organisation. Every notification socket gets the lab-only push ' +
      '{"topicName":"lab.org","eventBody":{"event":"switch-organization","organizationId":toOrg}} and the lab app ' +
      "switches the way the seed's softphone does: new token, new endpoint registration, new socket, while the old " +
      "organisation's socket and peer connections live on. The lab allows one organisation per login session: the " +
      'new socket is dropped (1006) and the endpoint PUT answers 409 "connection reset" until the old socket is gone. ' +
      'Active until cleared, though it acts once.',
    implemented: true,
    defaults: { toOrg: 'org-b' },
    inject: (t, p) => {
      const toOrg = String(p.toOrg);
      if (!findOrg(toOrg)) throw Object.assign(new Error(`toOrg: unknown organization "${toOrg}"`), { status: 400 });
      return {
        notifiedSockets: t.pushToAllSockets({ topicName: 'lab.org', eventBody: { event: 'switch-organization', organizationId: toOrg } }),
      };
    },
  },
  'mic-revoked': {
    description:
      "The agent's microphone goes away, as far as a server can make that happen: every notification " +
      'socket gets the lab-only push {"topicName":"lab.devices","eventBody":{"event":"microphone-removed"}}, and ' +
      'the lab app ends its live microphone tracks the way the browser does when the capturing device is unplugged ' +
      '(stop, then an `ended` event). The fake capture device stays available. A permission revocation cannot come ' +
      "from a server: block the site's microphone in the browser (chrome.contentSettings.microphone).",
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
     * @param {Record<string, unknown>} body caller parameters (those named in the defaults; others ignored)
     * @param {FaultTargets} targets
     * @returns {{ fault: string, since: number, until: number | null, params: FaultParams } & Record<string, unknown>}
     * @throws {Error} `status` 404 for an unknown fault, 501 for one not implemented,
     *   400 for a parameter that is not a finite number ≥ 0 (or, where the default is a
     *   string, not an identifier string), or that the fault refuses
     */
    inject(name, body, targets) {
      const def = Object.hasOwn(FAULT_DEFINITIONS, name) ? FAULT_DEFINITIONS[name] : undefined;
      if (!def) throw Object.assign(new Error(`unknown fault "${name}"`), { status: 404 });
      if (!def.implemented) throw Object.assign(new Error(`fault "${name}" is not implemented yet`), { status: 501 });
      /** @type {FaultParams} */
      const params = { ...def.defaults };
      for (const key of Object.keys(def.defaults)) {
        if (body[key] === undefined) continue;
        const v = body[key];
        if (typeof def.defaults[key] === 'string') {
          if (typeof v !== 'string' || !STRING_PARAM_RE.test(v)) {
            throw Object.assign(new Error(`${key} must be an identifier string`), { status: 400 });
          }
        } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          throw Object.assign(new Error(`${key} must be a number >= 0`), { status: 400 });
        }
        params[key] = v;
      }
      const since = now();
      const until = def.durationParam ? since + Number(params[def.durationParam] ?? 0) : null;
      const effects = def.inject ? def.inject(targets, params, { since, until }) : {};
      active.set(name, { name, since, until, params });
      if (typeof params.count === 'number' && params.count > 0) budget.set(name, params.count);
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
     * Clears a fault and undoes its lasting effects (its definition's `clear`).
     * @param {string} name
     * @param {FaultTargets} [targets]
     * @returns {boolean} whether it was active
     */
    clear(name, targets) {
      budget.delete(name);
      const def = Object.hasOwn(FAULT_DEFINITIONS, name) ? FAULT_DEFINITIONS[name] : undefined;
      if (targets && def?.clear) def.clear(targets);
      return active.delete(name);
    },

    /** @param {FaultTargets} [targets] */
    clearAll(targets) {
      for (const name of [...active.keys()]) this.clear(name, targets);
      active.clear();
      budget.clear();
    },

    /** @returns {Record<string, { since: number, until: number | null } & FaultParams>} active faults by name */
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
