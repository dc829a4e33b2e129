import { describe, expect, it } from 'vitest';
import { classifyInjectionError, pageOrigin } from '../../../src/policy/host-access';

describe('classifyInjectionError', () => {
  it('recognises the runtime_blocked_hosts refusal (text measured on Chromium 156)', () => {
    expect(classifyInjectionError('This page cannot be scripted due to an ExtensionsSettings policy.')).toBe('blocked-by-policy');
    // Should a later version spell the policy's name right.
    expect(classifyInjectionError('This page cannot be scripted due to an ExtensionSettings policy.')).toBe('blocked-by-policy');
  });

  it('recognises missing host access, with and without the tabs permission', () => {
    expect(
      classifyInjectionError(
        'Cannot access contents of url "https://apps.example.com/". Extension manifest must request permission to access this host.',
      ),
    ).toBe('no-host-access');
    expect(
      classifyInjectionError(
        'Cannot access contents of the page. Extension manifest must request permission to access the respective host.',
      ),
    ).toBe('no-host-access');
  });

  it('says nothing about other failures', () => {
    expect(classifyInjectionError('No tab with id: 12.')).toBeNull();
    expect(classifyInjectionError('Frame with ID 0 was removed.')).toBeNull();
    expect(classifyInjectionError('The extensions gallery cannot be scripted.')).toBeNull();
    expect(classifyInjectionError(undefined)).toBeNull();
    expect(classifyInjectionError({ message: 'ExtensionsSettings policy' })).toBeNull();
  });
});

describe('pageOrigin', () => {
  it('gives the origin of web pages only', () => {
    expect(pageOrigin('https://apps.example.com:8443/a?b#c')).toBe('https://apps.example.com:8443');
    expect(pageOrigin('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(pageOrigin('about:blank')).toBeNull();
    expect(pageOrigin('file:///tmp/x.html')).toBeNull();
    expect(pageOrigin('chrome://extensions/')).toBeNull();
    expect(pageOrigin('not a url')).toBeNull();
  });
});
