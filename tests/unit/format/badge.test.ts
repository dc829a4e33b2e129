import { describe, expect, it } from 'vitest';
import { BADGE_STYLE, badgeState, badgeView, type BadgeState } from '../../../src/format/badge';
import { WCAG_AA_TEXT, contrastRatio, relativeLuminance } from '../../../src/format/contrast';
import { ENGLISH } from '../../../extension/popup/strings';

describe('badgeState', () => {
  it('shows the worst health of the live sessions', () => {
    expect(badgeState({ healths: ['healthy'] })).toBe('healthy');
    expect(badgeState({ healths: ['healthy', 'degraded'] })).toBe('degraded');
    expect(badgeState({ healths: ['recovering', 'degraded', 'healthy'] })).toBe('recovering');
    expect(badgeState({ healths: ['down', 'recovering'] })).toBe('down');
  });
  it('sign-in needed outranks every health', () => {
    expect(badgeState({ healths: ['healthy'], signInNeeded: true })).toBe('sign-in');
    expect(badgeState({ healths: ['down'], signInNeeded: true })).toBe('sign-in');
  });
  it('no tab; an unmonitored softphone tab only when nothing is monitored', () => {
    expect(badgeState({ healths: [] })).toBe('none');
    expect(badgeState({ healths: [], unmonitoredTabs: 2 })).toBe('unmonitored');
    expect(badgeState({ healths: ['degraded'], unmonitoredTabs: 2 })).toBe('degraded');
  });
});

describe('badgeView', () => {
  const cases: [BadgeState, Parameters<typeof badgeView>[0], string, string][] = [
    ['none', { healths: [] }, '', 'Softphone Guard: no softphone tab open'],
    ['unmonitored', { healths: [], unmonitoredTabs: 1 }, 'off', 'Softphone Guard: a softphone tab is open but not monitored'],
    ['healthy', { healths: ['healthy'] }, '', 'Softphone Guard: softphone healthy'],
    ['degraded', { healths: ['degraded'] }, '!', 'Softphone Guard: softphone degraded'],
    ['recovering', { healths: ['recovering'] }, '…', 'Softphone Guard: recovering the softphone'],
    ['down', { healths: ['down'] }, 'X', 'Softphone Guard: softphone down'],
    ['sign-in', { healths: ['down'], signInNeeded: true }, 'Sign', 'Softphone Guard: sign-in needed in the softphone'],
  ];
  it.each(cases)('%s: text and a localised title', (state, input, text, title) => {
    const view = badgeView(input, ENGLISH);
    expect(view.state).toBe(state);
    expect(view.text).toBe(text);
    expect(view.title).toBe(title);
    expect(view.text.length).toBeLessThanOrEqual(4);
  });
  it('every problem state carries text, so it never rests on colour alone', () => {
    for (const state of ['unmonitored', 'degraded', 'recovering', 'down', 'sign-in'] as const) {
      expect(BADGE_STYLE[state].text, state).toBeDefined();
    }
  });
});

describe('badge colours', () => {
  it.each(Object.entries(BADGE_STYLE))('%s: text on background reaches WCAG AA (4.5:1)', (_, style) => {
    expect(contrastRatio(style.foreground, style.background)).toBeGreaterThanOrEqual(WCAG_AA_TEXT);
  });
  it('problem states differ in colour from healthy', () => {
    for (const s of ['degraded', 'recovering', 'down'] as const) expect(BADGE_STYLE[s].background).not.toBe(BADGE_STYLE.healthy.background);
  });
});

describe('contrastRatio (WCAG 2.2)', () => {
  it('black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
  });
  it('matches published values', () => {
    // #767676 on white is the classic lightest grey passing AA: 4.54:1.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
  });
  it('rejects a malformed colour', () => {
    expect(() => relativeLuminance('red')).toThrow(/not a #rrggbb colour/);
  });
});
