/**
 * Counts and byte sizes. Numbers are grouped for the table's locale (`1,234`); byte sizes use
 * SI prefixes (1 kB = 1,000 B, IEC 80000-13), which is what people expect to read.
 */
import type { FormatStrings } from './strings';

const formatters = new Map<string, Intl.NumberFormat>();

function grouped(locale: string, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${maximumFractionDigits}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits, minimumFractionDigits: 0 });
    formatters.set(key, f);
  }
  return f;
}

/**
 * An integer count with digit grouping: `1234` → `"1,234"` (en).
 * Non-finite input gives {@link FormatStrings.notAvailable}.
 */
export function formatCount(n: number, t: FormatStrings): string {
  if (!Number.isFinite(n)) return t.notAvailable;
  return grouped(t.locale, 0).format(Math.round(n));
}

/**
 * A number with at most `digits` fraction digits, trailing zeros dropped:
 * `(0.4, 1)` → `"0.4"`, `(2, 1)` → `"2"`.
 */
export function formatNumber(n: number, digits: number, t: FormatStrings): string {
  if (!Number.isFinite(n)) return t.notAvailable;
  return grouped(t.locale, digits).format(n);
}

/**
 * A byte count with an SI prefix, one fraction digit below 10 of a unit:
 * `512` → `"512 B"`, `1530` → `"1.5 kB"`, `12_400` → `"12 kB"`, `3_210_000` → `"3.2 MB"`.
 * @param bytes non-negative byte count
 */
export function formatBytes(bytes: number, t: FormatStrings): string {
  if (!Number.isFinite(bytes) || bytes < 0) return t.notAvailable;
  const u = t.units;
  if (bytes < 1000) return `${formatCount(bytes, t)} ${u.bytes}`;
  const steps: [number, string][] = [
    [1e3, u.kB],
    [1e6, u.MB],
    [1e9, u.GB],
  ];
  let chosen = steps[0]!;
  for (const step of steps) if (bytes >= step[0]) chosen = step;
  const value = bytes / chosen[0];
  // Truncate rather than round so 999,999 B does not read as "1000 kB".
  const shown = value < 10 ? Math.floor(value * 10) / 10 : Math.floor(value);
  return `${formatNumber(shown, 1, t)} ${chosen[1]}`;
}
