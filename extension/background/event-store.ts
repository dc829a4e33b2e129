/**
 * Persistence of events, incidents, session snapshots and delivery marks.
 *
 * Writes are batched per task: everything queued in the same task goes in one readwrite
 * transaction, so a storm of observations costs one transaction, and a worker stopped
 * between two tasks loses at most the batch that was not yet handed to IndexedDB — which
 * the relay then sends again, since only committed observations are acknowledged
 * ({@link afterCommit}, src/storage/delivery.ts). Callers pass data that is already redacted.
 *
 * Storage faults (the store never throws at the worker; it says what it does in
 * {@link storeStatus}, which `get-state` carries to the popup):
 * - a write refused with `QuotaExceededError` (or failing with an IO error on a full disk,
 *   {@link storageFull}): the oldest events are deleted
 *   (src/storage/retention.ts `quotaPruneCount`) and the write is tried once more;
 * - still refused, or the database cannot be opened (blocked by another connection, newer
 *   than this build, corrupt): events are kept in memory — the newest
 *   {@link MEMORY_MAX_EVENTS}, the oldest dropped and counted — and every
 *   {@link REOPEN_INTERVAL_MS} a write to IndexedDB is tried again; once it succeeds, what
 *   memory holds is written there and the store is back to normal.
 */
import type { IDBPDatabase } from 'idb';
import type { Incident, SessionState } from '../../src/session/types';
import type { StoredEvent, StoreFallbackReason, StoreStatus } from '../../src/protocol/ui';
import { advanceMark, alreadyDelivered, deliveryKey } from '../../src/storage/delivery';
import type { DeliveryMark } from '../../src/storage/delivery';
import { DELIVERY_MARK_TTL_MS, excessEvents, quotaPruneCount, retentionCutoff } from '../../src/storage/retention';
import { RingBuffer } from '../../src/storage/ring-buffer';
import { redactText } from '../../src/redact/redact';
import { DbBlockedError, forgetGuardDb, openGuardDb } from './db';
import type { GuardDb, StoreMeta } from './db';
import { warn } from './log';

/** Events kept in memory while IndexedDB cannot take them (about 2–5 MB of redacted events). */
export const MEMORY_MAX_EVENTS = 10_000;
/** Incidents kept in memory likewise. */
export const MEMORY_MAX_INCIDENTS = 1000;
/** While in memory, how often a write to IndexedDB is tried again, ms. */
export const REOPEN_INTERVAL_MS = 10_000;

interface Pending {
  events: StoredEvent[];
  incidents: Map<string, Incident>;
  sessions: Map<number, SessionState>;
  marks: Map<string, DeliveryMark>;
  /** Called once this batch is committed (to IndexedDB, or to memory in fallback). */
  committed: (() => void)[];
}

let pending: Pending | null = null;
let lastFlush: Promise<void> = Promise.resolve();
let status: StoreStatus = { mode: 'indexeddb' };
let lastReopenAttempt = 0;
/** Highest event key IndexedDB handed out, so memory events continue the numbering. */
let lastKey = 0;
const memory = {
  events: new RingBuffer<StoredEvent>(MEMORY_MAX_EVENTS),
  incidents: new Map<string, Incident>(),
  sessions: new Map<number, SessionState>(),
  marks: new Map<string, DeliveryMark>(),
};
/** Delivery marks as applied (including the pending batch), for deduplication. */
const marks = new Map<string, DeliveryMark>();

function batch(): Pending {
  if (!pending) {
    pending = { events: [], incidents: new Map(), sessions: new Map(), marks: new Map(), committed: [] };
    setTimeout(() => void flush(), 0);
  }
  return pending;
}

const errorName = (error: unknown): string => (error instanceof Error || error instanceof DOMException ? error.name : 'unknown');

/**
 * True for a write refused because storage is full: `QuotaExceededError`, or — measured on
 * Chromium 156 with a full disk, where an origin with `unlimitedStorage` gets no quota check
 * and the write itself fails — an IO error of the write (`DataError: Failed to write blobs
 * (IOError)`, `UnknownError` with an IO error message).
 */
