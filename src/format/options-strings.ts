/**
 * The shape of every piece of text the options page's view model produces. The model holds no
 * English of its own: the page passes a table (`extension/options/strings.ts`), so moving the
 * text to `_locales` later changes one module and no logic.
 */
import type { ConfigKey, ConfigSource } from '../policy/resolve';
import type { OmittedReason } from '../policy/policy-export';

/** The options page's sections, in display order. */
export type SectionId =
  'monitoring' | 'tokenRefresh' | 'retry' | 'watchdog' | 'media' | 'safeReload' | 'riskWindows' | 'agentIdentity' | 'telemetry' | 'storage';

/** Text table for `src/format/options-*.ts`. */
export interface OptionsStrings {
  /** BCP 47 tag for number formatting. */
  locale: string;
  sections: Record<SectionId, string>;
  /** Per setting: its label (with the unit) and one or two sentences of help. */
  fields: Record<ConfigKey, { label: string; help: string }>;
  /** Badge text per source of a value. */
  source: Record<ConfigSource, string>;
  /** Badge text of a default supplied by a vendor profile: `"Genesys Cloud"` → `"Genesys Cloud profile"`. */
  profileSource: (platform: string) => string;
  /** Heading of a vendor profile's limits under the profile field. */
  profileLimits: (platform: string) => string;
  /** Why a field cannot be edited. */
  lockedReason: string;
  /** Shown for an empty text or list. */
  empty: string;
  yes: string;
  no: string;
  /** Shown in place of a secret value. */
  hidden: string;
  /** Who set a value that was not used. */
  problemSource: Record<Exclude<ConfigSource, 'default'>, string>;
  /** Label of a problem that belongs to no single setting (`'(root)'`, an unknown key). */
  problemWhole: string;
  problemUnknownKey: (key: string) => string;
  /** Messages of the editors' own parsing, before the schema is consulted. */
  parse: {
    integer: string;
    integers: (item: string) => string;
    json: (detail: string) => string;
    choice: (options: string) => string;
  };
  /** Why a setting is left out of the policy export. */
  exportOmitted: Record<OmittedReason, (label: string) => string>;
}
