/**
 * When incidents recur: the findings of src/diagnostics/recurrence.ts in words, whether each
 * matches a configured risk window (and if not, the policy entry that would add one, with a
 * Copy button), and a weekday × hour table of incident counts. The table shows the counts as
 * numbers; the shading only repeats them.
 */
import { DIAGNOSTICS_STRINGS as S } from '../strings';
import type { RecurrenceFeed } from '../use-recurrence';
import { CopySnippet } from './copy-snippet';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

function shade(n: number, max: number): number {
  if (n === 0 || max === 0) return 0;
  return Math.min(4, 1 + Math.floor((3 * n) / max));
}

/** The section. */
export function RecurrenceSection({ feed }: { feed: RecurrenceFeed }) {
  const max = Math.max(0, ...feed.histogram.flat());
  return (
    <section class="panel recurrence" aria-labelledby="recurrence-heading">
      <h2 id="recurrence-heading">{S.recurrenceHeading}</h2>
      <p class="muted">{S.recurrenceIntro(feed.timeZone, feed.zoneSource)}</p>
      {feed.reading ? (
        <p role="status">{S.recurrenceLoading}</p>
      ) : feed.error ? (
        <p role="status">{S.readFailed}</p>
      ) : feed.findings.length === 0 ? (
        <p>{S.recurrenceNone}</p>
      ) : (
        <ul class="findings">
          {feed.findings.map((f, n) => (
            <li key={`${f.kind}-${f.weekday}-${f.time}`} class="finding">
              <p class="finding__sentence">{f.sentence}</p>
              {f.policySnippet ? <CopySnippet id={`snippet-${n}`} label={S.snippetLabel} text={f.policySnippet} /> : null}
            </li>
          ))}
        </ul>
      )}
      <div class="heat" role="region" aria-labelledby="heat-caption" tabIndex={0}>
        <table class="heat__table">
          <caption id="heat-caption">{S.heatCaption(feed.timeZone)}</caption>
          <thead>
            <tr>
              <th scope="col">{S.heatWeekday}</th>
              {HOURS.map((h) => (
                <th key={h} scope="col">
                  {String(h).padStart(2, '0')}
                </th>
              ))}
              <th scope="col">{S.heatTotal}</th>
            </tr>
          </thead>
          <tbody>
            {feed.histogram.map((row, d) => (
              <tr key={d}>
                <th scope="row">{S.weekdays[d]}</th>
                {HOURS.map((h) => {
                  const n = row[h] ?? 0;
                  return (
                    <td key={h} class={`heat--${shade(n, max)}`} title={S.heatCell(n, S.weekdays[d] ?? '', h)}>
                      {n}
                    </td>
                  );
                })}
                <td class="heat__total">{row.reduce((a, b) => a + b, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
