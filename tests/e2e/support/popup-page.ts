/**
 * Opening the popup page for accessibility and locale tests: in a tab 400 px wide like the
 * real popup, with console errors collected, and optionally with `runtime.sendMessage`
 * answered by a scripted state (an init script; the popup has no test-only code path) so a
 * state that is hard to reach live (sign-in needed, every health at once) renders exactly.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { StateResponse } from '../../../src/protocol/ui';
import { EXTENSION_ID } from '../../support/browser.mjs';

/** The popup's URL in the extension. */
export const POPUP_URL = `chrome-extension://${EXTENSION_ID}/extension/popup/index.html`;

/**
 * Replaces `runtime.sendMessage` in the page (both namespaces): `get-state` is answered with
 * `state` (its `now` advancing in real time), every other message never.
 */
function scriptedWorker(state: StateResponse): void {
  const startedAt = Date.now();
  const answer = (message: unknown): Promise<unknown> =>
    (message as { type?: string } | null)?.type === 'get-state'
      ? Promise.resolve({ ...state, now: state.now + (Date.now() - startedAt) })
      : new Promise(() => {});
  const replace = (runtime: object | undefined): void => {
    if (!runtime) return;
    Object.defineProperty(runtime, 'sendMessage', {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        const callback = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : null;
        const reply = answer(args[0]);
        if (callback) void reply.then(callback);
        else return reply;
      },
    });
  };
  replace(chrome.runtime);
  replace((globalThis as { browser?: { runtime?: object } }).browser?.runtime);
}

/**
 * Opens the popup in a new tab.
 * @param state answer `get-state` with this instead of asking the service worker
 */
export async function openPopupPage(context: BrowserContext, state?: StateResponse): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 400, height: 600 });
  if (state) await page.addInitScript(scriptedWorker, state);
  await page.goto(POPUP_URL);
  return { page, errors };
}
