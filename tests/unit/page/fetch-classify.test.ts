import { afterEach, describe, expect, it } from 'vitest';
import { MAX_URLS, createUrlClassifier } from '../../../extension/page/fetch-classify';
import type { ProbeContext } from '../../../extension/page/context';
import { matchesAnyUrlGlob } from '../../../src/match/url-glob';

/** The context's tests as context.ts builds them (globs, an audience of one origin), counting their runs. */
function fakeContext(base: { uri: string }) {
  const runs = { absolute: 0, protected: 0, identity: 0, audience: 0 };
  let config = { protectedRequestPatterns: ['https://api.example.test/v2/*'], identityRequestPattern: 'https://api.example.test/v2/me' };
  const inAudience = (url: string): boolean => {
    runs.audience += 1;
    return new URL(url).hostname === 'api.example.test';
  };
  const ctx = {
    natives: {
      URL,
      win: {
        document: {
          get baseURI() {
            return base.uri;
          },
        },
      },
    },
    config: () => config,
    absoluteUrl(raw: string) {
      runs.absolute += 1;
      if (/^(?:https?|wss?):\/\//i.test(raw)) return raw;
      try {
        return new URL(raw, base.uri).href;
      } catch {
        return raw;
      }
    },
    inAudience,
    isProtected(url: string) {
      runs.protected += 1;
      return matchesAnyUrlGlob(config.protectedRequestPatterns, url) && inAudience(url);
    },
    isIdentity(url: string) {
      runs.identity += 1;
      return matchesAnyUrlGlob([config.identityRequestPattern], url) && inAudience(url);
    },
  };
  return {
    ctx: ctx as unknown as ProbeContext,
    runs,
    setConfig(patterns: string[]) {
      config = { ...config, protectedRequestPatterns: patterns };
    },
  };
}

describe('createUrlClassifier', () => {
  const savedGet = Map.prototype.get;
  const savedSet = Map.prototype.set;
  afterEach(() => {
    Map.prototype.get = savedGet;
    Map.prototype.set = savedSet;
  });

  it('answers what the context answers, and runs the tests once per URL and configuration', () => {
    const base = { uri: 'https://app.example.test/desk/' };
    const { ctx, runs } = fakeContext(base);
    const urls = createUrlClassifier(ctx);
    for (let i = 0; i < 3; i++) {
      const url = urls.absolute('https://api.example.test/v2/calls');
      expect(url).toBe('https://api.example.test/v2/calls');
      expect(urls.classify(url)).toEqual({ protected: true, identity: false, audience: true });
      const me = urls.absolute('https://api.example.test/v2/me');
      expect(urls.classify(me)).toMatchObject({ protected: true, identity: true });
      const other = urls.absolute('/static/app.js');
      expect(other).toBe('https://app.example.test/static/app.js');
      const cls = urls.classify(other);
      expect(cls).toMatchObject({ protected: false, identity: false });
      expect(urls.inAudience(cls, other)).toBe(false);
    }
    expect(runs.protected).toBe(3);
    expect(runs.identity).toBe(3);
    // the audience test after each glob that matched (3), and once for the static URL, then never again
    expect(runs.audience).toBe(4);
  });

  it('resolves a relative URL again when the base URL changes', () => {
    const base = { uri: 'https://app.example.test/desk/' };
    const { ctx } = fakeContext(base);
    const urls = createUrlClassifier(ctx);
    expect(urls.absolute('calls')).toBe('https://app.example.test/desk/calls');
    base.uri = 'https://app.example.test/other/';
    expect(urls.absolute('calls')).toBe('https://app.example.test/other/calls');
    expect(urls.absolute('https://x.example.test/a')).toBe('https://x.example.test/a');
    expect(urls.absolute('http://[bad')).toBe('http://[bad');
  });

  it('classifies again under a new configuration', () => {
    const { ctx, setConfig } = fakeContext({ uri: 'https://app.example.test/' });
    const urls = createUrlClassifier(ctx);
    const url = 'https://api.example.test/v3/calls';
    expect(urls.classify(url).protected).toBe(false);
    setConfig(['https://api.example.test/v3/*']);
    expect(urls.classify(url).protected).toBe(true);
  });

  it(`keeps at most ${MAX_URLS} URLs: an older one is tested again`, () => {
    const { ctx, runs } = fakeContext({ uri: 'https://app.example.test/' });
    const urls = createUrlClassifier(ctx);
    for (let i = 0; i <= MAX_URLS; i++) urls.classify(`https://api.example.test/v2/x${i}`);
    expect(runs.protected).toBe(MAX_URLS + 1);
    urls.classify('https://api.example.test/v2/x0');
    expect(runs.protected).toBe(MAX_URLS + 2);
  });

  it("never hands a URL (which may carry a token) to the page's Map methods", () => {
    const { ctx } = fakeContext({ uri: 'https://app.example.test/' });
    const urls = createUrlClassifier(ctx);
    const seen: unknown[] = [];
    Map.prototype.get = function (this: Map<unknown, unknown>, k: unknown) {
      seen.push(k);
      return savedGet.call(this, k);
    };
    Map.prototype.set = function (this: Map<unknown, unknown>, k: unknown, v: unknown) {
      seen.push(k);
      return savedSet.call(this, k, v);
    };
    const url = urls.absolute('https://api.example.test/v2/calls?access_token=t0k3n');
    urls.classify(url);
    urls.classify(url);
    expect(seen.filter((k) => typeof k === 'string' && k.includes('t0k3n'))).toEqual([]);
  });
});
