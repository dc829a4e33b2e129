/**
 * Answers `get-export` (src/protocol/ui.ts): gathers what the bundle needs — manifest
 * version, the browser (User-Agent Client Hints), the configuration in force and its sources,
 * the sessions, and the newest stored incidents and events (read-only, bounded by
 * `MAX_EXPORT_EVENTS` / `MAX_EXPORT_INCIDENTS`; the bundle says when older ones were left
 * out) — passes each record through the ingest choke point again (`redactForStorage`, for
 * records an older version stored) and hands them to the pure builder (src/export), which
 * redacts everything once more.
 */
import browser from 'webextension-polyfill';
import type { ExportResponse, StoredEvent } from '../../src/protocol/ui';
import type { Incident } from '../../src/session/types';
import { buildBundle, exportFilename, MAX_EXPORT_EVENTS, MAX_EXPORT_INCIDENTS } from '../../src/export/build-bundle';
import type { BrowserInfo } from '../../src/export/build-bundle';
import { summaryText } from '../../src/export/summary';
import type { ExportBundle } from '../../src/export/bundle-schema';
import { openGuardDb } from './db';
import { recentEvents, recentIncidents, storeStatus } from './event-store';
import { currentResolution, policyLoaded } from './config-source';
import { stateForUi } from './session-hub';
import { redactForStorage } from '../../src/redact/redact';

/**
 * Records pass the ingest choke point again, one by one (each within its default bounds):
 * what an older version stored before URLs were minimised at ingest (kept up to
 * `retentionDays`) leaves the machine minimised too. Idempotent on what was stored since.
 */
const again = <T>(records: readonly T[]): T[] => records.map((r) => redactForStorage(r) as T);

/** Client Hints as Chromium exposes them to workers (not in the DOM typings yet). */
interface UaData {
  brands?: { brand: string; version: string }[];
  platform?: string;
  getHighEntropyValues?: (hints: string[]) => Promise<{ fullVersionList?: { brand: string; version: string }[] }>;
}

async function browserInfo(): Promise<BrowserInfo> {
  const ua = (navigator as Navigator & { userAgentData?: UaData }).userAgentData;
  let brands = ua?.brands ?? [];
  try {
    const high = await ua?.getHighEntropyValues?.(['fullVersionList']);
    if (high?.fullVersionList?.length) brands = high.fullVersionList;
  } catch {
    // Full versions are a nicety; the major versions do.
  }
  return {
    userAgent: navigator.userAgent,
    brands: brands.map((b) => ({ brand: String(b.brand), version: String(b.version) })),
    platform: ua?.platform ?? '',
  };
}

/**
 * The newest `limit` records of a store or index, oldest first, and how many there are.
 * One key-cursor step finds the boundary (`advance`), then one `getAll` reads the range,
 * so 20,000 events cost two requests, not 20,000 cursor steps.
 */
async function newest<T>(
  source: {
    count(): Promise<number>;
    openKeyCursor(
      range?: null,
      direction?: IDBCursorDirection,
    ): Promise<{ key: IDBValidKey; advance(n: number): Promise<{ key: IDBValidKey } | null> } | null>;
    getAll(range?: IDBKeyRange): Promise<T[]>;
  },
  limit: number,
): Promise<{ records: T[]; stored: number }> {
  const stored = await source.count();
  if (stored <= limit) return { records: await source.getAll(), stored };
  const last = await source.openKeyCursor(null, 'prev');
  const boundary = last ? await last.advance(limit - 1) : null;
  if (!boundary) return { records: await source.getAll(), stored };
  const records = await source.getAll(IDBKeyRange.lowerBound(boundary.key));
  return { records, stored };
}

type Records = { events: StoredEvent[]; eventsStored: number; incidents: Incident[]; incidentsStored: number };

/**
 * What the store holds while it keeps events in memory (./event-store.ts: IndexedDB blocked,
 * unopenable or full): the memory buffer plus whatever IndexedDB still answers, oldest first.
 */
async function fallbackRecords(): Promise<Records> {
  const events = (await recentEvents(MAX_EXPORT_EVENTS)).reverse();
  const incidents = (await recentIncidents(MAX_EXPORT_INCIDENTS)).reverse();
  return { events, eventsStored: events.length, incidents, incidentsStored: incidents.length };
}

async function storedRecords(): Promise<Records> {
  // An export is wanted most when something is wrong, the database included.
  if (storeStatus().mode === 'memory') return fallbackRecords();
  try {
    return await databaseRecords();
  } catch {
    return fallbackRecords();
  }
}

async function databaseRecords(): Promise<Records> {
  const db = await openGuardDb();
  const tx = db.transaction(['events', 'incidents'], 'readonly');
  const [ev, inc] = await Promise.all([
    newest<StoredEvent>(tx.objectStore('events'), MAX_EXPORT_EVENTS),
    newest<Incident>(tx.objectStore('incidents').index('by-opened'), MAX_EXPORT_INCIDENTS),
  ]);
  // Several incidents may share the boundary's `openedAt`: keep the bound exact.
  const incidents = inc.records.length > MAX_EXPORT_INCIDENTS ? inc.records.slice(-MAX_EXPORT_INCIDENTS) : inc.records;
  return { events: ev.records, eventsStored: ev.stored, incidents, incidentsStored: inc.stored };
}

/** The bundle as it stands now; with the event store in memory, from memory (./event-store.ts). */
export async function currentBundle(now = Date.now()): Promise<ExportBundle> {
  const [state, stored, info] = await Promise.all([stateForUi(), storedRecords(), browserInfo()]);
  return buildBundle({
    now,
    extensionVersion: browser.runtime.getManifest().version,
    browser: info,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    resolution: currentResolution(),
    policyLoaded: policyLoaded(),
    sessions: again(state.sessions),
    incidents: again(stored.incidents),
    incidentsStored: stored.incidentsStored,
    incidentsLimit: MAX_EXPORT_INCIDENTS,
    events: again(stored.events),
    eventsStored: stored.eventsStored,
    eventsLimit: MAX_EXPORT_EVENTS,
  });
}

/** Answer to `get-export`: the bundle as JSON (2-space indent) or the plain-text summary. */
export async function exportAnswer(format: 'bundle' | 'summary'): Promise<ExportResponse> {
  const now = Date.now();
  const bundle = await currentBundle(now);
  if (format === 'bundle') {
    return { type: 'export', filename: exportFilename(now, 'bundle'), mime: 'application/json', text: JSON.stringify(bundle, null, 2) };
  }
  return { type: 'export', filename: exportFilename(now, 'summary'), mime: 'text/plain', text: summaryText(bundle) };
}
