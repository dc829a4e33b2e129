/**
 * The session health reducer: `(state, event) → { state, effects }`. Pure: it never mutates its
 * input, never reads a clock (an event's `at` is "now"), and never throws on a schema-valid
 * event. The service worker feeds it every page observation and its own events, stores what
 * comes back and carries out the effects (persist incidents, update the badge).
 *
 * ```text
 *  event ─▶ applyToViews ─▶ applyIncidentRules ─▶ applyTimeRules ─▶ assessHealth ─▶ diff ─▶ effects
 *           (views.ts)      (incident-rules.ts)   (grace, 60 s,      (health.ts)
 *                                                  silent sockets)
 *
 *  Health, re-derived after every event (tick included):
 *
 *                     429 / 408 / 5xx / network error,
 *                     ICE disconnected, poor quality, audio track ended
 *         ┌─────────┐ ───────────────────────────────────────────────▶ ┌──────────┐
 *         │ healthy │                                                  │ degraded │
 *         └─────────┘ ◀─────────────────────────────────────────────── └──────────┘
 *           │    ▲       success on the same path, 60 s without recurrence,
 *           │    │       ICE connected, good sample, gum ok
 *  1006,    │    │ ws-open, retry recovered,
 *  401,     │    │ protected 2xx, a message on
 *  refresh, │    │ the silent socket
 *  silent   ▼    │
 *  socket ┌────────────┐   grace over, refresh or retry failed,    ┌──────┐
 *         │ recovering │ ──── no refresh within grace, closing ──▶ │ down │
 *         │            │      the silent socket did not help       │      │
 *         └────────────┘ ◀────────────── refresh-started ───────── └──────┘
 *                                                                     ▲  │
 *     ICE or connection failed, microphone denied (from any state) ───┘  │ cause cleared:
 *                                                                        ▼ best health left
 * ```
 *
 * Health is not stored as a transition table: every event re-derives it from the views and the
 * open incidents (`health.ts` holds the rules, worst condition wins), so any state can reach any
 * other; the diagram shows the usual moves and the events behind them.
 * Incident lifecycles are in `incident-rules.ts`.
 */
import type { PageObservation } from '../protocol/page';
import type { Health, Incident, SessionState, WorkerEvent } from './types';
import { applyToViews } from './views';
import { applyIncidentRules, applyTimeRules } from './incident-rules';
import { assessHealth } from './health';
import { capIncidents } from './incidents';

export { worstHealth } from './health';

/** What the reducer needs from the configuration (`config.watchdog`), ms. */
export interface ReducerContext {
  /** How long the app may take to reopen signalling after an abnormal close, ms. */
  reconnectGraceMs: number;
  /**
   * An open socket silent for longer than this is stalled (a `signalling-stalled` incident,
   * rung 3), ms; 0 turns stall detection off.
   */
  heartbeatTimeoutMs: number;
}

/**
 * What the worker must do after a reduction: persist an incident that was opened or changed
 * (steps, count, resolution), and update the badge when health changed. Incident effects come
 * first, oldest incident first; `health-changed` last.
 */
export type SessionEffect =
  | { type: 'incident-opened'; incident: Incident }
  | { type: 'incident-updated'; incident: Incident }
  | { type: 'health-changed'; from: Health; to: Health };

/** Union of everything the reducer accepts. */
export type SessionEvent = PageObservation | WorkerEvent;

/**
 * A fresh session for a tab: healthy, nothing observed yet.
 * @param at epoch ms the session starts (becomes `startedAt` and `updatedAt`)
 */
export function createSession(tabId: number, at: number): SessionState {
  return {
    tabId,
    health: 'healthy',
    healthReason: 'All good: waiting for the softphone to connect.',
    signalling: { state: 'none', openSockets: 0 },
    media: {},
    auth: { refreshCount: 0, retries: 0, retriesRecovered: 0 },
    incidents: [],
    sockets: {},
    refreshInFlight: false,
    nextIncidentSeq: 1,
    startedAt: at,
    updatedAt: at,
  };
}

function incidentEffects(before: readonly Incident[], after: readonly Incident[]): SessionEffect[] {
  const previous = new Map(before.map((i) => [i.id, i]));
  const effects: SessionEffect[] = [];
  for (let k = after.length - 1; k >= 0; k--) {
    const incident = after[k];
    if (!incident) continue;
    const old = previous.get(incident.id);
    if (old === undefined) effects.push({ type: 'incident-opened', incident });
    else if (old !== incident) effects.push({ type: 'incident-updated', incident });
  }
  return effects;
}

/**
 * Applies one event to a session.
 *
 * - `updatedAt` becomes the latest `at` of any event but `tick`; a `tick` that changes no
 *   incident, health or sentence returns the input state object itself (so the caller can skip
 *   persisting it).
 * - Effects are computed before the incident list is capped to `MAX_INCIDENTS_IN_STATE`, so an
 *   incident changed by this event is reported even if it then drops out of the state.
 *
 * @param state the session, never mutated (may be frozen)
 * @param event an observation already validated by `PageObservationSchema` and redacted, or a
 *   worker event; its `at` (epoch ms) is "now"
 * @param ctx thresholds from `config.watchdog`
 * @returns the next state and the effects for the worker to carry out; never throws for a
 *   schema-valid event
 */
export function reduceSession(
  state: SessionState,
  event: SessionEvent,
  ctx: ReducerContext,
): { state: SessionState; effects: SessionEffect[] } {
  const { at } = event;
  let next = applyToViews(state, event);
  next = applyIncidentRules(state, next, event);
  next = applyTimeRules(next, at, ctx);
  const { health, reason } = assessHealth(next, at, ctx);

  const effects = incidentEffects(state.incidents, next.incidents);
  if (health !== state.health) effects.push({ type: 'health-changed', from: state.health, to: health });

  if (event.type === 'tick' && next.incidents === state.incidents && health === state.health && reason === state.healthReason) {
    return { state, effects };
  }
  return {
    state: {
      ...next,
      incidents: capIncidents(next.incidents),
      health,
      healthReason: reason,
      updatedAt: event.type === 'tick' ? state.updatedAt : Math.max(state.updatedAt, at),
    },
    effects,
  };
}
