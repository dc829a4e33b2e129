/**
 * The effective configuration, kept as an in-memory snapshot (pixiebrix managedStorage
 * pattern): defaults are in force at once, then managed storage (enterprise policy) and the
 * user's settings (`storage.local`, key {@link USER_CONFIG_KEY}) are read and resolved by the
 * pure `resolveConfig`. Re-read whenever either area changes. Never blocks a caller: the
 * first `storage.managed.get()` after start can take seconds (DESIGN.md §7).
 */
import browser from 'webextension-polyfill';
import { DEFAULT_CONFIG } from '../../src/policy/schema';
import type { Config } from '../../src/policy/schema';
import { resolveConfig } from '../../src/policy/resolve';
import type { ResolvedConfig } from '../../src/policy/resolve';

/** Key in `storage.local` under which user settings (a PartialConfig) live. */
export const USER_CONFIG_KEY = 'userConfig';

let current: ResolvedConfig = resolveConfig({ managed: {}, user: {} });
const listeners = new Set<(config: Config) => void>();
let loading: Promise<void> | null = null;

/** The configuration in force now (defaults until storage has been read). */
export function currentConfig(): Config {
  return current.config;
}

/** The full resolution: config, where each value came from, and problems found. */
export function currentResolution(): ResolvedConfig {
  return current;
}

/** Calls `fn` with the new configuration after every change. */
export function onConfigChange(fn: (config: Config) => void): void {
  listeners.add(fn);
}

async function readManaged(): Promise<unknown> {
  try {
    return await browser.storage.managed.get(null);
  } catch {
    // No policy, or managed storage unavailable on this platform: defaults and user settings apply.
    return {};
  }
}

/** (Re)reads both storage areas and notifies listeners. Concurrent calls share one read. */
export function reloadConfig(): Promise<void> {
  loading ??= (async () => {
    try {
      const [managed, local] = await Promise.all([readManaged(), browser.storage.local.get(USER_CONFIG_KEY)]);
      current = resolveConfig({ managed, user: local[USER_CONFIG_KEY] ?? {} });
      for (const fn of listeners) fn(current.config);
    } finally {
      loading = null;
    }
  })();
  return loading;
}

/** For storage.onChanged: re-resolve when policy or user settings changed. */
export function handleStorageChange(changes: Record<string, unknown>, area: string): void {
  if (area === 'managed' || (area === 'local' && USER_CONFIG_KEY in changes)) void reloadConfig();
}

export { DEFAULT_CONFIG };
