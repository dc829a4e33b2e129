/**
 * Reads and seeds the extension's IndexedDB database (`softphone-guard`) directly from an
 * extension page, the way the diagnostics page does: counts that must be exact are taken from
 * the store itself, not from an answer that may be bounded or built from memory.
 */
import type { Page } from '@playwright/test';
import type { StoredEvent } from '../../../src/protocol/ui';

/** Every stored event of `type` (all of them when omitted), oldest first. */
export async function storedEventsOf(extensionPage: Page, type?: string): Promise<StoredEvent[]> {
  return extensionPage.evaluate(async (type) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('softphone-guard');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      const all = await new Promise<StoredEvent[]>((resolve, reject) => {
        const req = db.transaction('events').objectStore('events').getAll();
        req.onsuccess = () => resolve(req.result as StoredEvent[]);
        req.onerror = () => reject(req.error);
      });
      return type === undefined ? all : all.filter((e) => e.type === type);
    } finally {
      db.close();
    }
  }, type);
}

/** The extension's database name (extension/background/db.ts `DB_NAME`). */
export const GUARD_DB = 'softphone-guard';

/**
 * An extension page that makes no requests of its own (the managed-storage schema, a JSON
 * file): it shares the extension's origin, so its `indexedDB` is the worker's, and unlike the
 * popup it does not poll the worker, which would wake a worker the test just stopped.
 */
export function quietPageUrl(extensionId: string): string {
  return `chrome-extension://${extensionId}/managed-schema.json`;
}

/** What to put in a re-created database. */
export interface Seed {
  events?: Omit<StoredEvent, 'seq'>[];
  incidents?: Record<string, unknown>[];
}

/**
 * Deletes the database and creates it again at `version` with the stores of schema version 1
 * (events with `by-at`/`by-tab`, incidents with `by-opened`, sessions) and `seed` in it.
 * A `version` above 1 names a database "from a newer build" whose shape this build does not
 * know. With `hold`, the page keeps the connection open and ignores `versionchange`, so an
 * upgrade by the worker is blocked until {@link releaseHeldDatabase}.
 * Retries the delete while a connection of a (re)started worker is still closing.
 */
export async function recreateDatabase(page: Page, opts: { version?: number; seed?: Seed; hold?: boolean } = {}): Promise<void> {
  await page.evaluate(
    async ({ name, version, seed, hold }) => {
      for (let attempt = 0; ; attempt += 1) {
        const outcome = await new Promise<string>((resolve) => {
          const req = indexedDB.deleteDatabase(name);
          req.onsuccess = () => resolve('deleted');
          req.onerror = () => resolve('error');
          req.onblocked = () => resolve('blocked');
        });
        if (outcome === 'deleted') break;
        if (attempt > 50) throw new Error(`could not delete ${name}: ${outcome}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name, version);
        req.onupgradeneeded = () => {
          const d = req.result;
          const events = d.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
          events.createIndex('by-at', 'at');
          events.createIndex('by-tab', 'tabId');
          const incidents = d.createObjectStore('incidents', { keyPath: 'id' });
          incidents.createIndex('by-opened', 'openedAt');
          d.createObjectStore('sessions', { keyPath: 'tabId' });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction(['events', 'incidents'], 'readwrite');
      for (const e of seed.events ?? []) tx.objectStore('events').add(e);
      for (const i of seed.incidents ?? []) tx.objectStore('incidents').put(i);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      if (hold) {
        // Deliberately not closing on versionchange: this is the blocking connection.
        (globalThis as { __heldDb?: IDBDatabase }).__heldDb = db;
      } else db.close();
    },
    { name: GUARD_DB, version: opts.version ?? 1, seed: opts.seed ?? {}, hold: opts.hold ?? false },
  );
}

/** Closes the connection {@link recreateDatabase} held open. */
export async function releaseHeldDatabase(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as { __heldDb?: IDBDatabase }).__heldDb?.close();
  });
}

/** The database's version, store names, and its `meta` `store-health` record (when there is one). */
export async function databaseInfo(page: Page): Promise<{ version: number; stores: string[]; meta: Record<string, unknown> | null }> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      const stores = [...db.objectStoreNames];
      let meta: Record<string, unknown> | null = null;
      if (stores.includes('meta')) {
        meta = await new Promise((resolve, reject) => {
          const req = db.transaction('meta').objectStore('meta').get('store-health');
          req.onsuccess = () => resolve((req.result as Record<string, unknown> | undefined) ?? null);
          req.onerror = () => reject(req.error);
        });
      }
      return { version: db.version, stores, meta };
    } finally {
      db.close();
    }
  }, GUARD_DB);
}
