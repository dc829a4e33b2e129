import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAnyPattern, parseMatchPattern } from '../../../src/match/match-pattern';
import { sameFilterUrls, webRequestFilterUrls } from '../../../src/match/web-request-filter';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';

describe('webRequestFilterUrls', () => {
  it('takes every built-in vendor preset as it is, sorted', () => {
    expect(webRequestFilterUrls(DEFAULT_SOFTPHONE_URL_PATTERNS)).toEqual([...DEFAULT_SOFTPHONE_URL_PATTERNS].sort());
  });

  it('is empty for no usable pattern, never <all_urls> in its place', () => {
    expect(webRequestFilterUrls([])).toEqual([]);
    expect(webRequestFilterUrls(['', 'not a pattern', 'https://x.com', 'ws://x.com/*', 'file:///*'])).toEqual([]);
  });

  it('keeps <all_urls> when the configuration asks for it', () => {
    expect(webRequestFilterUrls(['<all_urls>', 'https://a.example/*'])).toEqual(['<all_urls>', 'https://a.example/*']);
  });

  it('leaves out invalid patterns and keeps the rest, so one bad value cannot end observation', () => {
    expect(
      webRequestFilterUrls([
        'https://b.example/*',
        'https://ex*ample.com/*', // "*" inside a host
        'https://a b/*', // space in the host
        'HTTPS://c.example/*', // Chromium: invalid scheme
        'https://d.example:99999/*', // port out of range
        'https://a.example/*',
        'urn:*',
      ]),
    ).toEqual(['https://a.example/*', 'https://b.example/*']);
  });

  it('leaves out schemes webRequest never reports an XHR for', () => {
    expect(webRequestFilterUrls(['ws://x.com/*', 'wss://x.com/*', 'ftp://x.com/*', 'file:///home/*', '*://y.com/*'])).toEqual([
      '*://y.com/*',
    ]);
  });

  it('ignores non-strings', () => {
    expect(webRequestFilterUrls([42, null, undefined, { urls: [] }, 'https://a.example/*'])).toEqual(['https://a.example/*']);
  });

  it('writes patterns canonically and drops duplicates that differ only in spelling', () => {
    expect(
      webRequestFilterUrls([
        'https://*.Example.com/*',
        'https://*.example.com/*',
        'http://localhost:*/*',
        'http://localhost/*',
        'https://bücher.example/*',
      ]),
    ).toEqual(['http://localhost/*', 'https://*.example.com/*', 'https://xn--bcher-kva.example/*']);
  });

  it('returns the same list whatever the order of its input', () => {
    const pattern = fc.constantFrom(
      ...DEFAULT_SOFTPHONE_URL_PATTERNS,
      'https://a.example/*',
      'HTTPS://bad/*',
      'ws://x/*',
      '<all_urls>',
      'http://localhost:8080/*',
    );
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 12 }), (list) => {
        const reversed = webRequestFilterUrls([...list].reverse());
        expect(sameFilterUrls(webRequestFilterUrls(list), reversed)).toBe(true);
      }),
    );
  });

  it('keeps only valid http(s) patterns, each once, that match what their source matches', () => {
    const host = fc.constantFrom('a.example', 'A.Example', '*.b.example', '*', 'localhost', '127.0.0.1', 'ex*ample', '');
    const scheme = fc.constantFrom('http', 'https', '*', 'ws', 'file', 'HTTP');
    const port = fc.constantFrom('', ':*', ':8080', ':x');
    const path = fc.constantFrom('/*', '/api/*', '', '/a?b*');
    const source = fc.tuple(scheme, host, port, path).map(([s, h, p, q]) => `${s}://${h}${p}${q}`);
    const urls = ['http://a.example/x', 'https://x.b.example/api/v', 'http://localhost:8080/a?b=1', 'https://127.0.0.1/'];
    fc.assert(
      fc.property(fc.array(source, { maxLength: 8 }), (list) => {
        const out = webRequestFilterUrls(list);
        expect(new Set(out).size).toBe(out.length);
        for (const p of out) {
          const parsed = parseMatchPattern(p);
          expect(parsed.kind === 'all-urls' || ['http', 'https', '*'].includes(parsed.scheme)).toBe(true);
        }
        // Canonical spelling changes no match (http(s) URLs only: what webRequest reports).
        for (const url of urls) if (matchesAnyPattern(out, url)) expect(matchesAnyPattern(list, url)).toBe(true);
      }),
    );
  });
});

describe('sameFilterUrls', () => {
  it('compares lists element by element', () => {
    expect(sameFilterUrls([], [])).toBe(true);
    expect(sameFilterUrls(['a'], ['a'])).toBe(true);
    expect(sameFilterUrls(['a'], ['a', 'b'])).toBe(false);
    expect(sameFilterUrls(['a', 'b'], ['b', 'a'])).toBe(false);
  });
});
