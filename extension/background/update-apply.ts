/**
 * Applies a downloaded extension update when no call is in progress, then reloads the
 * softphone documents the restart left unmonitored (the decision: src/recovery/update-apply.ts;
 * docs/architecture.md "Updates").
 *
 * - `runtime.onUpdateAvailable` → {@link handleUpdateAvailable}: the pending version is kept in
 *   `storage.session` (it outlives a stopped worker, and the restart that applies the update
 *   clears it), and checked at once and after every session change (ticks included) until no
 *   live session has a call. A session in a call records `extension-update` `deferred` once.
 * - Applying: every connected document records `extension-update` `applying`; the documents
 *   are written to `storage.local` ({@link REATTACH_KEY}), the event store is flushed, and
 *   `runtime.reload()` restarts the extension as the new version.
 * - The new version at start ({@link reattachAfterUpdate}): reads and deletes the record, and
 *   reloads each document it names — by `documentId`, so never a document that replaced it —
 *   recording `extension-update` `reattached` (or `reattach-failed`). With `safeReload.enabled`
 *   false nothing is reloaded (`reattach-skipped`): the agent's next reload brings the
 *   monitoring back.
 */
import browser from 'webextension-polyfill';
import { decideUpdateApply, documentsToReattach, type OrphanDocument, type PendingReattach } from '../../src/recovery/update-apply';
import { currentConfig } from './config-source';
import { flush } from './event-store';
import { ingest, knownSessions, settled } from './session-hub';
import { connectedSessions, relayLink } from './relay-ports';
import { reloadDocumentAt } from './safe-reload';
import { warn } from './log';

/** storage.local key: the {@link PendingReattach} the applying version leaves for the new one. */
export const REATTACH_KEY = 'updateReattach';
/** storage.session key: `{ version, since }` of an update waiting to be applied. */
const PENDING_KEY = 'updatePending';

interface PendingUpdate {
  version: string;
  /** When Chromium announced it, epoch ms. */
  since: number;
}

let pending: PendingUpdate | null = null;
let applying = false;
const deferredLogged = new Set<number>();

const currentVersion = (): string => browser.runtime.getManifest().version;

/**
 * `runtime.onUpdateAvailable` listener: `details.version` is the downloaded version.
 * Never throws.
 */
export function handleUpdateAvailable(details: { version: string }): void {
  pending = { version: details.version, since: Date.now() };
  void browser.storage.session.set({ [PENDING_KEY]: pending }).catch((error: unknown) => warn('could not keep the pending update', error));
  void considerUpdate(Date.now());
}

/**
 * Resumes an update a stopped worker was waiting on (call once at start). Never throws.
 */
export async function resumePendingUpdate(): Promise<void> {
  try {
    const stored = (await browser.storage.session.get(PENDING_KEY))[PENDING_KEY] as PendingUpdate | undefined;
    if (pending === null && typeof stored?.version === 'string' && stored.version !== currentVersion()) {
      pending = { version: stored.version, since: typeof stored.since === 'number' ? stored.since : Date.now() };
      void considerUpdate(Date.now());
    }
  } catch (error) {
    warn('could not read the pending update', error);
  }
}

/**
 * Applies the pending update if no live session has a call in progress (session-update
 * listener; `now` epoch ms). Does nothing when no update is pending.
 */
export async function considerUpdate(now: number): Promise<void> {
  if (pending === null || applying) return;
  const update = pending;
  const documents: OrphanDocument[] = [];
  for (const key of connectedSessions()) {
    const link = relayLink(key);
    if (!link) continue;
    documents.push({
      key,
      tabId: link.tabId,
      frameId: link.frameId,
      origin: link.origin,
      ...(link.documentId === undefined ? {} : { documentId: link.documentId }),
    });
  }
  const decision = decideUpdateApply(knownSessions(), documents, now, currentConfig().safeReload.quietMs);
  if (!decision.apply) {
    for (const key of decision.callsActive) {
      if (deferredLogged.has(key)) continue;
      deferredLogged.add(key);
      void ingest(key, { type: 'extension-update', at: now, phase: 'deferred', version: update.version });
    }
    return;
  }
  applying = true;
  try {
    for (const d of decision.documents)
      void ingest(d.key, { type: 'extension-update', at: now, phase: 'applying', version: update.version });
    const record: PendingReattach = {
      appliedAt: now,
      fromVersion: currentVersion(),
      toVersion: update.version,
      documents: decision.documents,
    };
    await browser.storage.local.set({ [REATTACH_KEY]: record });
    await settled();
    await flush();
  } catch (error) {
    // The update is applied all the same: a lost record costs only the reattach reloads.
    warn('could not prepare the update', error);
  }
  browser.runtime.reload();
}

/**
 * After an update: reloads the documents the previous version left unmonitored (call once at
 * start; `configLoaded` resolves once the configuration is read, which says whether reloads are
 * allowed). Never throws.
 */
export async function reattachAfterUpdate(opts: { configLoaded: Promise<unknown> }): Promise<void> {
  let record: unknown;
  try {
    record = (await browser.storage.local.get(REATTACH_KEY))[REATTACH_KEY];
    if (record === undefined) return;
    await browser.storage.local.remove(REATTACH_KEY);
  } catch (error) {
    warn('could not read the update record', error);
    return;
  }
  const now = Date.now();
  const documents = documentsToReattach(record, now);
  if (documents.length === 0) return;
  await opts.configLoaded.catch(() => undefined);
  await settled();
  const version = currentVersion();
  const reload = currentConfig().safeReload.enabled;
  for (const doc of documents) {
    if (!reload) {
      void ingest(doc.key, { type: 'extension-update', at: now, phase: 'reattach-skipped', version });
      continue;
    }
    try {
      await reloadDocumentAt(doc);
      void ingest(doc.key, { type: 'extension-update', at: now, phase: 'reattached', version });
    } catch (error) {
      // The document is gone (closed or navigated): nothing of it is left to monitor.
      warn('could not reload a document after the update', error);
      void ingest(doc.key, { type: 'extension-update', at: now, phase: 'reattach-failed', version });
    }
  }
}
