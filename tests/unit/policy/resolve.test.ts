import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, MAX_PROBLEMS, checkLeaf, resolveConfig } from '../../../src/policy/resolve';
import type { ConfigProblem } from '../../../src/policy/resolve';
import { ConfigSchema, DEFAULT_CONFIG } from '../../../src/policy/schema';

const problemKeys = (problems: ConfigProblem[]) => problems.map((p) => `${p.source}:${p.key}`);

describe('resolveConfig', () => {
  it('gives the defaults, all from "default", with no problems for empty inputs', () => {
    for (const input of [{}, undefined, null]) {
      const r = resolveConfig({ managed: input, user: input });
      expect(r.config).toEqual(DEFAULT_CONFIG);
      expect(r.problems).toEqual([]);
      expect(Object.values(r.sources).every((s) => s === 'default')).toBe(true);
    }
  });

  it('lists every leaf key once, dotted for object-valued keys', () => {
    expect(CONFIG_KEYS).toContain('tokenRefresh.strategy');
    expect(CONFIG_KEYS).toContain('telemetry.headers');
    expect(CONFIG_KEYS).toContain('riskWindows');
    expect(CONFIG_KEYS).not.toContain('retry');
    expect(new Set(CONFIG_KEYS).size).toBe(CONFIG_KEYS.length);
    expect(Object.keys(resolveConfig({ managed: {}, user: {} }).sources).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('the defaults pass every check (they are the last resort)', () => {
    expect(ConfigSchema.safeParse(DEFAULT_CONFIG).success).toBe(true);
    const r = resolveConfig({ managed: structuredClone(DEFAULT_CONFIG), user: {} });
    expect(r.problems).toEqual([]);
    expect(Object.values(r.sources).every((s) => s === 'policy')).toBe(true);
  });

  it('takes policy over user over default, per leaf', () => {
    const r = resolveConfig({
      managed: { retry: { maxAttempts: 2 }, retentionDays: 7 },
      user: { retry: { maxAttempts: 9, baseDelayMs: 500 }, watchdog: { reconnectGraceMs: 5000 } },
    });
    expect(r.config.retry).toEqual({ baseDelayMs: 500, maxDelayMs: 30_000, maxAttempts: 2, statuses: [408, 429, 503] });
    expect(r.config.watchdog.reconnectGraceMs).toBe(5000);
    expect(r.config.retentionDays).toBe(7);
    expect(r.sources['retry.maxAttempts']).toBe('policy');
    expect(r.sources['retry.baseDelayMs']).toBe('user');
    expect(r.sources['retry.maxDelayMs']).toBe('default');
    expect(r.sources['watchdog.reconnectGraceMs']).toBe('user');
    expect(r.sources.retentionDays).toBe('policy');
    expect(r.problems).toEqual([]);
  });

  it('takes a list whole from one source', () => {
    const r = resolveConfig({
      managed: { protectedRequestPatterns: ['https://a.example/*'] },
      user: { protectedRequestPatterns: ['https://b.example/*', 'https://c.example/*'] },
    });
    expect(r.config.protectedRequestPatterns).toEqual(['https://a.example/*']);
  });

  it('falls back to the next source when a value is invalid, and reports it', () => {
    const r = resolveConfig({
      managed: { retry: { baseDelayMs: -5 }, tokenRefresh: { strategy: 'magic' } },
      user: { retry: { baseDelayMs: 250 } },
    });
    expect(r.config.retry.baseDelayMs).toBe(250);
    expect(r.sources['retry.baseDelayMs']).toBe('user');
    expect(r.config.tokenRefresh.strategy).toBe('cookie-endpoint');
    expect(r.sources['tokenRefresh.strategy']).toBe('default');
    // Problems come in schema order.
    expect(problemKeys(r.problems)).toEqual(['policy:tokenRefresh.strategy', 'policy:retry.baseDelayMs']);
    expect(r.problems[1]).toMatchObject({ value: -5 });
    expect(r.problems[1]?.message).toMatch(/>=\s*0|too small/i);
  });

  it.each([
    [
      'an unknown IANA time zone',
      { riskWindows: [{ days: ['Mon'], start: '06:00', timeZone: 'America/Gotham', durationMinutes: 30, refreshAheadMinutes: 5 }] },
      'riskWindows',
      /unknown IANA time zone "America\/Gotham"/,
    ],
    [
      'a window on no day',
      { riskWindows: [{ days: [], start: '06:00', timeZone: 'UTC', durationMinutes: 30, refreshAheadMinutes: 5 }] },
      'riskWindows',
      /never occur/,
    ],
    [
      'a bad start time',
      { riskWindows: [{ days: ['Mon'], start: '6am', timeZone: 'UTC', durationMinutes: 30, refreshAheadMinutes: 5 }] },
      'riskWindows',
      /start/,
    ],
    [
      'an invalid match pattern',
      { softphoneUrlPatterns: ['https://*.ok.com/*', 'https://www.*.com/*'] },
      'softphoneUrlPatterns',
      /item 2: .*"\*" in a host/,
    ],
    ['an empty URL glob', { protectedRequestPatterns: [''] }, 'protectedRequestPatterns', /item 1: URL glob must be 1–2048/],
    [
      'more than 64 protected patterns',
      { protectedRequestPatterns: Array.from({ length: 65 }, (_, i) => `*/p${i}/*`) },
      'protectedRequestPatterns',
      /at most 64/,
    ],
    ['an empty identity glob', { agentIdentity: { requestPattern: '' } }, 'agentIdentity.requestPattern', /URL glob/],
    ['an empty id field', { agentIdentity: { idField: '' } }, 'agentIdentity.idField', /dotted path/],
    [
      'a protocol-relative refresh URL',
      { tokenRefresh: { refreshUrl: '//evil.example/x' } },
      'tokenRefresh.refreshUrl',
      /path starting with/,
    ],
    ['a javascript: refresh URL', { tokenRefresh: { refreshUrl: 'javascript:alert(1)' } }, 'tokenRefresh.refreshUrl', /absolute http/],
    ['an http token endpoint', { tokenRefresh: { tokenUrl: 'http://idp.example.com/token' } }, 'tokenRefresh.tokenUrl', /https/],
    ['a relative OTLP endpoint', { telemetry: { otlpEndpoint: '/v1/metrics' } }, 'telemetry.otlpEndpoint', /absolute https/],
    ['a header with a line break', { telemetry: { headers: { 'x-key': 'a\r\nInjected: 1' } } }, 'telemetry.headers', /line break/],
    ['a bad header name', { telemetry: { headers: { 'bad name': 'x' } } }, 'telemetry.headers', /not a valid header name/],
    ['a delay a timer cannot wait', { watchdog: { reconnectGraceMs: 2 ** 31 } }, 'watchdog.reconnectGraceMs', /at most 3600000 ms/],
    [
      'a grace period of two hours',
      { watchdog: { reconnectGraceMs: 7_200_000 } },
      'watchdog.reconnectGraceMs',
      /at most 3600000 ms: a wait of over an hour/,
    ],
    ['a heartbeat timeout of a day', { watchdog: { heartbeatTimeoutMs: 86_400_000 } }, 'watchdog.heartbeatTimeoutMs', /at most 3600000 ms/],
    ['a quiet period of a day', { safeReload: { quietMs: 86_400_000 } }, 'safeReload.quietMs', /at most 3600000 ms/],
    ['a retry delay past the 120 s bound', { retry: { baseDelayMs: 120_001 } }, 'retry.baseDelayMs', /at most 120000 ms/],
    ['a retry cap past the 120 s bound', { retry: { maxDelayMs: 600_000 } }, 'retry.maxDelayMs', /at most 120000 ms/],
    ['a thousand retries', { retry: { maxAttempts: 1000 } }, 'retry.maxAttempts', /at most 10/],
    ['a reload loop', { safeReload: { maxPerHour: 1000 } }, 'safeReload.maxPerHour', /at most 60: more would be a reload loop/],
    [
      'refreshing a token a week ahead',
      { tokenRefresh: { refreshAheadSeconds: 604_800 } },
      'tokenRefresh.refreshAheadSeconds',
      /at most 86400 s/,
    ],
    ['an export every ten days', { telemetry: { exportIntervalSeconds: 864_000 } }, 'telemetry.exportIntervalSeconds', /at most 86400 s/],
    ['a century of retention', { retentionDays: 36_500 }, 'retentionDays', /at most 3650 days/],
    ['a billion stored events', { maxStoredEvents: 1e9 }, 'maxStoredEvents', /at most 10000000/],
    ['a WebSocket match pattern', { softphoneUrlPatterns: ['wss://*.example.com/*'] }, 'softphoneUrlPatterns', /item 1: .*matches no page/],
    [
      'a path-only URL glob',
      { protectedRequestPatterns: ['/api/v2/*'] },
      'protectedRequestPatterns',
      /item 1: "\/api\/v2\/\*" never matches/,
    ],
    [
      'a glob without a scheme',
      { protectedRequestPatterns: ['*/api/*', 'api.example.com/*'] },
      'protectedRequestPatterns',
      /item 2: .*never matches/,
    ],
    [
      'an identity glob that never matches',
      { agentIdentity: { requestPattern: 'users/me' } },
      'agentIdentity.requestPattern',
      /never matches/,
    ],
    ['a non-error retry status', { retry: { statuses: [200, 503] } }, 'retry.statuses', /200 is not an error status/],
    ['a fractional delay', { retry: { baseDelayMs: 1.5 } }, 'retry.baseDelayMs', /int/i],
    ['a string for a number', { retentionDays: '30' }, 'retentionDays', /number/i],
    ['zero retention', { retentionDays: 0 }, 'retentionDays', /0/],
  ])('rejects %s', (_name, managed, key, message) => {
    const r = resolveConfig({ managed, user: {} });
    const problem = r.problems.find((p) => p.key === key);
    expect(problem, JSON.stringify(r.problems)).toBeDefined();
    expect(problem?.source).toBe('policy');
    expect(problem?.message).toMatch(message);
    expect(r.sources[key as keyof typeof r.sources]).toBe('default');
  });

  it('accepts valid unusual values', () => {
    const r = resolveConfig({
      managed: {
        softphoneUrlPatterns: ['*://*.example.com:*/*'],
        protectedRequestPatterns: [],
        retry: { baseDelayMs: 0, maxDelayMs: 120_000, maxAttempts: 10 },
        watchdog: { reconnectGraceMs: 3_600_000, heartbeatTimeoutMs: 0 },
        safeReload: { maxPerHour: 60, quietMs: 0 },
        retentionDays: 3650,
        maxStoredEvents: 10_000_000,
        tokenRefresh: {
          strategy: 'oauth-silent',
          authorizeUrl: 'https://idp.example.com/authorize',
          tokenUrl: 'http://localhost:3000/oauth/token',
          clientId: 'softphone',
        },
        riskWindows: [{ days: ['Sat', 'Sun'], start: '23:59', timeZone: 'Asia/Kolkata', durationMinutes: 10_080, refreshAheadMinutes: 0 }],
        telemetry: { otlpEndpoint: 'https://otel.example.com:4318', headers: { 'x-honeycomb-team': 'abc' } },
        agentIdentity: { nameField: '', orgField: '' },
      },
      user: {},
    });
    expect(r.problems).toEqual([]);
    expect(r.config.tokenRefresh.strategy).toBe('oauth-silent');
    expect(r.config.riskWindows[0]?.timeZone).toBe('Asia/Kolkata');
  });

  it.each([
    ['https://softphone.example.com/api/*'],
    ['http://localhost:8787/api/v2/*'],
    ['wss://streaming.example.com/*'],
    ['http*://x/*'],
    ['h*'],
    ['*'],
  ])('accepts the URL glob %s', (glob) => {
    const r = resolveConfig({ managed: { protectedRequestPatterns: [glob] }, user: {} });
    expect(r.problems).toEqual([]);
  });

  it('keeps a policy problem and its user fallback apart: the user value applies, the policy one is reported', () => {
    const r = resolveConfig({
      managed: { riskWindows: [{ days: ['Mon'], start: '06:00', timeZone: 'Mars/Olympus', durationMinutes: 30, refreshAheadMinutes: 5 }] },
      user: { riskWindows: [{ days: ['Tue'], start: '07:00', timeZone: 'Europe/Dublin', durationMinutes: 15, refreshAheadMinutes: 2 }] },
    });
    expect(r.sources.riskWindows).toBe('user');
    expect(r.config.riskWindows[0]?.timeZone).toBe('Europe/Dublin');
    expect(problemKeys(r.problems)).toEqual(['policy:riskWindows']);
  });

  describe('secure transport: https, or http to a loopback host', () => {
    const rejected = [
      'http://otel.example.com:4318',
      'http://10.0.0.5/v1/metrics',
      'http://localhost.example.com/x',
      'http://127.0.0.1.nip.io/x',
      'ws://otel.example.com/x',
      'wss://otel.example.com/x',
      'ftp://otel.example.com/x',
      'file:///etc/passwd',
      'data:text/plain,x',
      'javascript:alert(1)',
      'blob:https://otel.example.com/1',
      'HTTP://otel.example.com/x',
    ];
    const accepted = ['https://otel.example.com:4318', 'http://localhost:4318/v1', 'http://127.0.0.1:9/x', 'http://[::1]:4318/'];

    it.each(rejected)('rejects the OTLP endpoint %s and keeps the default', (url) => {
      const r = resolveConfig({ managed: { telemetry: { otlpEndpoint: url } }, user: {} });
      expect(problemKeys(r.problems)).toEqual(['policy:telemetry.otlpEndpoint']);
      expect(r.problems[0]?.message).toMatch(/absolute https URL \(http only for localhost/);
      expect(r.config.telemetry.otlpEndpoint).toBe(DEFAULT_CONFIG.telemetry.otlpEndpoint);
      expect(r.sources['telemetry.otlpEndpoint']).toBe('default');
    });

    it.each(rejected)('rejects the refresh URL %s and keeps the default', (url) => {
      const r = resolveConfig({ managed: { tokenRefresh: { refreshUrl: url } }, user: {} });
      expect(problemKeys(r.problems)).toEqual(['policy:tokenRefresh.refreshUrl']);
      expect(r.problems[0]?.message).toMatch(/absolute https URL \(http only for localhost/);
      expect(r.config.tokenRefresh.refreshUrl).toBe(DEFAULT_CONFIG.tokenRefresh.refreshUrl);
    });

    it('a user http endpoint to another host gives way to the default', () => {
      const r = resolveConfig({ managed: {}, user: { telemetry: { otlpEndpoint: 'http://otel.example.com/' } } });
      expect(problemKeys(r.problems)).toEqual(['user:telemetry.otlpEndpoint']);
      expect(r.config.telemetry.otlpEndpoint).toBe('');
    });

    it.each(accepted)('accepts %s for both', (url) => {
      const r = resolveConfig({ managed: { telemetry: { otlpEndpoint: url }, tokenRefresh: { refreshUrl: url } }, user: {} });
      expect(r.problems).toEqual([]);
      expect(r.config.telemetry.otlpEndpoint).toBe(url);
      expect(r.config.tokenRefresh.refreshUrl).toBe(url);
    });

    it('keeps a refresh path relative to the softphone origin', () => {
      const r = resolveConfig({ managed: { tokenRefresh: { refreshUrl: '/api/v2/authentication/refresh' } }, user: {} });
      expect(r.problems).toEqual([]);
      expect(r.sources['tokenRefresh.refreshUrl']).toBe('policy');
    });
  });

  describe('softphone URL patterns that match every site', () => {
    it.each([
      '<all_urls>',
      '*://*/*',
      'https://*/*',
      'http://*/*',
      '*://*/softphone/*',
      'https://*/api/v2/*',
      'https://*:443/*',
      '*://*:*/*',
      'https://*.com/*',
      '*://*.de/*',
    ])('drops %s with a problem and keeps the rest of the list', (pattern) => {
      const r = resolveConfig({
        managed: { softphoneUrlPatterns: ['https://apps.mypurecloud.com/*', pattern, 'http://localhost/*'] },
        user: {},
      });
      expect(r.config.softphoneUrlPatterns).toEqual(['https://apps.mypurecloud.com/*', 'http://localhost/*']);
      expect(r.sources.softphoneUrlPatterns).toBe('policy');
      expect(problemKeys(r.problems)).toEqual(['policy:softphoneUrlPatterns']);
      expect(r.problems[0]?.message).toMatch(/^item 2: .* matches every site.*; this entry is ignored$/);
      expect(r.problems[0]?.value).toBe(pattern);
    });

    it('falls back to the next source when no entry is left', () => {
      const r = resolveConfig({
        managed: { softphoneUrlPatterns: ['<all_urls>', '*://*/*'] },
        user: { softphoneUrlPatterns: ['https://pbx.example.com/*'] },
      });
      expect(r.config.softphoneUrlPatterns).toEqual(['https://pbx.example.com/*']);
      expect(r.sources.softphoneUrlPatterns).toBe('user');
      expect(r.problems.map((p) => p.message)).toEqual([
        expect.stringMatching(/^item 1: "<all_urls>" matches every site/),
        expect.stringMatching(/^item 2: "\*:\/\/\*\/\*" matches every site/),
        'no entry is left; this value is ignored',
      ]);
    });

    it.each(['https://*.mypurecloud.com/*', 'https://*.localhost/*', 'http://127.0.0.1/*', '*://pbx.example.com/*', 'file:///*'])(
      'keeps %s',
      (pattern) => {
        const r = resolveConfig({ managed: { softphoneUrlPatterns: [pattern] }, user: {} });
        expect(r.problems).toEqual([]);
        expect(r.config.softphoneUrlPatterns).toEqual([pattern]);
      },
    );

    it('the options editor refuses such a list outright', () => {
      expect(checkLeaf('softphoneUrlPatterns', ['https://pbx.example.com/*', 'https://*/*'])).toEqual({
        ok: false,
        message: expect.stringMatching(/^item 2: "https:\/\/\*\/\*" matches every site/),
      });
      expect(checkLeaf('softphoneUrlPatterns', ['https://pbx.example.com/*'])).toEqual({ ok: true, value: ['https://pbx.example.com/*'] });
    });
  });

  describe('checks across keys', () => {
    it('drops a user maxDelayMs below the policy baseDelayMs', () => {
      const r = resolveConfig({ managed: { retry: { baseDelayMs: 5000 } }, user: { retry: { maxDelayMs: 2000 } } });
      expect(r.config.retry).toMatchObject({ baseDelayMs: 5000, maxDelayMs: 30_000 });
      expect(r.sources['retry.maxDelayMs']).toBe('default');
      expect(problemKeys(r.problems)).toEqual(['user:retry.maxDelayMs']);
      expect(r.problems[0]?.message).toMatch(/maxDelayMs \(2000\) is below retry.baseDelayMs \(5000\)/);
      expect(r.problems[0]?.value).toBe(2000);
    });

    it('drops a policy baseDelayMs above the default maxDelayMs', () => {
      const r = resolveConfig({ managed: { retry: { baseDelayMs: 60_000 } }, user: {} });
      expect(r.config.retry).toMatchObject({ baseDelayMs: 1000, maxDelayMs: 30_000 });
      expect(problemKeys(r.problems)).toEqual(['policy:retry.baseDelayMs']);
    });

    it('drops the dependent maxDelayMs when both come from the same source', () => {
      const r = resolveConfig({ managed: { retry: { baseDelayMs: 5000, maxDelayMs: 2000 } }, user: {} });
      expect(r.config.retry).toMatchObject({ baseDelayMs: 5000, maxDelayMs: 30_000 });
      expect(problemKeys(r.problems)).toEqual(['policy:retry.maxDelayMs']);
    });

    it('tries the user value before the default when a policy value must go', () => {
      const r = resolveConfig({
        managed: { retry: { baseDelayMs: 5000, maxDelayMs: 2000 } },
        user: { retry: { maxDelayMs: 8000 } },
      });
      expect(r.config.retry).toMatchObject({ baseDelayMs: 5000, maxDelayMs: 8000 });
      expect(r.sources['retry.maxDelayMs']).toBe('user');
    });

    it('cookie-endpoint needs a refreshUrl', () => {
      const r = resolveConfig({ managed: { tokenRefresh: { strategy: 'cookie-endpoint', refreshUrl: '' } }, user: {} });
      expect(r.config.tokenRefresh.refreshUrl).toBe(DEFAULT_CONFIG.tokenRefresh.refreshUrl);
      expect(r.config.tokenRefresh.strategy).toBe('cookie-endpoint');
      expect(problemKeys(r.problems)).toEqual(['policy:tokenRefresh.refreshUrl']);
      expect(r.problems[0]?.message).toMatch(/cookie-endpoint needs tokenRefresh.refreshUrl/);
    });

    it('an empty refreshUrl is fine when the strategy does not use it', () => {
      const r = resolveConfig({ managed: { tokenRefresh: { strategy: 'off', refreshUrl: '' } }, user: {} });
      expect(r.problems).toEqual([]);
      expect(r.config.tokenRefresh).toMatchObject({ strategy: 'off', refreshUrl: '' });
    });

    it('a user cannot empty the refreshUrl of a policy cookie-endpoint strategy', () => {
      const r = resolveConfig({ managed: { tokenRefresh: { strategy: 'cookie-endpoint' } }, user: { tokenRefresh: { refreshUrl: '' } } });
      expect(r.config.tokenRefresh.refreshUrl).toBe(DEFAULT_CONFIG.tokenRefresh.refreshUrl);
      expect(problemKeys(r.problems)).toEqual(['user:tokenRefresh.refreshUrl']);
    });

    it('oauth-silent without its endpoints falls back to the next strategy', () => {
      const r = resolveConfig({ managed: { tokenRefresh: { strategy: 'oauth-silent' } }, user: { tokenRefresh: { strategy: 'off' } } });
      expect(r.config.tokenRefresh.strategy).toBe('off');
      expect(r.sources['tokenRefresh.strategy']).toBe('user');
      expect(problemKeys(r.problems)).toEqual(['policy:tokenRefresh.strategy']);
      expect(r.problems[0]?.message).toMatch(/oauth-silent needs tokenRefresh.authorizeUrl/);
    });
  });

  it('reports unknown keys and ignores them', () => {
    const r = resolveConfig({ managed: { tokenrefresh: {}, retry: { maxAttemps: 3 } }, user: {} });
    expect(problemKeys(r.problems)).toEqual(['policy:tokenrefresh', 'policy:retry.maxAttemps']);
    expect(r.problems[0]?.message).toMatch(/unknown setting/);
    expect(r.config).toEqual(DEFAULT_CONFIG);
  });

  it('reports a group that is not an object once', () => {
    const r = resolveConfig({ managed: { retry: [1, 2] }, user: { media: 'yes' } });
    expect(problemKeys(r.problems)).toEqual(['policy:retry', 'user:media']);
    expect(r.config).toEqual(DEFAULT_CONFIG);
  });

  it('treats null as not set', () => {
    const r = resolveConfig({ managed: { retentionDays: null, retry: null }, user: { retentionDays: 3 } });
    expect(r.config.retentionDays).toBe(3);
    expect(r.problems).toEqual([]);
  });

  it('never shows a secret in a problem', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const r = resolveConfig({
      managed: {
        telemetry: { headers: { Authorization: 'Bearer s3cr3t\n', 'x-api-key': 'k3y' }, otlpEndpoint: `/x?access_token=${jwt}` },
        tokenRefresh: { refreshUrl: `javascript:${jwt}` },
      },
      user: {},
    });
    expect(r.problems).toHaveLength(3);
    const shown = JSON.stringify(r.problems);
    for (const secret of ['s3cr3t', 'k3y', jwt]) expect(shown).not.toContain(secret);
    expect(r.problems.find((p) => p.key === 'telemetry.headers')?.value).toEqual({
      Authorization: '[redacted]',
      'x-api-key': '[redacted]',
    });
  });

  it('returns a config that shares nothing with its inputs or the defaults', () => {
    const managed = { softphoneUrlPatterns: ['https://a.example/*'], telemetry: { headers: { a: 'b' } } };
    const r = resolveConfig({ managed, user: {} });
    r.config.softphoneUrlPatterns.push('x');
    r.config.telemetry.headers.c = 'd';
    r.config.riskWindows[0]!.days.push('Sun');
    r.config.retry.statuses.push(500);
    expect(managed.softphoneUrlPatterns).toEqual(['https://a.example/*']);
    expect(managed.telemetry.headers).toEqual({ a: 'b' });
    expect(DEFAULT_CONFIG.riskWindows[0]?.days).toEqual(['Mon']);
    expect(DEFAULT_CONFIG.retry.statuses).toEqual([408, 429, 503]);
  });

  it('ignores inherited properties (no prototype tricks)', () => {
    const managed = Object.create({ retentionDays: 1 }) as object;
    expect(resolveConfig({ managed, user: {} }).config.retentionDays).toBe(DEFAULT_CONFIG.retentionDays);
    const parsed = JSON.parse('{"__proto__": {"retentionDays": 2}}') as unknown;
    const r = resolveConfig({ managed: parsed, user: {} });
    expect(r.config.retentionDays).toBe(DEFAULT_CONFIG.retentionDays);
    expect(problemKeys(r.problems)).toEqual(['policy:__proto__']);
  });

  describe('never throws', () => {
    it.each([
      ['a string', 'retentionDays=3'],
      ['a number', 42],
      ['an array', [1, 2, 3]],
      ['a function', () => 1],
      ['a boolean', true],
    ])('on %s', (_name, value) => {
      const r = resolveConfig({ managed: value, user: value });
      expect(r.config).toEqual(DEFAULT_CONFIG);
      expect(problemKeys(r.problems)).toEqual(['policy:(root)', 'user:(root)']);
    });

    it('on hostile objects: throwing getters, revoked proxies, cycles', () => {
      const getter = Object.defineProperty({}, 'retry', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      });
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const cyclic: Record<string, unknown> = { retentionDays: 5 };
      cyclic.retry = cyclic;
      for (const managed of [getter, proxy, cyclic]) {
        expect(() => resolveConfig({ managed, user: {} })).not.toThrow();
      }
      expect(resolveConfig({ managed: cyclic, user: {} }).config.retentionDays).toBe(5);
      expect(() => resolveConfig(null as never)).not.toThrow();
    });

    it('on huge inputs, quickly, with a bounded problem list', () => {
      const huge: Record<string, unknown> = {};
      for (let i = 0; i < 100_000; i += 1) huge[`k${i}`] = i;
      huge.softphoneUrlPatterns = Array.from({ length: 1_000_000 }, () => 'https://*/*');
      huge.agentIdentity = { requestPattern: 'x'.repeat(5_000_000) };
      const started = Date.now();
      const r = resolveConfig({ managed: huge, user: huge });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(r.config).toEqual(DEFAULT_CONFIG);
      expect(r.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
      expect(JSON.stringify(r.problems).length).toBeLessThan(50_000);
    });

    it('on anything fast-check can make, always giving a schema-valid config', () => {
      const anyInput = fc.oneof(
        fc.anything({ withNullPrototype: true, withMap: true, withDate: true }),
        fc.record(
          {
            retry: fc.anything(),
            tokenRefresh: fc.record(
              { strategy: fc.constantFrom('cookie-endpoint', 'oauth-silent', 'off', 'x'), refreshUrl: fc.string() },
              { requiredKeys: [] },
            ),
            riskWindows: fc.array(
              fc.record({
                days: fc.array(fc.constantFrom('Mon', 'Fri', 'Xyz')),
                start: fc.constantFrom('06:00', '25:00'),
                timeZone: fc.constantFrom('UTC', 'Mars/Base'),
                durationMinutes: fc.integer(),
                refreshAheadMinutes: fc.integer(),
              }),
            ),
            softphoneUrlPatterns: fc.array(fc.oneof(fc.string(), fc.constant('https://*.a.com/*'))),
          },
          { requiredKeys: [] },
        ),
      );
      fc.assert(
        fc.property(anyInput, anyInput, (managed, user) => {
          const r = resolveConfig({ managed, user });
          expect(ConfigSchema.safeParse(r.config).success).toBe(true);
          expect(r.config.retry.maxDelayMs).toBeGreaterThanOrEqual(r.config.retry.baseDelayMs);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('checkLeaf', () => {
    it('accepts what resolution accepts and returns a copy', () => {
      const patterns = ['https://a.example/*'];
      const r = checkLeaf('softphoneUrlPatterns', patterns);
      expect(r).toEqual({ ok: true, value: patterns });
      if (r.ok) expect(r.value).not.toBe(patterns);
      expect(checkLeaf('watchdog.reconnectGraceMs', 5000)).toEqual({ ok: true, value: 5000 });
    });

    it('gives the same message as resolution', () => {
      const windows = [{ days: ['Mon'], start: '06:00', timeZone: 'America/Gotham', durationMinutes: 30, refreshAheadMinutes: 5 }];
      const leaf = checkLeaf('riskWindows', windows);
      const resolved = resolveConfig({ managed: {}, user: { riskWindows: windows } }).problems[0];
      expect(leaf).toEqual({ ok: false, message: resolved?.message });
      expect(checkLeaf('watchdog.reconnectGraceMs', -1)).toMatchObject({ ok: false });
    });

    it('refuses unknown keys and "not set" without throwing', () => {
      expect(checkLeaf('retry', {})).toEqual({ ok: false, message: 'unknown setting' });
      expect(checkLeaf('__proto__', {})).toEqual({ ok: false, message: 'unknown setting' });
      expect(checkLeaf('retentionDays', null)).toMatchObject({ ok: false });
      fc.assert(
        fc.property(fc.constantFrom(...CONFIG_KEYS), fc.anything(), (key, v) => {
          expect(() => checkLeaf(key, v)).not.toThrow();
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('properties', () => {
    /** Values per leaf, valid and nonsensical, so that both outcomes come up often. */
    const leafValue = fc.oneof(
      fc.integer({ min: -10, max: 10 }),
      fc.integer({ min: 0, max: 2 ** 32 }),
      fc.boolean(),
      fc.constantFrom(
        '',
        'https://idp.example.com/x',
        '/api/v2/authentication/refresh',
        'id',
        'a..b',
        'off',
        'oauth-silent',
        'cookie-endpoint',
      ),
      fc.array(fc.constantFrom('*/api/*', '/api/*', 'https://*.a.com/*', 'wss://x/*', '<all_urls>'), { maxLength: 3 }),
      fc.array(fc.integer({ min: 100, max: 600 }), { maxLength: 4 }),
      fc.array(
        fc.record({
          days: fc.array(fc.constantFrom('Mon', 'Sun'), { maxLength: 2 }),
          start: fc.constantFrom('06:00', '24:00'),
          timeZone: fc.constantFrom('UTC', 'America/Chicago', 'Nowhere/Atlantis'),
          durationMinutes: fc.integer({ min: -1, max: 20_000 }),
          refreshAheadMinutes: fc.integer({ min: -1, max: 20_000 }),
        }),
        { maxLength: 2 },
      ),
      fc.dictionary(fc.constantFrom('x-key', 'bad name'), fc.constantFrom('v', 'a\nb')),
      fc.constant(null),
    );
    const userSettings = fc
      .uniqueArray(fc.tuple(fc.constantFrom(...CONFIG_KEYS), leafValue), { selector: ([k]) => k, maxLength: 8 })
      .map((entries) => {
        const out: Record<string, Record<string, unknown> | unknown> = {};
        for (const [key, value] of entries) {
          const [group, field] = key.split('.');
          if (field === undefined) out[key] = value;
          else out[group as string] = { ...(out[group as string] as object | undefined), [field]: value };
        }
        return out;
      });
    const valueAt = (o: Record<string, unknown>, key: string): unknown => {
      const [group, field] = key.split('.');
      const top = o[group as string];
      return field === undefined ? top : (top as Record<string, unknown> | undefined)?.[field];
    };

    it('without policy, every user value either takes effect (source "user") or is reported', () => {
      fc.assert(
        fc.property(userSettings, (user) => {
          const r = resolveConfig({ managed: undefined, user });
          for (const key of CONFIG_KEYS) {
            const given = valueAt(user, key);
            if (given === undefined || given === null) {
              expect(r.sources[key]).toBe('default');
              continue;
            }
            const reported = r.problems.some((p) => p.key === key && p.source === 'user');
            if (r.sources[key] === 'user') {
              expect(valueAt(r.config as unknown as Record<string, unknown>, key)).toEqual(given);
              expect(reported).toBe(false);
            } else {
              expect(r.sources[key]).toBe('default');
              expect(reported, `${key}: ${JSON.stringify(given)}`).toBe(true);
            }
          }
        }),
        { numRuns: 400 },
      );
    });

    it('a leaf set by policy is never overridden by the user', () => {
      fc.assert(
        fc.property(userSettings, userSettings, (managed, user) => {
          const r = resolveConfig({ managed, user });
          const policyOnly = resolveConfig({ managed, user: {} });
          for (const key of CONFIG_KEYS) {
            if (policyOnly.sources[key] !== 'policy') continue;
            expect(r.sources[key]).toBe('policy');
            expect(valueAt(r.config as unknown as Record<string, unknown>, key)).toEqual(
              valueAt(policyOnly.config as unknown as Record<string, unknown>, key),
            );
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
