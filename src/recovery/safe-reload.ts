/**
 * Rung 5 of the recovery ladder (docs/architecture.md §3): reload the softphone tab, but only when no
 * call is active, and at most `safeReload.maxPerHour` times per tab in any rolling hour.
 *
 * A call is active when the last observed peer connection is connected (ICE connected or
 * completed, or connectionState connected) or its inbound audio bytes grew within
 * `quietMs`. When in doubt the answer is "active": a reload during a call drops the
 * customer, which is worse than any softphone failure this could fix.
 */
import type { Config } from '../policy/schema';
import { matchesAnyUrlGlob } from '../match/url-glob';
import type { Incident, IncidentKind, MediaView, ReloadCause, SessionState } from '../session/types';

export type { ReloadCause };

/** Why a reload is due, and the open incident that calls for it (its steps record the reload). */
export interface ReloadTarget {
  cause: ReloadCause;
  incidentId: string;
}

/** The decision, with the reason when no reload happens. */
export type ReloadDecision =
  | { reload: true; cause: ReloadCause; incidentId: string }
  | {
      reload: false;
      reason: 'not-needed' | 'disabled' | 'call-active' | 'hourly-limit' | 'tab-ended';
      cause?: ReloadCause;
      incidentId?: string;
    };

/** Rolling window for `maxPerHour`, ms. */
export const RELOAD_WINDOW_MS = 3_600_000;

/**
 * True when a call may be in progress on this tab.
 * @param now epoch ms
 * @param quietMs inbound audio must have been still this long, ms
 */
export function callActive(media: MediaView, now: number, quietMs: number): boolean {
  const ice = media.iceConnectionState;
  if (ice === 'connected' || ice === 'completed' || media.connectionState === 'connected') return true;
  if ((media.connectedPcIds?.length ?? 0) > 0) return true;
  if (media.inboundGrewAt !== undefined && now - media.inboundGrewAt < quietMs) return true;
  return false;
}

const open = (i: Incident): boolean => i.resolvedAt === undefined;

/** HTTP incident kinds whose failed retries can leave a protected request unrecovered. */
const REQUEST_KINDS: ReadonlySet<IncidentKind> = new Set<IncidentKind>(['server-error', 'request-timeout', 'rate-limited']);

/** The newest step that is not rung 5's own, if any. */
function lastLadderStep(incident: Incident): Incident['steps'][number] | undefined {
  for (let i = incident.steps.length - 1; i >= 0; i--) {
    const step = incident.steps[i];
    if (step && step.action !== 'safe-reload') return step;
  }
  return undefined;
}

/**
 * A protected request whose transparent retries (rung 1) all failed and that nothing fixed
 * since: the page got the failure (the lab's softphone then greys its microphone out until a
 * reload, as the seeds' does), and a success on the same request key would have resolved the
 * incident. A 429 the probe did not retry because the server asked for a longer wait is the
 * server's wish, not a failure to recover: no reload for it. With `reconnectGraceMs` of 30 s
 * or more the incident is resolved by quiet time (`HTTP_QUIET_RESOLVE_MS`, 60 s) before twice
 * the grace has passed, and no reload comes.
 */
function requestNotRecovered(incident: Incident, now: number, since: number, grace: number, config: Config): boolean {
  if (!REQUEST_KINDS.has(incident.kind) || incident.detail.url === undefined) return false;
  if (!matchesAnyUrlGlob(config.protectedRequestPatterns, incident.detail.url)) return false;
  if (incident.steps.some((s) => s.action === 'request-retry' && s.outcome === 'pending')) return false;
  const last = lastLadderStep(incident);
  if (last?.action !== 'request-retry' || last.outcome !== 'failed') return false;
  if (last.detail?.startsWith(NOT_RETRIED_DETAIL_PREFIX)) return false;
  const quietSince = Math.max(since, last.at, incident.lastSeenAt ?? incident.openedAt);
  return now - quietSince > 2 * grace;
}

/**
 * Whether the earlier rungs are exhausted so that only a reload is left, and for which incident:
 * - signalling: an abnormal close not followed by a reconnect within twice
 *   `reconnectGraceMs` (the grace, then one grace for the escalation: a token refresh
 *   pushed to the page, which the app's own reconnect then uses);
 * - auth: an open 401 incident whose last recovery step failed or stayed pending past twice
 *   the grace, or, with strategy `reload-when-idle`, that got no step within the grace; one
 *   from where no token can be put (`outOfReach`: the softphone's worker) after one grace;
 * - request: an open server-error / request-timeout / rate-limited incident on a request
 *   matching `protectedRequestPatterns` whose last step is a failed `request-retry` (the
 *   probe's retries are over, none pending) and that saw nothing — no failure, no success —
 *   for longer than twice the grace (the page's own later success resolves the incident),
 *   while signalling is not down (no socket seen, or one open: the server is reachable).
 * The newest qualifying incident wins. The time an incident waits counts again from its last
 * reload.
 * @param now epoch ms
 * @returns the cause and incident, or null when a reload is not (yet) called for
 */
