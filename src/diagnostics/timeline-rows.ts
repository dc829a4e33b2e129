/**
 * Stored events and incidents as timeline lines a support engineer can read: "WebSocket
 * closed: 1006 Abnormal closure · reason: none · abnormal", "HTTP 401 Unauthorized: GET
 * /api/v2/communications/webRTC · hidden from the page", "Fetched a fresh token — ok".
 *
 * Input is whatever the event store holds (`StoredEvent`: the observation or worker event
 * without `type`/`at`, in `data`), possibly written by an older version: every field is read
 * defensively and a line is produced for anything, unknown types included. Nothing here throws.
 *
 * Event shapes: `src/protocol/page.ts` (observations) and `WorkerEvent` in
 * `src/session/types.ts`; close codes: RFC 6455 §7.4.1 and the IANA WebSocket Close Code
 * Number registry; status phrases: RFC 9110 §15.
 */
import type { StoredEvent } from '../protocol/ui';
import type { Incident } from '../session/types';
import { describeStep } from '../format/incident';
import { formatCount } from '../format/number';
import { displayJitter, displayLoss, displayMos, displayRtt } from '../format/quality';
import { formatClock, formatDuration } from '../format/time';
import { pathOf } from '../format/url';
import type { TimelineStrings } from './timeline-strings';
import type { TimelineCategory, TimelineRow, TimelineSeverity } from './timeline-types';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function row(
  key: string,
  at: number,
  category: TimelineCategory,
  severity: TimelineSeverity,
  title: string,
  details: ReadonlyArray<string | undefined | false>,
  t: TimelineStrings,
  raw: Record<string, unknown>,
  seq?: number,
): TimelineRow {
  const detail = details.filter((d): d is string => typeof d === 'string' && d.length > 0).join(t.separator);
  const out: TimelineRow = { key, at, category, severity, title, detail, raw };
  if (seq !== undefined) out.seq = seq;
  return out;
}

function closeMeaning(code: number, t: TimelineStrings): string {
  return t.signalling.codeMeaning[code] ?? t.signalling.unknownCode;
}

function statusText(status: number, t: TimelineStrings): string {
  return t.http.statusText[status] ?? '';
}

function httpSeverity(status: number): TimelineSeverity {
  if (status === 0 || status >= 500) return 'error';
  if (status >= 400) return 'warning';
  return 'info';
}

/**
 * One stored event as a timeline line.
 * @param timeZone IANA zone for clock times inside the text (token expiry); absent: the runtime's
 * @returns always a line; unknown or malformed events become category `other`
 */
