import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matchesAnyUrlGlob, testUrlGlob } from '../../../src/match/url-glob';

describe('URL globs', () => {
  it('match the whole URL, * spanning slashes', () => {
    expect(testUrlGlob('*/api/v2/*', 'https://apps.mypurecloud.com/api/v2/communications/webRTC')).toBe(true);
    expect(testUrlGlob('*/api/v2/*', 'https://apps.mypurecloud.com/platform/api/v3/x')).toBe(false);
    expect(testUrlGlob('https://x.test/a', 'https://x.test/a/b')).toBe(false);
  });

  it('ignore query and fragment unless the pattern has a ?', () => {
    expect(testUrlGlob('*/api/v2/users/me', 'https://x/api/v2/users/me?expand=org#f')).toBe(true);
    expect(testUrlGlob('*/api/v2/users/me', 'https://x/api/v2/users/me/webphone/endpoint')).toBe(false);
    expect(testUrlGlob('*/users/me?expand=*', 'https://x/users/me?expand=org#f')).toBe(true);
    expect(testUrlGlob('*/users/me?expand=*', 'https://x/users/me')).toBe(false);
  });

  it('treat regex metacharacters literally', () => {
    expect(testUrlGlob('https://x.test/a+b(c)', 'https://x.test/a+b(c)')).toBe(true);
    expect(testUrlGlob('https://x.test/a.b', 'https://x.test/aXb')).toBe(false);
  });

  it('stay fast on patterns that make a backtracking regex exponential', () => {
    const url = `https://x.test/${'a'.repeat(2000)}`;
    const hostile = `${'*a'.repeat(40)}*b`;
    // A backtracking regex would not finish this within the test timeout (2^40 paths).
    expect(testUrlGlob(hostile, url)).toBe(false);
  });

  it('skip invalid patterns instead of throwing', () => {
    expect(matchesAnyUrlGlob(['', 'x'.repeat(5000), '*/ok'], 'https://x/ok')).toBe(true);
    expect(() => testUrlGlob('', 'https://x')).toThrow(RangeError);
  });

  it('agree with a reference regex matcher on small inputs', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*/]{1,8}$/), fc.stringMatching(/^[ab/]{0,12}$/), (pattern, text) => {
        const re = new RegExp(
          `^${pattern
            .split('*')
            .map((p) => p.replace(/[/]/g, '\\/'))
            .join('.*')}$`,
          's',
        );
        return testUrlGlob(pattern, text) === re.test(text);
      }),
    );
  });
});
