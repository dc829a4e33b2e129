/**
 * One circuit breaker per token identity (docs/architecture.md §3 rung 2: "stops refreshing after 5
 * consecutive failures for 60 s, one probe in half-open"), kept as one plain record so the
 * worker can store it in `storage.session` and a restarted worker continues where the last
 * one stopped. Each entry is a {@link BreakerState} of ./circuit-breaker.ts.
 *
 * Keys are identity keys (./refresh-identity.ts): configuration plus the ids a page named,
 * so the record is read with `Object.hasOwn` and built with `Object.fromEntries` (a page
 * naming itself `__proto__` gets an own entry, not a prototype), and it holds at most
 * {@link MAX_BREAKERS} entries.
 */
import { DEFAULT_FAILURE_THRESHOLD, INITIAL_BREAKER_STATE, breakerRecord, breakerRequest } from './circuit-breaker';
import type { BreakerOptions, BreakerState } from './circuit-breaker';

/** Breaker state per identity key; absent = closed with no failure. */
export type BreakerBook = Readonly<Record<string, BreakerState>>;

/** Entries kept at most; closed ones go first, then the oldest open ones. */
export const MAX_BREAKERS = 64;

/** The answer to "may this identity refresh now?". */
export type RefreshGate =
  | { allowed: true; book: BreakerBook }
  /** `message`: one plain sentence for the timeline and the popup. */
  | { allowed: false; book: BreakerBook; retryAt: number; message: string };

/** The state of one identity's breaker. */
export function breakerOf(book: BreakerBook, key: string): BreakerState {
  return Object.hasOwn(book, key) ? (book[key] ?? INITIAL_BREAKER_STATE) : INITIAL_BREAKER_STATE;
}

function sinceOf(state: BreakerState): number {
  if (state.status === 'open') return state.openedAt;
  if (state.status === 'half-open') return state.probeStartedAt;
  return -Infinity;
}

function withEntry(book: BreakerBook, key: string, state: BreakerState): BreakerBook {
  const entries = Object.entries(book).filter(([k]) => k !== key);
  // A closed breaker with no failure is the default: not stored.
  if (!(state.status === 'closed' && state.failures === 0)) entries.push([key, state]);
  if (entries.length > MAX_BREAKERS) {
    entries.sort(([, a], [, b]) => Number(a.status !== 'closed') - Number(b.status !== 'closed') || sinceOf(a) - sinceOf(b));
    entries.splice(0, entries.length - MAX_BREAKERS);
  }
  return Object.fromEntries(entries);
}

/**
 * `"Token refresh paused for 42 s after 5 failures"`.
 * @param retryAt epoch ms when a refresh may be tried again
 * @param now epoch ms
 * @param failures the threshold that opened the breaker
 */
export function refreshPausedMessage(retryAt: number, now: number, failures: number = DEFAULT_FAILURE_THRESHOLD): string {
  const seconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
  return `Token refresh paused for ${seconds} s after ${failures} failures`;
}

/**
 * Asks whether `key` may start a refresh at `now` (a caller joining a refresh already in the
 * air does not ask). Allowed in half-open makes this attempt the one probe: keep the returned
 * book. Refused: the sentence says for how long.
 * @param now epoch ms
 */
export function admitRefresh(book: BreakerBook, key: string, now: number, options: BreakerOptions = {}): RefreshGate {
  const before = breakerOf(book, key);
  const decision = breakerRequest(before, now, options);
  const next = decision.state === before ? book : withEntry(book, key, decision.state);
  if (decision.allowed) return { allowed: true, book: next };
  const retryAt = decision.retryAt ?? now;
  const threshold = Math.max(1, options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD);
  return { allowed: false, book: next, retryAt, message: refreshPausedMessage(retryAt, now, threshold) };
}

/**
 * Records how a refresh of `key` ended: a success closes its breaker (and drops the entry), a
 * failure counts toward opening it, or reopens it after a failed probe.
 * @param now epoch ms
 */
export function recordRefresh(
  book: BreakerBook,
  key: string,
  outcome: 'success' | 'failure',
  now: number,
  options: BreakerOptions = {},
): BreakerBook {
  return withEntry(book, key, breakerRecord(breakerOf(book, key), outcome, now, options));
}

function isBreakerState(value: unknown): value is BreakerState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  if (v.status === 'closed') return finite(v.failures) && (v.failures as number) >= 0;
  if (v.status === 'open') return finite(v.openedAt);
  if (v.status === 'half-open') return finite(v.probeStartedAt);
  return false;
}

/**
 * A book read back from storage, with anything malformed dropped (storage is the extension's
 * own, but a book from an older version must not break refreshing).
 */
export function parseBreakerBook(value: unknown): BreakerBook {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  let book: BreakerBook = {};
  for (const [key, state] of Object.entries(value as Record<string, unknown>)) {
    if (isBreakerState(state)) book = withEntry(book, key, state);
  }
  return book;
}
