/**
 * Rung 5, carried out: reloads a softphone tab when the pure decision
 * (src/recovery/safe-reload.ts) says the earlier rungs are exhausted and no call is active.
 * Each tab's reload times persist in `storage.local` (key {@link RELOAD_HISTORY_KEY}) so
 * the hourly limit holds across reloads and worker restarts.
 */
import browser from 'webextension-polyfill';
import { decideSafeReload, RELOAD_WINDOW_MS } from '../../src/recovery/safe-reload';
import type { SessionState } from '../../src/session/types';
import { currentConfig } from './config-source';
import { ingest } from './session-hub';
import { warn } from './log';

/** storage.local key: `{ [tabId]: epochMs[] }` of safe reloads within the last hour. */
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
  const decision = decideSafeReload({ session, now, config: currentConfig(), recentReloads });
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
  inFlight.add(tabId);
  lastDeferral.delete(tabId);
  setTimeout(() => inFlight.delete(tabId), RELOAD_SETTLE_MS);
  try {
    await remember(tabId, now);
    await ingest(tabId, { type: 'safe-reload', at: now, cause: decision.cause, incidentId: decision.incidentId });
    await browser.tabs.reload(tabId);
  } catch (error) {
    warn('safe reload failed', error);
  }
}
