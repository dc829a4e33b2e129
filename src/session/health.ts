/**
 * Health of a session, derived from its views and open incidents at a given time, with one
 * plain sentence for the agent: what is wrong and what is being done about it.
 *
 * The first matching rule wins, worst level first:
 *
 * | health     | when |
 * |------------|------|
 * | down       | abnormal close not reopened for longer than `reconnectGraceMs`; open unauthorized incident whose last step failed (refresh failed, retry failed, or no refresh within the grace); open ice-failed; open permission-lost while the permission is not granted |
 * | recovering | abnormal close within its grace; any other open unauthorized incident (refresh pending, token obtained and awaiting confirmation, or just seen); a token refresh in flight; open permission-lost once the permission is granted again (a capture must confirm) |
 * | degraded   | heartbeat stale (sockets open, nothing received for longer than `heartbeatTimeoutMs`); ICE or connection `disconnected`; open rate-limited / request-timeout / server-error; open track-ended; poor call quality (`call-quality.ts`) |
 * | healthy    | none of the above |
 */
import type { Health, Incident, IncidentKind, SessionState } from './types';
import { HEALTH_ORDER } from './types';
import { isOpen, lastStep } from './incidents';
import { poorQuality } from './call-quality';
import { shownPath } from './request-path';
import { microphoneHealth } from '../recovery/media-incidents';

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

function down(state: SessionState, at: number, t: HealthThresholds): string | undefined {
  const close = newestOpen(state, 'abnormal-close');
  if (close && at - close.openedAt > t.reconnectGraceMs) {
    return `Signalling dropped${closeCode(close)} ${formatAge(at - close.openedAt)} ago and the softphone has not reconnected; escalating recovery.`;
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

function recovering(state: SessionState, at: number): string | undefined {
  const close = newestOpen(state, 'abnormal-close');
  if (close) {
    return `Signalling dropped${closeCode(close)} ${formatAge(at - close.openedAt)} ago; waiting for the softphone to reconnect.`;
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

function httpReason(incident: Incident): string {
  const path = incident.detail.url === undefined ? 'a request' : shownPath(incident.detail.url);
  switch (incident.kind) {
    case 'rate-limited':
      return `The server is rate-limiting ${path} (429); requests are retried after its Retry-After.`;
    case 'request-timeout':
      return `Requests to ${path} are timing out (408); retrying with backoff.`;
    default:
      return incident.detail.status === 0
        ? `Network errors reaching ${path}; retrying with backoff.`
        : `Server errors on ${path} (${incident.detail.status ?? '5xx'}); retrying with backoff.`;
  }
}

function heartbeatAge(state: SessionState, at: number): number | undefined {
  const { lastMessageAt, lastOpenAt } = state.signalling;
  if (lastMessageAt === undefined && lastOpenAt === undefined) return undefined;
  // A socket that just opened has had no chance to hear anything: count from the later of the two.
  return at - Math.max(lastMessageAt ?? -Infinity, lastOpenAt ?? -Infinity);
}

function degraded(state: SessionState, at: number, t: HealthThresholds): string | undefined {
  const age = heartbeatAge(state, at);
  if (state.signalling.openSockets > 0 && age !== undefined && age > t.heartbeatTimeoutMs) {
    return `Nothing received from the signalling server for ${formatAge(age)}; watching for a reconnect.`;
  }
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
  return signalling === 'none'
    ? 'All good: waiting for the softphone to connect.'
    : 'All good: signalling closed normally.';
}

/**
 * Health and its sentence for `state` at time `at`. Pure; never throws.
 * @param at now, epoch ms (the time of the event being reduced, never the wall clock)
 */
export function assessHealth(state: SessionState, at: number, thresholds: HealthThresholds): HealthAssessment {
  const d = down(state, at, thresholds);
  if (d !== undefined) return { health: 'down', reason: d };
  const r = recovering(state, at);
  if (r !== undefined) return { health: 'recovering', reason: r };
  const g = degraded(state, at, thresholds);
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
