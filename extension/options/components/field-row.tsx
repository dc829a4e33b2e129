/**
 * One setting: its label and source, the editor (or, when the policy sets it, the value
 * read-only with the reason), the help, a vendor profile's limits (under the profile field),
 * what is in force when the editor shows something
 * else, the problems of the values that were not used, the message of an invalid draft, and
 * "reset to default" for a user value.
 */
import type { FieldView } from '../../../src/format/options-model';
import { OPTIONS_STRINGS } from '../strings';

/** Props of {@link FieldRow}. */
export interface FieldRowProps {
  field: FieldView;
  text: string;
  error: string | undefined;
  busy: boolean;
  onInput(field: FieldView, text: string): void;
  onCommit(field: FieldView): void;
  onReset(field: FieldView): void;
}

const MULTILINE = new Set(['lines', 'json']);

/** A setting's row in its section. */
export function FieldRow({ field, text, error, busy, onInput, onCommit, onReset }: FieldRowProps) {
  const ids = {
    help: `${field.id}-help`,
    lock: `${field.id}-lock`,
    error: `${field.id}-error`,
    problems: `${field.id}-problems`,
  };
  const describedBy = [error ? ids.error : null, field.locked ? ids.lock : null, ids.help, field.problems.length > 0 ? ids.problems : null]
    .filter(Boolean)
    .join(' ');
  const inForceDiffers = !field.locked && text !== field.effectiveEditText;

  return (
    <div
      class={`field field--${field.source}${field.locked ? ' field--locked' : ''}${error ? ' field--invalid' : ''}`}
      data-key={field.key}
    >
      <div class="field__head">
        <label class="field__label" for={field.id}>
          {field.label}
        </label>
        <span class={`badge badge--${field.source}`} data-testid="source">
          <span class="visually-hidden">{OPTIONS_STRINGS.sourceLabel}: </span>
          {field.sourceLabel}
        </span>
      </div>
      <Editor field={field} text={text} error={error} describedBy={describedBy} onInput={onInput} onCommit={onCommit} />
      {field.locked ? (
        <p class="field__lock" id={ids.lock}>
          <LockIcon /> {field.lockedReason}
        </p>
      ) : null}
      {error ? (
        <p class="field__error" id={ids.error}>
          {error}
        </p>
      ) : null}
      <p class="field__help" id={ids.help}>
        {field.help}
      </p>
      {field.limits.length > 0 ? (
        <div class="field__limits" data-testid="profile-limits">
          <p class="field__note">{field.limitsTitle}</p>
          <ul>
            {field.limits.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {inForceDiffers ? <p class="field__note">{OPTIONS_STRINGS.inForce(field.effectiveText)}</p> : null}
      {field.source !== 'default' ? <p class="field__note">{OPTIONS_STRINGS.defaultIs(field.defaultText)}</p> : null}
      {field.problems.length > 0 ? (
        <ul class="field__problems" id={ids.problems}>
          {field.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      {field.userSet && !field.locked ? (
        <button
          type="button"
          class="button button--quiet"
          disabled={busy}
          aria-label={OPTIONS_STRINGS.resetLabel(field.label)}
          onClick={() => onReset(field)}
        >
          {OPTIONS_STRINGS.reset}
        </button>
      ) : null}
    </div>
  );
}

interface EditorProps {
  field: FieldView;
  text: string;
  error: string | undefined;
  describedBy: string;
  onInput(field: FieldView, text: string): void;
  onCommit(field: FieldView): void;
}

function Editor({ field, text, error, describedBy, onInput, onCommit }: EditorProps) {
  const common = {
    id: field.id,
    name: field.key,
    'aria-describedby': describedBy,
    'aria-invalid': error ? ('true' as const) : undefined,
  };
  if (field.locked) {
    // Read-only, not disabled: it stays in the tab order and is announced with its value.
    return MULTILINE.has(field.kind) ? (
      <textarea {...common} class="field__input" readOnly rows={rowsFor(field.effectiveText)} value={field.effectiveText} />
    ) : (
      <input {...common} class="field__input" type="text" readOnly value={field.effectiveText} />
    );
  }
  switch (field.kind) {
    case 'boolean':
      return (
        <input
          {...common}
          class="field__check"
          type="checkbox"
          checked={text === 'true'}
          onChange={(e) => {
            onInput(field, (e.currentTarget as HTMLInputElement).checked ? 'true' : 'false');
          }}
        />
      );
    case 'choice':
      return (
        <select
          {...common}
          class="field__input"
          value={text}
          onChange={(e) => {
            onInput(field, (e.currentTarget as HTMLSelectElement).value);
          }}
        >
          {field.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
    case 'lines':
    case 'json':
      return (
        <textarea
          {...common}
          class="field__input field__input--code"
          rows={rowsFor(text)}
          spellcheck={false}
          value={text}
          onInput={(e) => onInput(field, (e.currentTarget as HTMLTextAreaElement).value)}
          onChange={() => onCommit(field)}
        />
      );
    default:
      return (
        <input
          {...common}
          class={`field__input${field.kind === 'integer' || field.kind === 'integers' ? ' field__input--short' : ''}`}
          type="text"
          inputMode={field.kind === 'integer' ? 'numeric' : undefined}
          spellcheck={false}
          autocomplete="off"
          value={text}
          onInput={(e) => onInput(field, (e.currentTarget as HTMLInputElement).value)}
          onChange={() => onCommit(field)}
        />
      );
  }
}

function rowsFor(text: string): number {
  return Math.min(14, Math.max(2, text.split('\n').length + 1));
}

function LockIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <rect x="3" y="7" width="10" height="7" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}
