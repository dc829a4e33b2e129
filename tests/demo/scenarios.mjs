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
 *   params: Record<string, number | string>,
 *   topology?: 'page' | 'embedded' | 'shared-worker',
 *   callActiveAtFault?: boolean,
 *   deadlineS?: number,
 *   note?: string,
 *   promise: string,
 *   expect: (without: any, withExt: any) => boolean,
 *   knownGap?: string,
 * }} Scenario
 * `topology`: where each agent's softphone runs (tests/demo/agents.mjs; default `page`, a
 * softphone tab of its own). `callActiveAtFault`: each agent is in a call when the fault hits (the table then says what
 * became of it, 5 s after the fault). `deadlineS`: this scenario's deadline, overriding
 * `--deadline-s`. `note`: printed under the table, to read it right.
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
    name: 'embedded-publish-storm',
    title:
      'Publish storm against a softphone framed by a CRM page on another site (HTTPS, partitioned cookies), unsaved case notes in the CRM',
    fault: 'publish-storm',
    params: { retryAfterSeconds: 3, rateLimitMs: 8000 },
    topology: 'embedded',
    promise:
      'without the extension the framed softphone is stuck; with it the agent takes calls again without reloading ' +
      'the CRM page (its notes kept) or the frame, no 401 seen by the app',
    expect: (w, x) => !w.canTakeCall && x.canTakeCall && !x.reloaded && !x.saw401 && x.topology?.crmKept === true,
  },
  {
    name: 'shared-worker-publish-storm',
    title: 'Publish storm against the SharedWorker softphone (API calls and socket in a worker, as Amazon Connect) in two tabs',
    fault: 'publish-storm',
    params: { retryAfterSeconds: 3, rateLimitMs: 8000 },
    topology: 'shared-worker',
    note:
      "(a worker's requests cannot be given a fresh token in place: the next rung is a safe reload of every tab using the " +
      'worker together, while no call is active, so that a new worker signs in afresh; the failures and 401s in the table ' +
      'are those the reloaded documents saw — the 401s before the reload are not counted there)',
    promise:
      'without the extension both tabs stay stuck (reloading one alone would not help); with it the agent takes calls again ' +
      'after a reload of both tabs, while no call is active, and a new worker',
    expect: (w, x) => !w.canTakeCall && x.canTakeCall && x.topology?.allTabsReloaded === true && x.topology?.newWorker === true,
  },
  {
    name: 'renegotiation-timeout',
    title: 'Seed 002 — 408 with added latency on /api/v2/users/me/webphone/endpoint during codec renegotiation',
    fault: 'renegotiation-timeout',
    params: { durationMs: 20_000, latencyMs: 1000, count: 3 },
    promise: 'with the extension the call is answered during the fault and the app sees no 408',
    expect: (w, x) => x.canTakeCall && x.appFailures === 0 && (x.readyAfterMs ?? Infinity) < (w.readyAfterMs ?? Infinity),
  },
  {
    name: 'server-down',
    title: 'Platform outage — every request 503 and every socket dropped for 4 s',
    fault: 'server-down',
    params: { durationMs: 4000 },
    promise:
      'with the extension the agent takes calls again after the outage (retries with backoff; when the app ' +
      'gave up on a request anyway, a safe reload while no call is active)',
    expect: (_w, x) => x.canTakeCall,
  },
  {
    name: 'silent-stall',
    title: 'Silent stall — the notification socket stays open but nothing arrives (no heartbeats, no calls) for 2 min',
    fault: 'silent-stall',
    params: { durationMs: 120_000 },
    deadlineS: 75,
    promise:
      'without the extension calls never reach the agent while the socket looks fine; with it the silent socket is ' +
      'closed after watchdog.heartbeatTimeoutMs (30 s) + reconnectGraceMs (10 s), the app reconnects, no reload',
    expect: (w, x) => !w.canTakeCall && x.canTakeCall && !x.reloaded,
  },
  {
    name: 'org-switch',
    title: 'Seed 002 — the agent switches organisation (org-a → org-b) during a call; the old session lives on',
    fault: 'org-switch',
    params: { toOrg: 'org-b' },
    callActiveAtFault: true,
    note:
      '(the call in progress belongs to org-a, the org the agent left: without the extension it lives on as the stale ' +
      'session that blocks org-b; with it, it is closed before the org-b handshake)',
    promise:
      "without the extension the old org's socket and call block the new org (socket dropped, calls missed); with " +
      'it they are closed before the new handshake and the agent takes the next call, no reload',
    expect: (w, x) => !w.canTakeCall && x.canTakeCall && !x.reloaded,
  },
  {
    name: 'mic-revoked',
    title: 'Headset unplugged during a call — the microphone track ends (the capture device goes away)',
    fault: 'mic-revoked',
    params: {},
    callActiveAtFault: true,
    promise:
      'without the extension the mic stays greyed out and no call can be answered; with it the microphone is ' +
      're-acquired, the call goes on and the next one is answered, no reload',
    expect: (w, x) => !w.canTakeCall && x.canTakeCall && x.callAtFault.startsWith('went on') && !x.reloaded,
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
