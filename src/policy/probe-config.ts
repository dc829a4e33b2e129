/**
 * The slice of the configuration the MAIN-world probe needs, as the `config` command of the
 * page protocol (src/protocol/page.ts `ConfigCommand`). Nothing secret goes to the page.
 */
import { compileTokenAudience } from '../match/audience-match';
import type { ProbeConfig, ProbeRetry } from '../protocol/page';
import { MAX_RETRY_WAIT_MS } from '../recovery/backoff';
import { resolveTokenAudience } from '../recovery/token-audience';
import type { Config } from './schema';
import { toTokenCarriers } from '../recovery/token-carriers';

/** `getStats()` poll interval of connected peer connections, ms (docs/architecture.md §2: 1 s). */
export const PROBE_STATS_INTERVAL_MS = 1000;
/** How long a 401'd request waits for a fresh token before the page gets the 401, ms. */
export const PROBE_TOKEN_WAIT_MS = 10_000;
/** The page protocol's cap on protected patterns (`ConfigCommand`). */
const MAX_PATTERNS = 64;
/** The page protocol's bounds on `retry` (`ProbeRetrySchema`): attempts, statuses listed. */
export const PROBE_MAX_RETRY_ATTEMPTS = 10;
const MAX_RETRY_STATUSES = 32;

/**
 * `config.retry` as the probe takes it, within the page protocol's bounds: delays at most
 * 120 s (no wait may pass {@link MAX_RETRY_WAIT_MS} anyway, src/recovery/backoff.ts), at most
 * {@link PROBE_MAX_RETRY_ATTEMPTS} retries, statuses deduplicated (first 32 kept).
 */
export function toProbeRetry(retry: Config['retry']): ProbeRetry {
  const ms = (v: number): number => Math.min(Math.max(0, Math.floor(v)), MAX_RETRY_WAIT_MS);
  return {
    baseDelayMs: ms(retry.baseDelayMs),
    maxDelayMs: ms(retry.maxDelayMs),
    maxAttempts: Math.min(Math.max(0, Math.floor(retry.maxAttempts)), PROBE_MAX_RETRY_ATTEMPTS),
    statuses: [...new Set(retry.statuses)].filter((s) => Number.isInteger(s) && s >= 100 && s <= 599).slice(0, MAX_RETRY_STATUSES),
  };
}

/**
 * Maps a resolved configuration to the probe's `config` command. The result always passes
 * `ConfigCommand` (patterns beyond 64 are dropped; `resolveConfig` already reports them).
 * `tokenRefresh` is true only for the strategies that produce a token of their own
 * (`cookie-endpoint`, `oauth-silent`): with `reload-when-idle` and `off`, 401s are reported only.
 * `retry` is `config.retry` within the protocol's bounds ({@link toProbeRetry}).
 * `tokenCarriers` is `config.tokenCarriers` as the probe reads it (already checked by resolution).
 * `tokenAudience` is the document's resolved token audience
 * (src/recovery/token-audience.ts `resolveTokenAudience`), present when `documentOrigin` is
 * given: the worker resolves it per relay link, from the origin its port's sender named.
 * `tokenAudienceMatch` is that audience compiled for the probe (src/match/audience-match.ts), so
 * the page tests origins without parsing patterns.
 * @param documentOrigin the monitored document's origin (never from a message)
 */
export function toProbeConfig(config: Config, documentOrigin?: string): ProbeConfig {
  const { strategy } = config.tokenRefresh;
  const audience = documentOrigin === undefined ? undefined : resolveTokenAudience(config.tokenRefresh, documentOrigin);
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
    retry: toProbeRetry(config.retry),
    tokenCarriers: toTokenCarriers(config.tokenCarriers),
    ...(audience === undefined ? {} : { tokenAudience: audience, tokenAudienceMatch: compileTokenAudience(audience) }),
  };
}
