/**
 * The popup and the toolbar title speak the browser's language from `_locales`: Chromium
 * started with `--lang=de` (on Linux headless, `--lang` chooses the extension's catalogue;
 * the `LANGUAGE` environment variable alone does not) shows the German catalogue — the page's
 * own text, the formatters' text and the card sentence — with German number formatting and
 * `<html lang="de">`. Without the flag the same browser build speaks English.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './support/fixture';
import { openPopupPage } from './support/popup-page';
import { openAgent } from './support/softphone';

test.describe('with --lang=de', () => {
  test.use({ browserArgs: ['--lang=de'] });

  test('German: empty state, then an agent card, the footer controls and the toolbar title', async ({ lab, context, worker }) => {
    const { page, errors } = await openPopupPage(context);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Softphone Guard');
    await expect(page.locator('.popup__status')).toHaveText(
      'Kein Softphone-Tab wird überwacht. Öffnen Sie Ihr Softphone; Softphone Guard überwacht es dann automatisch.',
      { timeout: 10_000 },
    );

    const agent = await openAgent(context, lab, 'agent-1');
    const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Alex Rivera' }) });
    await expect(card.locator('.pill')).toHaveText('In Ordnung', { timeout: 15_000 });
    await expect(card.getByRole('img', { name: 'Zustand: In Ordnung' })).toHaveCount(1);
    await expect(card.locator('.card__reason')).toHaveText(
      /^Alles in Ordnung: Signalisierung offen(, Heartbeat (vor \d+ s|gerade eben))?\.$/,
    );
    await expect(page.locator('.popup__status')).toHaveText('1 Softphone-Tab wird überwacht. Schlechtester Zustand: In Ordnung.');
    await expect(card.getByRole('heading', { level: 3 })).toHaveText(['Signalisierung', 'Medien', 'Anmeldung', 'Letzte Vorfälle']);
    await expect(card.locator('.row', { hasText: 'Offene Sockets' }).locator('dd')).toHaveText('1');
    await expect(card.getByRole('link', { name: 'Diagnose für Alex Rivera (öffnet in neuem Tab)' })).toHaveText('Diagnose');
    await expect(page.getByRole('link', { name: 'Diagnose für alle Sitzungen öffnen (öffnet in neuem Tab)' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Diagnosepaket speichern' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Zusammenfassung für ein Ticket kopieren' })).toBeVisible();
    await expect(page.locator('.popup__events')).toHaveText(/^[\d.]+ Ereignisse? gespeichert$/);
    await expect
      .poll(() => worker.evaluate(() => chrome.action.getTitle({})), { timeout: 10_000 })
      .toBe('Softphone Guard: Softphone in Ordnung');

    // No English left in the visible text of the popup (beyond names, hosts and "Softphone Guard").
    const text = await page.locator('body').innerText();
    for (const english of ['Watching', 'Healthy', 'All good', 'Signalling', 'Recent incidents', 'Diagnostics', 'events stored', 'None']) {
      expect(text, english).not.toContain(english);
    }
    expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
    // Closing the softphone tab: the title says no tab is open, in German.
    await agent.close();
    await expect
      .poll(() => worker.evaluate(() => chrome.action.getTitle({})), { timeout: 10_000 })
      .toBe('Softphone Guard: kein Softphone-Tab geöffnet');
    await expect(page.locator('details.ended summary')).toHaveText('Beendete Sitzungen (1)', { timeout: 10_000 });

    expect(errors).toEqual([]);
  });
});

test('without --lang the same build speaks English', async ({ context }) => {
  const { page } = await openPopupPage(context);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('.popup__status')).toHaveText(/^No softphone tab is being watched\./, { timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Save diagnostics bundle' })).toBeVisible();
});