function storageFull(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'QuotaExceededError') return true;
  const message = error instanceof Error || error instanceof DOMException ? error.message : '';
  return (name === 'DataError' || name === 'UnknownError') && /\bIO ?error\b|no space/i.test(message);
}

function fallbackReason(error: unknown): StoreFallbackReason {
  if (error instanceof DbBlockedError) return 'blocked';
  if (storageFull(error)) return 'quota';
  return 'unavailable';
}

/** The store's state, for `get-state` (src/protocol/ui.ts `StoreStatus`). */
export function storeStatus(): StoreStatus {
  return status.mode === 'indexeddb' ? { mode: 'indexeddb' } : { ...status, droppedEvents: memory.events.dropped };
}

function enterMemory(reason: StoreFallbackReason, error: unknown): void {
  if (status.mode === 'memory') return;
  warn(`event store falls back to memory (${reason})`, error);
  memory.events.clear();
  const message = error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : String(error);
  status = { mode: 'memory', reason, since: Date.now(), error: redactText(message).slice(0, 200) };
  lastReopenAttempt = Date.now();
  scheduleRetry();
}

/** While in memory, a (possibly empty) batch every interval tries IndexedDB again, even when nothing happens. */
function scheduleRetry(): void {
  setTimeout(() => {
    if (status.mode !== 'memory') return;
    batch();
    scheduleRetry();
  }, REOPEN_INTERVAL_MS);
}

/** The database when it can be read now; null in memory mode (but for `quota`) or when it cannot be opened. */
async function readableDb(): Promise<IDBPDatabase<GuardDb> | null> {
  if (status.mode === 'memory' && status.reason !== 'quota') return null;
  try {
    return await openGuardDb();
  } catch (error) {
    enterMemory(fallbackReason(error), error);
    return null;
  }
}

/** Writes a batch in one transaction; rejects with the most telling error (quota first). */
async function writeToDb(work: Pending, before: StoredEvent[] = []): Promise<void> {
  const db = await openGuardDb();
  const tx = db.transaction(['events', 'incidents', 'sessions', 'deliveries'], 'readwrite');
  const requests: Promise<unknown>[] = [];
  for (const e of [...before, ...work.events]) {
    const { seq: _memorySeq, ...record } = e;
    requests.push(
      tx
        .objectStore('events')
        .add(record)
        .then((key) => (lastKey = Math.max(lastKey, key))),
    );
  }
  for (const i of work.incidents.values()) requests.push(tx.objectStore('incidents').put(i));
  for (const s of work.sessions.values()) requests.push(tx.objectStore('sessions').put(s));
  for (const m of work.marks.values()) requests.push(tx.objectStore('deliveries').put(m));
  requests.push(tx.done);
  const results = await Promise.allSettled(requests);
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length === 0) return;
  throw errors.find(storageFull) ?? tx.error ?? errors[0];
}

/** Deletes the oldest events to make room after a quota failure. @returns how many */
async function pruneForQuota(): Promise<number> {
  const db = await openGuardDb();
  const tx = db.transaction('events', 'readwrite');
  const n = quotaPruneCount(await tx.store.count());
  if (n === 0) return 0;
  const first = await tx.store.openKeyCursor();
  const boundary = first && n > 1 ? await first.advance(n - 1) : first;
  if (boundary) await tx.store.delete(IDBKeyRange.upperBound(boundary.key));
  await tx.done;
  return n;
}

function keepInMemory(work: Pending): void {
  for (const e of work.events) {
    lastKey += 1;
    memory.events.push({ ...e, seq: lastKey });
  }
  for (const i of work.incidents.values()) {
    memory.incidents.delete(i.id);
    memory.incidents.set(i.id, i);
    if (memory.incidents.size > MEMORY_MAX_INCIDENTS) memory.incidents.delete(memory.incidents.keys().next().value ?? '');
  }
  for (const s of work.sessions.values()) memory.sessions.set(s.tabId, s);
  for (const m of work.marks.values()) memory.marks.set(m.key, m);
}

