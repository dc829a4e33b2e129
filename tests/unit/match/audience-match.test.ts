import { describe, expect, it } from 'vitest';
import { compileTokenAudience } from '../../../src/match/audience-match';
import { originKey } from '../../../src/match/origin-key';
import { inTokenAudience } from '../../../src/recovery/token-audience';

/** What the probe does with the compiled form (extension/page/context.ts `createAudienceTest`). */
function inCompiled(sources: readonly string[], url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const key = originKey(u.protocol, u.hostname, u.port);
  if (key === null || sources.length === 0) return false;
  return new RegExp(sources.map((s) => `(?:${s})`).join('|')).test(key);
}

const AUDIENCES: string[][] = [
  ['https://api.mypurecloud.com'],
  ['https://*.my.connect.aws', 'http://127.0.0.1:8787'],
  ['https://apps.example.com:8443', 'http://localhost', 'https://[::1]:9443'],
  ['https://API.Example.COM.', 'https://*.a-b.example.org'],
  // not usable: must match nothing, as inTokenAudience says
  ['https://*', '<all_urls>', 'https://x.com/path', 'ftp://x.com', 'https://u@x.com', '*://*/*', 'https://a*b.com'],
  ['https://x.com', 'https://x.com', 'https://*.x.com'],
];

const URLS = [
  'https://api.mypurecloud.com/api/v2/users/me',
  'https://api.mypurecloud.com:443/x',
  'https://api.mypurecloud.com:8443/x',
  'http://api.mypurecloud.com/x',
  'wss://api.mypurecloud.com/ws?access_token=t',
  'ws://api.mypurecloud.com/ws',
  'https://evilapi.mypurecloud.com/x',
  'https://api.mypurecloud.com.evil.net/x',
  'https://API.MYPURECLOUD.COM./x',
  'https://a.my.connect.aws/x',
  'https://a.b.my.connect.aws/x',
  'https://my.connect.aws/x',
  'https://xmy.connect.aws/x',
  'http://127.0.0.1:8787/token',
  'http://127.0.0.1:8788/token',
  'ws://127.0.0.1:8787/socket',
  'https://127.0.0.1:8787/',
  'https://apps.example.com:8443/',
  'https://apps.example.com/',
  'http://localhost:3000/',
  'http://localhost/',
  'https://[::1]:9443/x',
  'https://[::1]/x',
  'https://api.example.com/',
  'https://z.a-b.example.org/',
  'https://a-b.example.org/',
  'https://ab.example.org/',
  'https://x.com/',
  'https://y.x.com:1/',
  'https://u:p@x.com/',
  'ftp://x.com/',
  'file:///etc/passwd',
  'not a url',
  'data:text/plain,x',
];

describe('compileTokenAudience', () => {
  it('gives the probe the same answers as inTokenAudience', () => {
    for (const audience of AUDIENCES) {
      const sources = compileTokenAudience(audience);
      for (const url of URLS) expect([audience, url, inCompiled(sources, url)]).toEqual([audience, url, inTokenAudience(audience, url)]);
    }
  });

  it('leaves out entries that are no usable origin and deduplicates the rest', () => {
    expect(compileTokenAudience(['https://*', '<all_urls>', 'https://x.com/path', 'ftp://x.com'])).toEqual([]);
    expect(compileTokenAudience(['https://x.com', 'https://x.com', 'https://X.com'])).toEqual(['^https://x\\.com:\\d+$']);
    expect(compileTokenAudience(['http://127.0.0.1:8787'])).toEqual(['^http://127\\.0\\.0\\.1:8787$']);
  });

  it('keeps at most 64 sources', () => {
    const many = Array.from({ length: 80 }, (_, i) => `https://h${i}.example.com`);
    expect(compileTokenAudience(many)).toHaveLength(64);
  });

  it('compiles to sources without nested quantifiers (linear on a long host)', () => {
    const [source] = compileTokenAudience(['https://*.example.com']);
    expect(source).toBe('^https://(?:[^/:]+\\.)?example\\.com:\\d+$');
    const key = `https://${'a.'.repeat(5000)}example.net:443`;
    const started = performance.now();
    expect(new RegExp(source ?? '').test(key)).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('originKey', () => {
  it('maps ws(s) to http(s), names the default port, drops one trailing dot', () => {
    expect(originKey('wss:', 'h.example.com.', '')).toBe('https://h.example.com:443');
    expect(originKey('ws:', 'h', '8080')).toBe('http://h:8080');
    expect(originKey('http:', '[::1]', '')).toBe('http://[::1]:80');
    expect(originKey('ftp:', 'h', '')).toBeNull();
    expect(originKey('file:', '', '')).toBeNull();
  });
});
