/**
 * The incident list of a session: opening, folding repeats, recording recovery steps and
 * resolving, all as immutable updates of {@link SessionState}. Which event does what to which
 * incident is decided in `incident-rules.ts`; this file only keeps the list consistent.
 *
 * One open incident per cause: the cause is the kind, plus the request key (URL without
 * query and fragment, `request-path.ts`) for the HTTP kinds in {@link KEYED_BY_REQUEST}, or
 * the socket id for the kinds in {@link KEYED_BY_SOCKET} ({@link causeKey}).
 * A repeat of an open cause increments `detail.count` and moves `lastSeenAt`.
 */
import type { Incident, IncidentKind, RecoveryStep, SessionState } from './types';
import { MAX_INCIDENTS_IN_STATE } from './types';

/**
 * Steps kept per incident; older ones are dropped first. A 401 storm can produce one refresh
 * and one retry step per request, and the state travels to the popup and to IndexedDB whole.
 */
export const MAX_STEPS_PER_INCIDENT = 20;

/** Kinds that are one cause per request key rather than one cause per tab. */
export const KEYED_BY_REQUEST: ReadonlySet<IncidentKind> = new Set<IncidentKind>(['rate-limited', 'request-timeout', 'server-error']);

/** Kinds that are one cause per socket (`detail.socketId`) rather than one cause per tab. */
export const KEYED_BY_SOCKET: ReadonlySet<IncidentKind> = new Set<IncidentKind>(['signalling-stalled']);

/**
 * What tells two open incidents of one kind apart: `detail.url` for {@link KEYED_BY_REQUEST},
 * `detail.socketId` for {@link KEYED_BY_SOCKET}, nothing (undefined) for the other kinds.
 */
export function causeKey(kind: IncidentKind, detail: Pick<Incident['detail'], 'url' | 'socketId'>): string | undefined {
  if (KEYED_BY_REQUEST.has(kind)) return detail.url;
  if (KEYED_BY_SOCKET.has(kind)) return detail.socketId;
  return undefined;
}

/** What to open (or fold into the open incident of the same cause). */
export interface IncidentSpec {
  kind: IncidentKind;
  /** Used only when a new incident is opened. */
  summary: string;
  /**
   * For kinds in {@link KEYED_BY_REQUEST}, `detail.url` must be the request key; for kinds in
   * {@link KEYED_BY_SOCKET}, `detail.socketId` the socket.
   */
  detail: Omit<Incident['detail'], 'count'>;
  /** Steps a new incident starts with (e.g. a refresh already in flight). */
  steps?: RecoveryStep[];
}

/** True while the incident has not been resolved. */
export function isOpen(incident: Incident): boolean {
  return incident.resolvedAt === undefined;
}

/**
 * The open incident of a cause, if any.
 * @param key the {@link causeKey}: request key or socket id; compared only for keyed kinds
 */
export function findOpen(incidents: readonly Incident[], kind: IncidentKind, key?: string): Incident | undefined {
  const keyed = KEYED_BY_REQUEST.has(kind) || KEYED_BY_SOCKET.has(kind);
  return incidents.find((i) => i.kind === kind && isOpen(i) && (!keyed || causeKey(kind, i.detail) === key));
}

/** The last step of an incident, if any. */
export function lastStep(incident: Incident): RecoveryStep | undefined {
  return incident.steps[incident.steps.length - 1];
}

/** Appends a step, keeping at most {@link MAX_STEPS_PER_INCIDENT} (the newest). */
export function withStep(incident: Incident, step: RecoveryStep): Incident {
  const steps = [...incident.steps, step];
  return { ...incident, steps: steps.length > MAX_STEPS_PER_INCIDENT ? steps.slice(-MAX_STEPS_PER_INCIDENT) : steps };
}

/**
 * Settles the newest `pending` step of `action` with `outcome` (its `at` stays the start time),
 * or appends a settled step at `at` when none is pending.
 */
export function withSettledStep(
  incident: Incident,
  action: RecoveryStep['action'],
  outcome: 'ok' | 'failed',
  at: number,
  detail?: string,
): Incident {
  for (let i = incident.steps.length - 1; i >= 0; i--) {
    const step = incident.steps[i];
    if (step && step.action === action && step.outcome === 'pending') {
      const settled: RecoveryStep = { ...step, outcome, ...(detail === undefined ? {} : { detail }) };
      return { ...incident, steps: incident.steps.map((s, j) => (j === i ? settled : s)) };
    }
  }
  return withStep(incident, { at, action, outcome, ...(detail === undefined ? {} : { detail }) });
}

/** The incident marked resolved at `at`, with the step that explains why appended. */
export function resolved(incident: Incident, at: number, step: RecoveryStep): Incident {
  return { ...withStep(incident, step), resolvedAt: at };
}

/** Replaces the incident with the same id. */
export function replaceIncident(state: SessionState, next: Incident): SessionState {
  return { ...state, incidents: state.incidents.map((i) => (i.id === next.id ? next : i)) };
}

/**
 * Opens an incident for the cause, or folds this observation into the open one: `count` + 1,
 * `lastSeenAt` = `at`, and a newer `retryAfter` replaces the older one. A new incident gets id
 * `${tabId}:${nextIncidentSeq}`, goes first in the list, and the list is capped with
 * {@link capIncidents}.
 */
export function raiseIncident(state: SessionState, spec: IncidentSpec, at: number): SessionState {
  const open = findOpen(state.incidents, spec.kind, causeKey(spec.kind, spec.detail));
  if (open) {
    const detail: Incident['detail'] = { ...open.detail, count: (open.detail.count ?? 1) + 1 };
    if (spec.detail.retryAfter !== undefined) detail.retryAfter = spec.detail.retryAfter;
    return replaceIncident(state, { ...open, lastSeenAt: at, detail });
  }
  const incident: Incident = {
    id: `${state.tabId}:${state.nextIncidentSeq}`,
    tabId: state.tabId,
    kind: spec.kind,
    openedAt: at,
    lastSeenAt: at,
    summary: spec.summary,
    detail: { ...spec.detail, count: 1 },
    steps: spec.steps ? spec.steps.slice(-MAX_STEPS_PER_INCIDENT) : [],
  };
  return {
    ...state,
    incidents: capIncidents([incident, ...state.incidents]),
    nextIncidentSeq: state.nextIncidentSeq + 1,
  };
}

/**
 * Keeps at most {@link MAX_INCIDENTS_IN_STATE}, dropping resolved incidents before open ones
 * and older before newer, so an incident that still drives health is the last to go. Order
 * (newest first) is preserved. Dropped incidents live on in the event store.
 */
export function capIncidents(incidents: Incident[]): Incident[] {
  let excess = incidents.length - MAX_INCIDENTS_IN_STATE;
  if (excess <= 0) return incidents;
  const drop = new Set<number>();
  for (let i = incidents.length - 1; i >= 0 && excess > 0; i--) {
    const incident = incidents[i];
    if (incident && !isOpen(incident)) {
      drop.add(i);
      excess--;
    }
  }
  for (let i = incidents.length - 1; i >= 0 && excess > 0; i--) {
    if (!drop.has(i)) {
      drop.add(i);
      excess--;
    }
  }
  return incidents.filter((_, i) => !drop.has(i));
}
