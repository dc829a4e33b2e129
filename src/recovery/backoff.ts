/**
 * Rung 1 of the recovery ladder (docs/architecture.md §3): when to retry a failed request, and after how
 * long. Pure: the clock (`now`, epoch ms) and the random source (`random`, uniform in [0, 1))
 * are passed in, so every rule runs under vitest with fake timers and fixed randomness.
 *
 * ```text
 *  answer ─▶ status in retry.statuses? ─no──▶ give up (the page sees it)
 *              │yes
 *            idempotent method, or Idempotency-Key? ─no──▶ give up
 *              │yes
 *            fewer than maxAttempts retries so far? ─no──▶ give up
 *              │yes
 *            Retry-After (RA) in the answer?
 *       none ◀────┴────▶ RA ms
 *        │                 │
 *   wait = J(ceiling)    waited + RA ≤ 120 s? ─no──▶ give up and report ('wait-too-long')
 *        │                 │yes
 *   waited + wait        wait = RA + J(min(ceiling, 120 s − waited − RA))
 *    ≤ 120 s? ─no──▶ give up and report ('wait-too-long')
 *        │yes              │
 *        └───────┬─────────┘
 *          sleep `wait`, then send again
 *
 *  ceiling = min(cap, base · 2^attempt)      J(c) = random(0, c), uniform, whole ms
 * ```
 *
 * Why Retry-After plus jitter rather than `max(jitter, Retry-After)`: a rate limiter answers
 * every client of a burst with the same `Retry-After`, and the max rule then retries them all
 * at the same instant (whenever `Retry-After` is at least the backoff ceiling, the jitter never
 * wins the max and disappears), which is the next burst. Adding the full-jitter term on top spreads those retries over the same
 * range full jitter uses without Retry-After, and never retries earlier than the server asked
 * (RFC 9110 §10.2.3).
 */

/** The retry settings (`config.retry`, docs/architecture.md §4). */
export interface RetryPolicy {
  /** `base` of the backoff, ms. */
  baseDelayMs: number;
  /** `cap` of the backoff, ms (bounded in turn by {@link MAX_RETRY_WAIT_MS}). */
  maxDelayMs: number;
  /** Retries per request at most (not counting the first send). */
  maxAttempts: number;
  /** HTTP statuses worth a retry (default 408, 429, 503). */
  statuses: readonly number[];
}

/**
 * The longest the probe keeps one page request waiting in backoff, in total, ms. A server
 * asking for longer (`Retry-After`) is not retried: the page gets the answer and the incident
 * records why (docs/architecture.md §3 rung 1, "above 120 s it stops and reports").
 */
export const MAX_RETRY_WAIT_MS = 120_000;

/** The largest exponent used: 2^40 ms is beyond any cap, and keeps the product finite. */
const MAX_EXPONENT = 40;

/**
 * The ceiling of the n-th backoff, `min(cap, base · 2^attempt)`, ms; the cap itself is
 * bounded by {@link MAX_RETRY_WAIT_MS}.
 * @param attempt retries already sent for this request (0 before the first retry)
 */
export function backoffCeiling(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const cap = Math.min(Math.max(0, policy.maxDelayMs), MAX_RETRY_WAIT_MS);
  const base = Math.max(0, policy.baseDelayMs);
  if (base === 0 || cap === 0) return 0;
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT);
  return Math.min(cap, base * 2 ** exponent);
}

/**
 * Full-jitter exponential backoff, `sleep = random(0, min(cap, base · 2^attempt))`, in whole ms
 * (AWS Architecture Blog, Marc Brooker, "Exponential Backoff and Jitter", 2015: full jitter
 * spreads retries of many clients evenly and finishes the work soonest).
 * @param attempt retries already sent for this request (0 before the first retry)
 * @param random uniform in [0, 1) (`Math.random` in production)
 * @returns ms, in [0, min(cap, base · 2^attempt)]
 */
export function fullJitterDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  return uniformMs(backoffCeiling(attempt, policy), random);
}

