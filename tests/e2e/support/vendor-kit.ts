/**
 * What every vendor lab's e2e support shares (support/vendor-genesys.ts, vendor-twilio.ts,
 * vendor-amazon.ts): reading the lab page's `window.labVendor`, waiting for a condition and
 * timing it, and printing the figures.
 */
import type { Page } from '@playwright/test';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `ms` as seconds with one decimal, or `never` for null. */
export const secs = (ms: number | null): string => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/**
 * The page's `window.labVendor` when it names `vendor` (a plain copy), or null while the page
 * navigates or before the vendor's client ran.
 */
export async function labVendorState<T>(page: Page, vendor: string): Promise<T | null> {
  return page
    .evaluate((name) => {
      const v = (window as unknown as { labVendor?: { vendor?: string } }).labVendor;
      return v && v.vendor === name ? (JSON.parse(JSON.stringify(v)) as unknown) : null;
    }, vendor)
    .then((v) => v as T | null)
    .catch(() => null);
}

/**
 * Polls `check` until it holds.
 * @returns ms from `since` to the first time it held, or null when `timeoutMs` passed first
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  since = Date.now(),
  stepMs = 100,
): Promise<number | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return Date.now() - since;
    await sleep(stepMs);
  }
  return null;
}

/** A check that the state `read` returns satisfies `f` now (false while there is none). */
export const stateHolds =
  <T>(read: () => Promise<T | null>, f: (s: T) => boolean): (() => Promise<boolean>) =>
  async () => {
    const s = await read();
    return s !== null && f(s);
  };
