/**
 * The agent sessions, live first: agent name or id, organisation, health in words. Each is a
 * link to `?tab=N`, so it works with the keyboard, opens in a new tab, and can be shared.
 */
import type { SessionView } from '../../../src/protocol/ui';
import { healthLabel } from '../../../src/format/health';
import { sessionSubtitle, sessionTitle } from '../../../src/format/session-card';
import { DIAGNOSTICS_STRINGS as S, TIMELINE_STRINGS as T } from '../strings';
import type { SessionsFeed } from '../use-sessions';

/** Props of {@link SessionList}. */
export interface SessionListProps {
  feed: SessionsFeed;
  selected: number | null;
  onSelect: (tabId: number) => void;
}

/** The navigation list of sessions. */
export function SessionList({ feed, selected, onSelect }: SessionListProps) {
  const sessions: SessionView[] = feed.state?.sessions ?? [];
  return (
    <nav class="sessions" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{S.sessionsHeading}</h2>
      {feed.phase === 'looking' ? <p role="status">{S.sessionsLoading}</p> : null}
      {feed.phase === 'no-answer' ? <p role="status">{S.noAnswer}</p> : null}
      {feed.phase === 'answered' && sessions.length === 0 ? <p>{S.sessionsNone}</p> : null}
      <ul class="sessions__list">
        {sessions.map((s) => {
          const title = sessionTitle(s, T.format);
          const sub = sessionSubtitle(s, T.format);
          const state = s.alive ? healthLabel(s.health, T.format) : S.ended;
          return (
            <li key={s.tabId}>
              <a
                class={`session-link${s.tabId === selected ? ' session-link--selected' : ''}`}
                href={`?tab=${s.tabId}`}
                aria-current={s.tabId === selected ? 'page' : undefined}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  onSelect(s.tabId);
                }}
              >
                <span class="session-link__title">{title}</span>
                <span class="session-link__sub">
                  {[sub, s.agent?.userId && s.agent.name ? s.agent.userId : '', S.tabLabel(s.tabId)].filter(Boolean).join(' · ')}
                </span>
                <span class={`health health--${s.alive ? s.health : 'ended'}`}>
                  {s.alive ? S.live : ''}
                  {s.alive ? ' · ' : ''}
                  {state}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
