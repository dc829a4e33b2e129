import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportPolicy } from '../../../src/policy/policy-export';
import { CONFIG_KEYS, resolveConfig } from '../../../src/policy/resolve';
import { DEFAULT_CONFIG, PartialConfigSchema } from '../../../src/policy/schema';
import { redactConfig } from '../../../src/policy/redact-config';

const ID = 'ijcnbdifibmimlhaigaciaelkihpcehh';

describe('exportPolicy', () => {
  it('exports nothing for the defaults, and every key with allKeys', () => {
    const diff = exportPolicy(DEFAULT_CONFIG, { extensionId: ID, allKeys: false });
    expect(diff.policy).toEqual({});
    expect(diff.policyJson).toBe('{}\n');
    expect(JSON.parse(diff.linuxJson)).toEqual({ '3rdparty': { extensions: { [ID]: {} } } });

    const all = exportPolicy(DEFAULT_CONFIG, { extensionId: ID, allKeys: true });
    expect(all.policy).toEqual(DEFAULT_CONFIG);
    expect(all.omitted).toEqual([]);
  });

  it('exports only the settings that differ from the defaults, in schema order', () => {
    const { config } = resolveConfig({
      managed: { retentionDays: 7, softphoneUrlPatterns: ['https://apps.mypurecloud.com/*'] },
      user: { watchdog: { reconnectGraceMs: 5000 }, retry: { maxAttempts: 4 } },
    });
    const r = exportPolicy(config, { extensionId: ID, allKeys: false });
    expect(r.policy).toEqual({
      softphoneUrlPatterns: ['https://apps.mypurecloud.com/*'],
      watchdog: { reconnectGraceMs: 5000 },
      retentionDays: 7,
    });
    expect(Object.keys(JSON.parse(r.policyJson) as object)).toEqual(['softphoneUrlPatterns', 'watchdog', 'retentionDays']);
    expect(JSON.parse(r.linuxJson)).toEqual({ '3rdparty': { extensions: { [ID]: r.policy } } });
  });

  it('under a vendor profile, exports the profile and only what differs from it; deployed, it gives the configuration back', () => {
    const { config } = resolveConfig({ managed: { profile: 'genesys-cloud', watchdog: { reconnectGraceMs: 5000 } }, user: undefined });
    const r = exportPolicy(config, { extensionId: ID, allKeys: false });
    expect(r.policy).toEqual({ profile: 'genesys-cloud', watchdog: { reconnectGraceMs: 5000 } });
    const back = resolveConfig({ managed: r.policy, user: undefined });
    expect(back.problems).toEqual([]);
    expect(back.config).toEqual(config);
  });

  it('never exports a secret or a redacted placeholder, and says so', () => {
    const { config } = resolveConfig({
      managed: {},
      user: {
        telemetry: { headers: { 'x-api-key': 'k3y' }, otlpEndpoint: 'https://otel.example.com/v1?api_key=abc', exportIntervalSeconds: 30 },
      },
    });
    for (const given of [config, redactConfig(config)]) {
      const r = exportPolicy(given, { extensionId: ID, allKeys: false });
      expect(r.linuxJson).not.toMatch(/k3y|\[redacted\]/);
      expect(r.policy).toMatchObject({ telemetry: { exportIntervalSeconds: 30 } });
      expect(r.omitted.map((o) => o.key)).toContain('telemetry.headers');
    }
    const redacted = exportPolicy(redactConfig(config), { extensionId: ID, allKeys: false });
    expect(redacted.omitted).toEqual([
      { key: 'telemetry.otlpEndpoint', reason: 'redacted' },
      { key: 'telemetry.headers', reason: 'secret' },
    ]);
  });

  it('writes media.grantMicrophone in the form a policy file takes: true as ["*"], false left out and said so', () => {
    const on = exportPolicy(
      { ...DEFAULT_CONFIG, media: { ...DEFAULT_CONFIG.media, grantMicrophone: true } },
      { extensionId: ID, allKeys: false },
    );
    expect(on.policy).toEqual({ media: { grantMicrophone: ['*'] } });
    const off = exportPolicy(
      { ...DEFAULT_CONFIG, media: { ...DEFAULT_CONFIG.media, grantMicrophone: false } },
      { extensionId: ID, allKeys: false },
    );
    expect(off.policy).toEqual({});
    expect(off.omitted).toEqual([{ key: 'media.grantMicrophone', reason: 'not-in-policy-schema' }]);
    const named = exportPolicy(
      { ...DEFAULT_CONFIG, media: { ...DEFAULT_CONFIG.media, grantMicrophone: ['https://apps.example.com'] } },
      { extensionId: ID, allKeys: false },
    );
    expect(named.policy).toEqual({ media: { grantMicrophone: ['https://apps.example.com'] } });
  });

  it('refuses a bad extension ID', () => {
    expect(() => exportPolicy(DEFAULT_CONFIG, { extensionId: 'abc', allKeys: false })).toThrow(RangeError);
  });

  it('round-trips: the export, deployed as policy, gives back the configuration, locking what it names', () => {
    const leaf = fc.oneof(
      fc.integer({ min: 0, max: 200_000 }),
      fc.boolean(),
      fc.constantFrom('off', 'reload-when-idle', '/refresh', 'https://idp.example.com/t', 'name', ''),
      fc.array(fc.constantFrom('*/api/*', 'https://x.example.com/*'), { maxLength: 2 }),
      fc.array(fc.constantFrom(408, 429, 500, 503), { maxLength: 3 }),
    );
    const settings = fc
      .uniqueArray(fc.tuple(fc.constantFrom(...CONFIG_KEYS), leaf), { selector: ([k]) => k, maxLength: 10 })
      .map((entries) => {
        const out: Record<string, unknown> = {};
        for (const [key, value] of entries) {
          const [g, f] = key.split('.') as [string, string | undefined];
          if (f === undefined) out[g] = value;
          else out[g] = { ...(out[g] as object | undefined), [f]: value };
        }
        return out;
      });
    fc.assert(
      fc.property(settings, settings, fc.boolean(), (managed, user, allKeys) => {
        const { config } = resolveConfig({ managed, user });
        const r = exportPolicy(config, { extensionId: ID, allKeys });
        const reparsed = JSON.parse(r.policyJson) as unknown;
        expect(PartialConfigSchema.safeParse(reparsed).success).toBe(true);
        expect(JSON.parse(r.linuxJson)).toEqual({ '3rdparty': { extensions: { [ID]: reparsed } } });
        const deployed = resolveConfig({ managed: reparsed, user: {} });
        expect(deployed.problems).toEqual([]);
        // media.grantMicrophone in policy form: true is ["*"], false has none (left out, said so).
        const expected = structuredClone(config);
        const grant = config.media.grantMicrophone;
        if (grant === true) expected.media.grantMicrophone = ['*'];
        if (grant === false) {
          expect(r.omitted).toContainEqual({ key: 'media.grantMicrophone', reason: 'not-in-policy-schema' });
          expected.media.grantMicrophone = DEFAULT_CONFIG.media.grantMicrophone;
        }
        expect(deployed.config).toEqual(expected);
        if (allKeys && grant !== false) expect(Object.values(deployed.sources).every((s) => s === 'policy')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
