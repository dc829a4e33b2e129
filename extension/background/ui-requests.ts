/**
 * Answers extension pages (popup, diagnostics). Only the extension's own pages may ask:
 * content scripts and web pages are refused, and requests are schema-checked.
 */
import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import { UiRequestSchema } from '../../src/protocol/ui';
import type { EventsResponse, StateResponse } from '../../src/protocol/ui';
import { stateForUi } from './session-hub';
import { recentEvents, recentIncidents } from './event-store';

function fromExtensionPage(sender: Runtime.MessageSender): boolean {
  const own = browser.runtime.getURL('');
  return sender.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(own);
}

/**
 * runtime.onMessage listener. Returns a promise for messages it answers and `undefined`
 * for the rest, so other listeners may answer them (webextension-polyfill convention).
 */
export function handleUiMessage(message: unknown, sender: Runtime.MessageSender): Promise<StateResponse | EventsResponse> | undefined {
  if (!fromExtensionPage(sender)) return undefined;
  const parsed = UiRequestSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const request = parsed.data;
  switch (request.type) {
    case 'get-state':
      return stateForUi();
    case 'get-events':
      return Promise.all([recentEvents(request.limit, request.tabId), recentIncidents(200)]).then(
        ([events, incidents]): EventsResponse => ({ type: 'events', events, incidents }),
      );
  }
}
