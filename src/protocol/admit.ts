/**
 * The relay's gate for the probe's observations, by hand and without a schema library: the
 * relay runs on the page's renderer main thread (docs/benchmarks.md, page load), and the
 * service worker parses every observation against src/protocol/page.ts `PageObservationSchema`
 * anyway (./port.ts {@link readRelayMessage}). What the gate keeps is what only the relay can
 * do, or what keeps the runtime port safe and cheap:
 *
 * - a message of the probe's port is an array of at most {@link MAX_PAGE_BATCH} elements
 *   ({@link batchElements}); anything else is dropped whole;
 * - an element is a plain object (not an array) whose `type` is one of the observation types
 *   ({@link PAGE_OBSERVATION_TYPES});
 * - that type's rate bucket has room ({@link PAGE_RATE_BURST}, {@link PAGE_RATE_PER_SECOND}),
 *   checked before anything else is read, so a flood costs nothing more;
 * - its JSON serialization — the one the runtime port does anyway — succeeds (no cycle, no
 *   BigInt) and is at most {@link MAX_PAGE_MESSAGE_BYTES} long; only then is a token taken,
 *   so rejected elements do not drain a bucket;
 * - its times (`at`, and `lastMessageAt` of `ws-activity`), when they are finite numbers, are
 *   clamped to the relay's clock ({@link PAGE_CLOCK_PAST_MS}); other values are left as they
 *   are for the worker to reject.
 *
 * Field bounds, unknown keys and enumerations are the worker's to check: an element that passes
 * the gate and fails the schema costs the page nothing more than its serialization.
 * Elements come through the probe's `MessagePort`, so they are structured clones: plain data,
 * no getters or functions, but possibly Maps, Sets, Dates, typed arrays or cycles; the gate
 * reads only own data and never throws.
 *
 * This module imports no schema (./page-wire.ts holds the constants), so the relay's bundle
 * carries none; the worker uses its clock clamp too (./port.ts).
 */
import { MAX_PAGE_BATCH, MAX_PAGE_MESSAGE_BYTES, PAGE_OBSERVATION_TYPES } from './page-wire';
import type { PageObservationTypeName } from './page-wire';
import { createTokenBucket } from '../limits/token-bucket';
import type { TokenBucket } from '../limits/token-bucket';

/**
 * An element the gate admitted: an object with a known observation `type`, not yet checked
 * further (the worker parses it).
 */
export interface GatedObservation {
  readonly type: PageObservationTypeName;
  readonly [key: string]: unknown;
}

/** Why an element was not admitted. */
export type AdmitResult = { ok: true; obs: GatedObservation } | { ok: false; reason: 'invalid' | 'too-large' | 'rate-limited' };

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

/**
 * `t` inside `[now - pastMs, now + PAGE_CLOCK_FUTURE_MS]` when it is a finite number; any other
 * value unchanged (the schema rejects it).
 */
function clampTime(t: unknown, now: number, pastMs: number): unknown {
  if (typeof t !== 'number' || !Number.isFinite(t)) return t;
  return Math.min(now + PAGE_CLOCK_FUTURE_MS, Math.max(now - pastMs, t));
}

/**
 * `obs` with its times (`at`; `lastMessageAt` of `ws-activity`) inside the window around `now`
 * (see {@link PAGE_CLOCK_PAST_MS}): `obs` itself when none moved, else a shallow copy.
 * @param pastMs how far before `now` a time may lie (the relay: {@link PAGE_CLOCK_PAST_MS})
 */
export function clampTimes<T extends { readonly type: string; readonly at?: unknown }>(
  obs: T,
  now: number,
  pastMs = PAGE_CLOCK_PAST_MS,
): T {
  const at = clampTime(obs.at, now, pastMs);
  if (obs.type === 'ws-activity') {
    const last = (obs as { lastMessageAt?: unknown }).lastMessageAt;
    const lastMessageAt = clampTime(last, now, pastMs);
    return at === obs.at && lastMessageAt === last ? obs : { ...obs, at, lastMessageAt };
  }
  return at === obs.at ? obs : { ...obs, at };
}

const TYPES: ReadonlySet<string> = new Set<string>(PAGE_OBSERVATION_TYPES);

/** The element's JSON length, or -1 when it has none (a cycle, a BigInt, nesting too deep). */
function serializedLength(msg: object): number {
  try {
    return JSON.stringify(msg).length;
  } catch {
    return -1;
  }
}

/**
 * Creates a gate with its own rate buckets (one gate per document).
 *
 * A flood of one type drains only that type's bucket: the other types keep theirs. Only the
 * probe speaks on its port (extension/relay/relay-boot.ts takes it before any page script
 * runs), but the probe runs in the page's world, whose globals a page may have altered; what
 * the gate guarantees is the bound: at most {@link PAGE_RATE_BURST} plus
 * {@link PAGE_RATE_PER_SECOND} per second of each type reach the worker, however much the
 * probe is made to post (tests/e2e/hostile-page.spec.ts measures it).
 */
export function createPageGate(): {
  /**
   * One element of a batch from the probe's port.
   * @param now the relay's clock, epoch ms (the time the batch arrived)
   */
  admitObservation(msg: unknown, now: number): AdmitResult;
} {
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = (type: string): TokenBucket => {
    let bucket = buckets.get(type);
    if (!bucket) {
      bucket = createTokenBucket(PAGE_RATE_BURST, PAGE_RATE_PER_SECOND);
      buckets.set(type, bucket);
    }
    return bucket;
  };
  return {
    admitObservation(msg, now) {
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { ok: false, reason: 'invalid' };
      // A structured clone has no getters: reading `type` runs no page code.
      const type: unknown = (msg as { type?: unknown }).type;
      if (typeof type !== 'string' || !TYPES.has(type)) return { ok: false, reason: 'invalid' };
      const bucket = bucketOf(type);
      if (bucket.available(now) < 1) return { ok: false, reason: 'rate-limited' };
      const length = serializedLength(msg);
      if (length < 0) return { ok: false, reason: 'invalid' };
      if (length > MAX_PAGE_MESSAGE_BYTES) return { ok: false, reason: 'too-large' };
      bucket.tryTake(now);
      return { ok: true, obs: clampTimes(msg as GatedObservation, now) };
    },
  };
}

/**
 * The elements of a private-channel message ({@link MAX_PAGE_BATCH}): `data` when it is an
 * array of at most that many, else null (the whole message is dropped).
 */
export function batchElements(data: unknown): readonly unknown[] | null {
  return Array.isArray(data) && data.length <= MAX_PAGE_BATCH ? data : null;
}
