/**
 * The worker's side of the UI protocol (./ui-protocol.ts): parses a page's message with
 * `UiRequestSchema` and hands it to the handler of its type. Kept apart from the page side so
 * the pages do not load the request schemas.
 */
import { UiRequestSchema } from './ui';
import type { UiHandlers, UiReplies, UiRequestOf, UiRequestType } from './ui-protocol';

function dispatch<T extends UiRequestType>(handlers: UiHandlers, request: UiRequestOf<T>): Promise<UiReplies[T]> {
  const handler = handlers[request.type as T];
  return handler(request);
}

/**
 * Answers one message with the handler of its type. The caller checks the sender first.
 * @returns the handler's reply (a rejection when the handler throws or rejects), or
 *   `undefined` when the message is not a valid UI request, so other `runtime.onMessage`
 *   listeners may answer it (webextension-polyfill convention)
 */
export function answerUiRequest(handlers: UiHandlers, message: unknown): Promise<UiReplies[UiRequestType]> | undefined {
  const parsed = UiRequestSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const request = parsed.data;
  return Promise.resolve().then(() => dispatch(handlers, request));
}
