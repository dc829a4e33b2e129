/**
 * Rung 5, carried out: reloads a softphone when the pure decision (src/recovery/safe-reload.ts)
 * says the earlier rungs are exhausted and no call is active. What is reloaded is the
 * softphone's own document, nothing more (docs/architecture.md §3 rung 5):
 *
 * - a top-level softphone: its tab (`tabs.reload`);
 * - an embedded softphone: its frame alone, by `location.reload()` run in that frame's
 *   document (`scripting.executeScript`, ISOLATED world) — never the page around it, a CRM
 *   with the agent's unsaved notes;
 * - a softphone whose documents share a SharedWorker: every document using that worker
 *   together, and only when none of them is in a call — a SharedWorker ends only when no page
 *   uses it any more, so reloading one of its pages leaves the worker, and whatever it holds,
 *   as it was (amazon-connect-streams #1060).
 *
 * Each session's reload times persist in `storage.local` (key {@link RELOAD_HISTORY_KEY}) so
 * the hourly limit holds across reloads and worker restarts.
 */
import browser from 'webextension-polyfill';
import { decideSafeReload, RELOAD_WINDOW_MS } from '../../src/recovery/safe-reload';
import type { ReloadScope, SessionState } from '../../src/session/types';
import { sessionPlace } from '../../src/session/session-key';
import { currentConfig } from './config-source';
import { ingest, sessionOf } from './session-hub';
import { relayLink, sharedWorkerPeers } from './relay-ports';
import { warn } from './log';

/** storage.local key: `{ [session key]: epochMs[] }` of safe reloads within the last hour. */
export const RELOAD_HISTORY_KEY = 'safeReloadHistory';
/** A reload in progress blocks another for the same tab this long, ms. */
const RELOAD_SETTLE_MS = 15_000;

type History = Record<string, number[]>;

let history: Promise<History> | null = null;
const inFlight = new Set<number>();
const lastDeferral = new Map<number, string>();

function loadHistory(): Promise<History> {
  history ??= browser.storage.local
    .get(RELOAD_HISTORY_KEY)
    .then((r) => (r[RELOAD_HISTORY_KEY] as History | undefined) ?? {})
    .catch(() => ({}));
  return history;
}

async function remember(tabId: number, at: number): Promise<void> {
  const h = await loadHistory();
  const kept: History = {};
  for (const [tab, times] of Object.entries(h)) {
    const recent = times.filter((t) => at - t < RELOAD_WINDOW_MS);
    if (recent.length > 0) kept[tab] = recent;
  }
  kept[String(tabId)] = [...(kept[String(tabId)] ?? []), at];
  history = Promise.resolve(kept);
  await browser.storage.local.set({ [RELOAD_HISTORY_KEY]: kept });
}

/**
 * Checks one session after it changed (and on every tick). Never reloads a tab with an
 * active call; records a deferral once per reason and incident so the popup can say why it
 * waits. Causes: `signalling-not-recovered`, `token-not-recovered`, `request-not-recovered`
 * (src/recovery/safe-reload.ts).
 */
export async function considerSafeReload(session: SessionState, now: number): Promise<void> {
  const tabId = session.tabId;
  if (inFlight.has(tabId)) return;
  const recentReloads = (await loadHistory())[String(tabId)] ?? [];
  // Every page of the softphone's SharedWorker goes together, and none while one is in a call.
  const peers = sharedWorkerPeers(tabId);
  const sharedWith = peers.flatMap((key) => (key === tabId ? [] : [sessionOf(key)?.media ?? {}]));
  const decision = decideSafeReload({ session, now, config: currentConfig(), recentReloads, sharedWith });
  if (!decision.reload) {
    if (decision.reason === 'not-needed' || decision.reason === 'tab-ended' || !decision.cause) {
      lastDeferral.delete(tabId);
      return;
    }
    const deferral = `${decision.reason}:${decision.incidentId ?? ''}`;
    if (lastDeferral.get(tabId) === deferral) return;
    lastDeferral.set(tabId, deferral);
    const incidentId = decision.incidentId === undefined ? {} : { incidentId: decision.incidentId };
    void ingest(tabId, { type: 'reload-deferred', at: now, reason: decision.reason, cause: decision.cause, ...incidentId });
    return;
  }
  for (const key of peers) inFlight.add(key);
  lastDeferral.delete(tabId);
  setTimeout(() => {
    for (const key of peers) inFlight.delete(key);
  }, RELOAD_SETTLE_MS);
  const scope: ReloadScope = peers.length > 1 ? 'shared-worker' : sessionPlace(tabId).frameId !== 0 ? 'frame' : 'tab';
  try {
    await remember(tabId, now);
    await ingest(tabId, {
      type: 'safe-reload',
      at: now,
      cause: decision.cause,
      incidentId: decision.incidentId,
      scope,
      ...(scope === 'shared-worker' ? { pages: peers.length } : {}),
    });
    await Promise.all(peers.map((key) => reloadDocument(key)));
  } catch (error) {
    warn('safe reload failed', error);
  }
}

/**
 * Reloads one session's document: the tab for a top-level softphone, only the frame for an
 * embedded one (its connected document, by `documentId` where the browser gave one).
 */
async function reloadDocument(key: number): Promise<void> {
  const { tabId, frameId } = sessionPlace(key);
  if (frameId === 0) {
    await browser.tabs.reload(tabId);
    return;
  }
  const link = relayLink(key);
  await reloadDocumentAt({ tabId, frameId, ...(link?.documentId === undefined ? {} : { documentId: link.documentId }) });
}

/**
 * Reloads exactly one document by running `location.reload()` in it (ISOLATED world): the one
 * with `documentId` when given (a document that replaced it is never touched), else the
 * document in the tab's frame `frameId` — and then, with `origin`, only if it still has that
 * origin.
 * @throws when the browser refuses: the document, frame or tab is gone, or no host access
 */
export async function reloadDocumentAt(place: { tabId: number; frameId: number; documentId?: string; origin?: string }): Promise<void> {
  const target: chrome.scripting.InjectionTarget =
    place.documentId === undefined
      ? { tabId: place.tabId, frameIds: [place.frameId] }
      : { tabId: place.tabId, documentIds: [place.documentId] };
  await chrome.scripting.executeScript({
    target,
    world: 'ISOLATED',
    injectImmediately: true,
    args: [place.documentId === undefined ? (place.origin ?? null) : null],
    func: (origin: string | null) => {
      if (origin === null || location.origin === origin) location.reload();
    },
  });
}
