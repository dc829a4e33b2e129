/**
 * The cookie-endpoint refresh, run where the softphone's cookies are: in one of its own
 * documents (./token-broker.ts decides when).
 *
 * A softphone framed by another site's page (a CRM) keeps its session cookie partitioned by
 * that site (`SameSite=None; Secure; Partitioned`, CHIPS): Chromium sends it with the frame's
 * own requests, and not with this service worker's `fetch(…, {credentials: 'include'})`
 * (measured on Chromium 156, docs/architecture.md §7: the frame's POST 200, the worker's 400);
 * a top-level softphone may mark its cookies `Partitioned` too, with the same effect. So the
 * POST to `refreshUrl` is made inside one of the softphone's own documents, with
 * `chrome.scripting.executeScript` in the extension's ISOLATED world: the request is the
 * frame's (its origin, its partition's cookies), the answer comes back to this worker as the
 * function's result and never passes through the page's MAIN world, so no page script can read
 * or patch it. Nothing is stored.
 *
 * The documents are tried in the order given; one that went away (navigated, closed) is
 * skipped. `documentIds` pins the document the relay spoke for, so a frame that navigated
 * meanwhile is not asked.
 */
import { REFRESH_TIMEOUT_MS } from './token-broker';

/** A document to run the refresh in. */
export interface RefreshDocument {
  tabId: number;
  frameId: number;
  documentId?: string;
}

/** What the endpoint answered: HTTP status (0 = network error or timeout) and the JSON body, or null. */
export interface CookieFetchAnswer {
  status: number;
  body: unknown;
}

/**
 * POSTs to `url` with the document's cookies, no body, `Accept: application/json`, from the
 * first of `documents` that can still be scripted.
 * @param url absolute refresh URL (the configured `refreshUrl` resolved against the softphone origin)
 * @returns the answer; status 0 when the request itself failed or took longer than
 *   {@link REFRESH_TIMEOUT_MS}
 * @throws Error when no document could be scripted (none left, or the browser refused each)
 */
export async function refreshInDocument(documents: readonly RefreshDocument[], url: string): Promise<CookieFetchAnswer> {
  let lastError: unknown = new Error('no document of the embedded softphone is connected to refresh its token in');
  for (const doc of documents) {
    const target: chrome.scripting.InjectionTarget =
      doc.documentId === undefined ? { tabId: doc.tabId, frameIds: [doc.frameId] } : { tabId: doc.tabId, documentIds: [doc.documentId] };
    try {
      const [injection] = await chrome.scripting.executeScript({
        target,
        world: 'ISOLATED',
        injectImmediately: true,
        args: [url, REFRESH_TIMEOUT_MS],
        func: async (endpoint: string, timeoutMs: number): Promise<{ status: number; body: unknown }> => {
          try {
            const response = await fetch(endpoint, {
              method: 'POST',
              credentials: 'include',
              cache: 'no-store',
              headers: { Accept: 'application/json' },
              signal: AbortSignal.timeout(timeoutMs),
            });
            const body: unknown = await response.json().catch(() => null);
            return { status: response.status, body };
          } catch {
            return { status: 0, body: null };
          }
        },
      });
      const result = injection?.result as CookieFetchAnswer | undefined;
      if (result && typeof result.status === 'number') return { status: result.status, body: result.body ?? null };
      lastError = new Error('the softphone document gave no answer');
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('refresh in the softphone document failed');
}
