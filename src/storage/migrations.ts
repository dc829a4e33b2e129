/**
 * The event store's schema history as data: which object stores and indexes each IndexedDB
 * version adds, and why. The worker's `upgrade(db, oldVersion, newVersion, tx)` callback
 * (extension/background/db.ts) runs the steps {@link migrationPlan} returns, inside the
 * version-change transaction, so an upgrade is all or nothing and never touches records of
 * an older version (IndexedDB 3.0 §5.4 "upgrade a database": a failed upgrade aborts and the
 * database stays at its old version).
 *
 * Versions:
 *   1 — `events` (key `seq`, auto-increment; indexes `by-at`, `by-tab`), `incidents` (key
 *       `id`; index `by-opened`), `sessions` (key `tabId`).
 *   2 — `deliveries` (key `key`; index `by-at`): per relay document, the highest observation
 *       sequence number stored, written in the same transaction as the events, so a relay
 *       that resends after a worker restart is stored exactly once. `meta` (key `key`): the
 *       store's own health — schema version, when and why it fell back to memory, events lost
 *       while it was in memory.
 */

/** The schema version the extension writes. */
export const SCHEMA_VERSION = 2;

/** One change to the schema. */
export type SchemaStep =
  | { op: 'create-store'; store: string; keyPath: string; autoIncrement?: boolean }
  | { op: 'create-index'; store: string; index: string; keyPath: string };

/** The steps from version `to - 1` to `to`, and why that version exists. */
export interface Migration {
  to: number;
  why: string;
  steps: readonly SchemaStep[];
}

/** Every migration, oldest first; `to` runs 1..{@link SCHEMA_VERSION} without gaps. */
export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    why: 'event log, incidents and session snapshots',
    steps: [
      { op: 'create-store', store: 'events', keyPath: 'seq', autoIncrement: true },
      { op: 'create-index', store: 'events', index: 'by-at', keyPath: 'at' },
      { op: 'create-index', store: 'events', index: 'by-tab', keyPath: 'tabId' },
      { op: 'create-store', store: 'incidents', keyPath: 'id' },
      { op: 'create-index', store: 'incidents', index: 'by-opened', keyPath: 'openedAt' },
      { op: 'create-store', store: 'sessions', keyPath: 'tabId' },
    ],
  },
  {
    to: 2,
    why: 'exactly-once storage of resent observations (delivery marks) and the store health record',
    steps: [
      { op: 'create-store', store: 'deliveries', keyPath: 'key' },
      { op: 'create-index', store: 'deliveries', index: 'by-at', keyPath: 'at' },
      { op: 'create-store', store: 'meta', keyPath: 'key' },
    ],
  },
];

/**
 * The migrations that take a database at `oldVersion` to `newVersion`, oldest first
 * (empty when they are equal). `oldVersion` 0 is a database that did not exist.
 * @throws RangeError when `newVersion` is below `oldVersion` (a downgrade: IndexedDB refuses
 *   it with a VersionError before any upgrade runs) or outside 1..{@link SCHEMA_VERSION}
 */
export function migrationPlan(oldVersion: number, newVersion: number): Migration[] {
  if (!Number.isInteger(oldVersion) || oldVersion < 0) throw new RangeError(`bad old schema version ${oldVersion}`);
  if (!Number.isInteger(newVersion) || newVersion < 1 || newVersion > SCHEMA_VERSION) {
    throw new RangeError(`unknown schema version ${newVersion} (this build knows 1..${SCHEMA_VERSION})`);
  }
  if (newVersion < oldVersion) throw new RangeError(`cannot downgrade the schema from ${oldVersion} to ${newVersion}`);
  return MIGRATIONS.filter((m) => m.to > oldVersion && m.to <= newVersion);
}
