/**
 * The timeline section: category filters and a text search over the loaded lines, the
 * windowed list, a "load older" control for keyboard and screen-reader users, and the
 * detail panel of the selected line.
 */
import { useCallback, useMemo, useState } from 'preact/hooks';
import { countByCategory, filterTimeline, formatTimestamp } from '../../../src/diagnostics/timeline-merge';
import { TIMELINE_CATEGORIES, type TimelineCategory } from '../../../src/diagnostics/timeline-types';
import { DIAGNOSTICS_STRINGS as S, TIMELINE_STRINGS as T } from '../strings';
import type { TimelineFeed } from '../use-timeline';
import { TimelineList } from './timeline-list';

const ALL = new Set<TimelineCategory>(TIMELINE_CATEGORIES);

/** The timeline of the selected session. */
export function TimelineSection({ feed }: { feed: TimelineFeed }) {
  const [categories, setCategories] = useState<ReadonlySet<TimelineCategory>>(ALL);
  const [text, setText] = useState('');
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const counts = useMemo(() => countByCategory(feed.rows), [feed.rows]);
  const shown = useMemo(() => filterTimeline(feed.rows, { categories, text }, TIMELINE_CATEGORIES), [feed.rows, categories, text]);
  const active = activeKey === null ? undefined : shown.find((r) => r.key === activeKey);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const toggle = (c: TimelineCategory, on: boolean): void =>
    setCategories((prev) => {
      const next = new Set(prev);
      if (on) next.add(c);
      else next.delete(c);
      return next;
    });
  const { loadMore } = feed;
  const onNearEnd = useCallback(() => loadMore(), [loadMore]);

  return (
    <section class="panel timeline" aria-labelledby="timeline-heading" id="timeline">
      <h2 id="timeline-heading">{S.timelineHeading}</h2>
      <p class="muted">
        {S.timelineIntro} ({zone}).
      </p>
      <div class="timeline__controls">
        <fieldset class="filters">
          <legend>{S.filtersLegend}</legend>
          {TIMELINE_CATEGORIES.map((c) => (
            <label key={c} class="filters__item">
              <input
                type="checkbox"
                checked={categories.has(c)}
                onChange={(e) => toggle(c, (e.currentTarget as HTMLInputElement).checked)}
              />
              <span>{S.categoryCount(T.category[c], counts.get(c) ?? 0)}</span>
            </label>
          ))}
        </fieldset>
        <div class="find">
          <label for="timeline-find">{S.findLabel}</label>
          <input
            id="timeline-find"
            type="search"
            value={text}
            placeholder={S.findPlaceholder}
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
      </div>
      <p class="timeline__status" role="status">
        {feed.error
          ? S.readFailed
          : feed.loading && feed.rows.length === 0
            ? S.loadingEvents
            : S.shown(shown.length, feed.rows.length, feed.total)}
      </p>
      <div class="timeline__body">
        {shown.length === 0 && !feed.loading ? <p class="timeline__empty">{S.noEvents}</p> : null}
        <TimelineList
          rows={shown}
          complete={feed.done}
          loading={feed.loading}
          onNearEnd={onNearEnd}
          activeKey={activeKey}
          onActivate={setActiveKey}
        />
        <div class="timeline__more">
          {feed.done ? (
            <p class="muted">{S.allLoaded}</p>
          ) : (
            <button type="button" onClick={() => loadMore()} disabled={feed.loading}>
              {feed.loading ? S.loadingEvents : S.loadOlder}
            </button>
          )}
        </div>
      </div>
      <section class="detail" aria-labelledby="detail-heading">
        <h3 id="detail-heading">{S.detailHeading}</h3>
        {active ? (
          <div>
            <p class="detail__title">
              {formatTimestamp(active.at, T.format.locale)} · {T.severity[active.severity]} · {T.category[active.category]}
            </p>
            <p class="detail__text">{active.title}</p>
            {active.detail ? <p class="detail__text">{active.detail}</p> : null}
            <details>
              <summary>{S.rawData}</summary>
              <pre class="detail__raw">{JSON.stringify(active.raw, null, 2)}</pre>
            </details>
          </div>
        ) : (
          <p class="muted">{S.detailNone}</p>
        )}
      </section>
    </section>
  );
}
