/**
 * The options page as a component tree over the form state: header and notices, the problems
 * list, one section per group of settings with a row per setting, the save bar, and the
 * policy export. It fetches nothing; {@link OptionsRoot} feeds it.
 */
import type { ConfigPhase } from '../use-config-feed';
import type { OptionsForm } from '../use-options-form';
import type { Config } from '../../../src/policy/schema';
import { OPTIONS_STRINGS } from '../strings';
import { ExportPanel } from './export-panel';
import { FieldRow } from './field-row';
import { ProblemsList } from './problems-list';

/** Props of {@link App}. */
export interface AppProps {
  phase: ConfigPhase;
  form: OptionsForm;
  /** The configuration in force, for the export. */
  config: Config | null;
  extensionId: string;
}

/** The whole options page. */
export function App({ phase, form, config, extensionId }: AppProps) {
  const { view } = form;
  return (
    <div class="page">
      <header class="page__header">
        <h1>{OPTIONS_STRINGS.title}</h1>
        <p class="muted">{OPTIONS_STRINGS.intro}</p>
        {!view ? (
          <p role="status" class="page__loading">
            {phase === 'no-answer' ? OPTIONS_STRINGS.noAnswer : OPTIONS_STRINGS.loading}
          </p>
        ) : null}
        {view?.policyPending ? <p class="notice notice--info">{OPTIONS_STRINGS.policyPending}</p> : null}
        {view && view.lockedCount > 0 ? <p class="notice notice--info">{OPTIONS_STRINGS.lockedCount(view.lockedCount)}</p> : null}
      </header>
      {view ? (
        <main class="page__main">
          <ProblemsList problems={view.problems} />
          <form
            class="settings"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void form.save();
            }}
          >
            {view.sections.map((section) => (
              <fieldset class="panel section" key={section.id}>
                <legend class="section__title">{section.title}</legend>
                {section.fields.map((field) => (
                  <FieldRow
                    key={field.key}
                    field={field}
                    text={form.drafts[field.key]?.text ?? field.editText}
                    error={form.errors[field.key]}
                    busy={form.busy}
                    onInput={form.input}
                    onCommit={form.commit}
                    onReset={(f) => void form.reset(f)}
                  />
                ))}
              </fieldset>
            ))}
            <div class="savebar">
              <button type="submit" class="button button--primary" disabled={form.busy}>
                {OPTIONS_STRINGS.save}
              </button>
              <p class={`savebar__status savebar__status--${form.status?.kind ?? 'none'}`} role="status">
                {form.status?.text ?? ''}
              </p>
            </div>
          </form>
          {config ? <ExportPanel config={config} extensionId={extensionId} /> : null}
        </main>
      ) : null}
    </div>
  );
}
