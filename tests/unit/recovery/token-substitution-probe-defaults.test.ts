import { describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_CONFIG, DEFAULT_PROBE_RETRY } from '../../../extension/page/default-config';
import { toProbeConfig, toProbeRetry } from '../../../src/policy/probe-config';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import { ConfigCommand } from '../../../src/protocol/page';

describe('the probe before its first config command', () => {
  it('protects, substitutes and waits exactly as the default configuration says', () => {
    expect(DEFAULT_PROBE_CONFIG).toEqual(toProbeConfig(DEFAULT_CONFIG));
    expect(ConfigCommand.safeParse(DEFAULT_PROBE_CONFIG).success).toBe(true);
  });

  it('retries with backoff exactly as the default configuration says', () => {
    expect(DEFAULT_PROBE_RETRY).toEqual(toProbeRetry(DEFAULT_CONFIG.retry));
    expect(DEFAULT_PROBE_CONFIG.retry).toBe(DEFAULT_PROBE_RETRY);
  });
});
