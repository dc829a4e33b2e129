/**
 * The translator the pure formatters take, and a reference implementation of it over a
 * `_locales/<lang>/messages.json` catalogue. In the extension the translator is
 * `chrome.i18n.getMessage` (wired in `extension/popup/i18n.ts`); in Node (unit tests, tools)
 * it is {@link catalogueTranslator} over the English catalogue, so `src/` never touches
 * `chrome`.
 *
 * Substitution follows the Chrome extension i18n rules
 * (https://developer.chrome.com/docs/extensions/reference/api/i18n, "Locale-specific
 * messages"): a message names placeholders as `$NAME$` (case-insensitive); each placeholder's
 * `content` may refer to the substitutions as `$1`…`$9`; `$$` is a literal `$`.
 */
import type enCatalogue from '../../public/_locales/en/messages.json';

/** Every message name of the English catalogue (the complete one). */
export type MessageKey = keyof typeof enCatalogue;

/**
 * Looks a message up by name and fills its placeholders with `substitutions` (already
 * formatted strings, in the placeholder order the catalogue's `content: "$n"` gives).
 * Returns `''` for an unknown name, as `chrome.i18n.getMessage` does.
 */
export type Translate = (key: MessageKey, substitutions?: readonly string[]) => string;

/** One entry of a `messages.json` catalogue. */
export interface CatalogueEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

/** A whole `messages.json`: message name → entry. */
export type Catalogue = Record<string, CatalogueEntry>;

/** Message names may use ASCII letters, digits and `_` only (Chrome i18n rules). */
const NAME = /^[A-Za-z0-9_@]+$/;

/**
 * Fills one catalogue entry as Chrome does: placeholders first, then `$n` references inside
 * their contents, then `$$` → `$`. A `$NAME$` without a placeholder definition is left as is.
 */
export function fillMessage(entry: CatalogueEntry, substitutions: readonly string[] = []): string {
  const placeholders = new Map(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content] as const));
  const sub = (text: string): string =>
    text.replace(/\$\$|\$([1-9])/g, (whole, n: string | undefined) => (n === undefined ? '$' : (substitutions[Number(n) - 1] ?? '')));
  // One pass so a substituted value containing `$` is never re-read as syntax.
  return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$|\$([1-9])/g, (whole, name: string | undefined, n: string | undefined) => {
    if (whole === '$$') return '$';
    if (n !== undefined) return substitutions[Number(n) - 1] ?? '';
    const content = placeholders.get((name ?? '').toLowerCase());
    return content === undefined ? whole : sub(content);
  });
}

/**
 * A {@link Translate} over a parsed catalogue: for Node-side callers and tests.
 * @param catalogue a `messages.json` object
 * @param fallback used for names `catalogue` lacks (Chrome falls back to `default_locale`)
 * @throws Error when a message name breaks the Chrome naming rule (letters, digits, `_`, `@`)
 */
export function catalogueTranslator(catalogue: Catalogue, fallback?: Catalogue): Translate {
  for (const name of Object.keys(catalogue)) {
    if (!NAME.test(name)) throw new Error(`invalid message name "${name}": use ASCII letters, digits and _ only`);
  }
  return (key, substitutions) => {
    const entry = catalogue[key] ?? fallback?.[key];
    return entry ? fillMessage(entry, substitutions) : '';
  };
}

/**
 * The plural form of `count` among a message's `_one` / `_other` variants, by the CLDR plural
 * rules of `locale` (`Intl.PluralRules`). The catalogues carry those two forms (enough for
 * English and German); any other CLDR category maps to `other`.
 */
export function pluralKey<K extends string>(base: K, count: number, locale: string): `${K}_one` | `${K}_other` {
  let category: Intl.LDMLPluralRule;
  try {
    category = new Intl.PluralRules(locale).select(count);
  } catch {
    category = count === 1 ? 'one' : 'other';
  }
  return category === 'one' ? `${base}_one` : `${base}_other`;
}