export function eventRow(event: StoredEvent, t: TimelineStrings, timeZone?: string): TimelineRow {
  const d = event.data ?? {};
  const at = num(event.at) ?? 0;
  const seq = num(event.seq);
  const key = seq === undefined ? `e:${at}:${event.type}` : `e:${seq}`;
  const raw: Record<string, unknown> = { type: event.type, at, ...d };
  const make = (category: TimelineCategory, severity: TimelineSeverity, title: string, details: Array<string | undefined | false>) =>
    row(key, at, category, severity, title, details, t, raw, seq);
  const f = t.format;
  const path = (v: unknown): string => pathOf(str(v) ?? '');

  switch (event.type) {
    case 'hello':
      return make('session', 'info', t.session.hello, [
        str(d.href) && path(d.href),
        str(d.probeVersion) && t.session.probeVersion(str(d.probeVersion)!),
      ]);
    case 'identity': {
      const userId = str(d.userId) ?? '';
      return make('session', 'info', t.session.identity(str(d.name) ?? userId, userId), [str(d.orgId) && f.org(str(d.orgId)!)]);
    }
    case 'org-switch':
      return make(
        'session',
        'warning',
        t.session.orgSwitch(str(d.fromOrgId) || f.orgSwitch.unnamed, str(d.toOrgId) || f.orgSwitch.unnamed),
        [t.session.orgSwitchClosed(num(d.closedSockets) ?? 0, num(d.closedPeerConnections) ?? 0)],
      );
    case 'ws-open':
      return make('signalling', 'info', t.signalling.open(path(d.url)), [str(d.protocol) && t.signalling.protocol(str(d.protocol)!)]);
    case 'ws-close': {
      const code = num(d.code) ?? 0;
      const clean = d.wasClean === true;
      const reason = str(d.reason);
      const by = str(d.closedBy);
      return make('signalling', clean ? 'info' : 'error', t.signalling.close(code, closeMeaning(code, t)), [
        reason ? t.signalling.reason(reason) : t.signalling.noReason,
        clean ? t.signalling.clean : t.signalling.abnormal,
        (by === 'stall' || by === 'org-switch') && t.signalling.closedBy[by],
        str(d.url) && path(d.url),
      ]);
    }
    case 'stall-close-requested':
      return make('signalling', 'warning', t.signalling.stallClose(formatDuration((num(d.silentSeconds) ?? 0) * 1000, f)), []);
    case 'http': {
      const status = num(d.status) ?? 0;
      const method = str(d.method) ?? 'GET';
      const p = path(d.url);
      let title: string;
      if (status === 0) title = t.http.networkError(method, p);
      else if (status >= 400) title = t.http.failure(status, statusText(status, t), method, p);
      else title = t.http.ok(status, method, p);
      const retryAfter = str(d.retryAfter);
      // The webRequest observer cannot time a request (it sees only its end): its 0 means unknown.
      const duration = d.transport === 'webrequest' ? undefined : num(d.durationMs);
      return make(status === 401 ? 'auth' : 'http', httpSeverity(status), title, [
        retryAfter !== undefined && t.http.retryAfter(retryAfter),
        d.hiddenFromPage === true && t.http.hiddenFromPage,
        d.retryGivenUp === 'wait-too-long' && t.http.waitTooLong,
        str(d.error) && t.http.error(str(d.error)!),
        duration !== undefined && t.http.took(formatDuration(duration, f)),
        str(d.transport) && t.http.transport(str(d.transport)!),
      ]);
    }
    case 'http-retry': {
      const why = d.reason === 'unauthorized' || d.reason === 'backoff' ? t.http.retryWhy[d.reason] : '';
      const ok = d.outcome === 'recovered';
      const duration = num(d.durationMs);
      return make('recovery', ok ? 'info' : 'warning', t.http.retry(str(d.method) ?? 'GET', path(d.url), why, num(d.status) ?? 0), [
        t.http.retryOutcome[ok ? 'recovered' : 'failed'],
        duration !== undefined && t.http.took(formatDuration(duration, f)),
      ]);
    }
    case 'token-needed':
      return make('auth', 'warning', t.auth.tokenNeeded(path(d.url)), []);
    case 'ws-auth-refused': {
      const via = d.via === 'sasl-failure' || d.via === 'message' || d.via === 'close' || d.via === 'upgrade' ? d.via : 'message';
      return make('auth', 'warning', t.auth.socketRefused(path(d.url), via), [str(d.reason)]);
    }
    case 'refresh-started':
      return make('recovery', 'info', t.auth.refreshStarted, []);
    case 'refresh-succeeded': {
      const expiresAt = num(d.expiresAt);
      return make('recovery', 'info', t.auth.refreshSucceeded, [
        expiresAt !== undefined && t.auth.expires(formatClock(expiresAt, at, f, timeZone)),
      ]);
    }
    case 'refresh-failed':
      return make('recovery', 'error', t.auth.refreshFailed(str(d.error) ?? ''), [d.signInRequired === true && t.auth.signInRequired]);
    case 'refresh-ahead': {
      const ok = d.outcome === 'ok';
      return make('recovery', ok ? 'info' : 'warning', t.auth.refreshAhead(str(d.note) ?? '', t.auth.outcome[ok ? 'ok' : 'failed']), [
        str(d.error) && t.http.error(str(d.error)!),
      ]);
    }
    case 'pc-state': {
      const ice = str(d.iceConnectionState) ?? '';
      const conn = str(d.connectionState) ?? '';
      const bad = ice === 'failed' || conn === 'failed';
      const shaky = ice === 'disconnected' || conn === 'disconnected';
      return make('media', bad ? 'error' : shaky ? 'warning' : 'info', t.media.pcState(ice, conn, str(d.signalingState) ?? ''), [
        str(d.pcId),
      ]);
    }
    case 'pc-stats': {
      const shown = [
        [f.media.rtt, displayRtt(num(d.rttMs), f)],
        [f.media.jitter, displayJitter(num(d.jitterMs), f)],
        [f.media.loss, displayLoss(num(d.packetLossPct), f)],
        [f.media.mos, displayMos(num(d.mos), f)],
      ] as const;
      const warnings = shown.filter(([, v]) => v.warn).map(([label, v]) => `${label}: ${v.warn!}`);
      return make(
        'quality',
        warnings.length > 0 ? 'warning' : 'info',
        t.media.stats(shown[0][1].value, shown[1][1].value, shown[2][1].value, shown[3][1].value),
        [...warnings, str(d.pcId)],
      );
    }
    case 'media-permission': {
      const state = str(d.state);
      const label = state === 'granted' || state === 'denied' || state === 'prompt' ? t.device.permissionState[state] : (state ?? '');
      return make('device', state === 'denied' ? 'error' : 'info', t.device.permission(label), []);
    }
    case 'gum':
      return d.ok === true
        ? make('device', 'info', t.device.gumOk, [])
        : make('device', 'error', t.device.gumFailed(str(d.errorName) ?? ''), []);
    case 'track-ended':
      return make('device', 'warning', t.device.trackEnded(str(d.kind) ?? 'audio'), []);
    case 'media-reacquired':
      return make(
        'recovery',
        d.ok === true ? 'info' : 'error',
        t.recovery.mediaReacquired(d.ok === true, num(d.audioInputs) ?? 0, str(d.errorName), num(d.reattached) ?? 0),
        [],
      );
    case 'media-reacquire':
      return make('recovery', 'info', t.recovery.mediaReacquireAsked, []);
    case 'extension-update': {
      const phase = str(d.phase);
      if (
        phase !== 'deferred' &&
        phase !== 'applying' &&
        phase !== 'reattached' &&
        phase !== 'reattach-failed' &&
        phase !== 'reattach-skipped'
      ) {
        return make('other', 'info', t.unknown(event.type), [compact(d)]);
      }
      const level = phase === 'reattach-failed' || phase === 'reattach-skipped' ? 'warning' : 'info';
      return make('recovery', level, t.recovery.extensionUpdate(phase, str(d.version) ?? ''), []);
    }
    case 'mic-grant': {
      const outcome = str(d.outcome);
      const known = outcome !== undefined && outcome in t.recovery.micGrant;
      const title = known ? t.recovery.micGrant[outcome as keyof TimelineStrings['recovery']['micGrant']] : t.unknown(event.type);
      return make('recovery', outcome === 'ok' || outcome === 'pending' ? 'info' : 'warning', title, [str(d.detail)]);
    }
    case 'safe-reload':
      return make('recovery', 'warning', t.recovery.safeReload(causeText(d.cause, t)), []);
    case 'reload-deferred': {
      const reason = str(d.reason);
      const why =
        reason === 'call-active' || reason === 'hourly-limit' || reason === 'disabled' ? t.recovery.deferReason[reason] : (reason ?? '');
      return make('recovery', 'warning', t.recovery.reloadDeferred(why, causeText(d.cause, t)), []);
    }
    default:
      return make('other', 'info', t.unknown(String(event.type)), [compact(d)]);
  }
}

