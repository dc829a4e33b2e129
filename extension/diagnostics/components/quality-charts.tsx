/**
 * RTT, jitter, packet loss and MOS over a call, from the stored `pc-stats` samples, with the
 * quality thresholds of docs/architecture.md §6 drawn in (src/diagnostics/chart-thresholds.ts). Each
 * chart is a figure whose caption and text summary (samples, median, worst, samples past
 * each threshold) say what the picture shows. Long calls are downsampled worst-of-interval
 * (src/diagnostics/chart-downsample.ts).
 */
import { useMemo, useState } from 'preact/hooks';
import { downsampleWorst } from '../../../src/diagnostics/chart-downsample';
import { toColumns, type CallSeries } from '../../../src/diagnostics/chart-series';
import { summarizeMetric } from '../../../src/diagnostics/chart-summary';
import { CHART_METRICS, CHART_THRESHOLDS, type ChartMetric } from '../../../src/diagnostics/chart-thresholds';
import { formatTimestamp } from '../../../src/diagnostics/timeline-merge';
import { formatNumber } from '../../../src/format/number';
import { CHART_STRINGS, DIAGNOSTICS_STRINGS as S, TIMELINE_STRINGS as T } from '../strings';
import type { CallStatsFeed } from '../use-call-stats';
import { UplotChart, type ThresholdLine } from './uplot-chart';

// MOS keeps one fraction digit ("3.0"), as the popup shows it (src/format/quality.ts).
const mosFormat = new Intl.NumberFormat(T.format.locale, { minimumFractionDigits: 1, maximumFractionDigits: 2 });

const withUnit = (value: number, metric: ChartMetric): string => {
  const unit = CHART_STRINGS[metric].unit;
  const n = metric === 'mos' ? mosFormat.format(value) : formatNumber(value, 1, T.format);
  return unit ? `${n} ${unit}` : n;
};

const MOS_RANGE: [number, number] = [1, 4.5];

/** The charts section. */
export function QualityCharts({ feed }: { feed: CallStatsFeed }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const call: CallSeries | undefined = feed.calls.find((c) => c.pcId === chosen) ?? feed.calls[0];
  const columns = useMemo(() => (call ? toColumns(downsampleWorst(call.points)) : null), [call]);
  const thresholds = useMemo(
    () =>
      Object.fromEntries(
        CHART_METRICS.map((m) => [
          m,
          CHART_THRESHOLDS[m].map((t): ThresholdLine => ({
            value: t.value,
            level: t.level,
            label: S.threshold(t.level, withUnit(t.value, m)),
          })),
        ]),
      ) as Record<ChartMetric, ThresholdLine[]>,
    [],
  );

  let body;
  if (feed.reading) body = <p role="status">{S.chartsLoading(feed.scanned)}</p>;
  else if (feed.error) body = <p role="status">{S.readFailed}</p>;
  else if (!call || !columns) body = <p>{S.chartsNone}</p>;
  else
    body = (
      <>
        {feed.calls.length > 1 ? (
          <p class="charts__call">
            <label for="call-select">{S.callLabel}</label>{' '}
            <select id="call-select" value={call.pcId} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
              {feed.calls.map((c) => (
                <option key={c.pcId} value={c.pcId}>
                  {S.callOption(formatTimestamp(c.start, T.format.locale), formatTimestamp(c.end, T.format.locale), c.points.length)}
                </option>
              ))}
            </select>
          </p>
        ) : (
          <p class="charts__call muted">
            {S.callOption(formatTimestamp(call.start, T.format.locale), formatTimestamp(call.end, T.format.locale), call.points.length)}
          </p>
        )}
        <div class="charts__grid">
          {CHART_METRICS.map((m) => {
            const title = CHART_STRINGS[m].title;
            const sum = summarizeMetric(call.points, m);
            const text =
              sum.samples === 0 || sum.median === null || sum.worst === null
                ? S.noSamples(title)
                : S.chartSummary(
                    title,
                    sum.samples,
                    withUnit(sum.median, m),
                    withUnit(sum.worst, m),
                    sum.beyond.map((b) => ({ value: withUnit(b.value, m), worse: b.worse, count: b.count })),
                  );
            const unit = CHART_STRINGS[m].unit;
            return (
              <figure key={m} class="chart" data-metric={m} aria-labelledby={`chart-${m}-title`}>
                <figcaption>
                  <h3 id={`chart-${m}-title`}>{title}</h3>
                  <p class="chart__summary">{text}</p>
                </figcaption>
                <UplotChart
                  x={columns.x}
                  y={columns.values[m]}
                  label={unit ? `${title} (${unit})` : title}
                  thresholds={thresholds[m]}
                  {...(m === 'mos' ? { range: MOS_RANGE } : {})}
                />
              </figure>
            );
          })}
        </div>
      </>
    );

  return (
    <section class="panel charts" aria-labelledby="charts-heading">
      <h2 id="charts-heading">{S.chartsHeading}</h2>
      <p class="muted">{S.chartsIntro}</p>
      {body}
    </section>
  );
}