export function reloadTarget(session: SessionState, now: number, config: Config): ReloadTarget | null {
  // Sign-in needed: a reload would only land the agent on a login page mid-task (and the
  // signalling cannot come back without a token either); the popup asks for the sign-in.
  if (session.auth.signInRequired) return null;
  const grace = config.watchdog.reconnectGraceMs;
  for (const incident of session.incidents) {
    if (!open(incident)) continue;
    // After a reload the page gets the same time again before the next one.
    const since = Math.max(incident.openedAt, lastReloadAt(incident) ?? 0);
    if (incident.kind === 'abnormal-close' && now - since > 2 * grace && session.signalling.openSockets === 0) {
      return { cause: 'signalling-not-recovered', incidentId: incident.id };
    }
    // A 401 from the softphone's worker: no token can be put there, so after one grace for the
    // app to sign in again by itself, only a reload is left — with any strategy, also `off`.
    if (incident.kind === 'unauthorized' && incident.detail.outOfReach !== undefined) {
      if (now - since > grace) return { cause: 'token-not-recovered', incidentId: incident.id };
      continue;
    }
    if (incident.kind === 'unauthorized' && config.tokenRefresh.strategy !== 'off') {
      const last = [...incident.steps].reverse().find((s) => s.action !== 'safe-reload' && s.at >= since);
      const pendingTooLong = last?.outcome === 'pending' && now - last.at > 2 * grace;
      const failed = last?.outcome === 'failed' && last.action !== 'none';
      // No step at all: the extension had no token to offer (strategy reload-when-idle). With a
      // token strategy, a 401 it did not act on (no bearer token to replace) is not its to fix.
      const untended = config.tokenRefresh.strategy === 'reload-when-idle' && (!last || last.action === 'none') && now - since > grace;
      if (failed || pendingTooLong || untended) return { cause: 'token-not-recovered', incidentId: incident.id };
    }
    // While signalling is down the server may be down too: a reload would land on an error
    // page. The signalling rule above decides then; the request waits for the server to be back.
    if (session.signalling.state !== 'closed' && requestNotRecovered(incident, now, since, grace, config)) {
      return { cause: 'request-not-recovered', incidentId: incident.id };
    }
  }
  return null;
}

/**
 * {@link reloadTarget}'s cause alone.
 * @returns the cause, or null when a reload is not (yet) called for
 */
export function reloadCause(session: SessionState, now: number, config: Config): ReloadCause | null {
  return reloadTarget(session, now, config)?.cause ?? null;
}

/** When the tab was last actually reloaded for this incident (not a deferral), epoch ms. */
function lastReloadAt(incident: Incident): number | undefined {
  let at: number | undefined;
  for (const s of incident.steps) {
    if (s.action === 'safe-reload' && (s.outcome === 'ok' || s.detail?.startsWith(RELOADING_DETAIL_PREFIX))) at = s.at;
  }
  return at;
}

/** Prefix of the detail of a reload step that really reloaded (the reducer writes it). */
export const RELOADING_DETAIL_PREFIX = 'Reloading';

/**
 * Prefix of the detail of a failed `request-retry` step the probe never sent: the server's
 * `Retry-After` asked for a longer wait than a retry may take (the reducer writes it).
 */
export const NOT_RETRIED_DETAIL_PREFIX = 'Not retried';

/**
 * The rung-5 decision for one session: reload, or why not; with the cause and the incident that
 * calls for it (the worker's `safe-reload` / `reload-deferred` events name it, so the step
 * lands on that incident).
 * @param recentReloads epoch ms of this session's earlier safe reloads (any age; older than an hour are ignored)
 * @param sharedWith the media views of the other documents that share the softphone's
 *   SharedWorker: they are reloaded with it, so a call in any of them defers the reload too
 */
export function decideSafeReload(args: {
  session: SessionState;
  now: number;
  config: Config;
  recentReloads: readonly number[];
  sharedWith?: readonly MediaView[];
}): ReloadDecision {
  const { session, now, config } = args;
  if (session.endedAt !== undefined) return { reload: false, reason: 'tab-ended' };
  const target = reloadTarget(session, now, config);
  if (!target) return { reload: false, reason: 'not-needed' };
  const { cause, incidentId } = target;
  if (!config.safeReload.enabled) return { reload: false, reason: 'disabled', cause, incidentId };
  const inCall = (media: MediaView): boolean => callActive(media, now, config.safeReload.quietMs);
  if (inCall(session.media) || (args.sharedWith ?? []).some(inCall)) return { reload: false, reason: 'call-active', cause, incidentId };
  const inWindow = args.recentReloads.filter((t) => now - t < RELOAD_WINDOW_MS).length;
  if (inWindow >= config.safeReload.maxPerHour) return { reload: false, reason: 'hourly-limit', cause, incidentId };
  return { reload: true, cause, incidentId };
}
