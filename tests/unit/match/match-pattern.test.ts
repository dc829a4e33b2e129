import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAnyPattern, matchesPattern, parseMatchPattern } from '../../../src/match/match-pattern';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';

describe('parseMatchPattern', () => {
  it('parses <all_urls>', () => {
    expect(parseMatchPattern('<all_urls>')).toEqual({ kind: 'all-urls', source: '<all_urls>' });
  });

  it('parses scheme, host, subdomain wildcard, port and path', () => {
    expect(parseMatchPattern('https://*.Example.com:8443/a/*')).toEqual({
      kind: 'pattern',
      source: 'https://*.Example.com:8443/a/*',
      scheme: 'https',
      host: 'example.com',
      matchSubdomains: true,
      port: 8443,
      path: '/a/*',
    });
    expect(parseMatchPattern('*://*/*')).toMatchObject({ scheme: '*', host: '', matchSubdomains: true, port: '*' });
    expect(parseMatchPattern('http://[::1]:*/*')).toMatchObject({ host: '[::1]', port: '*' });
    expect(parseMatchPattern('file:///home/*')).toMatchObject({ scheme: 'file', host: '', path: '/home/*' });
  });

  it('accepts every built-in softphone pattern', () => {
    for (const p of DEFAULT_SOFTPHONE_URL_PATTERNS) expect(() => parseMatchPattern(p)).not.toThrow();
  });

  it.each([
    ['', /no ":\/\/"/],
    ['example.com/*', /no ":\/\/"/],
    ['chrome://settings/*', /unsupported scheme "chrome"/],
    ['javascript://x/*', /unsupported scheme/],
    ['https://example.com', /no path/],
    ['https:///*', /empty host/],
    ['https://*.', /no path/],
    ['https://*./*', /empty host after/],
    ['https://www.*.com/*', /"\*" in a host/],
    ['https://*example.com/*', /"\*" in a host/],
    ['https://example.*/*', /"\*" in a host/],
    ['https://example.com:http/*', /invalid port "http"/],
    ['https://example.com:70000/*', /invalid port/],
    ['https://user@example.com/*', /user information/],
    ['file://host/*', /file patterns have no host/],
    ['<all_urls >', /no ":\/\/"/],
  ])('rejects %j with a clear message', (pattern, message) => {
    expect(() => parseMatchPattern(pattern)).toThrow(message);
  });

  it('rejects patterns over 2,048 characters', () => {
    expect(() => parseMatchPattern(`https://example.com/${'a'.repeat(2048)}`)).toThrow(/longer than 2048/);
  });
});

