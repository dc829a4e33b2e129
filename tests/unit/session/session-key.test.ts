import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isEmbeddedSession, sessionKey, sessionPlace } from '../../../src/session/session-key';

describe('sessionKey', () => {
  it('is the tab id for a top-level document, so stored top-level sessions keep their key', () => {
    expect(sessionKey(121887729, 0)).toBe(121887729);
    expect(sessionPlace(121887729)).toEqual({ tabId: 121887729, frameId: 0 });
    expect(isEmbeddedSession(121887729)).toBe(false);
  });

  it('gives a subframe a negative key that names its tab and frame, for the tab ids Chromium really uses', () => {
    // Tab ids measured on Chromium 156 in the lab: large positive 32-bit integers.
    const key = sessionKey(2038424493, 11);
    expect(key).not.toBeNull();
    expect(key!).toBeLessThan(0);
    expect(isEmbeddedSession(key!)).toBe(true);
    expect(sessionPlace(key!)).toEqual({ tabId: 2038424493, frameId: 11 });
  });

  it('round-trips every tab below 2^31 and frame below 2^22, and never collides with a tab id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 22 - 1 }), (tabId, frameId) => {
        const key = sessionKey(tabId, frameId);
        expect(key).not.toBeNull();
        expect(Number.isSafeInteger(key)).toBe(true);
        expect(sessionPlace(key!)).toEqual({ tabId, frameId });
        if (frameId !== 0) expect(key!).toBeLessThan(0);
      }),
    );
  });

  it('refuses ids no browser gives, or too large to keep apart', () => {
    expect(sessionKey(-1, 0)).toBeNull();
    expect(sessionKey(1, -1)).toBeNull();
    expect(sessionKey(1.5, 0)).toBeNull();
    expect(sessionKey(1, 2 ** 22)).toBeNull();
    expect(sessionKey(2 ** 31, 3)).toBeNull();
    expect(sessionPlace(Number.NaN)).toEqual({ tabId: -1, frameId: -1 });
  });
});
