/**
 * Incidents and their recovery steps as OpenTelemetry log records (OTLP logs data model,
 * https://opentelemetry.io/docs/specs/otel/logs/data-model/). Pure: the worker diffs each new
 * session state against a {@link LogCursor} (what was already turned into records) and gets
 * back only the records still missing, so a record is produced once per change even when the
 * worker restarted in between (the cursor is persisted with the outbox).
 *
 * Three events per incident, in this order:
 * - `softphone_guard.incident.opened` at `openedAt` — body: the incident's one-line summary;
 * - `softphone_guard.recovery.step` at the step's `at`, once per step and again when its
 *   outcome changes (`pending` → `ok`/`failed`);
 * - `softphone_guard.incident.resolved` at `resolvedAt`.
 *
 * Everything leaves through the redaction choke point (`redactForStorage`: secrets, caller
 * data, URLs minimised); a URL is sent as `url.path` template, `url.scheme` and
 * `server.address`, never as `url.full`. The agent's display name is not exported, only the
 * user and organisation ids.
 */
import type { Incident, IncidentKind, RecoveryStep, SessionState } from '../session/types';
import { redactForStorage } from '../redact/redact';
import { serverAddress, urlPathTemplate } from '../redact/url-minimise';
import { sessionAttributes } from './session-attributes';
import type { TelemetryAttributes } from './session-attributes';

/** OpenTelemetry SeverityNumber values used here (logs data model, "Field: SeverityNumber"). */
export const SEVERITY = { INFO: 9, WARN: 13, ERROR: 17 } as const;
export type SeverityText = keyof typeof SEVERITY;

/** Event names (the log record's `EventName` field). */
export const EVENT_INCIDENT_OPENED = 'softphone_guard.incident.opened';
export const EVENT_RECOVERY_STEP = 'softphone_guard.recovery.step';
export const EVENT_INCIDENT_RESOLVED = 'softphone_guard.incident.resolved';

/** One log record to emit, before the SDK adds resource and scope. */
export interface TelemetryLogRecord {
  eventName: string;
  /** When it happened, epoch ms. */
  timestampMs: number;
  severityNumber: number;
  severityText: SeverityText;
  /** Redacted plain text. */
  body: string;
  attributes: TelemetryAttributes;
}

/** What was already emitted for one incident. */
export interface IncidentMark {
  /** Outcome last emitted per step key ({@link stepKeys}). */
  steps: Record<string, RecoveryStep['outcome']>;
  resolved: boolean;
}

/**
 * Per incident id, what was already emitted. Bounded by the session's own bounds: only
 * incidents still in the state are kept (at most 20 per session, 20 steps each).
 */
export type LogCursor = Record<string, IncidentMark>;

/** Severity of an incident's opening by kind: ERROR when calls cannot work, WARN otherwise. */
const OPEN_SEVERITY: Record<IncidentKind, SeverityText> = {
  'abnormal-close': 'WARN',
  'signalling-stalled': 'WARN',
  unauthorized: 'WARN',
  'rate-limited': 'WARN',
  'request-timeout': 'WARN',
  'server-error': 'ERROR',
  'ice-failed': 'ERROR',
  'permission-lost': 'ERROR',
  'track-ended': 'WARN',
};

/**
 * Stable keys of an incident's steps: `${at}:${action}:${n}`, `n` counting earlier steps with
 * the same time and action (steps have no id, and the oldest are dropped past 20, so an index
 * would shift).
 */
