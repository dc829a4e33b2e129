import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/policy/resolve';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';

describe('tokenRefresh.audience in policy', () => {
  it('defaults to no extra origins', () => {
    const r = resolveConfig({ managed: undefined, user: undefined });
    expect(r.config.tokenRefresh.audience).toEqual([]);
    expect(DEFAULT_CONFIG.tokenRefresh.audience).toEqual([]);
    expect(r.sources['tokenRefresh.audience']).toBe('default');
  });

  it('takes https origins in match-pattern host syntax', () => {
    const audience = ['https://api.mypurecloud.com', 'https://*.my.connect.aws', 'http://127.0.0.1:8787'];
    const r = resolveConfig({ managed: { tokenRefresh: { audience } }, user: undefined });
    expect(r.problems).toEqual([]);
    expect(r.config.tokenRefresh.audience).toEqual(audience);
    expect(r.sources['tokenRefresh.audience']).toBe('policy');
  });

  it.each([
    ['all hosts', ['*://*'], /item 1: .*any host/],
    ['<all_urls>', ['https://api.mypurecloud.com', '<all_urls>'], /item 2: .*any host/],
    ['any https host', ['https://*'], /any host/],
    ['clear text', ['http://api.mypurecloud.com'], /must be https/],
    ['a path', ['https://api.mypurecloud.com/api/v2/*'], /not an http\(s\) origin/],
    ['too many', Array.from({ length: 65 }, (_, i) => `https://h${i}.example.com`), /at most 64 origins/],
  ])('reports %s and keeps the next source', (_what, audience, message) => {
    const r = resolveConfig({ managed: { tokenRefresh: { audience } }, user: { tokenRefresh: { audience: ['https://api.example.com'] } } });
    expect(r.config.tokenRefresh.audience).toEqual(['https://api.example.com']);
    expect(r.sources['tokenRefresh.audience']).toBe('user');
    const problem = r.problems.find((p) => p.key === 'tokenRefresh.audience');
    expect(problem?.source).toBe('policy');
    expect(problem?.message).toMatch(message);
  });
});
