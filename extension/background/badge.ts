/**
 * The toolbar badge: worst health across monitored tabs as text plus colour, sign-in needed,
 * and softphone tabs the browser keeps the extension out of, with a localised title
 * (src/format/badge.ts decides; this only calls `chrome.action`). Callers report the part
 * they know; the badge shows the latest of every part.
 */
import browser from 'webextension-polyfill';
import { badgeView, type BadgeInput } from '../../src/format/badge';
import type { MessageKey } from '../../src/format/translate';
import type { Health } from '../../src/session/types';

let input: BadgeInput = { healths: [] };
let shown: string | undefined;

const translate = (key: MessageKey, substitutions?: readonly string[]): string =>
  chrome.i18n.getMessage(key, substitutions ? [...substitutions] : undefined);

/**
 * Merges `part` into what the badge knows and updates it when what it shows changed. Never
 * throws: a badge that cannot be set (the worker shutting down) must not disturb recovery.
 * @param part `healths` and `signInNeeded` from the sessions; `unmonitoredTabs` from the host-access scan
 */
export async function updateBadge(part: Partial<BadgeInput>): Promise<void> {
  input = { ...input, ...part };
  const view = badgeView(input, translate);
  const key = JSON.stringify(view);
  if (key === shown) return;
  shown = key;
  await Promise.all([
    browser.action.setBadgeText({ text: view.text }),
    browser.action.setBadgeBackgroundColor({ color: view.background }),
    // Chrome 110+ (manifest minimum_chrome_version 111).
    chrome.action.setBadgeTextColor?.({ color: view.foreground }),
    browser.action.setTitle({ title: view.title }),
  ]).catch(() => {
    shown = undefined;
  });
}

/**
 * Updates the badge for the worst health of the live sessions (`null`: no tab is monitored).
 * @param signInNeeded some live session needs an interactive sign-in; absent: unchanged
 */
export function showWorstHealth(worst: Health | null, signInNeeded?: boolean): Promise<void> {
  return updateBadge({ healths: worst ? [worst] : [], ...(signInNeeded === undefined ? {} : { signInNeeded }) });
}
