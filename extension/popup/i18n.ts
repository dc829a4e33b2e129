/**
 * The popup's text in the browser's language: the `_locales` catalogue through
 * `chrome.i18n.getMessage` (the browser picks the catalogue from its UI language, falling
 * back to `default_locale` en), turned into the tables the pure formatters take.
 */
import { formatStringsFrom, hostAccessStringsFrom, popupStringsFrom } from '../../src/format/catalogue-strings';
import type { Translate } from '../../src/format/translate';

/** `chrome.i18n.getMessage` as a {@link Translate}. */
export const translate: Translate = (key, substitutions) => chrome.i18n.getMessage(key, substitutions ? [...substitutions] : undefined);

/** Text for `src/format` (units, health labels, rows, incidents, steps, card sentences). */
export const FORMAT_TEXT = formatStringsFrom(translate);
/** The popup's own text. */
export const POPUP_TEXT = popupStringsFrom(translate);
/** Cards for softphone tabs the browser keeps the extension out of. */
export const HOST_ACCESS_TEXT = hostAccessStringsFrom(translate);
