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

let managed: unknown = {};
let user: unknown = {};
/** Read generations per area: a slower, older read never overwrites a newer one. */
const generation = { managed: 0, user: 0 };

function resolveAndNotify(): void {
  current = resolveConfig({ managed, user });
  for (const fn of listeners) fn(current.config);
}

async function readArea(area: 'managed' | 'user'): Promise<void> {
  const mine = ++generation[area];
  let value: unknown;
  try {
    value =
      area === 'managed'
        ? await browser.storage.managed.get(null)
        : ((await browser.storage.local.get(USER_CONFIG_KEY))[USER_CONFIG_KEY] ?? {});
  } catch {
    // No policy (or managed storage unavailable on this platform): defaults and user settings apply.
    value = {};
  }
  if (mine !== generation[area]) return;
  if (area === 'managed') managed = value;
  else user = value;
  resolveAndNotify();
}

/**
 * (Re)reads both storage areas, each on its own: the user settings apply at once even while
 * the first managed-storage read is still blocked.
 */
export function reloadConfig(): Promise<void> {
  return Promise.all([readArea('managed'), readArea('user')]).then(() => undefined);
}

/** For storage.onChanged: re-resolve when policy or user settings changed. */
export function handleStorageChange(changes: Record<string, unknown>, area: string): void {
  if (area === 'managed') void readArea('managed');
  else if (area === 'local' && USER_CONFIG_KEY in changes) void readArea('user');
}

export { DEFAULT_CONFIG };
