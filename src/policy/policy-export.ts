/**
 * The settings in force written out as the policy an administrator deploys (README "Install
 * for IT"): the managed-storage value for the extension's ID, and the same value wrapped as a
 * Linux Chrome/Chromium policy file (`/etc/opt/chrome/policies/managed/*.json`,
 * `/etc/chromium/policies/managed/*.json`):
 *
 *   { "3rdparty": { "extensions": { "<extension id>": { …policy… } } } }
 *
 * By default only the settings that differ from the defaults are written — those of the profile
 * in force (src/policy/profiles.ts), so a vendor's export is its `profile` and what differs from
 * it (a policy that pins every default would also pin them against later, better defaults); `allKeys`
 * writes every setting. Values that are secret or were redacted before they reached the page
 * are left out and listed, so an exported file never carries a secret nor a `[redacted]`
 * placeholder that would then be deployed as a real value.
 */
import { REDACTED } from '../redact/redact';
import { CONFIG_KEYS } from './resolve';
import type { ConfigKey } from './resolve';
import { getLeaf, setLeaf } from './leaf-path';
import { DEFAULT_CONFIG, PartialConfigSchema } from './schema';
import { profileConfig } from './profiles';
import type { Config, PartialConfig } from './schema';

/** Chrome extension IDs: 32 letters a–p (SHA-256 of the key, hex digits mapped 0–f → a–p). */
const EXTENSION_ID_RE = /^[a-p]{32}$/;

/** Leaves whose values are secrets: never exported, whatever they hold. */
const SECRET_KEYS: readonly ConfigKey[] = ['telemetry.headers'];

/** Why a setting is not in the export. */
export type OmittedReason =
  /** A secret (telemetry header values): add it to the deployed policy by hand. */
  | 'secret'
  /** The value shown holds a redacted part (a secret in a URL): set it by hand. */
  | 'redacted'
  /**
   * The value has no form in Chrome's policy schema, which has no unions: `media.grantMicrophone:
   * false` (a policy file gives a list; `true` is written as `["*"]`).
   */
  | 'not-in-policy-schema';

/** The export, as data and as the two JSON texts to download or copy. */
export interface PolicyExport {
  /** The managed-storage value for the extension (what goes under its ID). */
  policy: PartialConfig;
  /** The Linux policy file: `policy` under `3rdparty.extensions.<id>`. */
  linuxFile: { '3rdparty': { extensions: Record<string, PartialConfig> } };
  /** `policy` as JSON, two-space indented, with a final newline. */
  policyJson: string;
  /** `linuxFile` as JSON, likewise. */
  linuxJson: string;
  /** Settings left out, in schema order. */
  omitted: { key: ConfigKey; reason: OmittedReason }[];
}

/** Options of {@link exportPolicy}. */
export interface PolicyExportOptions {
  /** The extension's ID (`runtime.id`), 32 letters a–p. */
  extensionId: string;
  /** Every setting (true) or only those that differ from the defaults (false). */
  allKeys: boolean;
}

/**
 * Writes a configuration out as deployable policy.
 * @param config the configuration in force, as the options page has it (redacted)
 * @returns the export; its `policy` always passes `PartialConfigSchema`, and resolving it as
 *   policy gives back `config` except for the settings listed in `omitted`
 * @throws {RangeError} when `extensionId` is not a Chrome extension ID
 */
export function exportPolicy(config: Config, options: PolicyExportOptions): PolicyExport {
  if (!EXTENSION_ID_RE.test(options.extensionId)) throw new RangeError('extensionId must be 32 letters a–p');
  let policy: Record<string, unknown> = {};
  const omitted: PolicyExport['omitted'] = [];
  const defaults = profileConfig(config.profile);
  for (const key of CONFIG_KEYS) {
    const value = getLeaf(config, key);
    const differs = !sameJson(value, getLeaf(key === 'profile' ? DEFAULT_CONFIG : defaults, key));
    if (!options.allKeys && !differs) continue;
    if (SECRET_KEYS.includes(key) && !isEmptyRecord(value)) {
      omitted.push({ key, reason: 'secret' });
      continue;
    }
    if (JSON.stringify(value).includes(REDACTED)) {
      omitted.push({ key, reason: 'redacted' });
      continue;
    }
    if (key === 'media.grantMicrophone' && typeof value === 'boolean') {
      if (!value) {
        omitted.push({ key, reason: 'not-in-policy-schema' });
        continue;
      }
      policy = setLeaf(policy, key, ['*']);
      continue;
    }
    policy = setLeaf(policy, key, structuredClone(value));
  }
  // Parsing drops nothing here (every leaf came from a valid Config); it proves the shape.
  const parsed = PartialConfigSchema.parse(policy);
  const linuxFile = { '3rdparty': { extensions: { [options.extensionId]: parsed } } };
  return {
    policy: parsed,
    linuxFile,
    policyJson: `${JSON.stringify(parsed, null, 2)}\n`,
    linuxJson: `${JSON.stringify(linuxFile, null, 2)}\n`,
    omitted,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isEmptyRecord(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}
