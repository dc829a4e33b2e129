/**
 * The one request function of the extension pages (popup, options, diagnostics):
 * `uiRequest('get-state', {}, { timeoutMs })` resolves to the checked reply of that request
 * type or to why there is none (src/protocol/ui-protocol.ts). Never rejects, never logs.
 */
import browser from 'webextension-polyfill';
import { createUiRequester } from '../../src/protocol/ui-protocol';
import type { UiRequester } from '../../src/protocol/ui-protocol';

/** Sends over `runtime.sendMessage`; the worker answers in extension/background/ui-requests.ts. */
export const uiRequest: UiRequester = createUiRequester((message) => browser.runtime.sendMessage(message));
