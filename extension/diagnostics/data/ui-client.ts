/**
 * Requests to the service worker (src/protocol/ui.ts): the sessions (`get-state`) and the
 * configuration in force (`get-config`, for the risk windows). Never throws: a worker that is
 * starting or restarting is an ordinary condition, answered with null.
 */
import browser from 'webextension-polyfill';
import type { ConfigResponse, StateResponse, UiRequest } from '../../../src/protocol/ui';

/** How long one request may take before it counts as unanswered, ms. */
export const REQUEST_TIMEOUT_MS = 3000;

async function ask(request: UiRequest, timeoutMs: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([browser.runtime.sendMessage(request).catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The sessions, live first; null without an answer. */
export async function requestState(timeoutMs = REQUEST_TIMEOUT_MS): Promise<StateResponse | null> {
  const answer = (await ask({ type: 'get-state' }, timeoutMs)) as Partial<StateResponse> | null;
  return answer && answer.type === 'state' && Array.isArray(answer.sessions) ? (answer as StateResponse) : null;
}

/** The effective configuration; null without an answer. */
export async function requestConfig(timeoutMs = REQUEST_TIMEOUT_MS): Promise<ConfigResponse | null> {
  const answer = (await ask({ type: 'get-config' }, timeoutMs)) as Partial<ConfigResponse> | null;
  return answer && answer.type === 'config' && answer.config ? (answer as ConfigResponse) : null;
}
