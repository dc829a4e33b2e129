import { describe, expect, it } from 'vitest';
import { cardView, orgSwitchSentence } from '../../../src/format/session-card';
import { popupView } from '../../../src/format/popup-model';
import { formatClock } from '../../../src/format/time';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';
import type { OrgSwitchView } from '../../../src/session/types';
import { NOW, session } from './fixtures';

/** 07:55 UTC on the fixtures' day. */
const AT = Date.UTC(2024, 5, 7, 7, 55, 12);
const sw = (o: Partial<OrgSwitchView> = {}): OrgSwitchView => ({
  at: AT,
  fromOrgId: 'org-a',
  toOrgId: 'org-b',
  closedSockets: 1,
  closedPeerConnections: 1,
  ...o,
});

describe('formatClock', () => {
  it('shows a 24-hour wall-clock time in the given zone', () => {
    expect(formatClock(AT, NOW, t, 'UTC')).toBe('07:55');
    expect(formatClock(AT, NOW, t, 'America/Chicago')).toBe('02:55');
    expect(formatClock(Date.UTC(2024, 5, 7, 16, 5), NOW, t, 'UTC')).toBe('16:05');
  });

  it('adds the weekday for a moment a day or more ago', () => {
    expect(formatClock(NOW - 86_400_000, NOW, t, 'UTC')).toBe('Thu 21:00');
    expect(formatClock(NOW - 86_399_999, NOW, t, 'UTC')).toBe('21:00');
  });

  it('shows what it cannot format as not available', () => {
    expect(formatClock(Number.NaN, NOW, t, 'UTC')).toBe('—');
    expect(formatClock(AT, NOW, t, 'Not/AZone')).toBe('—');
  });
});

describe('the org-switch sentence (seed 002)', () => {
  it('says plainly what happened, when, and what of the old organisation was closed', () => {
    expect(orgSwitchSentence(sw(), NOW, t, 'UTC')).toBe(
      'Switched organisation org-a → org-b at 07:55; closed 1 socket and 1 call connection of org-a before the new sign-in.',
    );
  });

  it.each([
    [2, 0, 'closed 2 sockets of org-a before the new sign-in.'],
    [0, 3, 'closed 3 call connections of org-a before the new sign-in.'],
    [2, 2, 'closed 2 sockets and 2 call connections of org-a before the new sign-in.'],
    [0, 0, 'nothing of org-a was left open.'],
    [1000, 1, 'closed 1,000 sockets and 1 call connection of org-a before the new sign-in.'],
  ])('%i sockets, %i call connections → "…%s"', (closedSockets, closedPeerConnections, tail) => {
    expect(orgSwitchSentence(sw({ closedSockets, closedPeerConnections }), NOW, t, 'UTC').endsWith(`; ${tail}`)).toBe(true);
  });

  it('names an organisation the identity response left empty', () => {
    expect(orgSwitchSentence(sw({ fromOrgId: '', closedSockets: 0, closedPeerConnections: 0 }), NOW, t, 'UTC')).toBe(
      'Switched organisation an unnamed organisation → org-b at 07:55; nothing of an unnamed organisation was left open.',
    );
  });

  it('appears on the card only after a switch, through the popup model too', () => {
    expect(cardView(session(), NOW, t, 'UTC').orgSwitch).toBeUndefined();
    const card = cardView(session({ orgSwitch: sw() }), NOW, t, 'UTC');
    expect(card.orgSwitch).toBe(
      'Switched organisation org-a → org-b at 07:55; closed 1 socket and 1 call connection of org-a before the new sign-in.',
    );
    const popup = popupView(
      { type: 'state', sessions: [session({ orgSwitch: sw() })], worst: 'healthy', storedEvents: 1, now: NOW },
      NOW,
      t,
      'UTC',
    );
    expect(popup.live[0]?.orgSwitch).toBe(card.orgSwitch);
  });
});
