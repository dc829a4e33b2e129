/**
 * Rung 5 of the recovery ladder (DESIGN.md §3): reload the softphone tab, but only when no
 * call is active, and at most `safeReload.maxPerHour` times per tab in any rolling hour.
 *
 * A call is active when the last observed peer connection is connected (ICE connected or
 * completed, or connectionState connected) or its inbound audio bytes grew within
 * `quietMs`. When in doubt the answer is "active": a reload during a call drops the
 * customer, which is worse than any softphone failure this could fix.
 */
import type { Config } from '../policy/schema';
import type { Incident, MediaView, SessionState } from '../session/types';

/** Why the ladder wants a reload. */
export type ReloadCause = 'signalling-not-recovered' | 'token-not-recovered';

/** The decision, with the reason when no reload happens. */
export type ReloadDecision =
  | { reload: true; cause: ReloadCause }
  | { reload: false; reason: 'not-needed' | 'disabled' | 'call-active' | 'hourly-limit' | 'tab-ended'; cause?: ReloadCause };

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
  if (media.inboundGrewAt !== undefined && now - media.inboundGrewAt < quietMs) return true;
  return false;
}

const open = (i: Incident): boolean => i.resolvedAt === undefined;

/**
 * Whether the earlier rungs are exhausted so that only a reload is left:
 * - signalling: an abnormal close not followed by a reconnect within twice
 *   `reconnectGraceMs` (the grace, then one grace for the escalation: a token refresh
 *   pushed to the page, which the app's own reconnect then uses);
 * - auth: an open 401 incident whose last recovery step failed or stayed pending past twice
 *   the grace, or, with strategy `reload-when-idle`, that got no step within the grace.
 * @returns the cause, or null when a reload is not (yet) called for
 */
export function reloadCause(session: SessionState, now: number, config: Config): ReloadCause | null {
  // Sign-in needed: a reload would only land the agent on a login page mid-task (and the
  // signalling cannot come back without a token either); the popup asks for the sign-in.
  if (session.auth.signInRequired) return null;
  const grace = config.watchdog.reconnectGraceMs;
  for (const incident of session.incidents) {
    if (!open(incident)) continue;
    // After a reload the page gets the same time again before the next one.
    const since = Math.max(incident.openedAt, lastReloadAt(incident) ?? 0);
    if (incident.kind === 'abnormal-close' && now - since > 2 * grace && session.signalling.openSockets === 0) {
      return 'signalling-not-recovered';
    }
    if (incident.kind === 'unauthorized' && config.tokenRefresh.strategy !== 'off') {
      const last = [...incident.steps].reverse().find((s) => s.action !== 'safe-reload' && s.at >= since);
      const pendingTooLong = last?.outcome === 'pending' && now - last.at > 2 * grace;
      const failed = last?.outcome === 'failed' && last.action !== 'none';
      // No step at all: the extension had no token to offer (strategy reload-when-idle). With a
      // token strategy, a 401 it did not act on (no bearer token to replace) is not its to fix.
      const untended =
        config.tokenRefresh.strategy === 'reload-when-idle' && (!last || last.action === 'none') && now - since > grace;
      if (failed || pendingTooLong || untended) return 'token-not-recovered';
    }
  }
  return null;
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
 * The rung-5 decision for one tab.
 * @param recentReloads epoch ms of this tab's earlier safe reloads (any age; older than an hour are ignored)
 */
export function decideSafeReload(args: {
  session: SessionState;
  now: number;
  config: Config;
  recentReloads: readonly number[];
}): ReloadDecision {
  const { session, now, config } = args;
  if (session.endedAt !== undefined) return { reload: false, reason: 'tab-ended' };
  const cause = reloadCause(session, now, config);
  if (!cause) return { reload: false, reason: 'not-needed' };
  if (!config.safeReload.enabled) return { reload: false, reason: 'disabled', cause };
  if (callActive(session.media, now, config.safeReload.quietMs)) return { reload: false, reason: 'call-active', cause };
  const inWindow = args.recentReloads.filter((t) => now - t < RELOAD_WINDOW_MS).length;
  if (inWindow >= config.safeReload.maxPerHour) return { reload: false, reason: 'hourly-limit', cause };
  return { reload: true, cause };
}