describe('matchesPattern', () => {
  it.each([
    // Chrome's documented examples.
    ['https://*/*', 'https://www.google.com/', true],
    ['https://*/*', 'https://example.org/foo/bar.html', true],
    ['https://*/*', 'http://example.org/', false],
    ['https://*/foo*', 'https://example.com/foo/bar.html', true],
    ['https://*/foo*', 'https://www.google.com/foo', true],
    ['https://*/foo*', 'https://www.google.com/bar', false],
    ['https://*.google.com/foo*bar', 'https://www.google.com/foo/baz/bar', true],
    ['https://*.google.com/foo*bar', 'https://docs.google.com/foobar', true],
    ['https://*.google.com/foo*bar', 'https://google.com/foobar', true],
    ['https://*.google.com/foo*bar', 'https://evilgoogle.com/foobar', false],
    ['https://*.google.com/foo*bar', 'https://google.com.evil.net/foobar', false],
    ['file:///foo*', 'file:///foo/bar.html', true],
    ['file:///foo*', 'file:///foo', true],
    ['http://127.0.0.1/*', 'http://127.0.0.1/', true],
    ['http://127.0.0.1/*', 'http://127.0.0.1:3000/softphone', true],
    ['*://mail.google.com/*', 'http://mail.google.com/foo/baz/bar', true],
    ['*://mail.google.com/*', 'https://mail.google.com/foobar', true],
    ['*://mail.google.com/*', 'wss://mail.google.com/', false],
    ['*://mail.google.com/*', 'ftp://mail.google.com/', false],
  ])('%s vs %s → %s', (pattern, url, expected) => {
    expect(matchesPattern(pattern, url)).toBe(expected);
  });

  it('throws when given an invalid pattern string', () => {
    expect(() => matchesPattern('urn:*', 'urn:uuid:x')).toThrow(/no ":\/\/"/);
  });

  it('treats a missing port and :* as any port, and a given port as that port only', () => {
    expect(matchesPattern('http://localhost/*', 'http://localhost:5173/')).toBe(true);
    expect(matchesPattern('http://localhost:*/*', 'http://localhost:5173/')).toBe(true);
    expect(matchesPattern('http://localhost:5173/*', 'http://localhost:5173/')).toBe(true);
    expect(matchesPattern('http://localhost:5173/*', 'http://localhost:5174/')).toBe(false);
    expect(matchesPattern('https://example.com:443/*', 'https://example.com/')).toBe(true);
    expect(matchesPattern('http://example.com:80/*', 'http://example.com/')).toBe(true);
  });

  it('matches hosts case-insensitively and ignores a trailing dot', () => {
    expect(matchesPattern('https://*.MyPureCloud.com/*', 'https://Apps.mypurecloud.com./x')).toBe(true);
  });

  it('matches the path with its query string and without its fragment', () => {
    expect(matchesPattern('https://x.com/a', 'https://x.com/a#frag')).toBe(true);
    expect(matchesPattern('https://x.com/a', 'https://x.com/a?b=1')).toBe(false);
    expect(matchesPattern('https://x.com/a*', 'https://x.com/a?b=1')).toBe(true);
    expect(matchesPattern('https://x.com/*b=1', 'https://x.com/a?b=1')).toBe(true);
  });

  it('treats regex metacharacters in the path literally', () => {
    expect(matchesPattern('https://x.com/a.b/(c)+$', 'https://x.com/a.b/(c)+$')).toBe(true);
    expect(matchesPattern('https://x.com/a.b/*', 'https://x.com/aXb/')).toBe(false);
  });

  it('matches IPv6 literals', () => {
    expect(matchesPattern('http://[::1]/*', 'http://[::1]:8080/x')).toBe(true);
    expect(matchesPattern('http://[::1]/*', 'http://[::2]/x')).toBe(false);
  });

  it('<all_urls> covers web and file schemes only', () => {
    for (const url of ['http://a/', 'https://a/b?c', 'ws://a/', 'wss://a/', 'file:///etc/hosts']) {
      expect(matchesPattern('<all_urls>', url)).toBe(true);
    }
    for (const url of ['chrome://settings/', 'chrome-extension://abc/x.html', 'data:text/plain,x', 'about:blank']) {
      expect(matchesPattern('<all_urls>', url)).toBe(false);
    }
  });

  it('returns false for URLs that do not parse', () => {
    expect(matchesPattern('<all_urls>', 'not a url')).toBe(false);
    expect(matchesPattern('https://*/*', '')).toBe(false);
  });

  it('accepts an already parsed pattern', () => {
    const p = parseMatchPattern('https://*.pure.cloud/*');
    expect(matchesPattern(p, 'https://apps.pure.cloud/directory')).toBe(true);
  });

  it('stays fast on hostile paths', () => {
    const started = Date.now();
    expect(matchesPattern(`https://x.com/${'*a'.repeat(500)}b`, `https://x.com/${'a'.repeat(5000)}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never throws for any URL once the pattern parsed', () => {
    const patterns = ['<all_urls>', 'https://*/*', 'http://*.a.com:8080/x*', 'file:///*'].map(parseMatchPattern);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true })), (url) => {
        for (const p of patterns) expect(typeof matchesPattern(p, url)).toBe('boolean');
      }),
    );
  });

  it('https://*/* matches every generated https URL', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }), (url) => {
        expect(matchesPattern('https://*/*', url)).toBe(true);
      }),
    );
  });
});

describe('matchesAnyPattern', () => {
  it('skips invalid patterns instead of throwing', () => {
    expect(matchesAnyPattern(['nonsense', 'https://*.example.com/*'], 'https://a.example.com/')).toBe(true);
    expect(matchesAnyPattern(['nonsense'], 'https://a.example.com/')).toBe(false);
    expect(matchesAnyPattern([], 'https://a.example.com/')).toBe(false);
  });
});
