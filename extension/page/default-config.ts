import { PROBE_STATS_INTERVAL_MS, PROBE_TOKEN_WAIT_MS } from '../../src/policy/probe-config';
import type { ProbeConfig, ProbeRetry } from '../../src/protocol/page';
import { DEFAULT_TOKEN_CARRIERS } from '../../src/recovery/token-carriers';

/**
 * Retry settings the probe applies when a `config` command carries none (an older worker):
 * `toProbeRetry(DEFAULT_CONFIG.retry)`, kept equal by the same unit test.
 */
export const DEFAULT_PROBE_RETRY: ProbeRetry = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 4, statuses: [408, 429, 503] };

/**
 * The configuration the probe uses until the first `config` command arrives: equal to
 * `toProbeConfig(DEFAULT_CONFIG)` (src/policy/probe-config.ts; a unit test keeps them equal),
 * written out because importing DEFAULT_CONFIG would build the policy's zod schemas at
 * document_start. Protected `/api/v2/` requests, identity from `/api/v2/users/me`, stats every
 * second, silent token refresh on, 10 s wait for a token, retry with full-jitter backoff
 * (base 1 s, cap 30 s, 4 retries) on 408/429/503 (docs/architecture.md §3 rung 1), tokens in the
 * `Authorization: Bearer` header and the `access_token` query parameter.
 */
export const DEFAULT_PROBE_CONFIG: ProbeConfig = {
  type: 'config',
  protectedRequestPatterns: ['*/api/v2/*'],
  identityRequestPattern: '*/api/v2/users/me',
  identityFields: { id: 'id', name: 'name', org: 'organization.id' },
  statsIntervalMs: PROBE_STATS_INTERVAL_MS,
  tokenRefresh: true,
  tokenWaitMs: PROBE_TOKEN_WAIT_MS,
  retry: DEFAULT_PROBE_RETRY,
  tokenCarriers: DEFAULT_TOKEN_CARRIERS.map((c) => ({ ...c })),
};
