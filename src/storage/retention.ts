/**
 * What the event store deletes, and when: `retentionDays` and `maxStoredEvents`
 * (src/policy/schema.ts) bound it in time and size; a full disk (a write refused with
 * `QuotaExceededError`) makes room by deleting the oldest events before one retry.
 */

/** Milliseconds per day. */
const DAY_MS = 86_400_000;

/**
 * Events with `at` below the cutoff are past retention.
 * @param now epoch ms
 * @param retentionDays whole days, ≥ 1
 * @returns epoch ms
 * @throws RangeError when `retentionDays` is not a positive integer
 */
export function retentionCutoff(now: number, retentionDays: number): number {
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new RangeError(`retentionDays must be a positive integer, got ${retentionDays}`);
  return now - retentionDays * DAY_MS;
}

/**
 * How many of the oldest events go so that at most `maxStoredEvents` stay.
 * @throws RangeError when `maxStoredEvents` is not a positive integer
 */
export function excessEvents(count: number, maxStoredEvents: number): number {
  if (!Number.isInteger(maxStoredEvents) || maxStoredEvents < 1)
    throw new RangeError(`maxStoredEvents must be a positive integer, got ${maxStoredEvents}`);
  return Math.max(0, count - maxStoredEvents);
}

/** Share of the stored events deleted to make room after a quota failure. */
export const QUOTA_PRUNE_SHARE = 0.1;
/** At least this many (or all, when fewer are stored) are deleted after a quota failure. */
export const QUOTA_PRUNE_MIN = 1000;

/**
 * How many of the oldest events to delete after a write was refused for quota: a tenth of the
 * store, at least {@link QUOTA_PRUNE_MIN}, never more than there are. A tenth frees room for
 * many more batches than the one that failed, so a full disk does not cost a prune per write.
 */
export function quotaPruneCount(count: number): number {
  if (count <= 0) return 0;
  return Math.min(count, Math.max(QUOTA_PRUNE_MIN, Math.ceil(count * QUOTA_PRUNE_SHARE)));
}

/** Delivery marks not updated for this long are deleted with the events, ms (one day). */
export const DELIVERY_MARK_TTL_MS = DAY_MS;
