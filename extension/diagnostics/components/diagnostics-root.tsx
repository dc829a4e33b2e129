/**
 * The diagnostics page: sessions on the side; for the selected one (`?tab=N`, else the first
 * session) its health, the timeline and the quality charts; the export of everything (all
 * sessions, redacted) and the recurrence of incidents across all sessions.
 */
import { useEffect, useState } from 'preact/hooks';
import { sessionSubtitle, sessionTitle } from '../../../src/format/session-card';
import { healthLabel } from '../../../src/format/health';
import { ExportButtons } from '../../shared/export-buttons';
import { DIAGNOSTICS_STRINGS as S, TIMELINE_STRINGS as T } from '../strings';
import { useCallStats } from '../use-call-stats';
import { useRecurrence } from '../use-recurrence';
import { useSessions } from '../use-sessions';
import { useTimeline } from '../use-timeline';
import { QualityCharts } from './quality-charts';
import { RecurrenceSection } from './recurrence-section';
import { SessionList } from './session-list';
import { TimelineSection } from './timeline-section';

/**
 * The `tab` query parameter as a session key (src/session/session-key.ts: a tab id, or a
 * negative number for a softphone in a frame), or null.
 */
export function tabFromQuery(search: string): number | null {
  const raw = new URLSearchParams(search).get('tab');
  if (raw === null || !/^-?\d{1,16}$/.test(raw)) return null;
  const key = Number(raw);
  return Number.isSafeInteger(key) ? key : null;
}

/** The whole page. */
export function DiagnosticsRoot() {
  const sessions = useSessions();
  const [chosen, setChosen] = useState<number | null>(() => tabFromQuery(location.search));
  const first = sessions.state?.sessions[0]?.tabId ?? null;
  const tabId = chosen ?? first;
  const timeline = useTimeline(tabId);
  const stats = useCallStats(tabId);
  const recurrence = useRecurrence();
  const session = sessions.state?.sessions.find((s) => s.tabId === tabId);

  useEffect(() => {
    const onPop = (): void => setChosen(tabFromQuery(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const select = (id: number): void => {
    history.pushState(null, '', `?tab=${id}`);
    setChosen(id);
  };

  const heading = session ? sessionTitle(session, T.format) : tabId !== null ? S.storedOnly(tabId) : null;
  useEffect(() => {
    document.title = heading ? `${heading} — ${S.title}` : S.title;
  }, [heading]);

  return (
    <div class="page">
      <a class="skip" href="#timeline">
        {S.skipToTimeline}
      </a>
      <header class="page__header">
        <h1>{S.title}</h1>
      </header>
      <div class="page__body">
        <SessionList feed={sessions} selected={tabId} onSelect={select} />
        <main class="page__main">
          {heading ? (
            <section class="panel current" aria-labelledby="current-heading">
              <h2 id="current-heading">{S.selectedSession(heading)}</h2>
              {session ? (
                <p>
                  {[sessionSubtitle(session, T.format), S.tabLabel(session.tabId)].filter(Boolean).join(' · ')}
                  {' — '}
                  <strong>{session.alive ? healthLabel(session.health, T.format) : S.ended}</strong>: {session.healthReason}
                </p>
              ) : null}
            </section>
          ) : null}
          <section class="panel export" aria-labelledby="export-heading">
            <h2 id="export-heading">{S.exportHeading}</h2>
            <p class="muted">{S.exportIntro}</p>
            <ExportButtons labels={S.exportLabels} />
          </section>
          {tabId !== null ? <TimelineSection key={tabId} feed={timeline} /> : null}
          {tabId !== null ? <QualityCharts key={tabId} feed={stats} /> : null}
          <RecurrenceSection feed={recurrence} />
        </main>
      </div>
    </div>
  );
}
