/**
 * A one-line notice while the event store keeps events in memory only
 * (extension/background/event-store.ts): they are lost when the browser stops the service
 * worker, so support should know why the timeline may have gaps.
 */
import type { StoreFallbackReason, StoreStatus } from '../../../src/protocol/ui';

/** Why the store is in memory, in the agent's words. */
const REASONS: Record<StoreFallbackReason, string> = {
  quota: 'the disk or the browser storage quota is full',
  blocked: 'the database is held open by an older version in another window',
  unavailable: 'the database cannot be opened',
};

/** Nothing while events go to IndexedDB; else "Events are kept in memory only: <reason>". */
export function StorageNotice({ store }: { store: StoreStatus | undefined }) {
  if (!store || store.mode !== 'memory') return null;
  const dropped = store.droppedEvents ?? 0;
  return (
    <p class="popup__config-notice" role="status" data-testid="storage-notice">
      Events are kept in memory only: {REASONS[store.reason ?? 'unavailable']}.
      {dropped > 0 ? ` ${dropped.toLocaleString('en')} older events were dropped.` : ''}
    </p>
  );
}
