/**
 * The view model of the options page, from one `get-config` answer: every setting with the
 * value in force and where it comes from (policy / user / default), policy-set settings locked
 * with the reason, the problems found, and the user's drafts turned into the settings to save.
 *
 *   get-config answer ──optionsView──▶ sections of fields + problems list
 *   drafts (editor text per field) ──candidateUserConfig──▶ userConfig to save | field errors
 *
 * Nothing is saved while any draft is invalid: {@link candidateUserConfig} checks every value
 * as the resolution would, then the whole candidate under the policy in force (checks across
 * settings, such as `retry.maxDelayMs` ≥ `retry.baseDelayMs`).
 */
import type { ConfigResponse } from '../protocol/ui';
import { CONFIG_KEYS, checkLeaf, resolveConfig } from '../policy/resolve';
import type { ConfigKey, ConfigSource } from '../policy/resolve';
import { getLeaf, setLeaf } from '../policy/leaf-path';
import type { FieldError } from '../policy/user-config';
import type { Config } from '../policy/schema';
import { PROFILE_LIMITS, PROFILE_NAMES, profileConfig } from '../policy/profiles';
import {
  FIELD_CHOICES,
  FIELD_KINDS,
  SECRET_FIELDS,
  SECTIONS,
  fieldId,
  parseFieldText,
  valueToDisplay,
  valueToText,
} from './options-fields';
import type { FieldKind } from './options-fields';
import type { OptionsStrings, SectionId } from './options-strings';

/** One setting as the page shows it. */
export interface FieldView {
  key: ConfigKey;
  /** DOM id of its editor (labels and problem links point at it). */
  id: string;
  kind: FieldKind;
  label: string;
  help: string;
  /** `choice` only: the options. */
  choices: readonly string[];
  source: ConfigSource;
  sourceLabel: string;
  /** Set by policy: read-only. */
  locked: boolean;
  /** Why it is read-only, or null when it is not. */
  lockedReason: string | null;
  /** The value in force, for reading. */
  effectiveText: string;
  /** The editor's initial text: the stored user value (even an invalid one), else the value in force. */
  editText: string;
  /** The editor's text for the value in force (to tell whether the editor shows something else). */
  effectiveEditText: string;
  /** The user has a stored value for it (what "reset to default" removes). */
  userSet: boolean;
  /** The value the default would give (the profile's, when a vendor profile is in force), for reading. */
  defaultText: string;
  /**
   * `profile` only: what the extension cannot do on the platform in force and what it does
   * instead (src/policy/profiles.ts `PROFILE_LIMITS`); empty otherwise.
   */
  limits: readonly string[];
  /** The heading of {@link FieldView.limits}; empty when there are none. */
  limitsTitle: string;
  /** Problems of this setting, as sentences naming who set the value. */
  problems: string[];
  /** A secret (telemetry headers): values are never shown. */
  secret: boolean;
}

/** One problem in the problems list. */
export interface ProblemView {
  key: string;
  /** The field to move to, or null when the problem belongs to no single setting. */
  fieldId: string | null;
  label: string;
  sourceLabel: string;
  message: string;
}

/** Everything the options page shows for one answer. */
export interface OptionsView {
  sections: { id: SectionId; title: string; fields: FieldView[] }[];
  problems: ProblemView[];
  /** The policy has not been read yet: locks may still appear. */
  policyPending: boolean;
  /** How many settings the policy sets. */
  lockedCount: number;
}

/** The editor state of one field on the page. */
export interface Draft {
  text: string;
}

/**
 * Builds the page's view model.
 * @param answer the worker's answer to `get-config`
 * @param defaults the built-in defaults (`DEFAULT_CONFIG`), for the "default" hints while the
 *   `custom` profile is in force; a vendor profile's own configuration replaces them (and a value
 *   from it is labelled "<platform> profile")
 */
export function optionsView(answer: ConfigResponse, defaults: Config, t: OptionsStrings): OptionsView {
  const profile = answer.config.profile;
  const base = profile === 'custom' ? defaults : profileConfig(profile);
  const problemsByKey = new Map<string, string[]>();
  for (const p of answer.problems) {
    const list = problemsByKey.get(p.key) ?? [];
    list.push(`${t.problemSource[p.source]}: ${p.message}`);
    problemsByKey.set(p.key, list);
  }
  const sections = SECTIONS.map(({ id, keys }) => ({
    id,
    title: t.sections[id],
    // The profile's own default is the built-in one (`custom`), whatever profile is in force.
    fields: keys.map((key) => fieldView(key, answer, key === 'profile' ? defaults : base, problemsByKey.get(key) ?? [], t)),
  }));
  const known = new Set<string>(CONFIG_KEYS);
  const problems = answer.problems.map((p): ProblemView => ({
    key: p.key,
    fieldId: known.has(p.key) ? fieldId(p.key) : null,
    label: known.has(p.key) ? t.fields[p.key as ConfigKey].label : p.key === '(root)' ? t.problemWhole : t.problemUnknownKey(p.key),
    sourceLabel: t.problemSource[p.source],
    message: p.message,
  }));
  return {
    sections,
    problems,
    policyPending: !answer.policyLoaded,
    lockedCount: CONFIG_KEYS.filter((k) => answer.sources[k] === 'policy').length,
  };
}

