/**
 * How each setting is edited on the options page: its editor kind, its section, and the
 * conversions between a value and the text in its editor. Parsing turns editor text into a
 * value, then the value goes through the same checks as policy resolution
 * (src/policy/resolve.ts `checkLeaf`), so the page says exactly what the resolution would.
 */
import { checkLeaf, CONFIG_KEYS } from '../policy/resolve';
import type { ConfigKey, LeafCheck } from '../policy/resolve';
import { splitKey } from '../policy/leaf-path';
import { PROFILES, TokenRefreshSchema } from '../policy/schema';
import type { OptionsStrings, SectionId } from './options-strings';

/**
 * Editor kinds:
 * - `boolean`: a checkbox; text `'true'` / `'false'`;
 * - `choice`: a select of {@link FIELD_CHOICES};
 * - `integer`: a number field, whole numbers;
 * - `text`: one line;
 * - `lines`: a list of strings, one per line (blank lines ignored);
 * - `integers`: a list of whole numbers separated by commas or spaces;
 * - `json`: a JSON text (risk windows, telemetry headers).
 */
export type FieldKind = 'boolean' | 'choice' | 'integer' | 'text' | 'lines' | 'integers' | 'json';

/** The editor kind of every setting. */
export const FIELD_KINDS: Readonly<Record<ConfigKey, FieldKind>> = {
  profile: 'choice',
  softphoneUrlPatterns: 'lines',
  protectedRequestPatterns: 'lines',
  'tokenRefresh.strategy': 'choice',
  'tokenRefresh.refreshUrl': 'text',
  'tokenRefresh.authorizeUrl': 'text',
  'tokenRefresh.tokenUrl': 'text',
  'tokenRefresh.clientId': 'text',
  'tokenRefresh.scope': 'text',
  'tokenRefresh.refreshAheadSeconds': 'integer',
  'tokenRefresh.audience': 'lines',
  tokenCarriers: 'json',
  'retry.baseDelayMs': 'integer',
  'retry.maxDelayMs': 'integer',
  'retry.maxAttempts': 'integer',
  'retry.statuses': 'integers',
  'watchdog.reconnectGraceMs': 'integer',
  'watchdog.heartbeatTimeoutMs': 'integer',
  'media.grantMicrophone': 'json',
  'media.reacquireOnLoss': 'boolean',
  'safeReload.enabled': 'boolean',
  'safeReload.quietMs': 'integer',
  'safeReload.maxPerHour': 'integer',
  riskWindows: 'json',
  'agentIdentity.requestPattern': 'text',
  'agentIdentity.idField': 'text',
  'agentIdentity.nameField': 'text',
  'agentIdentity.orgField': 'text',
  'telemetry.otlpEndpoint': 'text',
  'telemetry.headers': 'json',
  'telemetry.exportIntervalSeconds': 'integer',
  retentionDays: 'integer',
  maxStoredEvents: 'integer',
};

/** The options of `choice` settings, in schema order. */
export const FIELD_CHOICES: Readonly<Partial<Record<ConfigKey, readonly string[]>>> = {
  profile: PROFILES,
  'tokenRefresh.strategy': TokenRefreshSchema.shape.strategy.options,
};

/** Settings whose values are secrets: shown hidden, exported never. */
export const SECRET_FIELDS: ReadonlySet<ConfigKey> = new Set<ConfigKey>(['telemetry.headers']);

/** The section a setting is shown in. */
export function sectionOf(key: ConfigKey): SectionId {
  const { group } = splitKey(key);
  if (group !== undefined) return group as SectionId;
  if (key === 'riskWindows') return 'riskWindows';
  if (key === 'tokenCarriers') return 'tokenRefresh';
  if (key === 'retentionDays' || key === 'maxStoredEvents') return 'storage';
  return 'monitoring';
}

