import { describe, expect, it } from 'vitest';
import { hostOf, pathOf } from '../../../src/format/url';

describe('hostOf', () => {
  it('returns host and port without user info', () => {
    expect(hostOf('https://apps.mypurecloud.com/directory/#/x')).toBe('apps.mypurecloud.com');
    expect(hostOf('http://127.0.0.1:5173/softphone?x=1')).toBe('127.0.0.1:5173');
    expect(hostOf('https://user:pw@a.example:8443/x')).toBe('a.example:8443');
  });
  it('is undefined for anything that is not an absolute URL with a host', () => {
    expect(hostOf(undefined)).toBeUndefined();
    expect(hostOf('')).toBeUndefined();
    expect(hostOf('/relative/path')).toBeUndefined();
    expect(hostOf('file:///tmp/x')).toBeUndefined();
    expect(hostOf('not a url')).toBeUndefined();
  });
});

describe('pathOf', () => {
  it('drops scheme, host, query and fragment', () => {
    expect(pathOf('https://api.mypurecloud.com/api/v2/communications/webRTC?access_token=[redacted]')).toBe(
      '/api/v2/communications/webRTC',
    );
    expect(pathOf('https://h.example')).toBe('/');
    expect(pathOf('/api/v2/users/me#frag')).toBe('/api/v2/users/me');
  });
  it('shortens long paths with an ellipsis', () => {
    const shown = pathOf(`https://h/${'a'.repeat(200)}`, 20);
    expect(shown).toHaveLength(20);
    expect(shown.endsWith('…')).toBe(true);
  });
});