/** Records a stay in memory in the `meta` store once IndexedDB takes writes again. */
async function noteFallbackEnded(reason: StoreFallbackReason, since: number, dropped: number): Promise<void> {
  const db = await openGuardDb();
  const tx = db.transaction('meta', 'readwrite');
  const old = await tx.store.get('store-health');
  const next: StoreMeta = {
    key: 'store-health',
    schemaVersion: db.version,
    fallbacks: 0,
    droppedEvents: 0,
    ...old,
  };
  next.fallbacks += 1;
  next.droppedEvents += dropped;
  next.lastFallback = { reason, at: since };
  await tx.store.put(next);
  await tx.done;
}

/** In memory mode: tries to hand memory and `work` to IndexedDB. @returns true when it did */
async function tryLeaveMemory(work: Pending): Promise<boolean> {
  if (status.mode !== 'memory' || Date.now() - lastReopenAttempt < REOPEN_INTERVAL_MS) return false;
  lastReopenAttempt = Date.now();
  const { reason = 'unavailable', since = Date.now() } = status;
  try {
    if (reason === 'quota') await pruneForQuota();
    // One transaction: memory and the new batch go in together or not at all.
    const merged: Pending = {
      ...work,
      incidents: new Map([...memory.incidents, ...work.incidents]),
      sessions: new Map([...memory.sessions, ...work.sessions]),
      marks: new Map([...memory.marks, ...work.marks]),
    };
    await writeToDb(merged, memory.events.toArray());
  } catch {
    // The browser may have closed the connection under us (a full disk does): open anew next time.
    forgetGuardDb();
    return false;
  }
  const dropped = memory.events.dropped;
  status = { mode: 'indexeddb' };
  memory.events.clear();
  memory.incidents.clear();
  memory.sessions.clear();
  memory.marks.clear();
  await noteFallbackEnded(reason, since, dropped).catch(() => undefined);
  warn('event store writes to IndexedDB again');
  return true;
}

async function write(work: Pending): Promise<void> {
  if (status.mode === 'memory') {
    if (!(await tryLeaveMemory(work))) keepInMemory(work);
    return;
  }
  try {
    await writeToDb(work);
    return;
  } catch (error) {
    if (fallbackReason(error) === 'quota') {
      try {
        const pruned = await pruneForQuota();
        warn(`storage full: ${pruned} oldest events deleted, write tried again`);
        await writeToDb(work);
        return;
      } catch (again) {
        // On a full disk the browser may close the database after the failed write, and the
        // retry then fails to open it: the cause is still the full disk.
        enterMemory('quota', again);
      }
    } else if (error instanceof DbBlockedError || errorName(error) === 'TimeoutError' || errorName(error) === 'VersionError') {
      enterMemory(fallbackReason(error), error);
    } else {
      // The connection may have been closed under us (a newer version, the browser): once more.
      forgetGuardDb();
      try {
        await writeToDb(work);
        return;
      } catch (again) {
        enterMemory(fallbackReason(again), again);
      }
    }
  }
  keepInMemory(work);
}

