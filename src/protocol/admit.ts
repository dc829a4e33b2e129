/**
 * The relay's gate for page messages: what arrives on `window.postMessage` or the private
 * channel is hostile until proven otherwise. A message is admitted only when it is a tagged
 * envelope for the extension (window) or an element of a batch (channel), its type is one of
 * the observation types and that type's rate bucket has room (checked before the parse, so a
 * flood costs no parsing), it parses against {@link PageObservationSchema}, and its
 * serialized size is within {@link MAX_PAGE_MESSAGE_BYTES}; a token is taken only then, so
 * invalid messages do not drain a bucket. Its times are then clamped to the relay's clock
 * ({@link PAGE_CLOCK_PAST_MS}).
 */
import { MAX_PAGE_BATCH, MAX_PAGE_MESSAGE_BYTES, PAGE_CHANNEL, PAGE_PROTOCOL_VERSION, PageObservationSchema } from './page';
import type { PageObservation, PageObservationType } from './page';
import { createTokenBucket } from '../limits/token-bucket';
import type { TokenBucket } from '../limits/token-bucket';

/** Why a message was not admitted; `ignored` means "not for us", the rest are rejections. */
export type AdmitResult = { ok: true; obs: PageObservation } | { ok: false; reason: 'ignored' | 'invalid' | 'too-large' | 'rate-limited' };

/**
 * Per-type rates: a burst of 120 and 40 per second sustained. Legitimate traffic stays far
 * below: stats and socket activity are ≤ 1/s per connection, failures come in tens per storm.
 */
export const PAGE_RATE_BURST = 120;
export const PAGE_RATE_PER_SECOND = 40;

/**
 * How far an admitted observation's times (`at`, and `lastMessageAt` of `ws-activity`) may lie
 * from the relay's clock, ms: before it by {@link PAGE_CLOCK_PAST_MS} at most, after it by
 * {@link PAGE_CLOCK_FUTURE_MS}. The probe and the relay read the same clock (one renderer,
 * `Date.now()`) and an observation is posted before it is received, so a genuine one is a
 * little in the past — by the time the page's message queue took. A page script that forges
 * `at: 1` (1970) would otherwise make the worker's timers (reconnect grace, heartbeat timeout)
 * expire at once; times outside the window are clamped to its edge, the observation kept. A
 * genuine observation older than 5 s would need a page task that long between the post and
 * its delivery; clamping it costs only that much accuracy in its time.
 */
export const PAGE_CLOCK_PAST_MS = 5_000;
export const PAGE_CLOCK_FUTURE_MS = 1_000;

const clampTime = (t: number, now: number): number => Math.min(now + PAGE_CLOCK_FUTURE_MS, Math.max(now - PAGE_CLOCK_PAST_MS, t));

/** `obs` with its times inside the window around `now` (a new object when one moved). */
function clampTimes(obs: PageObservation, now: number): PageObservation {
  const at = clampTime(obs.at, now);
  if (obs.type === 'ws-activity') {
    const lastMessageAt = clampTime(obs.lastMessageAt, now);
    return at === obs.at && lastMessageAt === obs.lastMessageAt ? obs : { ...obs, at, lastMessageAt };
  }
  return at === obs.at ? obs : { ...obs, at };
}

/**
 * Creates a gate with its own rate buckets (one gate per document).
 *
 * A flood of one type drains only that type's bucket: the other types keep theirs. Where the
 * page can post into the channel — window envelopes, which the relay forwards only until it
 * holds the probe's private port (extension/relay/relay.ts), so only in a page without
 * `MessageChannel` or before the `hello` — the genuine observations of the flooded type are
 * limited with the flood while it lasts, as nothing tells them apart: the probe runs in the
 * page's own world, so any mark or secret it could put on its messages the page can read and
 * copy. Per-id buckets would not help either, since a forger picks a fresh id per message.
 * What the gate guarantees is the bound: at most
 * {@link PAGE_RATE_BURST} plus {@link PAGE_RATE_PER_SECOND} per second of each type reach the
 * worker, however hard the page posts (tests/e2e/hostile-page.spec.ts measures it).
 * `now`: the relay's clock, epoch ms.
 */
export function createPageGate(): {
  /** A `window.postMessage` payload: a tagged `to-ext` envelope whose `msg` is an observation. */
  admit(data: unknown, now: number): AdmitResult;
  /** One element of a batch from the private channel: the observation itself, no envelope. */
  admitObservation(msg: unknown, now: number): AdmitResult;
} {
  const types = new Set<string>(PageObservationSchema.options.map((o) => o.shape.type.value));
  const buckets = new Map<PageObservationType, TokenBucket>();
  const bucketOf = (type: PageObservationType): TokenBucket => {
    let bucket = buckets.get(type);
    if (!bucket) {
      bucket = createTokenBucket(PAGE_RATE_BURST, PAGE_RATE_PER_SECOND);
      buckets.set(type, bucket);
    }
    return bucket;
  };
  const admitObservation = (msg: unknown, now: number): AdmitResult => {
    // Cheap checks first: an unknown type, or a type whose bucket is empty, costs no parse.
    if (typeof msg !== 'object' || msg === null) return { ok: false, reason: 'invalid' };
    const type: unknown = (msg as { type?: unknown }).type;
    if (typeof type !== 'string' || !types.has(type)) return { ok: false, reason: 'invalid' };
    const bucket = bucketOf(type as PageObservationType);
    if (bucket.available(now) < 1) return { ok: false, reason: 'rate-limited' };
    const parsed = PageObservationSchema.safeParse(msg);
    if (!parsed.success) return { ok: false, reason: 'invalid' };
    // Schema bounds every field, so this stringify is of bounded cost.
    if (JSON.stringify(parsed.data).length > MAX_PAGE_MESSAGE_BYTES) return { ok: false, reason: 'too-large' };
    bucket.tryTake(now);
    return { ok: true, obs: clampTimes(parsed.data, now) };
  };
  return {
    admit(data, now) {
      if (typeof data !== 'object' || data === null) return { ok: false, reason: 'ignored' };
      const env = data as Record<string, unknown>;
      if (env.channel !== PAGE_CHANNEL || env.dir !== 'to-ext') return { ok: false, reason: 'ignored' };
      if (env.v !== PAGE_PROTOCOL_VERSION) return { ok: false, reason: 'invalid' };
      return admitObservation(env.msg, now);
    },
    admitObservation,
  };
}

/**
 * The elements of a private-channel message ({@link MAX_PAGE_BATCH}): `data` when it is an
 * array of at most that many, else null (the whole message is dropped).
 */
export function batchElements(data: unknown): readonly unknown[] | null {
  return Array.isArray(data) && data.length <= MAX_PAGE_BATCH ? data : null;
}