/** `random(0, ceiling)` in whole ms; a broken random source is clamped into range. */
function uniformMs(ceiling: number, random: () => number): number {
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(unit * Math.max(0, ceiling));
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DELAY_SECONDS = /^\d+$/;
// RFC 9110 §5.6.7, the three forms a recipient must accept (case-sensitive):
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** Obsolete RFC 850 form: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = /^([A-Z][a-z]{5,8}), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** Obsolete ANSI C asctime() form: `Sun Nov  6 08:49:37 1994` (day padded with a space). */
const ASCTIME_DATE = /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** Days in a month of the proleptic Gregorian calendar; `month` 0–11. */
function daysIn(year: number, month: number): number {
  if (month !== 1) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month] ?? 31;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

/** Epoch ms of a valid UTC date-time, or null (out-of-range fields; 60 s allowed for a leap second). */
function utc(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | null {
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || hour > 23 || minute > 59 || second > 60 || day < 1 || day > daysIn(year, month)) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month, day); // Date.UTC maps years 0–99 to 1900–1999
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * RFC 9110 §5.6.7: a two-digit rfc850 year that would be more than 50 years in the future is
 * the most recent past year with the same last two digits.
 */
function fullYear(twoDigits: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  let year = current - (current % 100) + twoDigits;
  if (year > current + 50) year -= 100;
  else if (year <= current - 50) year += 100;
  return year;
}

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms every recipient must still accept. Case-sensitive, as the grammar is; the weekday
 * must be a valid name but is not checked against the date.
 * @param now epoch ms, for the century of an RFC 850 two-digit year
 * @returns epoch ms, or null when `value` is not an HTTP-date
 */
export function parseHttpDate(value: string, now: number): number | null {
  let m = IMF_FIXDATE.exec(value);
  if (m) {
    if (!DAY_NAMES.includes(m[1] ?? '')) return null;
    return utc(Number(m[4]), m[3] ?? '', Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m = RFC850_DATE.exec(value);
  if (m) {
    if (!LONG_DAY_NAMES.includes(m[1] ?? '')) return null;
    return utc(fullYear(Number(m[4]), now), m[3] ?? '', Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m = ASCTIME_DATE.exec(value);
  if (m) {
    if (!DAY_NAMES.includes(m[1] ?? '')) return null;
    return utc(Number(m[7]), m[2] ?? '', Number((m[3] ?? '').trim()), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  return null;
}

/**
 * How long a `Retry-After` header asks the client to wait (RFC 9110 §10.2.3):
 * `delay-seconds` (1*DIGIT) or an HTTP-date (see {@link parseHttpDate}). Surrounding
 * whitespace is ignored. A date in the past means "no wait" (0).
 * @param value the header value as received
 * @param now epoch ms, the time the response arrived
 * @returns ms to wait (≥ 0; huge values are kept, capped at `Number.MAX_SAFE_INTEGER`),
 *   or null for anything else (empty, negative, fractional, malformed)
 */
export function parseRetryAfter(value: string, now: number): number | null {
  const v = value.trim();
  if (DELAY_SECONDS.test(v)) return Math.min(Number(v) * 1000, Number.MAX_SAFE_INTEGER);
  const date = parseHttpDate(v, now);
  return date === null ? null : Math.max(0, date - now);
}

/**
 * Idempotent methods (RFC 9110 §9.2.2): the safe GET, HEAD, OPTIONS and TRACE, plus PUT and
 * DELETE. Compared upper-case (fetch and XHR normalise the standard names, RFC 9110 §9.1).
 */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Whether a request may be sent again without changing its effect: an idempotent method
 * (RFC 9110 §9.2.2), or any method with an `Idempotency-Key` header (IETF httpapi draft
 * "The Idempotency-Key HTTP Header Field": the server deduplicates by key). POST and PATCH
 * without a key are never retried.
 * @param method request method, any case
 * @param hasIdempotencyKey the request carries a non-empty `Idempotency-Key` header
 */
export function isRetryableMethod(method: string, hasIdempotencyKey: boolean): boolean {
  return hasIdempotencyKey || IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** What {@link planRetry} needs to know about one answer. */
export interface RetryQuestion {
  /** HTTP status of the answer. */
  status: number;
  /** Request method, any case. */
  method: string;
  /** The request carries an `Idempotency-Key` header. */
  hasIdempotencyKey: boolean;
  /** `Retry-After` header value as received, or null. */
  retryAfter: string | null;
  /** Retries already sent for this page request because of a status (0 after the first answer). */
  retriesDone: number;
  /** Time already spent waiting in backoff for this page request, ms. */
  waitedMs: number;
  /** Epoch ms the answer arrived (for an HTTP-date `Retry-After`). */
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
  policy: RetryPolicy;
}

/** Why a request is not retried. */
export type GiveUpReason = 'status' | 'method' | 'attempts' | 'wait-too-long';

/** The decision: wait `delayMs` then send again, or stop. */
export type RetryPlan =
  | {
      retry: true;
      /** ms to wait before the retry: `(retryAfterMs ?? 0) + backoffMs`. */
      delayMs: number;
      /**
       * The full-jitter draw, ms: in `[0, min(cap, base · 2^attempt)]`, narrowed after a
       * `Retry-After` to what the 120 s bound leaves.
       */
      backoffMs: number;
      /** What `Retry-After` asked for, ms; null when absent or unparsable. */
      retryAfterMs: number | null;
    }
  | {
      retry: false;
      reason: GiveUpReason;
      /**
       * Only for `wait-too-long`: the shortest wait allowed, ms — `Retry-After` when given
       * (the jitter is not counted), otherwise the full-jitter draw.
       */
      delayMs?: number;
      retryAfterMs?: number | null;
    };

/**
 * Retry or give up, for one answer of one page request (docs/architecture.md §3 rung 1):
 * - only statuses in `policy.statuses` (default 408, 429, 503) are retried;
 * - only idempotent requests ({@link isRetryableMethod});
 * - at most `policy.maxAttempts` retries per page request;
 * - without `Retry-After` the wait is the full-jitter draw, `random(0, min(cap, base · 2^attempt))`
 *   (AWS Architecture Blog, "Exponential Backoff and Jitter", 2015);
 * - with `Retry-After` the wait is `Retry-After + random(0, min(cap, base · 2^attempt))`: never
 *   shorter than the server asked (RFC 9110 §10.2.3), never longer than that plus the backoff
 *   ceiling, and clients told the same `Retry-After` at once do not come back in lock-step;
 * - {@link MAX_RETRY_WAIT_MS} (120 s) bounds the total wait of one page request: when `waitedMs`
 *   plus `Retry-After` (or, without one, plus the draw) would exceed it the request is not
 *   retried (`wait-too-long`): the page gets the answer and the caller reports it. The jitter
 *   added to a `Retry-After` that fits is drawn from the room left under the bound (uniform in
 *   `[0, min(ceiling, 120 s − waitedMs − Retry-After)]`), so it never turns an allowed wait
 *   into a give-up.
 * An unparsable `Retry-After` is ignored (the backoff alone applies).
 */
export function planRetry(q: RetryQuestion): RetryPlan {
  if (!q.policy.statuses.includes(q.status)) return { retry: false, reason: 'status' };
  if (!isRetryableMethod(q.method, q.hasIdempotencyKey)) return { retry: false, reason: 'method' };
  if (q.retriesDone >= q.policy.maxAttempts) return { retry: false, reason: 'attempts' };
  const retryAfterMs = q.retryAfter === null ? null : parseRetryAfter(q.retryAfter, q.now);
  const room = MAX_RETRY_WAIT_MS - Math.max(0, q.waitedMs);
  const ceiling = backoffCeiling(q.retriesDone, q.policy);
  if (retryAfterMs === null) {
    const backoffMs = uniformMs(ceiling, q.random);
    if (backoffMs > room) return { retry: false, reason: 'wait-too-long', delayMs: backoffMs, retryAfterMs };
    return { retry: true, delayMs: backoffMs, backoffMs, retryAfterMs };
  }
  if (retryAfterMs > room) return { retry: false, reason: 'wait-too-long', delayMs: retryAfterMs, retryAfterMs };
  const backoffMs = uniformMs(Math.min(ceiling, room - retryAfterMs), q.random);
  return { retry: true, delayMs: retryAfterMs + backoffMs, backoffMs, retryAfterMs };
}
