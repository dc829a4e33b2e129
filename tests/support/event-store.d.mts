import type { Worker } from '@playwright/test';
import type { StoredEvent } from '../../src/protocol/ui';
import type { Incident } from '../../src/session/types';
/** Adds records to a store of the extension's database from its service worker, 20,000 per transaction. */
export declare function seedStore(
  worker: Worker,
  store: 'events' | 'incidents',
  records: ReadonlyArray<Omit<StoredEvent, 'seq'> | Incident>,
): Promise<void>;
/** `n` events of a troubled softphone for `tabId`, one every 5 s up to now (429, 1006, reconnect, quality sample). */
export declare function troubledHistory(tabId: number, n: number): Omit<StoredEvent, 'seq'>[];
