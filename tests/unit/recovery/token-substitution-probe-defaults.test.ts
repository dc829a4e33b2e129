import { describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_CONFIG } from '../../../extension/page/default-config';
import { toProbeConfig } from '../../../src/policy/probe-config';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import { ConfigCommand } from '../../../src/protocol/page';

describe('the probe before its first config command', () => {
  it('protects, substitutes and waits exactly as the default configuration says', () => {
    expect(DEFAULT_PROBE_CONFIG).toEqual(toProbeConfig(DEFAULT_CONFIG));
    expect(ConfigCommand.safeParse(DEFAULT_PROBE_CONFIG).success).toBe(true);
  });
});
