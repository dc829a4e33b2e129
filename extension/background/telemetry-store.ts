/**
 * What telemetry must not lose when the worker stops: the outbox (OTLP requests not yet
 * delivered, src/telemetry/outbox.ts) and, per tab, which incident changes were already turned
 * into log records (src/telemetry/incident-logs.ts). Both live in memory and are written
 * together to `storage.session` under {@link TELEMETRY_STORE_KEY} after every change
 * (coalesced per task), so a restarted worker sends what is left and re-creates any record
 * whose emission had not yet been written, without duplicating those that had.
 *
 * `storage.session` (in memory, 10 MB per extension, docs/architecture.md §6) survives worker restarts,
 * not browser restarts; the outbox's own bound (OUTBOX_LIMITS, about 1 MB) keeps the entry
 * well inside the quota.
 */
import browser from 'webextension-polyfill';
import { z } from 'zod';
import { emptyOutbox } from '../../src/telemetry/outbox';
import type { OutboxState } from '../../src/telemetry/outbox';
import type { LogCursor } from '../../src/telemetry/incident-logs';
import { warn } from './log';

/** `storage.session` key of the persisted telemetry state. */
export const TELEMETRY_STORE_KEY = 'telemetryOutbox';

const Counters = z.object({ logs: z.number(), metrics: z.number() });
const StoredSchema = z.object({
  outbox: z.object({
    entries: z.array(
      z.object({ id: z.number(), signal: z.enum(['logs', 'metrics']), body: z.string(), items: z.number(), queuedAt: z.number() }),
    ),
    nextId: z.number(),
    chars: z.number(),
    dropped: Counters,
    rejected: Counters,
    attempt: z.number(),
    notBefore: z.number(),
  }),
  cursors: z.record(
    z.string(),
    z.record(z.string(), z.object({ steps: z.record(z.string(), z.enum(['pending', 'ok', 'failed'])), resolved: z.boolean() })),
  ),
});

interface Stored {
  outbox: OutboxState;
  /** By tab id (as a string: storage keys). */
  cursors: Record<string, LogCursor>;
}

let state: Stored = { outbox: emptyOutbox(), cursors: {} };
let loaded: Promise<void> | null = null;
let scheduled = false;
let writing: Promise<void> = Promise.resolve();

/**
 * Reads the state a previous worker life left (once; later calls share the first read).
 * A missing or malformed entry starts empty. Never rejects.
 */
export function loadTelemetryStore(): Promise<void> {
  loaded ??= browser.storage.session
    .get(TELEMETRY_STORE_KEY)
    .then((got) => {
      const parsed = StoredSchema.safeParse(got[TELEMETRY_STORE_KEY]);
      if (parsed.success) state = parsed.data;
    })
    .catch((error: unknown) => warn('could not read the telemetry outbox', error));
  return loaded;
}

/** The outbox as it is now. */
export function currentOutbox(): OutboxState {
  return state.outbox;
}

/** Replaces the outbox with `update(outbox)` and schedules the write. */
export function updateOutbox(update: (outbox: OutboxState) => OutboxState): void {
  state = { ...state, outbox: update(state.outbox) };
  save();
}

/** What was already emitted for a tab's incidents (`{}` when nothing). */
export function cursorOf(tabId: number): LogCursor {
  return state.cursors[String(tabId)] ?? {};
}

/** Records what was emitted for a tab's incidents; `undefined` forgets the tab. */
export function setCursor(tabId: number, cursor: LogCursor | undefined): void {
  const cursors = { ...state.cursors };
  if (cursor === undefined) delete cursors[String(tabId)];
  else cursors[String(tabId)] = cursor;
  state = { ...state, cursors };
  save();
}

/** Tabs with a cursor. */
export function cursorTabs(): number[] {
  return Object.keys(state.cursors).map(Number);
}

/** Empties outbox and cursors (telemetry turned off: nothing is kept for a collector no longer configured). */
export function clearTelemetryStore(): void {
  state = { outbox: emptyOutbox(), cursors: {} };
  save();
}

/**
 * One write per task however many changes it made: the outbox entry and the cursor that
 * produced it land in storage together. Writes are serialized, the last one wins.
 */
function save(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    const snapshot = state;
    writing = writing
      .then(() => browser.storage.session.set({ [TELEMETRY_STORE_KEY]: snapshot }))
      .catch((error: unknown) => warn('could not write the telemetry outbox', error));
  });
}

/** Resolves once every write scheduled so far has finished. */
export function telemetryStoreWritten(): Promise<void> {
  return new Promise((resolve) => queueMicrotask(() => void writing.then(resolve)));
}
