/**
 * Health of a session, derived from its views and open incidents at a given time, with one
 * plain sentence for the agent: what is wrong and what is being done about it.
 *
 * The first matching rule wins, worst level first:
 *
 * | health     | when |
 * |------------|------|
 * | down       | abnormal close not reopened for longer than `reconnectGraceMs`; a silent socket still open more than `reconnectGraceMs` after rung 3 asked to close it; open unauthorized incident whose last step failed (refresh failed, retry failed, or no refresh within the grace); open ice-failed; open permission-lost while the permission is not granted |
 * | recovering | abnormal close within its grace; a silent socket still open (signalling-stalled: no call can arrive, rung 3 is on it); any other open unauthorized incident (refresh pending, token obtained and awaiting confirmation, or just seen); a token refresh in flight; open permission-lost once the permission is granted again (a capture must confirm) |
 * | degraded   | ICE or connection `disconnected`; open rate-limited / request-timeout / server-error; open track-ended; poor call quality (`call-quality.ts`) |
 * | healthy    | none of the above |
 *
 * A socket silent for longer than `heartbeatTimeoutMs` is no longer a mere "degraded": it
 * opens a signalling-stalled incident (src/recovery/stall-incidents.ts), because a socket that
 * hears nothing brings no call in.
 */
import type { Health, Incident, IncidentKind, SessionState } from './types';
import { HEALTH_ORDER } from './types';
import { isOpen, lastStep } from './incidents';
import { poorQuality } from './call-quality';
import { shownPath } from './request-path';
import { microphoneHealth } from '../recovery/media-incidents';
import { openSocket, silenceMs } from '../recovery/stall-incidents';

/** Health with the sentence that explains it. */
export interface HealthAssessment {
  health: Health;
  reason: string;
}

/** Thresholds the assessment needs, ms (from `config.watchdog`). */
export interface HealthThresholds {
  reconnectGraceMs: number;
  heartbeatTimeoutMs: number;
}

