/**
 * When a downloaded extension update may be applied, and which softphone documents must be
 * reloaded afterwards (docs/architecture.md "Updates").
 *
 * Chromium downloads an update from the `update_url` on its own schedule and then waits: an
 * extension that handles `runtime.onUpdateAvailable` decides when to apply it with
 * `runtime.reload()`; one that does not is updated only when its service worker next goes idle
 * (chrome.runtime API reference, `onUpdateAvailable`), which a worker with connected pages may
 * never do. Applying it is what restarts the extension, and a restart leaves the probe and relay
 * of every open document talking to no one: those documents are monitored again only once they
 * load afresh.
 *
 * So the update waits until no live session has a call in progress (the same test as rung 5's,
 * {@link callActive}), and the documents connected at that moment are the ones to reload after
 * the restart — each exactly once, and only within {@link REATTACH_WINDOW_MS} of the restart, so
 * a record left behind by a browser that closed in between reloads nothing.
 */
import type { SessionState } from '../session/types';
import { callActive } from './safe-reload';

/**
 * A document whose relay was connected when the update was applied: what is needed to reload
 * exactly it after the restart. `documentId` is the browser's id of that document
 * (`port.sender.documentId`), which no other document ever has; without one the tab's frame is
 * reloaded only if it still shows `origin`.
 */
export interface OrphanDocument {
  /** Session key (src/session/session-key.ts). */
  key: number;
  tabId: number;
  /** 0 for a top-level softphone. */
  frameId: number;
  documentId?: string;
  /** The document's origin, e.g. `https://apps.mypurecloud.com`. */
  origin: string;
}

/**
 * What the worker writes just before it applies an update (`storage.local`), and the new
 * version reads once at start.
 */
export interface PendingReattach {
  /** When the update was applied, epoch ms. */
  appliedAt: number;
  /** The version that applied it, and the one Chromium offered. */
  fromVersion: string;
  toVersion: string;
  documents: OrphanDocument[];
}

/** A reattach record older than this at the new version's start is ignored, ms. */
export const REATTACH_WINDOW_MS = 120_000;

/** The decision on a pending update. */
export type UpdateApplyDecision =
  /** Apply now; `documents` to reload after the restart. */
  | { apply: true; documents: OrphanDocument[] }
  /** Wait: these sessions (keys) have a call in progress. */
  | { apply: false; callsActive: number[] };

/**
 * Decides whether a downloaded update may be applied now.
 *
 * @param sessions every session the worker knows (ended ones are skipped)
 * @param connected the documents whose relay is connected now
 * @param now epoch ms
 * @param quietMs inbound audio must have been still this long for a call to count as over, ms
 *   (`safeReload.quietMs`)
 * @returns `apply: false` while any live session may be in a call — when in doubt, a call is
 *   active, as for rung 5 — otherwise `apply: true` with the connected documents
 */
export function decideUpdateApply(
  sessions: readonly SessionState[],
  connected: readonly OrphanDocument[],
  now: number,
  quietMs: number,
): UpdateApplyDecision {
  const callsActive = sessions.filter((s) => s.endedAt === undefined && callActive(s.media, now, quietMs)).map((s) => s.tabId);
  return callsActive.length > 0 ? { apply: false, callsActive } : { apply: true, documents: [...connected] };
}

/**
 * The documents the new version should reload, from the record the old one left.
 *
 * @param record what was read from storage (untrusted: anything else yields none)
 * @param now epoch ms
 * @returns the documents, or `[]` when the record is absent, malformed, from the future, or
 *   older than {@link REATTACH_WINDOW_MS}
 */
export function documentsToReattach(record: unknown, now: number): OrphanDocument[] {
  if (typeof record !== 'object' || record === null) return [];
  const { appliedAt, documents } = record as Partial<PendingReattach>;
  if (typeof appliedAt !== 'number' || !Number.isFinite(appliedAt)) return [];
  if (appliedAt > now || now - appliedAt > REATTACH_WINDOW_MS) return [];
  if (!Array.isArray(documents)) return [];
  return documents.filter(isOrphanDocument);
}

function isOrphanDocument(d: unknown): d is OrphanDocument {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  return (
    Number.isSafeInteger(o.key) &&
    Number.isSafeInteger(o.tabId) &&
    Number.isSafeInteger(o.frameId) &&
    (o.frameId as number) >= 0 &&
    typeof o.origin === 'string' &&
    (o.documentId === undefined || typeof o.documentId === 'string')
  );
}
