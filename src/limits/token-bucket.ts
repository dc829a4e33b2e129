/**
 * A token bucket (the classic traffic-shaping algorithm, e.g. RFC 2697 §1 for its use in
 * metering): `capacity` tokens, refilled continuously at `refillPerSecond`, one token per
 * admitted message. The clock is passed in, so the bucket is deterministic under test.
 */
export interface TokenBucket {
  /** Takes one token if available. `now` in ms (monotonic or epoch, but consistent). */
  tryTake(now: number): boolean;
  /** Tokens available at `now` (fractional). */
  available(now: number): number;
}

/**
 * @param capacity burst size in messages, ≥ 1
 * @param refillPerSecond sustained rate in messages per second, > 0
 * @throws {RangeError} on a non-finite or out-of-range argument
 */
export function createTokenBucket(capacity: number, refillPerSecond: number): TokenBucket {
  if (!Number.isFinite(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
    throw new RangeError(`refillPerSecond must be > 0, got ${refillPerSecond}`);
  }
  let tokens = capacity;
  let last: number | undefined;
  const refill = (now: number): void => {
    if (last !== undefined && now > last) tokens = Math.min(capacity, tokens + ((now - last) / 1000) * refillPerSecond);
    if (last === undefined || now > last) last = now;
  };
  return {
    tryTake(now) {
      refill(now);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    available(now) {
      refill(now);
      return tokens;
    },
  };
}
