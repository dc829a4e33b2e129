/** Reads of the `incidents` store (index `by-opened`) for the diagnostics page. */
import type { Incident } from '../../../src/session/types';
import { guardDb } from './guard-db';

/** Most incidents of one tab read for its timeline. */
export const MAX_TAB_INCIDENTS = 2000;

/** A tab's incidents, newest first, at most {@link MAX_TAB_INCIDENTS}. */
export async function readTabIncidents(tabId: number): Promise<Incident[]> {
  const db = await guardDb();
  const out: Incident[] = [];
  let cursor = await db.transaction('incidents', 'readonly').store.index('by-opened').openCursor(null, 'prev');
  while (cursor && out.length < MAX_TAB_INCIDENTS) {
    if (cursor.value.tabId === tabId) out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

/** Every stored incident (all sessions) opened at or after `since` (epoch ms), oldest first. */
export async function readIncidentsSince(since: number): Promise<Incident[]> {
  const db = await guardDb();
  return db.transaction('incidents', 'readonly').store.index('by-opened').getAll(IDBKeyRange.lowerBound(since));
}
