/**
 * The diagnostics page's read-only use of the extension's IndexedDB database. Extension pages
 * share the service worker's origin, so the page reads the event store directly instead of
 * pulling 100,000 events through `runtime.sendMessage`. Only `readonly` transactions are
 * opened here; the worker stays the only writer.
 */
import type { IDBPDatabase } from 'idb';
import { openGuardDb, type GuardDb } from '../../background/db';

let opened: Promise<IDBPDatabase<GuardDb>> | null = null;

/**
 * The database, opened once per page.
 * @throws the IndexedDB error when it cannot be opened
 */
export function guardDb(): Promise<IDBPDatabase<GuardDb>> {
  opened ??= openGuardDb().then((db) => {
    // A newer worker upgrading the schema must not be blocked by an open diagnostics tab.
    db.addEventListener('versionchange', () => db.close());
    return db;
  });
  opened.catch(() => {
    opened = null;
  });
  return opened;
}
