/**
 * The text tables built from the catalogues: English matches what the popup always said, and
 * the German catalogue turns the same models into German (numbers in German format too).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentSentence } from '../../../src/format/agent-sentence';
import { formatStringsFrom, hostAccessStringsFrom, popupStringsFrom } from '../../../src/format/catalogue-strings';
import { popupView } from '../../../src/format/popup-model';
import { formatRelative } from '../../../src/format/time';
import { catalogueTranslator, type Catalogue } from '../../../src/format/translate';
import { FORMAT_STRINGS as en } from '../../../extension/popup/strings';
import { NOW, incident, session } from './fixtures';

const load = (lang: string): Catalogue =>
  JSON.parse(readFileSync(resolve(__dirname, `../../../public/_locales/${lang}/messages.json`), 'utf8')) as Catalogue;
const deT = catalogueTranslator(load('de'), load('en'));
const de = formatStringsFrom(deT);

describe('formatStringsFrom', () => {
  it('English: plurals, org switch, steps', () => {
    expect(en.locale).toBe('en');
    expect(en.summary.watching(1, '1', 'Healthy')).toBe('Watching 1 softphone tab. Worst: Healthy.');
    expect(en.summary.storedEvents(1234, '1,234')).toBe('1,234 events stored');
    expect(en.orgSwitch.closed(1, '1', 2, '2', 'org-a')).toBe('closed 1 socket and 2 call connections of org-a before the new sign-in');
    expect(en.orgSwitch.closed(0, '0', 0, '0', 'org-a')).toBe('nothing of org-a was left open');
    expect(en.step.outcome['request-retry'].ok).toBe('page saw success');
    expect(en.incident.kind['abnormal-close']).toBe('WebSocket closed abnormally');
  });
  it('German: words, plural forms and number format', () => {
    expect(de.locale).toBe('de');
    expect(formatRelative(NOW - 4_000, NOW, de)).toBe('vor 4 s');
    expect(de.health.recovering).toBe('Wird wiederhergestellt');
    const view = popupView({ type: 'state', sessions: [session()], worst: 'healthy', storedEvents: 48_213, now: NOW }, NOW, de);
    expect(view.summary).toBe('1 Softphone-Tab wird überwacht. Schlechtester Zustand: In Ordnung.');
    expect(view.storedEvents).toBe('48.213 Ereignisse gespeichert');
    expect(view.live[0]!.reason).toBe('Alles in Ordnung: Signalisierung offen, Heartbeat vor 4 s.');
  });
  it('German card sentence for a publish storm', () => {
    const s = session({
      health: 'recovering',
      incidents: [incident(1, 8_000, { kind: 'abnormal-close', detail: { code: 1006 } }), incident(2, 7_000)],
    });
    expect(agentSentence(s, NOW, de)).toBe(
      'Signalisierung vor 8 s abgebrochen (1006); Softphone Guard wartet, bis sich das Softphone neu verbindet, und erneuert dann das Token.',
    );
  });
});

describe('popupStringsFrom / hostAccessStringsFrom', () => {
  it('English and German popup text', () => {
    const p = popupStringsFrom(catalogueTranslator(load('en')));
    expect(p.configProblems(1)).toBe('A configuration value is invalid and not applied.');
    expect(p.configProblems(3)).toBe('3 configuration values are invalid and not applied.');
    expect(p.diagnosticsFor('Dana Reyes')).toBe('Diagnostics for Dana Reyes (opens in a new tab)');
    expect(p.exportLabels).toEqual({
      bundle: 'Save diagnostics bundle',
      summary: 'Copy summary for a ticket',
      copied: 'Summary copied to the clipboard.',
      failed: 'Export failed; please try again.',
    });
    const g = popupStringsFrom(deT);
    expect(g.locale).toBe('de');
    expect(g.endedSessions(1200)).toBe('Beendete Sitzungen (1.200)');
    expect(g.diagnostics).toBe('Diagnose');
  });
  it('host-access sentences name the origin', () => {
    const h = hostAccessStringsFrom(catalogueTranslator(load('en')));
    expect(h.reason['blocked-by-policy']('https://a.example')).toMatch(
      /^Softphone Guard is blocked on https:\/\/a\.example by your browser policy/,
    );
    expect(h.status(1)).toBe('A softphone tab is open, but the browser does not let Softphone Guard watch it.');
    expect(h.status(2)).toBe('2 softphone sites are open, but the browser does not let Softphone Guard watch them.');
  });
});
