/**
 * Pure summary statistics for the benchmarks: medians, quartiles, ratios over repeated runs.
 * Quantiles are the linear interpolation between closest ranks (Hyndman & Fan 1996, type 7,
 * the default of R and NumPy), so p50 is the usual median.
 */

/**
 * The q-quantile of `values` (type 7: linear interpolation between closest ranks).
 * @param {number[]} values finite numbers, any order (not modified)
 * @param {number} q in [0, 1]
 * @returns {number} NaN for an empty list
 * @throws {RangeError} when q is outside [0, 1]
 */
export function quantile(values, q) {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

/** @param {number[]} values @returns {number} the median (NaN for none) */
export const median = (values) => quantile(values, 0.5);

/**
 * Median and spread of a sample.
 * @param {number[]} values
 * @returns {{ n: number, median: number, min: number, max: number, p25: number, p75: number, p95: number }}
 *   in the unit of `values`; NaN fields when there are none
 */
export function summarize(values) {
  const xs = values.filter((v) => Number.isFinite(v));
  return {
    n: xs.length,
    median: median(xs),
    min: xs.length ? Math.min(...xs) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
    p95: quantile(xs, 0.95),
  };
}

/**
 * Per-run ratios `subject[i] / baseline[i]` (runs paired, so drift between runs cancels) and
 * their summary.
 * @param {number[]} subject one figure per run (e.g. the wrapped median of run i)
 * @param {number[]} baseline the same figure of the same run (e.g. the native median)
 * @returns {ReturnType<typeof summarize> & { values: number[] }}
 * @throws {RangeError} when the two lists differ in length
 */
export function pairedRatios(subject, baseline) {
  if (subject.length !== baseline.length) throw new RangeError(`paired runs differ in length: ${subject.length} vs ${baseline.length}`);
  const values = subject.map((s, i) => s / baseline[i]).filter((v) => Number.isFinite(v));
  return { ...summarize(values), values };
}