function fieldView(key: ConfigKey, answer: ConfigResponse, defaults: Config, problems: string[], t: OptionsStrings): FieldView {
  const kind = FIELD_KINDS[key];
  const source = answer.sources[key] ?? 'default';
  const effective = getLeaf(answer.config, key);
  const stored = getLeaf(answer.user, key);
  const userSet = stored !== undefined && stored !== null;
  const locked = source === 'policy';
  const effectiveEditText = valueToText(kind, effective);
  const profile = answer.config.profile;
  const fromProfile = source === 'default' && profile !== 'custom' && key !== 'profile';
  const limits = key === 'profile' ? PROFILE_LIMITS[profile] : [];
  return {
    key,
    id: fieldId(key),
    kind,
    label: t.fields[key].label,
    help: t.fields[key].help,
    choices: FIELD_CHOICES[key] ?? [],
    source,
    sourceLabel: fromProfile ? t.profileSource(PROFILE_NAMES[profile]) : t.source[source],
    locked,
    lockedReason: locked ? t.lockedReason : null,
    effectiveText: valueToDisplay(key, effective, t),
    editText: userSet && !locked ? valueToText(kind, stored) : effectiveEditText,
    effectiveEditText,
    userSet,
    defaultText: valueToDisplay(key, getLeaf(defaults, key), t),
    limits,
    limitsTitle: limits.length > 0 ? t.profileLimits(PROFILE_NAMES[profile]) : '',
    problems,
    secret: SECRET_FIELDS.has(key),
  };
}

/** The drafts a fresh page starts from: every field's {@link FieldView.editText}. */
export function initialDrafts(view: OptionsView): Record<string, Draft> {
  return Object.fromEntries(view.sections.flatMap((s) => s.fields.map((f) => [f.key, { text: f.editText }])));
}

/** Whether a field's draft will be saved as a user value: it had one, or its text changed. */
export function isIncluded(field: FieldView, draft: Draft | undefined): boolean {
  if (field.locked) return false;
  return field.userSet || (draft !== undefined && draft.text !== field.editText);
}

/**
 * Checks one field's draft as the resolution would check the value.
 * @returns null when it is fine (or not going to be saved), else the message. Never throws.
 */
export function draftError(field: FieldView, draft: Draft | undefined, t: OptionsStrings): string | null {
  if (!isIncluded(field, draft)) return null;
  const r = parseFieldText(field.key, draft?.text ?? field.editText, t);
  return r.ok ? null : r.message;
}

/**
 * The user settings to save from the drafts: every included field ({@link isIncluded}) parsed
 * and checked, then the whole candidate resolved under the policy values in force, so checks
 * across settings speak before anything is written. Stored user values of locked settings are
 * kept when valid (they apply again if the policy drops the setting) and dropped otherwise.
 * @returns the settings and no errors, or the errors (in schema order) per field key
 */
export function candidateUserConfig(
  answer: ConfigResponse,
  view: OptionsView,
  drafts: Readonly<Record<string, Draft>>,
  t: OptionsStrings,
): { userConfig: Record<string, unknown>; errors: FieldError[] } {
  let userConfig: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const field of view.sections.flatMap((s) => s.fields)) {
    if (field.locked) {
      const stored = getLeaf(answer.user, field.key);
      if (stored !== undefined && stored !== null && checkLeaf(field.key, stored).ok) {
        userConfig = setLeaf(userConfig, field.key, stored);
      }
      continue;
    }
    const draft = drafts[field.key];
    if (!isIncluded(field, draft)) continue;
    const r = parseFieldText(field.key, draft?.text ?? field.editText, t);
    if (r.ok) userConfig = setLeaf(userConfig, field.key, r.value);
    else errors.push({ key: field.key, message: r.message });
  }
  if (errors.length > 0) return { userConfig, errors };
  const { problems } = resolveConfig({ managed: policyValues(answer), user: userConfig });
  for (const p of problems) if (p.source === 'user') errors.push({ key: p.key, message: p.message });
  return { userConfig, errors };
}

/** The policy values in force, rebuilt from the answer: the leaves whose source is policy. */
export function policyValues(answer: ConfigResponse): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (answer.sources[key] === 'policy') out = setLeaf(out, key, getLeaf(answer.config, key));
  }
  return out;
}
