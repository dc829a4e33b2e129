/**
 * Rung 3 of the recovery ladder (docs/architecture.md §3 "Signalling watchdog"), silent stall, decided:
 * which silent sockets the worker should have the probe close now.
 *
 * ```text
 *   socket OPEN, nothing received for > heartbeatTimeoutMs
 *        │  signalling-stalled incident opens (src/recovery/stall-incidents.ts)
 *        ▼
 *   reconnectGraceMs passes without a message ──▶ close-stalled-socket (this decision), once
 *        │  the probe closes it (code 4000); ws-close closedBy 'stall'
 *        ▼
 *   abnormal-close: the app's own reconnect gets reconnectGraceMs, then rung 5 (safe reload
 *   when no call is active) as for any signalling loss (src/recovery/safe-reload.ts)
 * ```
 *
 * Closing the socket rather than reloading the tab: the app's reconnect logic is the cheapest
 * repair and keeps a call in progress (media does not ride on the signalling socket).
 */
import type { Config } from '../policy/schema';
import type { SessionState } from '../session/types';
import { openSocket, silenceMs } from './stall-incidents';

/** One socket to close, with how long it has been silent. */
export interface StallClose {
  socketId: string;
  /** Whole seconds without a message (since its open when it never received one), 0–86,400. */
  silentSeconds: number;
}

/** Largest `silentSeconds` the page protocol accepts (`close-stalled-socket`), s. */
const MAX_SILENT_SECONDS = 86_400;

/**
 * The sockets whose stall incident has been open for longer than `watchdog.reconnectGraceMs`
 * and that the worker has not asked to close yet (no `stall-close` step): each is still open
 * and silent, so it is closed once and the app reconnects. Empty for an ended session and
 * while `watchdog.heartbeatTimeoutMs` is 0 (stall detection off). Newest incident first.
 * @param now epoch ms
 */
export function stalledSocketsToClose(session: SessionState, now: number, config: Pick<Config, 'watchdog'>): StallClose[] {
  if (session.endedAt !== undefined || config.watchdog.heartbeatTimeoutMs <= 0) return [];
  const closes: StallClose[] = [];
  for (const incident of session.incidents) {
    if (incident.kind !== 'signalling-stalled' || incident.resolvedAt !== undefined) continue;
    const socketId = incident.detail.socketId;
    const socket = socketId === undefined ? undefined : openSocket(session, socketId);
    if (socketId === undefined || !socket) continue;
    if (now - incident.openedAt <= config.watchdog.reconnectGraceMs) continue;
    if (incident.steps.some((s) => s.action === 'stall-close')) continue;
    const silentSeconds = Math.min(MAX_SILENT_SECONDS, Math.max(0, Math.floor(silenceMs(socket, now) / 1000)));
    closes.push({ socketId, silentSeconds });
  }
  return closes;
}
