/**
 * Persistence of events, incidents and session snapshots.
 *
 * Writes are batched per task: everything queued in the same task goes in one readwrite
 * transaction, so a storm of observations costs one transaction, and a worker stopped
 * between two tasks loses at most the batch that was not yet handed to IndexedDB.
 * Callers pass data that is already redacted.
 */
import type { Incident, SessionState } from '../../src/session/types';
import type { StoredEvent } from '../../src/protocol/ui';
import { openGuardDb } from './db';
import { warn } from './log';

interface Pending {
  events: StoredEvent[];
  incidents: Map<string, Incident>;
  sessions: Map<number, SessionState>;
}

let pending: Pending | null = null;
let lastFlush: Promise<void> = Promise.resolve();

function batch(): Pending {
  if (!pending) {
    pending = { events: [], incidents: new Map(), sessions: new Map() };
    setTimeout(() => void flush(), 0);
  }
  return pending;
}

/** Writes what is queued now; resolves when it is committed. Errors are logged, not thrown. */
export function flush(): Promise<void> {
  const work = pending;
  pending = null;
  if (!work) return lastFlush;
  lastFlush = lastFlush.then(async () => {
    try {
      const db = await openGuardDb();
      const tx = db.transaction(['events', 'incidents', 'sessions'], 'readwrite');
      for (const e of work.events) void tx.objectStore('events').add(e);
      for (const i of work.incidents.values()) void tx.objectStore('incidents').put(i);
      for (const s of work.sessions.values()) void tx.objectStore('sessions').put(s);
      await tx.done;
    } catch (error) {
      warn('event store write failed', error instanceof Error ? error.name : 'unknown');
    }
  });
  return lastFlush;
}

/** Queues one event (already redacted). */
export function appendEvent(event: StoredEvent): void {
  batch().events.push(event);
}

/** Queues an incident insert or update (already redacted). */
export function putIncident(incident: Incident): void {
  batch().incidents.set(incident.id, incident);
}

/** Queues the latest snapshot of a session (already redacted). */
export function putSession(session: SessionState): void {
  batch().sessions.set(session.tabId, session);
}

/** All session snapshots, for a worker that just started. */
export async function loadSessions(): Promise<SessionState[]> {
  const db = await openGuardDb();
  return db.getAll('sessions');
}

/** Number of stored events. */
export async function countEvents(): Promise<number> {
  const db = await openGuardDb();
  return db.count('events');
}

/**
 * Newest events first, optionally for one tab.
 * @param limit at most this many, 1..10,000
 */
export async function recentEvents(limit: number, tabId?: number): Promise<StoredEvent[]> {
  const db = await openGuardDb();
  const out: StoredEvent[] = [];
  const index = tabId === undefined ? db.transaction('events').store : db.transaction('events').store.index('by-tab');
  const range = tabId === undefined ? undefined : IDBKeyRange.only(tabId);
  let cursor = await index.openCursor(range, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

/** Newest incidents first. */
export async function recentIncidents(limit: number): Promise<Incident[]> {
  const db = await openGuardDb();
  const out: Incident[] = [];
  let cursor = await db.transaction('incidents').store.index('by-opened').openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

/**
 * Enforces `retentionDays` and `maxStoredEvents`: deletes events older than the retention
 * and then the oldest beyond the cap.
 * @returns how many events were deleted
 */
export async function pruneEvents(retentionDays: number, maxStoredEvents: number, now: number): Promise<number> {
  const db = await openGuardDb();
  let deleted = 0;
  const tx = db.transaction('events', 'readwrite');
  const cutoff = now - retentionDays * 86_400_000;
  let old = await tx.store.index('by-at').openCursor(IDBKeyRange.upperBound(cutoff, true));
  while (old) {
    await old.delete();
    deleted += 1;
    old = await old.continue();
  }
  let excess = (await tx.store.count()) - maxStoredEvents;
  let cursor = excess > 0 ? await tx.store.openCursor() : null;
  while (cursor && excess > 0) {
    await cursor.delete();
    deleted += 1;
    excess -= 1;
    cursor = await cursor.continue();
  }
  await tx.done;
  return deleted;
}
