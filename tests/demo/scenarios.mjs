/**
 * The demo's scenarios: one lab fault each, run against an agent without the extension and
 * one with it. `expect(without, withExt)` states what the product promises for that fault;
 * the demo reports it plainly when a run does not show it.
 */

/**
 * @typedef {{
 *   name: string,
 *   title: string,
 *   fault: string,
 *   params: Record<string, number>,
 *   callDuringFault?: boolean,
 *   promise: string,
 *   expect: (without: any, withExt: any) => boolean,
 *   knownGap?: string,
 * }} Scenario
 * `knownGap`: the product does not keep this promise yet; the demo says so and still runs it,
 * and a run that does not show it does not fail the demo.
 */

/** @type {Scenario[]} */
export const SCENARIOS = [
  {
    name: 'publish-storm',
    title: 'Seeds 000/001 — WFM publish storm: tokens revoked, WebSockets killed (1006), presence 429 + Retry-After',
    fault: 'publish-storm',
    params: { retryAfterSeconds: 3, rateLimitMs: 8000 },
    promise: 'without the extension the agent is stuck; with it the agent takes calls again, no reload, no 401 seen by the app',
    expect: (w, x) => !w.canTakeCall && x.canTakeCall && !x.reloaded && !x.sawMediaToken401,
  },
  {
    name: 'renegotiation-timeout',
    title: 'Seed 002 — 408 with added latency on /api/v2/users/me/webphone/endpoint during codec renegotiation',
    fault: 'renegotiation-timeout',
    params: { durationMs: 20_000, latencyMs: 1000, count: 3 },
    callDuringFault: true,
    promise: 'with the extension the call is answered during the fault and the app sees no 408',
    expect: (w, x) => x.canTakeCall && x.appFailures === 0 && (x.readyAfterMs ?? Infinity) < (w.readyAfterMs ?? Infinity),
  },
  {
    name: 'server-down',
    title: 'Platform outage — every request 503 and every socket dropped for 4 s',
    fault: 'server-down',
    params: { durationMs: 4000 },
    promise: 'with the extension the agent takes calls again after the outage, without a reload',
    expect: (_w, x) => x.canTakeCall && !x.reloaded,
    knownGap:
      'the media-token 503 can outlast the rung-1 retries (full jitter, 4 retries); the app then greys out ' +
      'mic/speaker for good, and the ladder does not yet escalate a given-up retry to a safe reload',
  },
];

/**
 * Picks scenarios by name.
 * @param {string | undefined} names comma-separated, or undefined for all
 * @returns {Scenario[]}
 * @throws {Error} naming an unknown scenario
 */
export function pickScenarios(names) {
  if (!names) return SCENARIOS;
  return names.split(',').map((n) => {
    const s = SCENARIOS.find((x) => x.name === n.trim());
    if (!s) throw new Error(`unknown scenario "${n}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
    return s;
  });
}
