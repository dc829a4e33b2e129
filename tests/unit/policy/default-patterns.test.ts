/**
 * The shipped `softphoneUrlPatterns` (src/policy/schema.ts) name the vendors' softphone hosts
 * and nothing else: no loopback, no plain HTTP, no page of the customer's own. The lab and any
 * in-house softphone are named by policy or in the options page (tests/lab/README.md).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';
import { matchesAnyPattern, parseMatchPattern } from '../../../src/match/match-pattern';
import { profileConfig } from '../../../src/policy/profiles';

describe('DEFAULT_SOFTPHONE_URL_PATTERNS', () => {
  it('is the vendors’ hosts, and the default configuration uses it', () => {
    expect([...DEFAULT_SOFTPHONE_URL_PATTERNS]).toEqual([
      'https://*.mypurecloud.com/*',
      'https://*.mypurecloud.ie/*',
      'https://*.mypurecloud.de/*',
      'https://*.mypurecloud.jp/*',
      'https://*.mypurecloud.com.au/*',
      'https://*.pure.cloud/*',
      'https://*.my.connect.aws/*',
      'https://*.awsapps.com/*',
      'https://flex.twilio.com/*',
    ]);
    expect(DEFAULT_CONFIG.softphoneUrlPatterns).toEqual([...DEFAULT_SOFTPHONE_URL_PATTERNS]);
  });

  it('is HTTPS only, each pattern valid', () => {
    for (const pattern of DEFAULT_SOFTPHONE_URL_PATTERNS) {
      expect(parseMatchPattern(pattern), pattern).not.toBeNull();
      expect(pattern.startsWith('https://'), pattern).toBe(true);
    }
  });

  it.each([
    'http://127.0.0.1:8787/',
    'http://localhost:8787/login',
    'https://localhost/',
    'http://[::1]:8787/',
    'https://127.0.0.1/',
    'https://softphone.test/vendors/genesys/',
    'https://intranet.example.com/softphone/',
  ])('does not match %s', (url) => {
    expect(matchesAnyPattern(DEFAULT_SOFTPHONE_URL_PATTERNS, url)).toBe(false);
  });

  it('matches a softphone page of each vendor profile', () => {
    const pages = [
      'https://apps.mypurecloud.de/directory/',
      'https://acme.my.connect.aws/ccp-v2/',
      'https://flex.twilio.com/agent-desktop/',
    ];
    for (const url of pages) expect(matchesAnyPattern(DEFAULT_SOFTPHONE_URL_PATTERNS, url), url).toBe(true);
    // The same pages are the profiles' own.
    expect(matchesAnyPattern(profileConfig('genesys-cloud').softphoneUrlPatterns, pages[0]!)).toBe(true);
    expect(matchesAnyPattern(profileConfig('amazon-connect').softphoneUrlPatterns, pages[1]!)).toBe(true);
    expect(matchesAnyPattern(profileConfig('twilio-flex').softphoneUrlPatterns, pages[2]!)).toBe(true);
  });
});
