/**
 * The popup's text tables in English, built from `public/_locales/en/messages.json` without
 * `chrome.i18n`: for code that runs outside the browser (unit tests, tools). The popup itself
 * reads the browser's language through `./i18n.ts`.
 */
import en from '../../public/_locales/en/messages.json';
import { formatStringsFrom, hostAccessStringsFrom, popupStringsFrom } from '../../src/format/catalogue-strings';
import { catalogueTranslator, type Catalogue } from '../../src/format/translate';

/** The English catalogue as a translator. */
export const ENGLISH = catalogueTranslator(en as Catalogue);
/** Text for `src/format` (units, health labels, row labels, incident, step and card sentences). */
export const FORMAT_STRINGS = formatStringsFrom(ENGLISH);
/** The popup's own text: headings, empty and loading states, controls. */
export const POPUP_STRINGS = popupStringsFrom(ENGLISH);
/** Cards for softphone tabs the browser keeps the extension out of (src/format/host-access.ts). */
export const HOST_ACCESS_STRINGS = hostAccessStringsFrom(ENGLISH);
