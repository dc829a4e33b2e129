import { describe, expect, it } from 'vitest';
import { buildBundle, EXPORT_REDACT_OPTIONS, exportFilename } from '../../../src/export/build-bundle';
import { ExportBundleSchema } from '../../../src/export/bundle-schema';
import type { BundleIncident, BundleSession, CallStats } from '../../../src/export/bundle-schema';
import type { SessionView, StoredEvent } from '../../../src/protocol/ui';
import type { Incident, RecoveryStep } from '../../../src/session/types';
import { estimateMos } from '../../../src/quality/mos';
import { s, TAB } from '../session/fixtures';
import { stormInputs } from './fixtures';

// Compile-time drift checks: every field of the reducer's types has a place in the schema.
type MissingKeys<T, U> = Exclude<keyof T, keyof U>;
const noMissing = <T extends never>(): T | undefined => undefined;
noMissing<MissingKeys<SessionView, BundleSession>>();
noMissing<MissingKeys<SessionView['signalling'], BundleSession['signalling']>>();
noMissing<MissingKeys<SessionView['media'], BundleSession['media']>>();
noMissing<MissingKeys<SessionView['auth'], BundleSession['auth']>>();
noMissing<MissingKeys<Incident, BundleIncident>>();
noMissing<MissingKeys<Incident['detail'], BundleIncident['detail']>>();
noMissing<MissingKeys<RecoveryStep, BundleIncident['steps'][number]>>();
noMissing<MissingKeys<StoredEvent, ExportBundleEvent>>();
type ExportBundleEvent = ReturnType<typeof buildBundle>['events'][number];

