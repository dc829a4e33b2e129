import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROBE_MAX_RETRY_ATTEMPTS,
  PROBE_STATS_INTERVAL_MS,
  PROBE_TOKEN_WAIT_MS,
  toProbeConfig,
  toProbeRetry,
} from '../../../src/policy/probe-config';
import { redactConfig } from '../../../src/policy/redact-config';
import { resolveConfig } from '../../../src/policy/resolve';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import { ConfigCommand, PageCommandSchema, ProbeRetrySchema } from '../../../src/protocol/page';

describe('toProbeConfig', () => {
  it('maps the defaults to a valid config command', () => {
    const cmd = toProbeConfig(DEFAULT_CONFIG);
    expect(cmd).toEqual({
      type: 'config',
      protectedRequestPatterns: ['*/api/v2/*'],
      identityRequestPattern: '*/api/v2/users/me',
      identityFields: { id: 'id', name: 'name', org: 'organization.id' },
      statsIntervalMs: PROBE_STATS_INTERVAL_MS,
      tokenRefresh: true,
      tokenWaitMs: PROBE_TOKEN_WAIT_MS,
      retry: { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 4, statuses: [408, 429, 503] },
      tokenCarriers: [
        { type: 'header', name: 'Authorization', scheme: 'Bearer' },
        { type: 'query', name: 'access_token' },
      ],
    });
    expect(PageCommandSchema.parse(cmd)).toEqual(cmd);
    expect(PROBE_STATS_INTERVAL_MS).toBe(1000);
    expect(PROBE_TOKEN_WAIT_MS).toBe(10_000);
  });

  it.each([
    ['cookie-endpoint', true],
    ['oauth-silent', true],
    ['reload-when-idle', false],
    ['off', false],
  ] as const)('strategy %s → tokenRefresh %s', (strategy, expected) => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.tokenRefresh.strategy = strategy;
    expect(toProbeConfig(config).tokenRefresh).toBe(expected);
  });

  it('does not share arrays with the config', () => {
    const config = structuredClone(DEFAULT_CONFIG);
    const cmd = toProbeConfig(config);
    cmd.protectedRequestPatterns.push('x');
    expect(config.protectedRequestPatterns).toEqual(['*/api/v2/*']);
  });

  it('carries config.retry, a copy, bounded for the page protocol', () => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.retry = { baseDelayMs: 250, maxDelayMs: 5000, maxAttempts: 2, statuses: [503] };
    const cmd = toProbeConfig(config);
    expect(cmd.retry).toEqual({ baseDelayMs: 250, maxDelayMs: 5000, maxAttempts: 2, statuses: [503] });
    cmd.retry?.statuses.push(500);
    expect(config.retry.statuses).toEqual([503]);

    expect(
      toProbeRetry({
        baseDelayMs: 500_000,
        maxDelayMs: 3_600_000,
        maxAttempts: 99,
        statuses: [429, 429, 503, ...Array.from({ length: 40 }, (_, i) => 540 + i)],
      }),
    ).toEqual({
      baseDelayMs: 120_000,
      maxDelayMs: 120_000,
      maxAttempts: PROBE_MAX_RETRY_ATTEMPTS,
      statuses: [429, 503, ...Array.from({ length: 30 }, (_, i) => 540 + i)],
    });
    expect(toProbeRetry({ baseDelayMs: 0, maxDelayMs: 0, maxAttempts: 0, statuses: [] })).toEqual({
      baseDelayMs: 0,
      maxDelayMs: 0,
      maxAttempts: 0,
      statuses: [],
    });
  });

  it('a config command without retry (an older worker) is still valid', () => {
    const { retry: _retry, ...older } = toProbeConfig(DEFAULT_CONFIG);
    expect(ConfigCommand.safeParse(older).success).toBe(true);
  });

  it('always passes ConfigCommand, even for a config built by hand with too many patterns', () => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.protectedRequestPatterns = Array.from({ length: 100 }, (_, i) => `*/p${i}`);
    expect(ConfigCommand.safeParse(toProbeConfig(config)).success).toBe(true);
    fc.assert(
      fc.property(
        fc.record({
          protectedRequestPatterns: fc.array(fc.string({ maxLength: 80 }), { maxLength: 80 }),
          retry: fc.record({
            baseDelayMs: fc.nat(),
            maxDelayMs: fc.nat(),
            maxAttempts: fc.nat(),
            statuses: fc.array(fc.integer({ min: 100, max: 599 }), { maxLength: 80 }),
          }),
          agentIdentity: fc.record({ requestPattern: fc.string(), idField: fc.string(), nameField: fc.string(), orgField: fc.string() }),
        }),
        (user) => {
          const { config: resolved } = resolveConfig({ managed: {}, user });
          const cmd = toProbeConfig(resolved);
          expect(ConfigCommand.safeParse(cmd).success).toBe(true);
          expect(ProbeRetrySchema.safeParse(cmd.retry).success).toBe(true);
        },
      ),
    );
  });
});

describe('redactConfig', () => {
  it('hides header values and credentials in URLs, leaving the input alone', () => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.telemetry.headers = { 'x-api-key': 'k', 'x-team': 'abc' };
    config.telemetry.otlpEndpoint = 'https://otel.example.com/v1?api_key=k2';
    config.tokenRefresh.tokenUrl = 'https://u:p@idp.example.com/token';
    const shown = redactConfig(config);
    expect(shown.telemetry.headers).toEqual({ 'x-api-key': '[redacted]', 'x-team': '[redacted]' });
    expect(shown.telemetry.otlpEndpoint).toBe('https://otel.example.com/v1?api_key=[redacted]');
    expect(shown.tokenRefresh.tokenUrl).toBe('https://[redacted]@idp.example.com/token');
    expect(shown.tokenRefresh.refreshUrl).toBe('/api/v2/authentication/refresh');
    expect(config.telemetry.headers['x-api-key']).toBe('k');
  });
});

describe('toProbeConfig tokenAudienceMatch', () => {
  it('carries the resolved audience compiled for the probe, only with a document origin', async () => {
    const { compileTokenAudience } = await import('../../../src/match/audience-match');
    const cmd = toProbeConfig(DEFAULT_CONFIG, 'https://apps.mypurecloud.com');
    expect(cmd.tokenAudience).toContain('https://apps.mypurecloud.com');
    expect(cmd.tokenAudienceMatch).toEqual(compileTokenAudience(cmd.tokenAudience ?? []));
    expect(cmd.tokenAudienceMatch).toContain('^https://apps\\.mypurecloud\\.com:\\d+$');
    expect(toProbeConfig(DEFAULT_CONFIG).tokenAudienceMatch).toBeUndefined();
  });
});
