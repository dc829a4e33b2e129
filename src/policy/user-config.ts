/**
 * The user's own settings (`storage.local` key `userConfig`, the same shape as the policy):
 * what the options page may see of them, and the check a new version must pass before it is
 * written. Nothing is saved while any value is invalid; policy values are never touched.
 *
 *   options page ── set-user-config(candidate) ──▶ restoreRedacted(candidate, stored)
 *                                                  └▶ checkUserConfig(…, managed)
 *                                                     ├ ok     → write `value`
 *                                                     └ errors → nothing written
 */
import { REDACTED, redactUrl, redactValue } from '../redact/redact';
import { CONFIG_KEYS, resolveConfig } from './resolve';
import type { ConfigKey } from './resolve';
import { getLeaf, setLeaf } from './leaf-path';
import { PartialConfigSchema } from './schema';
import type { PartialConfig } from './schema';

/** One reason a value was not accepted, for the field it belongs to. */
export interface FieldError {
  /** A leaf key (`'watchdog.reconnectGraceMs'`), a group, an unknown key, or `'(root)'`. */
  key: string;
  /** One sentence, holding no secret. */
  message: string;
}

/** The outcome of {@link checkUserConfig}. */
export type UserConfigCheck = { ok: true; value: PartialConfig } | { ok: false; errors: FieldError[] };

/** Leaves whose values are secrets the options page never receives. */
const SECRET_RECORD_KEYS: readonly ConfigKey[] = ['telemetry.headers'];
/** Leaves holding URLs: shown through the redaction choke point. */
const URL_KEYS: readonly ConfigKey[] = [
  'tokenRefresh.refreshUrl',
  'tokenRefresh.authorizeUrl',
  'tokenRefresh.tokenUrl',
  'telemetry.otlpEndpoint',
];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The stored user settings as the options page may see them: plain data, size-bounded,
 * redacted (secret-looking values, every telemetry header value as {@link REDACTED}, secrets in
 * URLs). Invalid values stay visible so the page can show what is wrong with them.
 * @param raw whatever `storage.local` holds under `userConfig`
 * @returns an object (`{}` for anything that is not a plain object). Never throws.
 */
export function redactUserConfig(raw: unknown): Record<string, unknown> {
  const copy = redactValue(raw, { maxDepth: 6, maxStringLength: 4096, maxArrayLength: 300, maxKeys: 300, maxNodes: 5000 });
  if (!isRecord(copy)) return {};
  let out: Record<string, unknown> = copy;
  for (const key of SECRET_RECORD_KEYS) {
    const v = getLeaf(out, key);
    if (isRecord(v)) out = setLeaf(out, key, Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED])));
  }
  for (const key of URL_KEYS) {
    const v = getLeaf(out, key);
    if (typeof v === 'string') out = setLeaf(out, key, redactUrl(v));
  }
  return out;
}

/**
 * Undoes {@link redactUserConfig} where the page sent a redacted value back unchanged: a
 * telemetry header whose value is {@link REDACTED} keeps its stored value (a header with no
 * stored value is left as sent, and then fails no check but is useless: the page asks for a
 * real value); any other leaf equal to the redacted form of its stored value keeps the stored
 * value.
 * @param candidate the settings the page wants saved
 * @param stored what `storage.local` holds now
 * @returns a new object; `candidate` itself when it is not a plain object. Never throws.
 */
export function restoreRedacted(candidate: unknown, stored: unknown): unknown {
  if (!isRecord(candidate)) return candidate;
  let out: Record<string, unknown> = candidate;
  try {
    for (const key of CONFIG_KEYS) {
      const sent = getLeaf(out, key);
      const kept = getLeaf(stored, key);
      if (sent === undefined || kept === undefined) continue;
      if (SECRET_RECORD_KEYS.includes(key) && isRecord(sent) && isRecord(kept)) {
        const merged = Object.fromEntries(
          Object.entries(sent).map(([name, value]) =>
            value === REDACTED && typeof kept[name] === 'string' ? [name, kept[name]] : [name, value],
          ),
        );
        out = setLeaf(out, key, merged);
      } else if (
        JSON.stringify(sent).includes(REDACTED) &&
        JSON.stringify(sent) === JSON.stringify(getLeaf(redactUserConfig(stored), key))
      ) {
        out = setLeaf(out, key, kept);
      }
    }
  } catch {
    return candidate;
  }
  return out;
}

/**
 * Checks a complete new version of the user settings, as it would resolve under the policy
 * in force: every value the resolution would refuse (schema, sense checks, checks across
 * settings against policy values, unknown keys) is an error for its field. `null` leaves
 * mean "not set" and are dropped.
 * @param candidate the settings to save (after {@link restoreRedacted})
 * @param managed the policy as read from managed storage (anything)
 * @returns the value to write (schema-parsed, unknown keys and nulls gone) or the errors,
 *   in schema order. Never throws.
 */
export function checkUserConfig(candidate: unknown, managed: unknown): UserConfigCheck {
  if (!isRecord(candidate)) return { ok: false, errors: [{ key: '(root)', message: 'settings must be an object' }] };
  const { problems } = resolveConfig({ managed, user: candidate });
  const errors = problems.filter((p) => p.source === 'user').map((p) => ({ key: p.key, message: p.message }));
  if (errors.length > 0) return { ok: false, errors };
  let cleaned: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = getLeaf(candidate, key);
    if (v !== undefined && v !== null) cleaned = setLeaf(cleaned, key, v);
  }
  const parsed = PartialConfigSchema.safeParse(cleaned);
  if (!parsed.success) return { ok: false, errors: [{ key: '(root)', message: 'settings could not be read' }] };
  return { ok: true, value: structuredClone(parsed.data) };
}

/**
 * The stored settings without the given leaves (a per-value "reset to default"). Other
 * values are kept as they are, valid or not: removing a value never needs the rest checked.
 * @param stored what `storage.local` holds now (anything; not a plain object counts as `{}`)
 * @param keys leaf keys to remove
 */
export function removeUserKeys(stored: unknown, keys: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = isRecord(stored) ? { ...stored } : {};
  for (const key of keys) out = setLeaf(out, key, undefined);
  return out;
}
