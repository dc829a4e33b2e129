import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkUserConfig, redactUserConfig, removeUserKeys, restoreRedacted } from '../../../src/policy/user-config';
import { PartialConfigSchema } from '../../../src/policy/schema';
import { CONFIG_KEYS } from '../../../src/policy/resolve';

describe('user settings', () => {
  it('accepts valid settings and returns them schema-parsed, nulls dropped', () => {
    const r = checkUserConfig({ watchdog: { reconnectGraceMs: 5000, heartbeatTimeoutMs: null }, retentionDays: 7 }, {});
    expect(r).toEqual({ ok: true, value: { watchdog: { reconnectGraceMs: 5000 }, retentionDays: 7 } });
  });

  it('refuses the whole set when one value is invalid, naming each field', () => {
    const r = checkUserConfig(
      {
        watchdog: { reconnectGraceMs: -1 },
        riskWindows: [{ days: ['Mon'], start: '06:00', timeZone: 'America/Gotham', durationMinutes: 30, refreshAheadMinutes: 5 }],
        retentionDays: 7,
        colour: 'red',
      },
      {},
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.key)).toEqual(['colour', 'watchdog.reconnectGraceMs', 'riskWindows']);
    expect(r.errors[2]?.message).toMatch(/unknown IANA time zone "America\/Gotham"/);
  });

  it('checks across settings against the policy in force', () => {
    const r = checkUserConfig({ retry: { maxDelayMs: 2000 } }, { retry: { baseDelayMs: 5000 } });
    expect(r).toMatchObject({ ok: false, errors: [{ key: 'retry.maxDelayMs' }] });
  });

  it('refuses what is not an object', () => {
    for (const v of [null, 'x', [1], 3]) expect(checkUserConfig(v, {})).toMatchObject({ ok: false, errors: [{ key: '(root)' }] });
  });

  it('never throws, and what it accepts passes the schema', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (candidate, managed) => {
        const r = checkUserConfig(candidate, managed);
        if (r.ok) expect(PartialConfigSchema.safeParse(r.value).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('hides secrets from the page and restores them when sent back unchanged', () => {
    const stored = {
      telemetry: { headers: { 'x-api-key': 'k3y', 'x-team': 'blue' }, otlpEndpoint: 'https://otel.example.com/v1?api_key=abc' },
      retentionDays: 9,
    };
    const shown = redactUserConfig(stored);
    expect(JSON.stringify(shown)).not.toMatch(/k3y|blue|abc/);
    expect(shown).toEqual({
      telemetry: {
        headers: { 'x-api-key': '[redacted]', 'x-team': '[redacted]' },
        otlpEndpoint: 'https://otel.example.com/v1?api_key=[redacted]',
      },
      retentionDays: 9,
    });
    // The page changes one header, keeps one, adds one, and sends the URL back as shown.
    const sent = {
      telemetry: {
        headers: { 'x-api-key': 'new', 'x-team': '[redacted]', 'x-more': 'm' },
        otlpEndpoint: shown.telemetry && (shown.telemetry as { otlpEndpoint: string }).otlpEndpoint,
      },
      retentionDays: 10,
    };
    expect(restoreRedacted(sent, stored)).toEqual({
      telemetry: {
        headers: { 'x-api-key': 'new', 'x-team': 'blue', 'x-more': 'm' },
        otlpEndpoint: 'https://otel.example.com/v1?api_key=abc',
      },
      retentionDays: 10,
    });
    expect(restoreRedacted('x', stored)).toBe('x');
  });

  it('shows anything stored as an object, never throwing', () => {
    expect(redactUserConfig(undefined)).toEqual({});
    expect(redactUserConfig('x')).toEqual({});
    expect(redactUserConfig({ telemetry: { headers: 'oops' } })).toEqual({ telemetry: { headers: 'oops' } });
  });

  it('removes single values and keeps the rest unchecked', () => {
    const stored = { watchdog: { reconnectGraceMs: 5000 }, retry: { maxAttempts: 'lots', baseDelayMs: 10 } };
    expect(removeUserKeys(stored, ['watchdog.reconnectGraceMs'])).toEqual({ retry: { maxAttempts: 'lots', baseDelayMs: 10 } });
    expect(removeUserKeys(stored, CONFIG_KEYS)).toEqual({});
    expect(removeUserKeys(undefined, ['retentionDays'])).toEqual({});
  });
});
