import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAnyPattern, parseMatchPattern } from '../../../src/match/match-pattern';
import { observedRequestPatterns, sameFilterUrls, socketFilterUrls, webRequestFilterUrls } from '../../../src/match/web-request-filter';
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

describe('socketFilterUrls', () => {
  it('writes each page pattern with its WebSocket scheme', () => {
    expect(socketFilterUrls(['https://*.mypurecloud.com/*', 'http://127.0.0.1/*', '*://softphone.test:8443/*'])).toEqual([
      'ws://127.0.0.1/*',
      'ws://softphone.test:8443/*',
      'wss://*.mypurecloud.com/*',
      'wss://softphone.test:8443/*',
    ]);
  });

  it('keeps <all_urls>, canonicalises hosts and drops what is no page pattern', () => {
    expect(
      socketFilterUrls([
        '<all_urls>',
        'https://API.Example.COM/*',
        'HTTPS://upper.test/*',
        'wss://x.test/*',
        'ftp://x.test/*',
        'bad',
        42,
        'https://x.test:*/*',
      ]),
    ).toEqual(['<all_urls>', 'wss://api.example.com/*', 'wss://x.test/*']);
  });

  it('has no usable pattern for none: the caller registers nothing', () => {
    expect(socketFilterUrls([])).toEqual([]);
    expect(socketFilterUrls(['file:///tmp/*'])).toEqual([]);
  });

  it('matches exactly the socket URLs of the hosts the page patterns match', () => {
    const page = ['https://*.example.com/*', 'http://localhost/*'];
    const sockets = socketFilterUrls(page);
    expect(matchesAnyPattern(sockets, 'wss://a.example.com/stream/channels/1?x=1')).toBe(true);
    expect(matchesAnyPattern(sockets, 'ws://localhost:4000/api/v2/notifications')).toBe(true);
    expect(matchesAnyPattern(sockets, 'ws://a.example.com/')).toBe(false);
    expect(matchesAnyPattern(sockets, 'wss://localhost/')).toBe(false);
    expect(matchesAnyPattern(sockets, 'wss://example.org/')).toBe(false);
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

describe('observedRequestPatterns', () => {
  it('widens each softphone page pattern to its whole origin: path dropped, port and *. subdomains kept', () => {
    expect(
      observedRequestPatterns([
        'https://apps.mypurecloud.com/directory/*',
        'https://*.my.connect.aws/ccp-v2/*',
        'https://crm.test:8443/softphone/*',
        '*://a.example/x*',
        'http://localhost:8080/lab/softphone.html',
      ]),
    ).toEqual([
      'https://apps.mypurecloud.com/*',
      'https://*.my.connect.aws/*',
      'https://crm.test:8443/*',
      '*://a.example/*',
      'http://localhost:8080/*',
    ]);
  });

  it('writes hosts the way the browser stores them, so two spellings make one pattern', () => {
    expect(
      observedRequestPatterns(['https://Apps.Example.com/a/*', 'https://apps.example.com/b/*', 'https://apps.example.com:*/c']),
    ).toEqual(['https://apps.example.com/*']);
  });

  it('adds each token-audience origin with /*, once, however it is spelled', () => {
    expect(
      observedRequestPatterns(
        ['https://apps.mypurecloud.com/directory/*', 'https://*.my.connect.aws/ccp-v2/*'],
        [
          'https://api.mypurecloud.com',
          'https://*.my.connect.aws',
          'https://api.example:8443',
          'HTTPS://API.Example.com',
          'https://api.example.com',
        ],
      ),
    ).toEqual([
      'https://apps.mypurecloud.com/*',
      'https://*.my.connect.aws/*',
      'https://api.mypurecloud.com/*',
      'https://api.example:8443/*',
      'https://api.example.com/*',
    ]);
  });

  it('every audience origin the policy accepts ends up in the filter', () => {
    const audience = ['https://api.mypurecloud.com', 'HTTPS://API.Example.com', 'http://localhost:8080', 'https://*.my.connect.aws'];
    const urls = webRequestFilterUrls(observedRequestPatterns([], audience));
    for (const url of [
      'https://api.mypurecloud.com/api/v2/x',
      'https://api.example.com/token',
      'http://localhost:8080/oauth',
      'https://eu.my.connect.aws/api',
    ]) {
      expect(matchesAnyPattern(urls, url)).toBe(true);
    }
  });

  it('leaves out audience entries that are no origin, and non-strings', () => {
    expect(
      observedRequestPatterns(
        [],
        ['https://api.example.com/path', 'ftp://x.example', 'https://a@b.example', '', 5, null, 'api.example.com'],
      ),
    ).toEqual([]);
  });

  it('passes invalid and non-request patterns through unchanged; the filter then leaves them out', () => {
    const passed = observedRequestPatterns([
      'https://x.com',
      'not a pattern',
      'wss://x.example/*',
      'file:///*',
      '',
      7,
      'https://ok.example/p/*',
    ]);
    expect(passed).toEqual(['https://x.com', 'not a pattern', 'wss://x.example/*', 'file:///*', '', 'https://ok.example/*']);
    expect(webRequestFilterUrls(passed)).toEqual(['https://ok.example/*']);
  });

  it('keeps <all_urls> as it is', () => {
    expect(observedRequestPatterns(['<all_urls>', 'https://a.example/p/*'])).toEqual(['<all_urls>', 'https://a.example/*']);
  });

  it('has no duplicates, and every request a softphone pattern matches is still observed (property)', () => {
    const host = fc.constantFrom('a.example', 'B.example', '*.c.example', 'localhost:8080', 'd.example:443');
    const path = fc.constantFrom('/*', '/x/*', '/ccp-v2/softphone.html', '/a*b');
    const scheme = fc.constantFrom('https', 'http', '*');
    const pattern = fc.tuple(scheme, host, path).map(([sc, h, p]) => `${sc}://${h}${p}`);
    const url = fc
      .tuple(
        fc.constantFrom('https', 'http'),
        fc.constantFrom('a.example', 'b.example', 'x.c.example', 'localhost:8080', 'd.example'),
        fc.constantFrom('/', '/x/y', '/ccp-v2/softphone.html', '/api/v2/me', '/a1b'),
      )
      .map(([sc, h, p]) => `${sc}://${h}${p}`);
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 6 }), fc.array(url, { maxLength: 6 }), (patterns, urls) => {
        const observed = observedRequestPatterns(patterns);
        expect(new Set(observed).size).toBe(observed.length);
        const filter = webRequestFilterUrls(observed);
        for (const u of urls) if (matchesAnyPattern(patterns, u)) expect(matchesAnyPattern(filter, u)).toBe(true);
      }),
    );
  });
});
