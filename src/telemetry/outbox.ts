/**
 * The telemetry outbox: OTLP/JSON export requests waiting to be delivered, bounded, sent
 * oldest first, retried with backoff. Pure: the clock (`now`, epoch ms) and the random source
 * are passed in; the worker persists the state in `storage.session` and does the sending.
 *
 * ```text
 *   logs / metrics ─▶ enqueue ─▶ [entry, entry, …]  (≤ OUTBOX_LIMITS: oldest dropped, counted)
 *                                    │ nextBatch: oldest entries of one signal, ≤ maxRequestChars
 *                                    ▼
 *                      POST {endpoint}/v1/{signal}
 *            2xx ─▶ remove (partial-success rejections counted)   attempt = 0
 *  429/502/503/504, network error, timeout ─▶ keep; notBefore = now + delay; attempt + 1
 *            other status ─▶ remove, counted as rejected (OTLP/HTTP: MUST NOT retry)
 *
 *   delay = Retry-After (≤ MAX_RETRY_AFTER_MS) + random(0, min(cap, base · 2^attempt))
 * ```
 * The retry rules are those of the OTLP/HTTP specification ("Failures", "Retryable Response
 * Codes", "Throttling"); the backoff is the project's full jitter (src/recovery/backoff.ts,
 * AWS Architecture Blog 2015) with `Retry-After` honoured and jitter added on top, as rung 1
 * does, so many browsers told the same `Retry-After` by one collector do not return in step.
 */
import { fullJitterDelay, parseRetryAfter } from '../recovery/backoff';

/** The two OTLP signals exported. */
export type Signal = 'logs' | 'metrics';

/** One serialized export request (`ExportLogsServiceRequest` / `ExportMetricsServiceRequest`, OTLP/JSON). */
export interface OutboxEntry {
  id: number;
  signal: Signal;
  /** The request's JSON text. */
  body: string;
  /** Log records or metric data points in it (what the drop counters count). */
  items: number;
  /** Epoch ms it was queued. */
  queuedAt: number;
}

/** Items lost per signal, cumulative for the browser session (storage.session lifetime). */
export type LossCounters = Record<Signal, number>;

export interface OutboxState {
  /** Oldest first. */
  entries: OutboxEntry[];
  nextId: number;
  /** Sum of `body.length` over `entries`, characters. */
  chars: number;
  /** Items dropped because the outbox was full (oldest first). */
  dropped: LossCounters;
  /** Items the collector refused (non-retryable status, or partial success). */
  rejected: LossCounters;
  /** Failed deliveries in a row (the backoff exponent). */
  attempt: number;
  /** Epoch ms before which nothing is sent (backoff, Retry-After); 0 = no wait. */
  notBefore: number;
}

/**
 * Bounds. `maxChars` bounds the outbox in memory and in `storage.session` (10 MB for the whole
 * extension, docs/architecture.md §6): 1,000,000 characters of OTLP/JSON, about 1 MB, a few thousand log
 * records or several hours of metrics at the default 60 s interval. `maxEntries` bounds the
 * number of requests. `maxRequestChars` bounds one POST (collectors commonly accept 4 MiB+).
 */
export const OUTBOX_LIMITS = { maxChars: 1_000_000, maxEntries: 1000, maxRequestChars: 256_000 } as const;

/** Backoff of failed deliveries: base 1 s, cap 60 s (full jitter, src/recovery/backoff.ts). */
export const TELEMETRY_BACKOFF = { baseDelayMs: 1000, maxDelayMs: 60_000 } as const;

/** Longest `Retry-After` honoured, ms: a longer one is shortened to this (the outbox bound keeps memory in check meanwhile). */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** A delivery attempt's timeout, ms (the OTLP exporter default is 10 s). */
export const EXPORT_TIMEOUT_MS = 10_000;

export function emptyOutbox(): OutboxState {
  return {
    entries: [],
    nextId: 1,
    chars: 0,
    dropped: { logs: 0, metrics: 0 },
    rejected: { logs: 0, metrics: 0 },
    attempt: 0,
    notBefore: 0,
  };
}

/**
 * Adds a request at the end. When the bounds would be exceeded the oldest entries are dropped
 * (their items counted in `dropped`); a request larger than `maxChars` on its own is dropped
 * itself. Returns a new state.
 */
