/**
 * Incidents and recovery steps as sentences: what went wrong, when, whether it is over, and
 * what the extension did about it ("Fetched a fresh token — ok", "Retried the request — page
 * saw success").
 */
import type { ProfileName } from '../policy/schema';
import type { Incident, RecoveryStep } from '../session/types';
import { formatCount } from './number';
import type { FormatStrings } from './strings';
import { formatDuration, formatRelative } from './time';

/** One recovery step, ready to show. */
export interface StepView {
  /** `"Fetched a fresh token — ok"`. */
  text: string;
  /** The step's own detail sentence from the worker, when it has one. */
  detail?: string;
  outcome: RecoveryStep['outcome'];
  /** Time from the incident opening to the step: `"after 1 s"`. */
  after: string;
  at: number;
}

/** One incident, ready to show. */
export interface IncidentView {
  id: string;
  summary: string;
  /** Epoch ms the incident opened (for a machine-readable `<time>`). */
  at: number;
  /** `"2 min ago"`. */
  when: string;
  status: 'open' | 'resolved';
  /** `"Open"` or `"Resolved"`. */
  statusLabel: string;
  /** `"Resolved after 4 s"` or `"Open for 12 s"`. */
  statusText: string;
  /** `"Seen 3 times"` when the incident folded several observations. */
  repeated?: string;
  /**
   * Why no fresh token is coming, on a platform where the extension cannot fetch one: set for
   * an `unauthorized` incident or one with a safe-reload step when {@link incidentView} is told so.
   */
  note?: string;
  steps: StepView[];
}

/**
 * A recovery step as one sentence: `"Fetched a fresh token — ok"`,
 * `"Retried the request — page saw success"`. A step's `detail` follows after ` · `.
 */
export function describeStep(step: RecoveryStep, t: FormatStrings): string {
  const sentence = stepSentence(step, t);
  return step.detail ? `${sentence} · ${step.detail}` : sentence;
}

function stepSentence(step: RecoveryStep, t: FormatStrings): string {
  const action = t.step.action[step.action] ?? step.action;
  const outcome = t.step.outcome[step.action]?.[step.outcome] ?? step.outcome;
  return t.step.sentence(action, outcome);
}

/**
 * An incident for display. The incident's own `summary` (a sentence from the reducer) is
 * used as is; when it is empty the kind's label stands in.
 * @param now epoch ms of the present, for `when` and for how long an open incident has lasted
 * @param cannotRefresh the profile in force when the extension cannot fetch a token there
 *   (`StateResponse.cannotRefresh`); absent: it can
 */
export function incidentView(incident: Incident, now: number, t: FormatStrings, cannotRefresh?: ProfileName): IncidentView {
  const { resolvedAt } = incident;
  const resolved = resolvedAt !== undefined;
  const statusText = resolved
    ? t.incident.resolvedAfter(formatDuration(Math.max(0, resolvedAt - incident.openedAt), t))
    : t.incident.openFor(formatDuration(Math.max(0, now - incident.openedAt), t));
  const count = incident.detail?.count;
  const view: IncidentView = {
    id: incident.id,
    summary: incident.summary || (t.incident.kind[incident.kind] ?? incident.kind),
    at: incident.openedAt,
    when: formatRelative(incident.openedAt, now, t),
    status: resolved ? 'resolved' : 'open',
    statusLabel: resolved ? t.incident.resolved : t.incident.open,
    statusText,
    steps: (incident.steps ?? []).map((step) => {
      const shown: StepView = {
        text: stepSentence(step, t),
        outcome: step.outcome,
        after: t.step.after(formatDuration(Math.max(0, step.at - incident.openedAt), t)),
        at: step.at,
      };
      if (step.detail) shown.detail = step.detail;
      return shown;
    }),
  };
  if (count !== undefined && count > 1) view.repeated = t.incident.repeated(formatCount(count, t));
  const tokenRelated = incident.kind === 'unauthorized' || (incident.steps ?? []).some((s) => s.action === 'safe-reload');
  if (cannotRefresh !== undefined && tokenRelated) view.note = t.incident.noRefresh[cannotRefresh];
  return view;
}

/**
 * Incidents newest first (by `openedAt`; ties keep their order). Does not mutate.
 */
export function newestFirst<I extends Pick<Incident, 'openedAt'>>(incidents: readonly I[]): I[] {
  return incidents
    .map((incident, i) => ({ incident, i }))
    .sort((a, b) => b.incident.openedAt - a.incident.openedAt || a.i - b.i)
    .map((x) => x.incident);
}
