/**
 * Messages between extension pages (popup, options, diagnostics) and the service worker,
 * over `runtime.sendMessage`. Only extension pages may send them: the worker checks
 * `sender.id` and that the sender has no tab URL outside the extension.
 */
import { z } from 'zod';
import type { Incident, SessionState } from '../session/types';
import { ConfigSchema } from '../policy/schema';
import type { ProfileName } from '../policy/schema';
import { CONFIG_KEYS } from '../policy/resolve';
import type { ConfigKey } from '../policy/resolve';
import type { UnmonitoredReason } from '../policy/host-access';

/** Every leaf key of the configuration (src/policy/resolve.ts), as a schema. */
const ConfigKeySchema = z.enum(CONFIG_KEYS as [ConfigKey, ...ConfigKey[]]);

export const UiRequestSchema = z.discriminatedUnion('type', [
  /** Current sessions, for the popup. */
  z.strictObject({ type: z.literal('get-state') }),
  /** Stored events, newest first, for export and diagnostics; `limit` ≤ 10,000. */
  z.strictObject({
    type: z.literal('get-events'),
    tabId: z.number().int().optional(),
    limit: z.number().int().positive().max(10_000),
  }),
  /** The effective configuration with the source of every value and its problems. */
  z.strictObject({ type: z.literal('get-config') }),
  /**
   * Replaces the user's settings (`storage.local` `userConfig`) after checking every value
   * as the resolution would under the policy in force; nothing is written when one fails.
   * Telemetry header values sent back as `[redacted]` keep their stored values.
   */
  z.strictObject({ type: z.literal('set-user-config'), userConfig: z.record(z.string(), z.unknown()) }),
  /** Removes these user values (reset to default); the rest stays as it is, unchecked. */
  z.strictObject({ type: z.literal('reset-user-config'), keys: z.array(ConfigKeySchema).max(CONFIG_KEYS.length) }),
  /**
   * The redacted diagnostics bundle (`bundle`, JSON, schema in docs/export-bundle.md) or the
   * short plain-text summary for a ticket (`summary`), built by the worker
   * (extension/background/export.ts). Answer: {@link ExportResponse}.
   */
  z.strictObject({ type: z.literal('get-export'), format: z.enum(['bundle', 'summary']) }),
]);
export type UiRequest = z.infer<typeof UiRequestSchema>;

/** A session as the popup shows it, with its recent incidents (newest first). */
export type SessionView = SessionState & { alive: boolean };

/** Answer to `get-state`. */
export interface StateResponse {
  type: 'state';
  /** Sessions of open tabs first, then ended ones still in the store; newest first. */
  sessions: SessionView[];
  /** Worst health across live sessions, or null when none is monitored. */
  worst: SessionState['health'] | null;
  /** Events in the store (approximate, for display). */
  storedEvents: number;
  now: number;
  /**
   * Configuration values not in force because they were invalid (`get-config` lists them);
   * absent or 0: none. The popup shows a notice with a link to the options page.
   */
  configProblems?: number;
  /**
   * Open tabs whose page matches `softphoneUrlPatterns` but that the extension may not run in
   * (src/policy/host-access.ts); absent or empty: none. The popup says so per tab.
   */
  unmonitoredTabs?: UnmonitoredTab[];
  /**
   * Where events are being kept (extension/background/event-store.ts); absent: IndexedDB as
   * usual. The popup shows a notice while it is `memory`.
   */
  store?: StoreStatus;
  /**
   * The profile in force when the extension cannot fetch a token (src/policy/profiles.ts
   * `cannotRefresh`); absent: it can. The popup's token incidents then say why no fresh token comes.
   */
  cannotRefresh?: ProfileName;
}

/**
 * Why the event store keeps events in memory: `quota` = the disk or the browser's quota is
 * full (writes refused with `QuotaExceededError` even after the oldest events were deleted);
 * `blocked` = another connection holds an older version of the database open and does not
 * close it; `unavailable` = the database cannot be opened (corrupt, or created by a newer
 * version of the extension).
 */
export type StoreFallbackReason = 'quota' | 'blocked' | 'unavailable';

/** The event store's state. In `memory` mode events are lost when the service worker stops. */
export interface StoreStatus {
  mode: 'indexeddb' | 'memory';
  /** Set in `memory` mode. */
  reason?: StoreFallbackReason;
  /** Epoch ms when the store fell back to memory. */
  since?: number;
  /** Events dropped because the memory buffer was full (oldest first), this worker life. */
  droppedEvents?: number;
  /** The browser's error that caused the fallback, `Name: message` (redacted, ≤ 200 characters), for support. */
  error?: string;
}

/** A softphone tab the browser does not let the extension monitor, and why. */
export interface UnmonitoredTab {
  tabId: number;
  /** The page's origin (`https://apps.example.com`). */
  origin: string;
  reason: UnmonitoredReason;
}

/** One stored event: a redacted observation or worker event, with its tab. */
export interface StoredEvent {
  seq?: number;
  tabId: number;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/** Answer to `get-export`: the file to save, already redacted. */
export interface ExportResponse {
  type: 'export';
  /** Suggested file name, e.g. `softphone-guard-2026-12-03T0612Z.json` / `.txt`. */
  filename: string;
  /** `application/json` (bundle) or `text/plain` (summary). */
  mime: 'application/json' | 'text/plain';
  /** The file's content. */
  text: string;
}

/** Answer to `get-events`. */
export interface EventsResponse {
  type: 'events';
  events: StoredEvent[];
  incidents: Incident[];
}

/** Where an effective value came from. */
export const ConfigSourceSchema = z.enum(['policy', 'user', 'default']);

/** A value that was not used, and why (src/policy/resolve.ts `ConfigProblem`). */
export const ConfigProblemSchema = z.object({
  key: z.string(),
  source: z.enum(['policy', 'user']),
  message: z.string(),
  /** The rejected value, redacted and size-bounded. */
  value: z.unknown(),
});

/** Answer to `get-config` and `reset-user-config`. */
export const ConfigResponseSchema = z.object({
  type: z.literal('config'),
  /** The configuration in force, redacted (telemetry header values, secrets in URLs). */
  config: ConfigSchema,
  /** For every leaf key: where its effective value came from. */
  sources: z.record(ConfigKeySchema, ConfigSourceSchema),
  problems: z.array(ConfigProblemSchema),
  /** The stored user settings as written (invalid values included), redacted likewise. */
  user: z.record(z.string(), z.unknown()),
  /**
   * False until managed storage (the policy) has been read once since the worker started:
   * that first read can take seconds, and the answer does not wait for it.
   */
  policyLoaded: z.boolean(),
});
export type ConfigResponse = z.infer<typeof ConfigResponseSchema>;

/** Why one user value was not saved (src/policy/user-config.ts `FieldError`). */
export const FieldErrorSchema = z.object({ key: z.string(), message: z.string() });

/** Answer to `set-user-config`: saved (with the new resolution), or nothing saved and why. */
export const SetUserConfigResponseSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user-config-saved'), config: ConfigResponseSchema }),
  z.object({ type: z.literal('user-config-invalid'), errors: z.array(FieldErrorSchema) }),
]);
export type SetUserConfigResponse = z.infer<typeof SetUserConfigResponseSchema>;
