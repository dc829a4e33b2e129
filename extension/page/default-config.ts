import { PROBE_STATS_INTERVAL_MS, PROBE_TOKEN_WAIT_MS } from '../../src/policy/probe-config';
import type { ProbeConfig } from '../../src/protocol/page';

/**
 * The configuration the probe uses until the first `config` command arrives: equal to
 * `toProbeConfig(DEFAULT_CONFIG)` (src/policy/probe-config.ts; a unit test keeps them equal),
 * written out because importing DEFAULT_CONFIG would build the policy's zod schemas at
 * document_start. Protected `/api/v2/` requests, identity from `/api/v2/users/me`, stats every
 * second, silent token refresh on, 10 s wait for a token.
 */
export const DEFAULT_PROBE_CONFIG: ProbeConfig = {
  type: 'config',
  protectedRequestPatterns: ['*/api/v2/*'],
  identityRequestPattern: '*/api/v2/users/me',
  identityFields: { id: 'id', name: 'name', org: 'organization.id' },
  statsIntervalMs: PROBE_STATS_INTERVAL_MS,
  tokenRefresh: true,
  tokenWaitMs: PROBE_TOKEN_WAIT_MS,
};
