import { describe, expect, it } from 'vitest';
import { unmonitoredCards } from '../../../src/format/host-access';
import { HOST_ACCESS_STRINGS as t } from '../../../extension/popup/strings';

describe('unmonitoredCards', () => {
  it('says plainly that the policy blocks the origin and who can change it', () => {
    const cards = unmonitoredCards([{ tabId: 7, origin: 'https://apps.example.com', reason: 'blocked-by-policy' }], t);
    expect(cards).toEqual([
      {
        key: 'blocked-by-policy https://apps.example.com',
        origin: 'https://apps.example.com',
        reason: 'blocked-by-policy',
        firstTabId: 7,
        tabCount: 1,
        subtitle: 'Not monitored',
        text: 'Softphone Guard is blocked on https://apps.example.com by your browser policy (runtime_blocked_hosts); ask IT to allow it.',
      },
    ]);
  });

  it('groups tabs of one origin and cause, keeps causes apart, orders by first tab', () => {
    const cards = unmonitoredCards(
      [
        { tabId: 9, origin: 'https://b.example', reason: 'no-host-access' },
        { tabId: 3, origin: 'https://a.example', reason: 'blocked-by-policy' },
        { tabId: 5, origin: 'https://a.example', reason: 'blocked-by-policy' },
        { tabId: 4, origin: 'https://a.example', reason: 'no-host-access' },
      ],
      t,
    );
    expect(cards.map((c) => [c.origin, c.reason, c.tabCount, c.subtitle])).toEqual([
      ['https://a.example', 'blocked-by-policy', 2, 'Not monitored · 2 tabs'],
      ['https://a.example', 'no-host-access', 1, 'Not monitored'],
      ['https://b.example', 'no-host-access', 1, 'Not monitored'],
    ]);
    expect(cards[1]?.text).toContain("site access is limited in the browser's extension settings");
  });

  it('has no cards for none, and skips a reason it has no sentence for', () => {
    expect(unmonitoredCards(undefined, t)).toEqual([]);
    expect(unmonitoredCards([], t)).toEqual([]);
    const unknown = [{ tabId: 1, origin: 'https://x', reason: 'other' as never }];
    expect(unmonitoredCards(unknown, t)).toEqual([]);
  });
});
