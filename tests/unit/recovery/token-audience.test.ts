import { describe, expect, it } from 'vitest';
import { audienceEntryError, inTokenAudience, resolveTokenAudience } from '../../../src/recovery/token-audience';
import { toProbeConfig } from '../../../src/policy/probe-config';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import { ConfigCommand } from '../../../src/protocol/page';

const endpoints = { refreshUrl: '/api/v2/authentication/refresh', tokenUrl: '', audience: [] as string[] };

describe('inTokenAudience', () => {
  const audience = ['https://api.mypurecloud.com', 'https://*.my.connect.aws', 'http://127.0.0.1:8787'];

  it.each([
    ['https://api.mypurecloud.com/api/v2/users/me', true],
    ['https://API.mypurecloud.com./api/v2/x', true],
    ['https://api.mypurecloud.com:8443/api/v2/x', true],
    ['wss://api.mypurecloud.com/api/v2/notifications?access_token=t', true],
    ['https://acme.my.connect.aws/api', true],
    ['https://my.connect.aws/api', true],
    ['http://127.0.0.1:8787/api/v2/x', true],
    ['ws://127.0.0.1:8787/api/v2/notifications', true],
    ['http://127.0.0.1:9999/api/v2/x', false],
    ['http://api.mypurecloud.com/api/v2/x', false],
    ['https://apps.mypurecloud.com/api/v2/x', false],
    ['https://api.mypurecloud.com.attacker.example/api/v2/x', false],
    ['https://attacker.example/api/v2/x?host=api.mypurecloud.com', false],
    ['https://evil.com\\@api.mypurecloud.com/api/v2/x', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(inTokenAudience(audience, url)).toBe(expected);
  });

  it('an empty audience, or entries that are no origins, admit nothing', () => {
    expect(inTokenAudience([], 'https://api.mypurecloud.com/x')).toBe(false);
    for (const entry of ['*://*', '<all_urls>', 'https://*', 'https://*/*', 'https://api.mypurecloud.com/*', 'api.mypurecloud.com']) {
      expect(inTokenAudience([entry], 'https://api.mypurecloud.com/x')).toBe(false);
    }
  });
});

describe('audienceEntryError', () => {
  it.each([
    'https://api.mypurecloud.com',
    'https://*.my.connect.aws',
    'https://api.example.com:8443',
    'http://localhost:8787',
    'http://127.0.0.1',
  ])('accepts %s', (entry) => {
    expect(audienceEntryError(entry)).toBeUndefined();
  });

  it.each([
    ['*://*', /any host/],
    ['<all_urls>', /any host/],
    ['https://*', /any host/],
    ['*://*/*', /any host/],
    ['http://api.example.com', /must be https/],
    ['http://*.localhost', /must be https/],
    ['https://api.example.com/', /not an http\(s\) origin/],
    ['https://api.example.com/api/*', /not an http\(s\) origin/],
    ['wss://api.example.com', /not an http\(s\) origin/],
    ['api.example.com', /not an http\(s\) origin/],
    ['https://user@api.example.com', /not an http\(s\) origin/],
    ['https://a*b.example.com', /"\*" in a host/],
  ])('refuses %s', (entry, message) => {
    expect(audienceEntryError(entry)).toMatch(message);
  });
});

describe('resolveTokenAudience', () => {
  it('is the document origin and the refresh endpoint origin by default: never any host', () => {
    expect(resolveTokenAudience(endpoints, 'https://apps.mypurecloud.com')).toEqual(['https://apps.mypurecloud.com']);
    const audience = resolveTokenAudience(endpoints, 'https://apps.mypurecloud.com');
    expect(inTokenAudience(audience, 'https://attacker.example/api/v2/x')).toBe(false);
  });

  it('adds the origins of absolute refresh and token URLs and the configured entries, deduplicated', () => {
    const audience = resolveTokenAudience(
      {
        refreshUrl: 'https://login.mypurecloud.com/refresh',
        tokenUrl: 'https://login.mypurecloud.com/oauth/token',
        audience: ['https://api.mypurecloud.com', 'https://api.mypurecloud.com', '*://*', 'http://api.example.com'],
      },
      'https://apps.mypurecloud.com',
    );
    expect(audience).toEqual(['https://apps.mypurecloud.com', 'https://login.mypurecloud.com', 'https://api.mypurecloud.com']);
  });

  it('keeps a document on another origin out of this one’s audience', () => {
    const a = resolveTokenAudience(endpoints, 'https://softphone.test:4443');
    expect(inTokenAudience(a, 'https://softphone-b.test:4443/api/v2/x')).toBe(false);
    expect(inTokenAudience(a, 'https://softphone.test:4443/api/v2/x')).toBe(true);
  });

  it('goes into the probe configuration of the document, within the page protocol', () => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.tokenRefresh.audience = ['https://api.mypurecloud.com'];
    const cmd = toProbeConfig(config, 'https://apps.mypurecloud.com');
    expect(cmd.tokenAudience).toEqual(['https://apps.mypurecloud.com', 'https://api.mypurecloud.com']);
    expect(ConfigCommand.safeParse(cmd).success).toBe(true);
    expect(toProbeConfig(config).tokenAudience).toBeUndefined();
  });
});
