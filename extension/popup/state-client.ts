/**
 * Asks the service worker for the current sessions (`get-state`, src/protocol/ui-protocol.ts).
 * Never throws and never logs: a worker that is starting, restarting or not listening yet is
 * an ordinary condition for the popup, shown as "no answer".
 */
import type { StateResponse } from '../../src/protocol/ui';
import { replyOrNull } from '../../src/protocol/ui-protocol';
import { uiRequest } from '../shared/ui-request';

/** How long one request may take before the popup treats it as unanswered, ms. */
export const STATE_TIMEOUT_MS = 1500;

/**
 * One `get-state` round trip.
 * @param timeoutMs give up after this long (the worker may hold the message without answering)
 * @returns the answer, or null when there was none, it failed, or it was not a state answer
 */
export async function requestState(timeoutMs = STATE_TIMEOUT_MS): Promise<StateResponse | null> {
  return replyOrNull(await uiRequest('get-state', {}, { timeoutMs }));
}
