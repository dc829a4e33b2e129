/**
 * The timeline as a windowed listbox: however many lines are loaded (100,000 and more), only
 * the ones in view plus a margin are in the DOM, each {@link ROW_HEIGHT} px high. Keyboard:
 * the list takes focus; Up/Down, Page Up/Down, Home/End move the selected line (announced
 * through `aria-activedescendant`), whose full text the detail panel shows. Scrolling near the
 * end of what is loaded asks for the next page.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TimelineRow } from '../../../src/diagnostics/timeline-types';
import { formatTimestamp } from '../../../src/diagnostics/timeline-merge';
import { DIAGNOSTICS_STRINGS as S, TIMELINE_STRINGS as T } from '../strings';
import { SeverityIcon } from './icons';

/** Height of one line, px (two text lines); the CSS uses the same value. */
export const ROW_HEIGHT = 52;
/** Lines rendered above and below the visible ones. */
const OVERSCAN = 10;
/** Ask for the next page when the view is this many lines from the end of what is loaded. */
const LOAD_AHEAD = 60;

/** Props of {@link TimelineList}. */
export interface TimelineListProps {
  rows: readonly TimelineRow[];
  /** Whether every line is loaded (the list length is then the set size). */
  complete: boolean;
  loading: boolean;
  onNearEnd: () => void;
  activeKey: string | null;
  onActivate: (key: string) => void;
}

const isoOf = (at: number): string | undefined => {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

const domId = (key: string): string => `tl-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The windowed list. */
export function TimelineList({ rows, complete, loading, onNearEnd, activeKey, onActivate }: TimelineListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const indexOf = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);
  const active = activeKey === null ? -1 : (indexOf.get(activeKey) ?? -1);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Newer lines arriving at the top must not move what a scrolled-down reader is looking at.
  const topKey = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const el = box.current;
    const previous = topKey.current;
    topKey.current = rows[0]?.key;
    if (!el || previous === undefined || el.scrollTop === 0) return;
    const shift = indexOf.get(previous) ?? 0;
    if (shift > 0) el.scrollTop += shift * ROW_HEIGHT;
  }, [rows, indexOf]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (!complete && !loading && last >= rows.length - LOAD_AHEAD) onNearEnd();
  }, [complete, loading, last, rows.length, onNearEnd]);

  const moveTo = (i: number): void => {
    if (rows.length === 0) return;
    const clamped = Math.max(0, Math.min(rows.length - 1, i));
    onActivate(rows[clamped]!.key);
    const el = box.current;
    if (!el) return;
    const top = clamped * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const keys: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = keys[e.key];
    if (target === undefined) return;
    e.preventDefault();
    moveTo(active === -1 && e.key !== 'End' ? 0 : target);
  };

  const visible = rows.slice(first, last);
  return (
    <div
      ref={box}
      class="timeline__list"
      role="listbox"
      tabIndex={0}
      aria-label={S.timelineListLabel}
      aria-activedescendant={active >= 0 && active >= first && active < last ? domId(rows[active]!.key) : undefined}
      aria-busy={loading ? 'true' : 'false'}
      onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (active === -1 && rows.length > 0) onActivate(rows[Math.min(rows.length - 1, Math.floor(scrollTop / ROW_HEIGHT))]!.key);
      }}
    >
      <div class="timeline__spacer" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
        {visible.map((r, n) => {
          const i = first + n;
          return (
            <div
              key={r.key}
              id={domId(r.key)}
              role="option"
              aria-selected={i === active ? 'true' : 'false'}
              aria-posinset={i + 1}
              aria-setsize={complete ? rows.length : -1}
              class={`tl-row tl-row--${r.severity}${i === active ? ' tl-row--active' : ''}`}
              style={{ top: `${i * ROW_HEIGHT}px` }}
              data-category={r.category}
              onClick={() => onActivate(r.key)}
            >
              <span class="tl-row__time">
                <time dateTime={isoOf(r.at)}>{formatTimestamp(r.at, T.format.locale)}</time>
              </span>
              <span class={`tl-row__severity tl-sev--${r.severity}`}>
                <SeverityIcon severity={r.severity} />
                <span>{T.severity[r.severity]}</span>
              </span>
              <span class="tl-row__title">{r.title}</span>
              <span class="tl-row__category">{T.category[r.category]}</span>
              <span class="tl-row__detail">{r.detail}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
