/**
 * Requests to the service worker (src/protocol/ui-protocol.ts): the sessions (`get-state`) and
 * the configuration in force (`get-config`, for the risk windows). Never throws: a worker that
 * is starting or restarting is an ordinary condition, answered with null.
 */
import type { ConfigResponse, StateResponse } from '../../../src/protocol/ui';
import { replyOrNull } from '../../../src/protocol/ui-protocol';
import { uiRequest } from '../../shared/ui-request';

/** How long one request may take before it counts as unanswered, ms. */
export const REQUEST_TIMEOUT_MS = 3000;

/** The sessions, live first; null without an answer. */
export async function requestState(timeoutMs = REQUEST_TIMEOUT_MS): Promise<StateResponse | null> {
  return replyOrNull(await uiRequest('get-state', {}, { timeoutMs }));
}

/** The effective configuration; null without an answer. */
export async function requestConfig(timeoutMs = REQUEST_TIMEOUT_MS): Promise<ConfigResponse | null> {
  return replyOrNull(await uiRequest('get-config', {}, { timeoutMs }));
}