/** "4 s", "3 min", "2 h": whole units, rounded down; negative ages (clock skew) read as 0 s. */
export function formatAge(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

function newestOpen(state: SessionState, kind: IncidentKind): Incident | undefined {
  return state.incidents.find((i) => i.kind === kind && isOpen(i));
}

function closeCode(incident: Incident): string {
  return incident.detail.code === undefined ? '' : ` (${incident.detail.code})`;
}

/** The newest open signalling-stalled incident whose socket is still open, with that socket's silence, ms. */
function liveStall(state: SessionState, at: number): { incident: Incident; silentMs: number } | undefined {
  for (const incident of state.incidents) {
    if (incident.kind !== 'signalling-stalled' || !isOpen(incident)) continue;
    const socket = openSocket(state, incident.detail.socketId ?? '');
    if (socket) return { incident, silentMs: silenceMs(socket, at) };
  }
  return undefined;
}

/** When rung 3 asked to close the stalled socket, epoch ms, if it did. */
function closeAskedAt(incident: Incident): number | undefined {
  return incident.steps.find((s) => s.action === 'stall-close')?.at;
}

function down(state: SessionState, at: number, t: HealthThresholds): string | undefined {
  const close = newestOpen(state, 'abnormal-close');
  if (close && at - close.openedAt > t.reconnectGraceMs) {
    if (close.detail.closedBy === 'stall') {
      return `Closed the silent signalling socket ${formatAge(at - close.openedAt)} ago and the softphone has not reconnected; escalating recovery.`;
    }
    return `Signalling dropped${closeCode(close)} ${formatAge(at - close.openedAt)} ago and the softphone has not reconnected; escalating recovery.`;
  }
  const stall = liveStall(state, at);
  const asked = stall && closeAskedAt(stall.incident);
  if (stall && asked !== undefined && at - asked > t.reconnectGraceMs) {
    return `Nothing received on the signalling socket for ${formatAge(stall.silentMs)}, and closing it did not help; calls cannot arrive.`;
  }
  const unauthorized = newestOpen(state, 'unauthorized');
  const last = unauthorized && lastStep(unauthorized);
  if (last?.outcome === 'failed') {
    if (state.auth.signInRequired) {
      return 'Sign-in needed: the softphone session expired and could not be renewed silently. Sign in again in the softphone tab.';
    }
    if (last.action === 'token-refresh') return 'Token rejected and getting a fresh one failed; escalating recovery.';
    if (last.action === 'request-retry') return 'Token rejected again after a retry; escalating recovery.';
    return 'Token rejected and no fresh token arrived; escalating recovery.';
  }
  if (newestOpen(state, 'ice-failed')) {
    return 'Call audio connection failed; waiting for the softphone to reconnect it.';
  }
  const mic = microphoneHealth(state);
  if (mic?.level === 'down') return mic.reason;
  return undefined;
}

function recovering(state: SessionState, at: number, t: HealthThresholds): string | undefined {
  const close = newestOpen(state, 'abnormal-close');
  if (close) {
    if (close.detail.closedBy === 'stall') {
      return `Closed the silent signalling socket ${formatAge(at - close.openedAt)} ago; waiting for the softphone to reconnect.`;
    }
    return `Signalling dropped${closeCode(close)} ${formatAge(at - close.openedAt)} ago; waiting for the softphone to reconnect.`;
  }
  const stall = liveStall(state, at);
  if (stall) {
    const silent = formatAge(stall.silentMs);
    if (closeAskedAt(stall.incident) !== undefined) {
      return `Nothing received on the signalling socket for ${silent}; closing it so the softphone reconnects.`;
    }
    const left = t.reconnectGraceMs - (at - stall.incident.openedAt);
    return left > 0
      ? `Nothing received on the signalling socket for ${silent} although it is open, so calls cannot arrive; closing it in ${formatAge(left + 999)} unless a message comes.`
      : `Nothing received on the signalling socket for ${silent} although it is open, so calls cannot arrive; closing it so the softphone reconnects.`;
  }
  const unauthorized = newestOpen(state, 'unauthorized');
  if (unauthorized) {
    const last = lastStep(unauthorized);
    if (last?.outcome === 'ok') return 'Fresh token obtained; waiting for the next request to confirm it.';
    return 'Token rejected; fetching a fresh one.';
  }
  if (state.refreshInFlight) return 'Refreshing the sign-in token.';
  const mic = microphoneHealth(state);
  if (mic?.level === 'recovering') return mic.reason;
  return undefined;
}

/** The retries of an HTTP incident are over and the last one failed (none pending). */
function retriesFailed(incident: Incident): boolean {
  const steps = incident.steps.filter((s) => s.action === 'request-retry');
  const last = steps[steps.length - 1];
  return last?.outcome === 'failed' && !steps.some((s) => s.outcome === 'pending');
}

function httpReason(incident: Incident): string {
  const path = incident.detail.url === undefined ? 'a request' : shownPath(incident.detail.url);
  const failed = retriesFailed(incident);
  switch (incident.kind) {
    case 'rate-limited':
      return failed
        ? `The server is rate-limiting ${path} (429); the retries failed too.`
        : `The server is rate-limiting ${path} (429); requests are retried after its Retry-After.`;
    case 'request-timeout':
      return failed
        ? `Requests to ${path} timed out (408); the retries failed too.`
        : `Requests to ${path} are timing out (408); retrying with backoff.`;
    default: {
      const what =
        incident.detail.status === 0 ? `Network errors reaching ${path}` : `Server errors on ${path} (${incident.detail.status ?? '5xx'})`;
      return failed ? `${what}; the retries failed too.` : `${what}; retrying with backoff.`;
    }
  }
}

function degraded(state: SessionState): string | undefined {
  const { iceConnectionState: ice, connectionState: conn } = state.media;
  if (ice === 'disconnected' || conn === 'disconnected') {
    return 'Call audio connection interrupted; waiting for it to come back.';
  }
  const http = state.incidents.find(
    (i) => isOpen(i) && (i.kind === 'rate-limited' || i.kind === 'request-timeout' || i.kind === 'server-error'),
  );
  if (http) return httpReason(http);
  const mic = microphoneHealth(state);
  if (mic?.level === 'degraded') return mic.reason;
  const poor = poorQuality(state.media);
  if (poor.length > 0) return `Poor call quality (${poor.join(', ')}); the network path is the cause, monitoring.`;
  return undefined;
}

function healthy(state: SessionState, at: number): string {
  const { openSockets, lastMessageAt, lastOpenAt, state: signalling } = state.signalling;
  if (openSockets > 0) {
    // A message older than the latest open came over a previous socket: not this one's heartbeat.
    return lastMessageAt === undefined || (lastOpenAt !== undefined && lastMessageAt < lastOpenAt)
      ? 'All good: signalling open.'
      : `All good: signalling open, heartbeat ${formatAge(at - lastMessageAt)} ago.`;
  }
  return signalling === 'none' ? 'All good: waiting for the softphone to connect.' : 'All good: signalling closed normally.';
}

/**
 * Health and its sentence for `state` at time `at`. Pure; never throws.
 * @param at now, epoch ms (the time of the event being reduced, never the wall clock)
 */
export function assessHealth(state: SessionState, at: number, thresholds: HealthThresholds): HealthAssessment {
  const d = down(state, at, thresholds);
  if (d !== undefined) return { health: 'down', reason: d };
  const r = recovering(state, at, thresholds);
  if (r !== undefined) return { health: 'recovering', reason: r };
  const g = degraded(state);
  if (g !== undefined) return { health: 'degraded', reason: g };
  return { health: 'healthy', reason: healthy(state, at) };
}

/**
 * The worst of several healths by {@link HEALTH_ORDER} (healthy < degraded < recovering < down),
 * e.g. for the toolbar badge across sessions; `null` for an empty list.
 */
export function worstHealth(healths: readonly Health[]): Health | null {
  let worst: Health | null = null;
  for (const h of healths) {
    if (worst === null || HEALTH_ORDER.indexOf(h) > HEALTH_ORDER.indexOf(worst)) worst = h;
  }
  return worst;
}
