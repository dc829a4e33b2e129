/**
 * The IndexedDB schema (idb), version {@link DB_VERSION}; the stores, their indexes and why
 * each version exists are listed in src/storage/migrations.ts, whose plan the `upgrade`
 * callback runs. Version 1 data is kept as it is by every later upgrade.
 *
 *   events     — append-only log of redacted observations and worker events; key `seq`
 *                (auto-increment), indexes `by-at` and `by-tab`.
 *   incidents  — one record per incident, key `id`, index `by-opened`.
 *   sessions   — the latest reducer state per tab, key `tabId`.
 *   deliveries — (v2) per relay document, the highest observation `seq` stored; index `by-at`.
 *   meta       — (v2) the store's health record ({@link StoreMeta}).
 * Everything stored has passed the redaction choke point (src/redact) first.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { Incident, SessionState } from '../../src/session/types';
import type { StoredEvent, StoreFallbackReason } from '../../src/protocol/ui';
import type { DeliveryMark } from '../../src/storage/delivery';
import { migrationPlan, SCHEMA_VERSION } from '../../src/storage/migrations';

export const DB_NAME = 'softphone-guard';
export const DB_VERSION = SCHEMA_VERSION;

/** `meta` record `store-health`: what happened to the store across worker lives. */
export interface StoreMeta {
  key: 'store-health';
  schemaVersion: number;
  /** The version the database had before the last upgrade (0: created new). */
  upgradedFrom?: number;
  /** Epoch ms of the last upgrade. */
  upgradedAt?: number;
  /** Times the store fell back to memory. */
  fallbacks: number;
  lastFallback?: { reason: StoreFallbackReason; at: number };
  /** Events dropped while in memory (ring buffer full), all lives together. */
  droppedEvents: number;
}

export interface GuardDb extends DBSchema {
  events: { key: number; value: StoredEvent; indexes: { 'by-at': number; 'by-tab': number } };
  incidents: { key: string; value: Incident; indexes: { 'by-opened': number } };
  sessions: { key: number; value: SessionState };
  deliveries: { key: string; value: DeliveryMark; indexes: { 'by-at': number } };
  meta: { key: string; value: StoreMeta };
}

/**
 * Longest wait for the database to open, ms. An open that another connection blocks, or that
 * hangs, is given up after this; the store then keeps events in memory (./event-store.ts).
 */
export const OPEN_TIMEOUT_MS = 10_000;

/** The open was blocked by another connection that holds an older version open. */
export class DbBlockedError extends Error {
  override name = 'DbBlockedError';
}

let dbPromise: Promise<IDBPDatabase<GuardDb>> | null = null;

/**
 * Opens (and on first use creates or upgrades) the database; the promise is shared.
 * The connection closes itself when a newer version wants the database (`versionchange`) or
 * the browser closes it, and the next call opens again.
 * @throws DbBlockedError when another connection holds an older version open and does not
 *   close it; the IndexedDB error (`VersionError` when the database is newer than this build,
 *   `UnknownError` when it is corrupt, …) when it cannot be opened; an `Error` named
 *   `TimeoutError` when the open takes longer than {@link OPEN_TIMEOUT_MS}
 */
export function openGuardDb(): Promise<IDBPDatabase<GuardDb>> {
  dbPromise ??= openOnce().catch((error: unknown) => {
    dbPromise = null;
    throw error;
  });
  return dbPromise;
}

function openOnce(): Promise<IDBPDatabase<GuardDb>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      const error = new Error(`the database did not open within ${OPEN_TIMEOUT_MS} ms`);
      error.name = 'TimeoutError';
      fail(error);
    }, OPEN_TIMEOUT_MS);
    openDB<GuardDb>(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion, newVersion, tx) {
        const plan = migrationPlan(oldVersion, newVersion ?? DB_VERSION);
        for (const migration of plan) {
          for (const step of migration.steps) {
            // The plan names stores as strings; the GuardDb typing cannot follow that.
            const anyDb = db as unknown as IDBPDatabase;
            if (step.op === 'create-store') {
              anyDb.createObjectStore(step.store, { keyPath: step.keyPath, autoIncrement: step.autoIncrement ?? false });
            } else {
              (tx as unknown as { objectStore(name: string): { createIndex(n: string, k: string): unknown } })
                .objectStore(step.store)
                .createIndex(step.index, step.keyPath);
            }
          }
        }
        if (plan.length > 0) {
          const meta = tx.objectStore('meta');
          void meta.get('store-health').then((old) =>
            meta.put({
              key: 'store-health',
              fallbacks: 0,
              droppedEvents: 0,
              ...old,
              schemaVersion: newVersion ?? DB_VERSION,
              upgradedFrom: oldVersion,
              upgradedAt: Date.now(),
            }),
          );
        }
      },
      blocked() {
        fail(new DbBlockedError('another connection holds an older version of the database open'));
      },
      blocking(_current, _blocked, event) {
        // A newer version (an updated extension, another page) wants the database: let it.
        (event.target as IDBDatabase).close();
        dbPromise = null;
      },
      terminated() {
        dbPromise = null;
      },
    }).then(
      (db) => {
        if (settled) {
          // Given up on (blocked, timed out) but opened after all: do not hold it open.
          db.close();
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(db);
      },
      (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
    );
  });
}

/** Forgets the shared connection (after a failure), so the next {@link openGuardDb} opens anew. */
export function forgetGuardDb(): void {
  const current = dbPromise;
  dbPromise = null;
  void current?.then((db) => db.close()).catch(() => undefined);
}
