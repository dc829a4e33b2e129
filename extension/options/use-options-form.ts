/**
 * The options form's state: one draft (editor text) per setting, the messages next to the
 * fields, and save / reset. Drafts follow new answers (a save, a policy pushed meanwhile)
 * except where the user has typed something of their own. Nothing is sent while a draft is
 * invalid; the worker checks again before it writes.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DEFAULT_CONFIG } from '../../src/policy/schema';
import type { ConfigKey } from '../../src/policy/resolve';
import { fieldId } from '../../src/format/options-fields';
import { candidateUserConfig, draftError, optionsView } from '../../src/format/options-model';
import type { Draft, FieldView, OptionsView } from '../../src/format/options-model';
import { resetUserValues, saveUserConfig } from './config-client';
import { MODEL_STRINGS, OPTIONS_STRINGS } from './strings';
import type { ConfigFeed } from './use-config-feed';

/** A line in the form's status region. */
export interface FormStatus {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

/** What the page renders and the handlers it calls. */
export interface OptionsForm {
  view: OptionsView | null;
  drafts: Readonly<Record<string, Draft>>;
  /** Message per setting key, next to its field. */
  errors: Readonly<Record<string, string>>;
  status: FormStatus | null;
  busy: boolean;
  input(field: FieldView, text: string): void;
  /** The editor's value was committed (change event): check it now. */
  commit(field: FieldView): void;
  save(): Promise<void>;
  reset(field: FieldView): Promise<void>;
}

const focusField = (key: string): void => {
  // After the re-render that shows the message or the reset value.
  setTimeout(() => document.getElementById(fieldId(key))?.focus(), 0);
};

/** Form state over a {@link ConfigFeed}. */
export function useOptionsForm(feed: ConfigFeed): OptionsForm {
  const { answer } = feed;
  const view = useMemo(() => (answer ? optionsView(answer, DEFAULT_CONFIG, MODEL_STRINGS) : null), [answer]);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<FormStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const previous = useRef<OptionsView | null>(null);

  // Follow new answers where the user has not typed anything of their own.
  useEffect(() => {
    if (!view) return;
    const before = new Map((previous.current?.sections.flatMap((s) => s.fields) ?? []).map((f) => [f.key, f]));
    previous.current = view;
    setDrafts((current) => {
      const next: Record<string, Draft> = { ...current };
      for (const f of view.sections.flatMap((s) => s.fields)) {
        const old = before.get(f.key);
        const draft = current[f.key];
        if (!draft || !old || draft.text === old.editText || f.locked) next[f.key] = { text: f.editText };
      }
      return next;
    });
  }, [view]);

  const fields = useMemo(() => new Map((view?.sections.flatMap((s) => s.fields) ?? []).map((f) => [f.key, f])), [view]);

  const setError = (key: string, message: string | null): void =>
    setErrors((current) => {
      if ((current[key] ?? null) === message) return current;
      const next = { ...current };
      if (message === null) delete next[key];
      else next[key] = message;
      return next;
    });

  const input = (field: FieldView, text: string): void => {
    setDrafts((current) => ({ ...current, [field.key]: { text } }));
    // A shown message goes as soon as the value is right; a new one waits for the commit.
    if (errors[field.key] !== undefined) setError(field.key, draftError(field, { text }, MODEL_STRINGS));
  };

  const commit = (field: FieldView): void => {
    setError(field.key, draftError(field, drafts[field.key], MODEL_STRINGS));
  };

  const save = async (): Promise<void> => {
    if (!answer || !view || busy) return;
    const { userConfig, errors: found } = candidateUserConfig(answer, view, drafts, MODEL_STRINGS);
    if (found.length > 0) {
      showErrors(found);
      return;
    }
    setBusy(true);
    setStatus({ kind: 'info', text: OPTIONS_STRINGS.saving });
    try {
      const r = await saveUserConfig(userConfig);
      if (!r) setStatus({ kind: 'error', text: OPTIONS_STRINGS.saveFailed });
      else if (r.type === 'user-config-invalid') showErrors(r.errors);
      else {
        setErrors({});
        // Saved values become the new baseline: take them all from the answer.
        previous.current = null;
        setDrafts({});
        feed.accept(r.config);
        setStatus({ kind: 'ok', text: OPTIONS_STRINGS.saved });
      }
    } finally {
      setBusy(false);
    }
  };

  const showErrors = (found: readonly { key: string; message: string }[]): void => {
    setErrors(Object.fromEntries(found.map((e) => [e.key, e.message])));
    setStatus({ kind: 'error', text: OPTIONS_STRINGS.notSaved(found.length) });
    const first = found.find((e) => fields.has(e.key as ConfigKey));
    if (first) focusField(first.key);
  };

  const reset = async (field: FieldView): Promise<void> => {
    if (busy) return;
    setBusy(true);
    try {
      const r = await resetUserValues([field.key]);
      if (!r) {
        setStatus({ kind: 'error', text: OPTIONS_STRINGS.saveFailed });
        return;
      }
      setError(field.key, null);
      setDrafts((current) => {
        const next = { ...current };
        delete next[field.key];
        return next;
      });
      feed.accept(r);
      setStatus({ kind: 'ok', text: OPTIONS_STRINGS.resetDone(field.label) });
      focusField(field.key);
    } finally {
      setBusy(false);
    }
  };

  return { view, drafts, errors, status, busy, input, commit, save, reset };
}
