/**
 * The relay's gate for page messages: what arrives on `window.postMessage` is hostile until
 * proven otherwise. A message is admitted only when it is a tagged envelope for the
 * extension, its observation parses against {@link PageObservationSchema}, its serialized
 * size is within {@link MAX_PAGE_MESSAGE_BYTES}, and its type's rate bucket has room.
 */
import { MAX_PAGE_MESSAGE_BYTES, PAGE_CHANNEL, PAGE_PROTOCOL_VERSION, PageObservationSchema } from './page';
import type { PageObservation } from './page';
import { createKeyedTokenBuckets } from '../limits/token-bucket';

/** Why a message was not admitted; `ignored` means "not for us", the rest are rejections. */
export type AdmitResult =
  | { ok: true; obs: PageObservation }
  | { ok: false; reason: 'ignored' | 'invalid' | 'too-large' | 'rate-limited' };

/**
 * Per-type rates: a burst of 120 and 40 per second sustained. Legitimate traffic stays far
 * below: stats and socket activity are ≤ 1/s per connection, failures come in tens per storm.
 */
export const PAGE_RATE_BURST = 120;
export const PAGE_RATE_PER_SECOND = 40;

/** Creates a gate with its own rate buckets (one gate per document). */
export function createPageGate(): { admit(data: unknown, now: number): AdmitResult } {
  const buckets = createKeyedTokenBuckets(PAGE_RATE_BURST, PAGE_RATE_PER_SECOND);
  return {
    admit(data, now) {
      if (typeof data !== 'object' || data === null) return { ok: false, reason: 'ignored' };
      const env = data as Record<string, unknown>;
      if (env.channel !== PAGE_CHANNEL || env.dir !== 'to-ext') return { ok: false, reason: 'ignored' };
      if (env.v !== PAGE_PROTOCOL_VERSION) return { ok: false, reason: 'invalid' };
      const parsed = PageObservationSchema.safeParse(env.msg);
      if (!parsed.success) return { ok: false, reason: 'invalid' };
      // Schema bounds every field, so this stringify is of bounded cost.
      if (JSON.stringify(parsed.data).length > MAX_PAGE_MESSAGE_BYTES) return { ok: false, reason: 'too-large' };
      if (!buckets.tryTake(parsed.data.type, now)) return { ok: false, reason: 'rate-limited' };
      return { ok: true, obs: parsed.data };
    },
  };
}
