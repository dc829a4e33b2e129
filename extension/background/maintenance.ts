/**
 * Time-driven upkeep: health ticks (so a reconnect grace or a heartbeat timeout is noticed
 * without a new observation), store pruning, and closing sessions whose tab vanished while
 * the worker was stopped.
 */
import browser from 'webextension-polyfill';
import type { Alarms } from 'webextension-polyfill';
import { currentConfig } from './config-source';
import { pruneEvents } from './event-store';
import { endSession, settled, sessionOf } from './session-hub';
import { sessionPlace } from '../../src/session/session-key';
import { loadSessions } from './event-store';

/** Health tick period while the worker runs, ms. */
export const TICK_MS = 2000;
const PRUNE_ALARM = 'sg-prune';

/** Starts the in-worker tick and makes sure the hourly prune alarm exists. */
export function startMaintenance(tick: (at: number) => void): void {
  setInterval(() => tick(Date.now()), TICK_MS);
  void browser.alarms.get(PRUNE_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(PRUNE_ALARM, { periodInMinutes: 60, delayInMinutes: 1 });
  });
}

/** alarms.onAlarm listener. */
export function handleAlarm(alarm: Alarms.Alarm): void {
  if (alarm.name !== PRUNE_ALARM) return;
  const { retentionDays, maxStoredEvents } = currentConfig();
  void pruneEvents(retentionDays, maxStoredEvents, Date.now()).catch(() => undefined);
}

/** Ends sessions (of tabs and their frames) whose tab closed while the worker was not running. */
export async function reconcileTabs(): Promise<void> {
  await settled();
  const saved = await loadSessions().catch(() => []);
  const open = new Set((await browser.tabs.query({})).map((t) => t.id));
  for (const s of saved) {
    if (s.endedAt === undefined && !open.has(sessionPlace(s.tabId).tabId) && sessionOf(s.tabId)?.endedAt === undefined) {
      await endSession(s.tabId, Date.now());
    }
  }
}
