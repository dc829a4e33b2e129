/**
 * Rung 3, silent stall, carried out (docs/architecture.md §3 "Signalling watchdog"): when the pure
 * decision (src/recovery/signalling-watchdog.ts) names a socket that stayed silent through the
 * grace, record the step on its incident, then send the tab's probe `close-stalled-socket`.
 * The probe closes the socket (code 4000) so the app's own reconnect runs; its `ws-close`
 * carries `closedBy: 'stall'` and continues the incident's story (src/recovery/stall-incidents.ts).
 */
import { stalledSocketsToClose } from '../../src/recovery/signalling-watchdog';
import type { SessionState } from '../../src/session/types';
import { currentConfig } from './config-source';
import { commandSession, relayLink } from './relay-ports';
import { ingest } from './session-hub';
import { warn } from './log';

/** `${tabId}:${socketId}` whose step is being recorded (a tick in between must not ask twice). */
const inFlight = new Set<string>();

/**
 * Checks one session after it changed (and on every tick) and closes the silent sockets the
 * decision names, each once. The step goes in first, so the probe's `ws-close` always finds it;
 * nothing is recorded while no relay of the tab is connected (the next check asks again).
 */
export async function considerStalledSockets(session: SessionState, now: number): Promise<void> {
  const tabId = session.tabId;
  if (!relayLink(tabId)) return;
  for (const { socketId, silentSeconds } of stalledSocketsToClose(session, now, currentConfig())) {
    const key = `${tabId}:${socketId}`;
    if (inFlight.has(key)) continue;
    inFlight.add(key);
    try {
      await ingest(tabId, { type: 'stall-close-requested', at: now, socketId, silentSeconds });
      commandSession(tabId, { type: 'close-stalled-socket', socketId, silentSeconds });
    } catch (error) {
      warn('stalled socket not closed', error instanceof Error ? error.name : 'unknown');
    } finally {
      inFlight.delete(key);
    }
  }
}
