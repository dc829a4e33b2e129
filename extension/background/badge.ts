/**
 * The toolbar badge shows the worst health across monitored tabs: nothing when all is well
 * or nothing is watched, and a short mark plus colour otherwise (text as well as colour, so
 * it does not rely on colour vision).
 */
import browser from 'webextension-polyfill';
import type { Health } from '../../src/session/types';

const BADGE: Record<Health, { text: string; color: string; title: string }> = {
  healthy: { text: '', color: '#2e7d32', title: 'Softphone Guard: softphone healthy' },
  degraded: { text: '!', color: '#b26a00', title: 'Softphone Guard: softphone degraded' },
  recovering: { text: '…', color: '#1565c0', title: 'Softphone Guard: recovering the softphone' },
  down: { text: 'X', color: '#c62828', title: 'Softphone Guard: softphone down' },
};

let shown: Health | null | undefined;

/** Updates the badge when the worst health changed. `null` means no tab is monitored. */
export async function showWorstHealth(worst: Health | null): Promise<void> {
  if (worst === shown) return;
  shown = worst;
  const b = worst ? BADGE[worst] : { text: '', color: '#2e7d32', title: 'Softphone Guard: no softphone tab open' };
  await Promise.all([
    browser.action.setBadgeText({ text: b.text }),
    browser.action.setBadgeBackgroundColor({ color: b.color }),
    browser.action.setTitle({ title: b.title }),
  ]).catch(() => undefined);
}
