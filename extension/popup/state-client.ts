/**
 * Asks the service worker for the current sessions (`get-state`, src/protocol/ui.ts).
 * Never throws and never logs: a worker that is starting, restarting or not listening yet is
 * an ordinary condition for the popup, shown as "no answer".
 */
import browser from 'webextension-polyfill';
import type { StateResponse, UiRequest } from '../../src/protocol/ui';

/** How long one request may take before the popup treats it as unanswered, ms. */
export const STATE_TIMEOUT_MS = 1500;

function isStateResponse(value: unknown): value is StateResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StateResponse>;
  return v.type === 'state' && Array.isArray(v.sessions) && typeof v.now === 'number';
}

/**
 * One `get-state` round trip.
 * @param timeoutMs give up after this long (the worker may hold the message without answering)
 * @returns the answer, or null when there was none, it failed, or it was not a state answer
 */
export async function requestState(timeoutMs = STATE_TIMEOUT_MS): Promise<StateResponse | null> {
  const request: UiRequest = { type: 'get-state' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const answer = await Promise.race([
      browser.runtime.sendMessage(request).then(
        (value: unknown) => value,
        () => null,
      ),
      timeout,
    ]);
    return isStateResponse(answer) ? answer : null;
  } finally {
    clearTimeout(timer);
  }
}