/** Writes what is queued now; resolves when it is committed (or kept in memory). Never rejects. */
export function flush(): Promise<void> {
  const work = pending;
  pending = null;
  if (!work) return lastFlush;
  lastFlush = lastFlush.then(async () => {
    try {
      await write(work);
    } catch (error) {
      warn('event store write failed', errorName(error));
    }
    for (const fn of work.committed) fn();
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

/**
 * True when the observation `seq` of relay document `doc` in `tabId` was already applied
 * (a resend after a worker restart); src/storage/delivery.ts.
 */
export function isDelivered(tabId: number, doc: string, seq: number): boolean {
  return alreadyDelivered(marks, tabId, doc, seq);
}

/** Queues the delivery mark of an applied observation, committed with the events it produced. */
export function markDelivered(tabId: number, doc: string, seq: number, at: number): void {
  const mark = advanceMark(marks.get(deliveryKey(tabId, doc)), tabId, doc, seq, at);
  marks.set(mark.key, mark);
  batch().marks.set(mark.key, mark);
}

/** Calls `fn` once everything queued so far is committed (to IndexedDB, or memory in fallback). */
export function afterCommit(fn: () => void): void {
  if (pending) pending.committed.push(fn);
  else void lastFlush.then(fn);
}

/** All session snapshots and delivery marks, for a worker that just started. Never rejects. */
export async function loadSessions(): Promise<SessionState[]> {
  const db = await readableDb();
  if (!db) return [...memory.sessions.values()];
  const [sessions, stored] = await Promise.all([db.getAll('sessions'), db.getAll('deliveries')]).catch((error: unknown) => {
    warn('could not read the event store', errorName(error));
    return [[], []] as [SessionState[], DeliveryMark[]];
  });
  for (const m of stored) if ((marks.get(m.key)?.seq ?? 0) < m.seq) marks.set(m.key, m);
  return sessions;
}

/** Number of stored events (IndexedDB and memory together). */
export async function countEvents(): Promise<number> {
  const db = await readableDb();
  return memory.events.size + (db ? await db.count('events') : 0);
}

/**
 * Newest events first, optionally for one tab; those held in memory (newer) come first.
 * @param limit at most this many, 1..10,000
 */
export async function recentEvents(limit: number, tabId?: number): Promise<StoredEvent[]> {
  const out = memory.events.newest(limit, (e) => tabId === undefined || e.tabId === tabId);
  const db = out.length < limit ? await readableDb() : null;
  if (!db) return out;
  const index = tabId === undefined ? db.transaction('events').store : db.transaction('events').store.index('by-tab');
  const range = tabId === undefined ? undefined : IDBKeyRange.only(tabId);
  let cursor = await index.openCursor(range, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

/** Newest incidents first (those held in memory included). */
export async function recentIncidents(limit: number): Promise<Incident[]> {
  const db = await readableDb();
  const byId = new Map<string, Incident>();
  if (db) {
    let cursor = await db.transaction('incidents').store.index('by-opened').openCursor(null, 'prev');
    while (cursor && byId.size < limit) {
      byId.set(cursor.value.id, cursor.value);
      cursor = await cursor.continue();
    }
  }
  for (const i of memory.incidents.values()) byId.set(i.id, i);
  return [...byId.values()].sort((a, b) => b.openedAt - a.openedAt).slice(0, limit);
}

/**
 * Enforces `retentionDays` and `maxStoredEvents` (src/storage/retention.ts): deletes events
 * older than the retention, then the oldest beyond the cap, and delivery marks not updated
 * for a day. Nothing to do while the store is in memory (its buffer is bounded).
 * @returns how many events were deleted
 * @throws RangeError on a non-positive limit; the IndexedDB error when the store cannot be written
 */
export async function pruneEvents(retentionDays: number, maxStoredEvents: number, now: number): Promise<number> {
  const cutoff = retentionCutoff(now, retentionDays);
  excessEvents(0, maxStoredEvents);
  if (status.mode === 'memory') return 0;
  const db = await openGuardDb();
  let deleted = 0;
  const tx = db.transaction(['events', 'deliveries'], 'readwrite');
  const events = tx.objectStore('events');
  let old = await events.index('by-at').openKeyCursor(IDBKeyRange.upperBound(cutoff, true));
  while (old) {
    await events.delete(old.primaryKey);
    deleted += 1;
    old = await old.continue();
  }
  const excess = excessEvents(await events.count(), maxStoredEvents);
  if (excess > 0) {
    // Keys grow with arrival: the oldest `excess` are one key range, deleted in one request.
    const first = await events.openKeyCursor();
    const boundary = first && excess > 1 ? await first.advance(excess - 1) : first;
    if (boundary) await events.delete(IDBKeyRange.upperBound(boundary.key));
    deleted += excess;
  }
  const deliveries = tx.objectStore('deliveries');
  let stale = await deliveries.index('by-at').openCursor(IDBKeyRange.upperBound(now - DELIVERY_MARK_TTL_MS, true));
  while (stale) {
    if (marks.get(stale.value.key)?.at === stale.value.at) marks.delete(stale.value.key);
    await stale.delete();
    stale = await stale.continue();
  }
  await tx.done;
  return deleted;
}