export function enqueue(
  state: OutboxState,
  item: { signal: Signal; body: string; items: number },
  now: number,
  limits: { maxChars: number; maxEntries: number } = OUTBOX_LIMITS,
): OutboxState {
  const dropped = { ...state.dropped };
  if (item.body.length > limits.maxChars) {
    dropped[item.signal] += item.items;
    return { ...state, dropped };
  }
  const entries = [...state.entries, { id: state.nextId, signal: item.signal, body: item.body, items: item.items, queuedAt: now }];
  let chars = state.chars + item.body.length;
  while (entries.length > limits.maxEntries || chars > limits.maxChars) {
    const old = entries.shift() as OutboxEntry;
    chars -= old.body.length;
    dropped[old.signal] += old.items;
  }
  return { ...state, entries, chars, dropped, nextId: state.nextId + 1 };
}

/**
 * The next request to send: the oldest entry and the entries after it of the same signal, in
 * order, while the bodies stay within `maxRequestChars` (always at least one). Null when empty
 * or while `now` is before `notBefore`.
 */
export function nextBatch(state: OutboxState, now: number, maxRequestChars: number = OUTBOX_LIMITS.maxRequestChars): OutboxEntry[] | null {
  const first = state.entries[0];
  if (!first || now < state.notBefore) return null;
  const batch = [first];
  let chars = first.body.length;
  for (const e of state.entries.slice(1)) {
    if (e.signal !== first.signal) continue;
    if (chars + e.body.length > maxRequestChars) break;
    batch.push(e);
    chars += e.body.length;
  }
  return batch;
}

/** What became of one delivery attempt. */
export type Delivery =
  /** 2xx; `rejectedItems` from an OTLP partial-success answer. */
  | { kind: 'ok'; rejectedItems: number }
  /** Retryable: 429, 502, 503, 504, a network error or the timeout. */
  | { kind: 'retry'; retryAfter: string | null }
  /** Any other status: the collector will never take it. */
  | { kind: 'rejected' };

/**
 * OTLP/HTTP status classes: 2xx success; 429, 502, 503, 504 retryable; every other status
 * MUST NOT be retried (OTLP specification, "OTLP/HTTP Response", "Retryable Response Codes").
 */
export function classifyStatus(status: number): 'ok' | 'retry' | 'rejected' {
  if (status >= 200 && status <= 299) return 'ok';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'retry';
  return 'rejected';
}

/**
 * How long to wait after the `attempt`-th failure in a row (0-based), ms:
 * `Retry-After` (seconds or HTTP date, RFC 9110 §10.2.3, at most {@link MAX_RETRY_AFTER_MS})
 * plus the full-jitter draw `random(0, min(60 s, 1 s · 2^attempt))`.
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, now: number, random: () => number): number {
  const asked = retryAfter === null ? null : parseRetryAfter(retryAfter, now);
  return Math.min(asked ?? 0, MAX_RETRY_AFTER_MS) + fullJitterDelay(attempt, TELEMETRY_BACKOFF, random);
}

/**
 * The state after a delivery of `batch`: delivered or rejected entries leave the outbox; a
 * retryable failure keeps them and sets `notBefore` by {@link retryDelayMs}.
 */
export function settle(
  state: OutboxState,
  batch: readonly OutboxEntry[],
  result: Delivery,
  now: number,
  random: () => number,
): OutboxState {
  if (result.kind === 'retry') {
    return { ...state, attempt: state.attempt + 1, notBefore: now + retryDelayMs(state.attempt, result.retryAfter, now, random) };
  }
  const ids = new Set(batch.map((e) => e.id));
  const entries = state.entries.filter((e) => !ids.has(e.id));
  const chars = entries.reduce((n, e) => n + e.body.length, 0);
  const rejected = { ...state.rejected };
  const signal = batch[0]?.signal;
  if (signal) {
    if (result.kind === 'rejected') rejected[signal] += batch.reduce((n, e) => n + e.items, 0);
    else rejected[signal] += Math.max(0, result.rejectedItems);
  }
  return { ...state, entries, chars, rejected, attempt: 0, notBefore: 0 };
}

/** The OTLP/HTTP URL of a signal: the base endpoint with `/v1/logs` or `/v1/metrics` appended
 * (OTLP exporter specification, `OTEL_EXPORTER_OTLP_ENDPOINT`: "the signal path is appended").
 * A trailing slash on the base is not doubled.
 * @throws TypeError when `endpoint` is not an absolute URL
 */
export function signalUrl(endpoint: string, signal: Signal): string {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url.href;
}
