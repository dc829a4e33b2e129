/**
 * Recent incidents of a card, newest first: the first few, then a button for the rest. Each
 * incident shows its summary, when, whether it is over, why no fresh token comes where the
 * extension cannot fetch one, and the steps taken about it.
 */
import { useState } from 'preact/hooks';
import type { IncidentView } from '../../../src/format/incident';
import { INCIDENTS_SHOWN } from '../../../src/format/session-card';
import { POPUP_TEXT } from '../i18n';
import { OkIcon, WarnIcon } from './icons';

function IncidentItem({ incident }: { incident: IncidentView }) {
  const open = incident.status === 'open';
  return (
    <li class={`incident incident--${incident.status}`}>
      <p class="incident__head">
        {open ? (
          <WarnIcon class="incident__icon" label={incident.statusLabel} />
        ) : (
          <OkIcon class="incident__icon" label={incident.statusLabel} />
        )}
        <span class="incident__summary">{incident.summary}</span>
      </p>
      <p class="incident__meta">
        <time dateTime={new Date(incident.at).toISOString()}>{incident.when}</time>
        {' · '}
        {incident.statusText}
        {incident.repeated ? ` · ${incident.repeated}` : null}
      </p>
      {incident.note ? <p class="incident__note">{incident.note}</p> : null}
      {incident.steps.length > 0 ? (
        <ul class="steps" aria-label={POPUP_TEXT.whatWasDone}>
          {incident.steps.map((step, i) => (
            <li class={`step step--${step.outcome}`} key={i}>
              <span class="step__line">
                <span class="step__text">{step.text}</span> <span class="step__after">{step.after}</span>
              </span>
              {step.detail ? <span class="step__detail">{step.detail}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** The "Recent incidents" section; `id` must be unique in the page. */
export function IncidentList({ id, incidents }: { id: string; incidents: IncidentView[] }) {
  const [expanded, setExpanded] = useState(false);
  const more = Math.max(0, incidents.length - INCIDENTS_SHOWN);
  const shown = expanded ? incidents : incidents.slice(0, INCIDENTS_SHOWN);
  return (
    // Not a landmark (no accessible name): one region per section per card would swamp the landmark list; the h3 navigates.
    <section class="section">
      <h3 class="section__title" id={id}>
        {POPUP_TEXT.sections.incidents}
      </h3>
      {incidents.length === 0 ? (
        <p class="muted">{POPUP_TEXT.noIncidents}</p>
      ) : (
        <ol class="incidents" id={`${id}-list`}>
          {shown.map((incident) => (
            <IncidentItem incident={incident} key={incident.id} />
          ))}
        </ol>
      )}
      {more > 0 ? (
        <button
          type="button"
          class="link-button"
          aria-expanded={expanded}
          aria-controls={`${id}-list`}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? POPUP_TEXT.showFewer : POPUP_TEXT.showMore(more)}
        </button>
      ) : null}
    </section>
  );
}
