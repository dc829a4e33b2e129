/**
 * Filling the extension's own IndexedDB (`softphone-guard`) from its service worker, the way
 * long use would: for tests of the popup, the diagnostics page and the export with a large store.
 * The seeding and the troubled history are shared with the benchmark (tests/support/event-store.mjs).
 */
import type { StoredEvent } from '../../../src/protocol/ui';

export { seedStore, troubledHistory } from '../../support/event-store.mjs';

/**
 * `n` HTTP 429 events on presence requests, one a second up to now, spread over 7 tab ids that
 * are not real tabs (999000…999006): a long week of a troubled softphone, for size tests.
 * @param urlSuffix appended to each URL, given the event's index (to make URLs distinct)
 */
export function presence429s(n: number, urlSuffix: (i: number) => string = () => ''): Omit<StoredEvent, 'seq'>[] {
  const t0 = Date.now() - n * 1000;
  return Array.from({ length: n }, (_, i) => ({
    tabId: 999_000 + (i % 7),
    at: t0 + i * 1000,
    type: 'http',
    data: { status: 429, url: `https://x.test/api/v2/presence/users/u${i % 50}${urlSuffix(i)}` },
  }));
}
