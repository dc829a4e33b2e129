import { describe, expect, it } from 'vitest';
import { requestKey, shownPath } from '../../../src/session/request-path';

describe('requestKey', () => {
  it.each([
    ['https://h/a?x=1#f', 'https://h/a'],
    ['https://h/a#f?x', 'https://h/a'],
    ['https://h/a', 'https://h/a'],
    ['', ''],
    ['?only', ''],
  ])('%s → %s', (url, key) => {
    expect(requestKey(url)).toBe(key);
  });
});

describe('shownPath', () => {
  it.each([
    ['https://apps.mypurecloud.com/api/v2/users/me?expand=x', '/api/v2/users/me'],
    ['https://h', '/'],
    ['wss://h:443/ch', '/ch'],
    ['/relative/path', '/relative/path'],
    ['not a url', 'not a url'],
    ['', '/'],
  ])('%s → %s', (url, path) => {
    expect(shownPath(url)).toBe(path);
  });

  it('shortens long paths to 120 characters', () => {
    const shown = shownPath(`https://h/${'a'.repeat(500)}`);
    expect(shown).toHaveLength(120);
    expect(shown.endsWith('…')).toBe(true);
  });
});
