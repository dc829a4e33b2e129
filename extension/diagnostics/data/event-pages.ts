/**
 * Paging through one tab's stored events, newest first, by IndexedDB cursor on the `by-tab`
 * index (whose entries for one tab are ordered by the store key `seq`, i.e. by arrival). Each
 * page is its own short transaction, so the page never holds the store and never reads more
 * than it shows.
 */
import type { StoredEvent } from '../../../src/protocol/ui';
import { guardDb } from './guard-db';

/** Events per page. */
export const PAGE_SIZE = 500;

/** One page of events. */
export interface EventPage {
  /** Newest first. */
  events: StoredEvent[];
  /** True when no older event of the tab is left. */
  done: boolean;
}

/**
 * The next page of a tab's events older than `beforeSeq`.
 * @param beforeSeq the oldest `seq` already read, or null for the newest page
 * @param limit events per page (≥ 1)
 */
export async function readEventPage(tabId: number, beforeSeq: number | null, limit = PAGE_SIZE): Promise<EventPage> {
  const db = await guardDb();
  const index = db.transaction('events', 'readonly').store.index('by-tab');
  let cursor = await index.openCursor(IDBKeyRange.only(tabId), 'prev');
  if (cursor && beforeSeq !== null && cursor.primaryKey >= beforeSeq) {
    cursor = beforeSeq <= 0 ? null : await cursor.continuePrimaryKey(tabId, beforeSeq - 1);
  }
  const events: StoredEvent[] = [];
  while (cursor && events.length < limit) {
    events.push({ ...cursor.value, seq: cursor.primaryKey });
    cursor = await cursor.continue();
  }
  return { events, done: cursor === null };
}

/**
 * The tab's events newer than `afterSeq`, newest first, at most `limit`.
 * @returns `overflow: true` when there were more than `limit` (the caller starts over)
 */
export async function readNewerEvents(
  tabId: number,
  afterSeq: number,
  limit = PAGE_SIZE,
): Promise<{ events: StoredEvent[]; overflow: boolean }> {
  const db = await guardDb();
  const index = db.transaction('events', 'readonly').store.index('by-tab');
  let cursor = await index.openCursor(IDBKeyRange.only(tabId), 'prev');
  const events: StoredEvent[] = [];
  while (cursor && cursor.primaryKey > afterSeq) {
    if (events.length === limit) return { events, overflow: true };
    events.push({ ...cursor.value, seq: cursor.primaryKey });
    cursor = await cursor.continue();
  }
  return { events, overflow: false };
}

/** How many events of the tab are stored. */
export async function countTabEvents(tabId: number): Promise<number> {
  const db = await guardDb();
  return db.transaction('events', 'readonly').store.index('by-tab').count(IDBKeyRange.only(tabId));
}

/** Events read per transaction by {@link scanTabEvents}. */
const SCAN_CHUNK = 2000;

/**
 * Reads every stored event of a tab newer than `afterSeq`, oldest first, in chunks of short
 * transactions, handing each chunk to `onChunk` (for the charts, which need a whole call but
 * not the DOM).
 * @param afterSeq read events with a larger `seq`; -1 for all
 * @param signal stops the scan between chunks
 * @returns the largest `seq` read (or `afterSeq` when nothing was newer)
 */
export async function scanTabEvents(
  tabId: number,
  afterSeq: number,
  onChunk: (events: StoredEvent[]) => void,
  signal: AbortSignal,
): Promise<number> {
  const db = await guardDb();
  let last = afterSeq;
  for (;;) {
    if (signal.aborted) return last;
    const index = db.transaction('events', 'readonly').store.index('by-tab');
    let cursor = await index.openCursor(IDBKeyRange.only(tabId), 'next');
    if (cursor && cursor.primaryKey <= last) cursor = await cursor.continuePrimaryKey(tabId, last + 1);
    const chunk: StoredEvent[] = [];
    while (cursor && chunk.length < SCAN_CHUNK) {
      chunk.push(cursor.value);
      last = cursor.primaryKey;
      cursor = await cursor.continue();
    }
    if (chunk.length > 0) onChunk(chunk);
    if (!cursor) return last;
    // Yield to the event loop so input and painting go on between chunks.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