describe('buildBundle', () => {
  it('makes a bundle the schema accepts unchanged (no unknown field stripped)', () => {
    const bundle = buildBundle(stormInputs());
    const parsed = ExportBundleSchema.parse(bundle);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(bundle)));
    expect(bundle.format).toBe('softphone-guard.export-bundle');
    expect(bundle.version).toBe(2);
    expect(bundle.generatedAt).toBe(new Date(s(30)).toISOString());
  });

  it('holds the 1006 close and the 401 with its recovery steps', () => {
    const bundle = buildBundle(stormInputs());
    const close = bundle.incidents.find((i) => i.kind === 'abnormal-close');
    expect(close?.detail.code).toBe(1006);
    const unauthorized = bundle.incidents.find((i) => i.kind === 'unauthorized');
    expect(unauthorized?.detail.status).toBe(401);
    expect(unauthorized?.steps.map((st) => `${st.action} ${st.outcome}`)).toEqual(expect.arrayContaining(['token-refresh ok']));
    expect(bundle.events.some((e) => e.type === 'ws-close' && e.data.code === 1006)).toBe(true);
    expect(bundle.sessions[0]?.agent?.userId).toBe('agent-1');
  });

  it('describes the environment: version, browser, configuration and where each value came from', () => {
    const env = buildBundle(stormInputs()).environment;
    expect(env.extensionVersion).toBe('0.1.0');
    expect(env.browser.platform).toBe('Linux');
    expect(env.configSources['retry.maxAttempts']).toBe('policy');
    expect(env.configSources['retry.baseDelayMs']).toBe('default');
    expect(env.configSourceCounts.policy).toBe(3);
    expect(env.configSourceCounts.policy + env.configSourceCounts.user + env.configSourceCounts.default).toBe(
      Object.keys(env.configSources).length,
    );
    expect(env.config.retry.maxAttempts).toBe(3);
  });

  it('redacts the configuration: telemetry header values and secrets in URLs', () => {
    const text = JSON.stringify(buildBundle(stormInputs()));
    expect(text).not.toContain('hdr-secret-123');
    expect(text).not.toContain('sk_live_policy_secret');
    expect(text).toContain('https://otel.example.com/v1/logs?api_key=[redacted]');
  });

  it('redacts again whatever reached it unredacted (defence in depth)', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC0xIn0.c2lnbmF0dXJlLWNhbmFyeQ';
    const leaky: StoredEvent = {
      seq: 99,
      tabId: TAB,
      at: s(25),
      type: 'ws-close',
      data: {
        url: 'wss://x.example/ws?access_token=raw-canary-1',
        reason: `expired ${jwt}`,
        headers: { Authorization: 'Bearer raw-canary-2', Cookie: 'sid=raw-canary-3' },
      },
    };
    const inputs = stormInputs();
    const bundle = buildBundle({ ...inputs, events: [...inputs.events, leaky] });
    const text = JSON.stringify(bundle);
    for (const secret of ['raw-canary-1', 'raw-canary-2', 'raw-canary-3', jwt, 'c2lnbmF0dXJlLWNhbmFyeQ'])
      expect(text).not.toContain(secret);
    expect(ExportBundleSchema.safeParse(bundle).success).toBe(true);
  });

  it('keeps events oldest first and incidents newest first, whatever order they came in', () => {
    const inputs = stormInputs();
    const bundle = buildBundle({ ...inputs, events: [...inputs.events].reverse(), incidents: [...inputs.incidents].reverse() });
    const seqs = bundle.events.map((e) => e.seq ?? 0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const opened = bundle.incidents.map((i) => i.openedAt);
    expect(opened).toEqual([...opened].sort((a, b) => b - a));
  });

  it('says when the stored events were more than the bound', () => {
    const inputs = stormInputs();
    const bundle = buildBundle({ ...inputs, eventsStored: 25_000, eventsLimit: inputs.events.length });
    expect(bundle.eventsBound).toEqual({ limit: inputs.events.length, included: inputs.events.length, stored: 25_000, truncated: true });
    expect(buildBundle(inputs).eventsBound.truncated).toBe(false);
  });

  it('summarizes the call quality from the stored stats samples', () => {
    const calls: CallStats[] = buildBundle(stormInputs()).callStats;
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.samples).toBe(3);
    expect(call.rttMs).toMatchObject({ samples: 3, median: 60, max: 500, beyondThreshold: 1 });
    expect(call.jitterMs.beyondThreshold).toBe(1);
    expect(call.packetLossPct.beyondThreshold).toBe(1);
    // The third sample had no MOS: it is estimated with the probe's E-model (src/quality/mos.ts).
    expect(call.mos.samples).toBe(3);
    expect(call.mos.min).toBe(Math.round(estimateMos({ rttMs: 500, jitterMs: 40, packetLossPct: 4 }) * 100) / 100);
    expect(call.mos.min).toBe(3.16);
  });

  it('keeps a bundle at its bounds whole: 20,000 events are not cut by the redaction limits', () => {
    const inputs = stormInputs();
    const many: StoredEvent[] = Array.from({ length: 20_000 }, (_, i) => ({
      seq: i + 1,
      tabId: TAB,
      at: s(i),
      type: 'http',
      data: {
        requestId: `r${i}`,
        transport: 'fetch',
        method: 'GET',
        url: 'https://a.example/api/v2/x?access_token=[redacted]',
        status: 503,
        durationMs: 12,
        protected: true,
      },
    }));
    const bundle = buildBundle({ ...inputs, events: many, eventsStored: 20_000 });
    expect(bundle.events).toHaveLength(20_000);
    expect(bundle.events[19_999]?.data.status).toBe(503);
    expect(ExportBundleSchema.safeParse(bundle).success).toBe(true);
    expect(EXPORT_REDACT_OPTIONS.maxArrayLength).toBeGreaterThan(20_000);
  });
});

describe('exportFilename', () => {
  it('stamps the UTC minute', () => {
    const at = Date.UTC(2026, 11, 3, 6, 12, 59);
    expect(exportFilename(at, 'bundle')).toBe('softphone-guard-2026-12-03T0612Z.json');
    expect(exportFilename(at, 'summary')).toBe('softphone-guard-2026-12-03T0612Z.txt');
  });
});