/** Sections in display order, with their settings in schema order. */
export const SECTIONS: readonly { id: SectionId; keys: readonly ConfigKey[] }[] = (
  [
    'monitoring',
    'tokenRefresh',
    'retry',
    'watchdog',
    'media',
    'safeReload',
    'riskWindows',
    'agentIdentity',
    'telemetry',
    'storage',
  ] as const
).map((id) => ({ id, keys: CONFIG_KEYS.filter((k) => sectionOf(k) === id) }));

/** A DOM-safe id for a setting's editor: `field-retry-maxDelayMs`. */
export function fieldId(key: string): string {
  return `field-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/**
 * The editor text of a value. Values of the wrong type (an invalid stored user value) are
 * shown as JSON so nothing is lost. Never throws.
 */
export function valueToText(kind: FieldKind, value: unknown): string {
  switch (kind) {
    case 'boolean':
      return value === true ? 'true' : 'false';
    case 'choice':
    case 'text':
      if (typeof value === 'string') return value;
      break;
    case 'integer':
      if (typeof value === 'number') return String(value);
      break;
    case 'lines':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n');
      break;
    case 'integers':
      if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.join(', ');
      break;
    case 'json':
      break;
  }
  return json(value, kind === 'json' ? 2 : undefined);
}

function json(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? '';
  } catch {
    return '';
  }
}

/**
 * The value shown for a setting outside an editor: booleans as yes/no, an empty text or list as
 * {@link OptionsStrings.empty}, lists comma-separated, secrets as {@link OptionsStrings.hidden}
 * (header names kept). Never throws.
 */
export function valueToDisplay(key: ConfigKey, value: unknown, t: OptionsStrings): string {
  const kind = FIELD_KINDS[key];
  if (SECRET_FIELDS.has(key)) {
    const names = value && typeof value === 'object' ? Object.keys(value) : [];
    return names.length === 0 ? t.empty : names.map((n) => `${n}: ${t.hidden}`).join(', ');
  }
  if (kind === 'boolean') return value === true ? t.yes : t.no;
  if (value === '' || (Array.isArray(value) && value.length === 0)) return t.empty;
  if (kind === 'integer' && typeof value === 'number') return new Intl.NumberFormat(t.locale).format(value);
  if ((kind === 'lines' || kind === 'integers') && Array.isArray(value)) return value.join(', ');
  if (kind === 'json') return json(value);
  return typeof value === 'string' ? value : json(value);
}

/**
 * Reads an editor's text as a value of its setting and checks it as the resolution would.
 * @returns the value, or a one-sentence message for the field. Never throws.
 */
export function parseFieldText(key: ConfigKey, text: string, t: OptionsStrings): LeafCheck {
  const kind = FIELD_KINDS[key];
  let value: unknown;
  switch (kind) {
    case 'boolean':
      value = text === 'true';
      break;
    case 'choice': {
      const choices = FIELD_CHOICES[key] ?? [];
      if (!choices.includes(text)) return { ok: false, message: t.parse.choice(choices.join(', ')) };
      value = text;
      break;
    }
    case 'integer': {
      const trimmed = text.trim();
      if (!/^-?\d+$/.test(trimmed)) return { ok: false, message: t.parse.integer };
      value = Number(trimmed);
      break;
    }
    case 'text':
      value = text.trim();
      break;
    case 'lines':
      value = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      break;
    case 'integers': {
      const items = text.split(/[\s,]+/).filter((s) => s !== '');
      const bad = items.find((s) => !/^-?\d+$/.test(s));
      if (bad !== undefined) return { ok: false, message: t.parse.integers(bad.slice(0, 32)) };
      value = items.map(Number);
      break;
    }
    case 'json':
      try {
        value = JSON.parse(text) as unknown;
      } catch (e) {
        return { ok: false, message: t.parse.json(e instanceof Error ? e.message.slice(0, 200) : '') };
      }
      break;
  }
  return checkLeaf(key, value);
}
