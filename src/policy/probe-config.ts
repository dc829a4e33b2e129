/**
 * The slice of the configuration the MAIN-world probe needs, as the `config` command of the
 * page protocol (src/protocol/page.ts `ConfigCommand`). Nothing secret goes to the page.
 */
import type { ProbeConfig } from '../protocol/page';
import type { Config } from './schema';

/** `getStats()` poll interval of connected peer connections, ms (DESIGN.md §2: 1 s). */
export const PROBE_STATS_INTERVAL_MS = 1000;
/** How long a 401'd request waits for a fresh token before the page gets the 401, ms. */
export const PROBE_TOKEN_WAIT_MS = 10_000;
/** The page protocol's cap on protected patterns (`ConfigCommand`). */
const MAX_PATTERNS = 64;

/**
 * Maps a resolved configuration to the probe's `config` command. The result always passes
 * `ConfigCommand` (patterns beyond 64 are dropped; `resolveConfig` already reports them).
 * `tokenRefresh` is true only for the strategies that produce a token of their own
 * (`cookie-endpoint`, `oauth-silent`): with `reload-when-idle` and `off`, 401s are reported only.
 */
export function toProbeConfig(config: Config): ProbeConfig {
  const { strategy } = config.tokenRefresh;
  return {
    type: 'config',
    protectedRequestPatterns: config.protectedRequestPatterns.slice(0, MAX_PATTERNS),
    identityRequestPattern: config.agentIdentity.requestPattern,
    identityFields: {
      id: config.agentIdentity.idField,
      name: config.agentIdentity.nameField,
      org: config.agentIdentity.orgField,
    },
    statsIntervalMs: PROBE_STATS_INTERVAL_MS,
    tokenRefresh: strategy === 'cookie-endpoint' || strategy === 'oauth-silent',
    tokenWaitMs: PROBE_TOKEN_WAIT_MS,
  };
}
