import { describe, expect, it } from 'vitest';
import { microphoneSettingTarget } from '../../../src/recovery/media-origin';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';

const defaults = DEFAULT_SOFTPHONE_URL_PATTERNS;

describe('which microphone setting rung 4 may change', () => {
  it('is the page origin with its port spelled out, so no other port of the host is allowed', () => {
    expect(microphoneSettingTarget('https://apps.mypurecloud.com/directory/#/person', defaults)).toEqual({
      pattern: 'https://apps.mypurecloud.com:443/*',
      primaryUrl: 'https://apps.mypurecloud.com/',
    });
    expect(microphoneSettingTarget('http://127.0.0.1:8787/?x=1', defaults)).toEqual({
      pattern: 'http://127.0.0.1:8787/*',
      primaryUrl: 'http://127.0.0.1:8787/',
    });
    expect(microphoneSettingTarget('http://localhost/', defaults)?.pattern).toBe('http://localhost:80/*');
  });

  it('is nothing for a page outside softphoneUrlPatterns', () => {
    expect(microphoneSettingTarget('https://evil.example/softphone', defaults)).toBeNull();
    expect(microphoneSettingTarget('https://apps.mypurecloud.com.evil.example/', defaults)).toBeNull();
    expect(microphoneSettingTarget('http://127.0.0.1:8787/', ['https://apps.mypurecloud.com/*'])).toBeNull();
    expect(microphoneSettingTarget('https://apps.mypurecloud.com/', [])).toBeNull();
  });

  it('honours a pattern that names a path or a port', () => {
    expect(microphoneSettingTarget('https://flex.twilio.com/agent-desktop', ['https://flex.twilio.com/agent-desktop*'])?.pattern).toBe(
      'https://flex.twilio.com:443/*',
    );
    expect(microphoneSettingTarget('https://flex.twilio.com/admin', ['https://flex.twilio.com/agent-desktop*'])).toBeNull();
    expect(microphoneSettingTarget('http://127.0.0.1:9000/', ['http://127.0.0.1:8787/*'])).toBeNull();
  });

  it('is nothing for URLs that are not http(s) pages', () => {
    for (const url of [
      'not a url',
      'file:///tmp/softphone.html',
      'data:text/html,hi',
      'chrome-extension://abc/popup.html',
      'about:blank',
      '',
    ]) {
      expect(microphoneSettingTarget(url, ['<all_urls>'])).toBeNull();
    }
  });

  it('keeps IPv6 literals in brackets', () => {
    expect(microphoneSettingTarget('http://[::1]:8787/', ['http://[::1]/*'])?.pattern).toBe('http://[::1]:8787/*');
  });
});
