/**
 * The IndexedDB schema (idb). Version 1:
 *   events    — append-only log of redacted observations and worker events; key `seq`
 *               (auto-increment), indexes `by-at` and `by-tab`.
 *   incidents — one record per incident, key `id`, index `by-opened`.
 *   sessions  — the latest reducer state per tab, key `tabId`.
 * Everything stored has passed the redaction choke point (src/redact) first.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { Incident, SessionState } from '../../src/session/types';
import type { StoredEvent } from '../../src/protocol/ui';

export const DB_NAME = 'softphone-guard';
export const DB_VERSION = 1;

export interface GuardDb extends DBSchema {
  events: { key: number; value: StoredEvent; indexes: { 'by-at': number; 'by-tab': number } };
  incidents: { key: string; value: Incident; indexes: { 'by-opened': number } };
  sessions: { key: number; value: SessionState };
}

let dbPromise: Promise<IDBPDatabase<GuardDb>> | null = null;

/**
 * Opens (and on first use creates) the database; the promise is shared.
 * @throws the IndexedDB error when the database cannot be opened (blocked, quota, corrupt)
 */
export function openGuardDb(): Promise<IDBPDatabase<GuardDb>> {
  dbPromise ??= openDB<GuardDb>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const events = db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
        events.createIndex('by-at', 'at');
        events.createIndex('by-tab', 'tabId');
        const incidents = db.createObjectStore('incidents', { keyPath: 'id' });
        incidents.createIndex('by-opened', 'openedAt');
        db.createObjectStore('sessions', { keyPath: 'tabId' });
      }
    },
  }).catch((error: unknown) => {
    dbPromise = null;
    throw error;
  });
  return dbPromise;
}
