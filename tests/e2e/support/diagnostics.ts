/**
 * E2E plumbing for the diagnostics page: opening it, finding an agent's tab, and filling the
 * extension's own IndexedDB (the page reads it directly) the way long use would (./event-store.ts).
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { StateResponse, StoredEvent } from '../../../src/protocol/ui';
import { EXTENSION_ID } from './softphone';

/** The diagnostics page's URL, for one tab or none. */
export function diagnosticsUrl(tabId?: number): string {
  const base = `chrome-extension://${EXTENSION_ID}/extension/diagnostics/index.html`;
  return tabId === undefined ? base : `${base}?tab=${tabId}`;
}

/** Opens the diagnostics page in a new tab (1280 × 900). */
export async function openDiagnostics(context: BrowserContext, tabId?: number): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(diagnosticsUrl(tabId));
  return page;
}

/** The tab id of the live session of `userId`, asked from an extension page (`get-state`). */
export async function tabIdOf(extensionPage: Page, userId: string): Promise<number | undefined> {
  const state: StateResponse = await extensionPage.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.find((s) => s.alive && s.agent?.userId === userId)?.tabId;
}

export { seedStore } from './event-store';

/** Stored events of a tab (newest first, at most `limit`) through the worker's `get-events`. */
export async function storedEvents(extensionPage: Page, tabId: number, limit = 10_000): Promise<StoredEvent[]> {
  const answer: { events: StoredEvent[] } = await extensionPage.evaluate(
    ({ tabId, limit }) => chrome.runtime.sendMessage({ type: 'get-events', tabId, limit }),
    { tabId, limit },
  );
  return answer.events;
}