export function stepKeys(steps: readonly RecoveryStep[]): string[] {
  const seen = new Map<string, number>();
  return steps.map((s) => {
    const base = `${s.at}:${s.action}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return `${base}:${n}`;
  });
}

function incidentAttributes(session: SessionState, incident: Incident): TelemetryAttributes {
  const a: TelemetryAttributes = {
    ...sessionAttributes(session),
    'softphone_guard.incident.id': incident.id,
    'softphone_guard.incident.kind': incident.kind,
  };
  const d = incident.detail;
  if (d.code !== undefined) a['softphone_guard.websocket.close_code'] = d.code;
  if (d.status !== undefined) a['http.response.status_code'] = d.status;
  if (d.url) {
    // Never `url.full`: the path template and the host (semantic conventions `url.path`,
    // `url.scheme`, `server.address`), so no query value or record id leaves the machine.
    a['url.path'] = urlPathTemplate(d.url);
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(d.url)?.[1];
    if (scheme) a['url.scheme'] = scheme.toLowerCase();
    const host = serverAddress(d.url);
    if (host) a['server.address'] = host;
  }
  if (d.reason) a['softphone_guard.incident.reason'] = d.reason;
  if (d.retryAfter) a['softphone_guard.http.retry_after'] = d.retryAfter;
  if (d.count !== undefined) a['softphone_guard.incident.count'] = d.count;
  return a;
}

function stepRecord(base: TelemetryAttributes, step: RecoveryStep): TelemetryLogRecord {
  const attributes: TelemetryAttributes = {
    ...base,
    'softphone_guard.recovery.action': step.action,
    'softphone_guard.recovery.outcome': step.outcome,
  };
  if (step.detail) attributes['softphone_guard.recovery.detail'] = step.detail;
  const severity: SeverityText = step.outcome === 'failed' ? 'WARN' : 'INFO';
  return {
    eventName: EVENT_RECOVERY_STEP,
    timestampMs: step.at,
    severityNumber: SEVERITY[severity],
    severityText: severity,
    body: `Recovery step ${step.action}: ${step.outcome}${step.detail ? ` (${step.detail})` : ''}`,
    attributes,
  };
}

/**
 * The log records a session state calls for that `cursor` has not seen, oldest incident first,
 * and the cursor that marks them emitted (restricted to the incidents still in the state).
 * Redacted through `redactForStorage` (the one choke point) before they are returned.
 * @param cursor what was emitted for this tab so far (`{}` for a new tab)
 */
export function incidentLogRecords(session: SessionState, cursor: LogCursor): { records: TelemetryLogRecord[]; cursor: LogCursor } {
  const records: TelemetryLogRecord[] = [];
  const next: LogCursor = {};
  const incidents = [...session.incidents].sort((x, y) => x.openedAt - y.openedAt);
  for (const incident of incidents) {
    const before = cursor[incident.id];
    const mark: IncidentMark = { steps: { ...(before?.steps ?? {}) }, resolved: before?.resolved ?? false };
    const base = incidentAttributes(session, incident);
    if (!before) {
      const severity = OPEN_SEVERITY[incident.kind] ?? 'WARN';
      records.push({
        eventName: EVENT_INCIDENT_OPENED,
        timestampMs: incident.openedAt,
        severityNumber: SEVERITY[severity],
        severityText: severity,
        body: incident.summary,
        attributes: base,
      });
    }
    const keys = stepKeys(incident.steps);
    const kept: Record<string, RecoveryStep['outcome']> = {};
    incident.steps.forEach((step, i) => {
      const key = keys[i] as string;
      if (mark.steps[key] !== step.outcome) records.push(stepRecord(base, step));
      kept[key] = step.outcome;
    });
    mark.steps = kept;
    if (incident.resolvedAt !== undefined && !mark.resolved) {
      records.push({
        eventName: EVENT_INCIDENT_RESOLVED,
        timestampMs: incident.resolvedAt,
        severityNumber: SEVERITY.INFO,
        severityText: 'INFO',
        body: `Resolved: ${incident.summary}`,
        attributes: { ...base, 'softphone_guard.incident.duration': Math.max(0, incident.resolvedAt - incident.openedAt) },
      });
      mark.resolved = true;
    }
    next[incident.id] = mark;
  }
  return { records: redactForStorage(records) as TelemetryLogRecord[], cursor: next };
}
