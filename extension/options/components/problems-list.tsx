/**
 * The values that are not in force and why, each linked to its setting's field.
 */
import type { ProblemView } from '../../../src/format/options-model';
import { OPTIONS_STRINGS } from '../strings';

/** The problems section; says plainly when there are none. */
export function ProblemsList({ problems }: { problems: readonly ProblemView[] }) {
  return (
    <section class="panel problems" aria-labelledby="problems-title" id="problems">
      <h2 id="problems-title">
        {OPTIONS_STRINGS.problemsTitle} ({problems.length})
      </h2>
      {problems.length === 0 ? (
        <p class="muted">{OPTIONS_STRINGS.noProblems}</p>
      ) : (
        <>
          <p class="muted">{OPTIONS_STRINGS.problemsIntro}</p>
          <ul class="problems__list">
            {problems.map((p, i) => (
              <li key={`${p.key}-${i}`} class="problem">
                {p.fieldId ? (
                  <a
                    href={`#${p.fieldId}`}
                    class="problem__label"
                    onClick={(e) => {
                      // Move focus, not only the scroll position, to the field.
                      const target = document.getElementById(p.fieldId ?? '');
                      if (!target) return;
                      e.preventDefault();
                      target.focus();
                    }}
                  >
                    {p.label}
                  </a>
                ) : (
                  <span class="problem__label">{p.label}</span>
                )}
                <span class="problem__source">{p.sourceLabel}</span>
                <span class="problem__message">{p.message}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