function causeText(cause: unknown, t: TimelineStrings): string {
  return cause === 'signalling-not-recovered' || cause === 'token-not-recovered' || cause === 'request-not-recovered'
    ? t.recovery.reloadCause[cause]
    : String(cause ?? '');
}

/** A short one-line rendering of unknown data, at most 200 characters. */
function compact(data: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify(data) ?? '';
  } catch {
    text = '';
  }
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * An incident as timeline lines: the line for its opening (`category: 'incident'`) and one
 * line per recovery step (`category: 'recovery'`, worded by `src/format/incident.ts`
 * `describeStep`: "Fetched a fresh token — ok", "Retried the request — page saw success").
 */
export function incidentRows(incident: Incident, t: TimelineStrings): TimelineRow[] {
  const f = t.format;
  const summary = incident.summary || (f.incident.kind[incident.kind] ?? incident.kind);
  const d = incident.detail ?? {};
  const resolved = incident.resolvedAt !== undefined;
  const raw = incident as unknown as Record<string, unknown>;
  const opened = row(
    `i:${incident.id}`,
    incident.openedAt,
    'incident',
    resolved ? 'warning' : 'error',
    t.incident.opened(summary),
    [
      f.incident.kind[incident.kind],
      d.code !== undefined && t.incident.code(d.code),
      d.status !== undefined && t.incident.status(d.status),
      d.url !== undefined && pathOf(d.url),
      d.reason !== undefined && d.reason !== '' && t.signalling.reason(d.reason),
      d.retryAfter !== undefined && t.http.retryAfter(d.retryAfter),
      d.count !== undefined && d.count > 1 && f.incident.repeated(formatCount(d.count, f)),
      resolved ? f.incident.resolvedAfter(formatDuration(Math.max(0, incident.resolvedAt! - incident.openedAt), f)) : f.incident.open,
    ],
    t,
    raw,
  );
  const steps = (incident.steps ?? []).map((step, n) =>
    row(
      `i:${incident.id}:${n}`,
      step.at,
      'recovery',
      step.outcome === 'failed' ? 'error' : 'info',
      t.recovery.step(describeStep(step, f)),
      [f.step.after(formatDuration(Math.max(0, step.at - incident.openedAt), f)), t.recovery.forIncident(summary)],
      t,
      { incident: incident.id, ...step },
    ),
  );
  return [opened, ...steps];
}
