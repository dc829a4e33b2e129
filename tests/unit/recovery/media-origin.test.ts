import { describe, expect, it } from 'vitest';
import {
  MAX_GRANTED_ORIGINS,
  microphoneGrantEntryError,
  microphoneNamed,
  microphoneRestoreRule,
  microphoneSettingTarget,
  observeGrant,
  rememberGrantedOrigin,
} from '../../../src/recovery/media-origin';
import type { GrantWatch } from '../../../src/recovery/media-origin';
import { DEFAULT_SOFTPHONE_URL_PATTERNS } from '../../../src/policy/schema';

const defaults = DEFAULT_SOFTPHONE_URL_PATTERNS;
/** The lab's pages as a user names them besides the shipped vendor hosts (tests/lab/README.md). */
const withLab = [...DEFAULT_SOFTPHONE_URL_PATTERNS, 'http://127.0.0.1/*', 'http://localhost/*'];

describe('which microphone setting rung 4 may change', () => {
  it('is the page origin with its port spelled out, so no other port of the host is allowed', () => {
    expect(microphoneSettingTarget('https://apps.mypurecloud.com/directory/#/person', defaults)).toEqual({
      pattern: 'https://apps.mypurecloud.com:443/*',
      primaryUrl: 'https://apps.mypurecloud.com/',
    });
    expect(microphoneSettingTarget('http://127.0.0.1:8787/?x=1', withLab)).toEqual({
      pattern: 'http://127.0.0.1:8787/*',
      primaryUrl: 'http://127.0.0.1:8787/',
    });
    expect(microphoneSettingTarget('http://localhost/', withLab)?.pattern).toBe('http://localhost:80/*');
    // The shipped defaults name no loopback page.
    expect(microphoneSettingTarget('http://127.0.0.1:8787/', defaults)).toBeNull();
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

describe("the agent's microphone choice: where rung 4 may restore", () => {
  const lab = 'http://127.0.0.1:8787';
  const page = `${lab}/softphone/#/calls`;
  const rule = (grantMicrophone: boolean | string[], grantedOrigins: string[] = []) =>
    microphoneRestoreRule({ grantMicrophone, origin: lab, pageUrl: page, grantedOrigins });

  it('restores where the microphone was seen granted before, whatever the list names', () => {
    expect(rule([], [lab])).toBe('observed-grant');
    expect(rule(['https://other.example.com'], ['https://a.example.com', lab])).toBe('observed-grant');
  });

  it("leaves a block alone on an origin never seen granted and not named: the agent's choice (the default)", () => {
    expect(rule([])).toBe('agent-choice');
    expect(rule([], ['http://127.0.0.1:9999', 'http://localhost:8787'])).toBe('agent-choice');
    expect(rule(['https://127.0.0.1:8787', 'http://127.0.0.1:8788', 'http://localhost'])).toBe('agent-choice');
  });

  it('restores on an origin configuration names: an entry, "*", or true', () => {
    for (const named of [[lab], ['http://127.0.0.1'], ['HTTP://127.0.0.1:8787'], ['*'], ['https://x.example.com', '*.nope', lab]]) {
      expect(rule(named)).toBe('named');
    }
    expect(rule(true)).toBe('named');
    expect(
      microphoneRestoreRule({
        grantMicrophone: ['https://*.mypurecloud.com'],
        origin: 'https://apps.mypurecloud.com',
        pageUrl: 'https://apps.mypurecloud.com/directory/',
        grantedOrigins: [],
      }),
    ).toBe('named');
  });

  it('never touches the setting with false, not even where it was seen granted', () => {
    expect(rule(false, [lab])).toBe('off');
  });

  it('names nothing with unusable entries', () => {
    expect(microphoneNamed(['http://127.0.0.1:8787/', 'http://127.0.0.1:8787/softphone', '127.0.0.1:8787', ''], page)).toBe(false);
    expect(microphoneNamed(false, page)).toBe(false);
  });

  it.each([
    ['https://apps.example.com/', /no path/],
    ['https://apps.example.com/softphone', /no path/],
    ['apps.example.com', /not an http\(s\) origin/],
    ['wss://apps.example.com', /not an http\(s\) origin/],
    ['https://user@apps.example.com', /not an http\(s\) origin/],
    ['https://*', /every monitored origin/],
    ['https://www.*.com', /"\*"/],
    ['<all_urls>', /not an http\(s\) origin/],
  ])('refuses the list entry %s', (entry, message) => {
    expect(microphoneGrantEntryError(entry)).toMatch(message);
  });

  it.each(['*', 'https://apps.example.com', 'https://*.my.connect.aws', 'http://127.0.0.1:8787', 'http://[::1]:8787'])(
    'accepts %s',
    (entry) => {
      expect(microphoneGrantEntryError(entry)).toBeUndefined();
    },
  );
});

describe('seeing the microphone granted on an origin', () => {
  const look = (watch: GrantWatch | undefined, origin: string, p: GrantWatch['last']) => observeGrant(watch, origin, p);

  it('counts a grant on the origin the tab shows', () => {
    expect(look(undefined, 'https://a.example', 'granted').granted).toBe(true);
    const first = look(undefined, 'https://a.example', 'denied');
    expect(first.granted).toBe(false);
    expect(look(first.watch, 'https://a.example', 'granted').granted).toBe(true);
  });

  it('does not count a granted view carried over from another origin of the tab, until it changes on the new one', () => {
    const onA = look(undefined, 'https://a.example', 'granted').watch;
    const onB = look(onA, 'https://b.example', 'granted');
    expect(onB.granted).toBe(false);
    const stillB = look(onB.watch, 'https://b.example', 'granted');
    expect(stillB.granted).toBe(false);
    const deniedOnB = look(stillB.watch, 'https://b.example', 'denied');
    expect(deniedOnB.granted).toBe(false);
    expect(look(deniedOnB.watch, 'https://b.example', 'granted').granted).toBe(true);
  });

  it('counts a grant on a new origin that came with a view not granted', () => {
    const onA = look(undefined, 'https://a.example', 'denied').watch;
    expect(look(onA, 'https://b.example', 'granted').granted).toBe(true);
    expect(look(onA, 'https://b.example', undefined).granted).toBe(false);
  });
});

describe('the remembered origins', () => {
  it('adds an origin once, most recent last, and returns the same list when nothing changes', () => {
    const one = rememberGrantedOrigin([], 'https://a.example');
    expect(one).toEqual(['https://a.example']);
    expect(rememberGrantedOrigin(one, 'https://a.example')).toBe(one);
    expect(rememberGrantedOrigin(['https://a.example', 'https://b.example'], 'https://a.example')).toEqual([
      'https://b.example',
      'https://a.example',
    ]);
  });

  it(`keeps at most ${MAX_GRANTED_ORIGINS}, dropping the oldest`, () => {
    let list: readonly string[] = [];
    for (let i = 0; i < MAX_GRANTED_ORIGINS + 5; i += 1) list = rememberGrantedOrigin(list, `https://h${i}.example`);
    expect(list).toHaveLength(MAX_GRANTED_ORIGINS);
    expect(list[0]).toBe('https://h5.example');
    expect(list.at(-1)).toBe(`https://h${MAX_GRANTED_ORIGINS + 4}.example`);
  });
});
