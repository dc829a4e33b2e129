/**
 * Call-quality figures with their units, flagged when they cross the thresholds of Twilio's
 * Voice JavaScript SDK network-quality warnings as docs/architecture.md §6 lists them: RTT > 400 ms,
 * jitter > 30 ms, packet loss > 1 %, MOS < 3.0.
 *
 * The popup sees one current value, not the sample window Twilio evaluates (loss > 1 % in 3
 * of 5 samples, or > 3 % on average), so a single value above 1 % is flagged: the flag says
 * "look here", not that Twilio would have raised its warning.
 */
import { formatCount, formatNumber } from './number';
import type { FormatStrings } from './strings';

/** Thresholds for flagging media figures (Twilio, docs/architecture.md §6). */
export const QUALITY_THRESHOLDS = {
  /** Round-trip time above this is flagged, ms. */
  rttMs: 400,
  /** Jitter above this is flagged, ms. */
  jitterMs: 30,
  /** Packet loss above this is flagged, percent. */
  packetLossPct: 1,
  /** MOS (1–5) below this is flagged. */
  mos: 3.0,
} as const;

/** A value ready to show, with a warning sentence when it crosses a threshold. */
export interface Displayed {
  value: string;
  /** Set when the value deserves attention; read out to screen readers next to the value. */
  warn?: string;
}

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || !Number.isFinite(v);
}

/**
 * Rounds for display. A flagged value is rounded away from its threshold (up for "above",
 * down for "below") so that it never reads as the threshold itself: 400.3 ms shows as 401,
 * MOS 2.96 as 2.9, not 3.0.
 */
function rounded(value: number, digits: number, flagged: false | 'above' | 'below'): number {
  const f = 10 ** digits;
  // The epsilon absorbs binary error such as 2.9 × 10 = 28.999….
  if (flagged === 'above') return Math.ceil(value * f - 1e-9) / f;
  if (flagged === 'below') return Math.floor(value * f + 1e-9) / f;
  return Math.round(value * f) / f;
}

/** Round-trip time, whole ms: `"120 ms"`; flagged above {@link QUALITY_THRESHOLDS.rttMs}. */
export function displayRtt(ms: number | null | undefined, t: FormatStrings): Displayed {
  if (missing(ms)) return { value: t.notAvailable };
  const limit = QUALITY_THRESHOLDS.rttMs;
  const over = ms > limit;
  const value = `${formatCount(rounded(ms, 0, over && 'above'), t)} ${t.units.ms}`;
  return over ? { value, warn: t.media.above(`${formatCount(limit, t)} ${t.units.ms}`) } : { value };
}

/** Jitter, one fraction digit below 10 ms: `"4.5 ms"`, `"31 ms"`; flagged above 30 ms. */
export function displayJitter(ms: number | null | undefined, t: FormatStrings): Displayed {
  if (missing(ms)) return { value: t.notAvailable };
  const limit = QUALITY_THRESHOLDS.jitterMs;
  const over = ms > limit;
  const value = `${formatNumber(rounded(ms, ms < 10 ? 1 : 0, over && 'above'), 1, t)} ${t.units.ms}`;
  return over ? { value, warn: t.media.above(`${formatCount(limit, t)} ${t.units.ms}`) } : { value };
}

/** Packet loss in percent, one fraction digit below 10 %: `"0.4 %"`; flagged above 1 %. */
export function displayLoss(pct: number | null | undefined, t: FormatStrings): Displayed {
  if (missing(pct)) return { value: t.notAvailable };
  const limit = QUALITY_THRESHOLDS.packetLossPct;
  const over = pct > limit;
  const value = `${formatNumber(rounded(pct, pct < 10 ? 1 : 0, over && 'above'), 1, t)} ${t.units.percent}`;
  return over ? { value, warn: t.media.above(`${formatCount(limit, t)} ${t.units.percent}`) } : { value };
}

/** Mean opinion score (1–5) with exactly one fraction digit: `"4.3"`; flagged below 3.0. */
export function displayMos(mos: number | null | undefined, t: FormatStrings): Displayed {
  if (missing(mos)) return { value: t.notAvailable };
  const fixed = new Intl.NumberFormat(t.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const limit = QUALITY_THRESHOLDS.mos;
  const under = mos < limit;
  const value = fixed.format(rounded(mos, 1, under && 'below'));
  return under ? { value, warn: t.media.below(fixed.format(limit)) } : { value };
}
