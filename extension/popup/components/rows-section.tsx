/**
 * A card section of label/value rows (Signalling, Media, Auth) as a description list under a
 * heading. A value that crosses a threshold carries a warning icon labelled with the reason.
 */
import { Fragment } from 'preact';
import type { Row } from '../../../src/format/session-card';
import { POPUP_TEXT } from '../i18n';
import { WarnIcon } from './icons';

/** A value with line-break opportunities after each `/`, so request paths wrap between segments. */
function Breakable({ text }: { text: string }) {
  if (!text.includes('/')) return <>{text}</>;
  const parts = text.split(/(?<=\/)/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </>
  );
}

/** One titled section of rows; `id` must be unique in the page (the heading carries it). */
export function RowsSection({ id, title, rows }: { id: string; title: string; rows: Row[] }) {
  return (
    // Not a landmark (no accessible name): one region per section per card would swamp the landmark list; the h3 navigates.
    <section class="section">
      <h3 class="section__title" id={id}>
        {title}
      </h3>
      <dl class="rows">
        {rows.map((row) => (
          <div class={`row${row.warn ? ' row--warn' : ''}`} key={row.key}>
            <dt>{row.label}</dt>
            <dd>
              <span class="row__value">
                <Breakable text={row.value} />
              </span>
              {row.warn ? <WarnIcon class="row__flag" label={POPUP_TEXT.warning(row.warn)} /> : null}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
