/**
 * The effective configuration, kept as an in-memory snapshot (pixiebrix managedStorage
 * pattern): defaults are in force at once, then managed storage (enterprise policy) and the
 * user's settings (`storage.local`, key {@link USER_CONFIG_KEY}) are read and resolved by the
 * pure `resolveConfig`. Re-read whenever either area changes. Never blocks a caller: the
 * first `storage.managed.get()` after start can take seconds (docs/architecture.md §7).
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
/** Whether each area has been read once since the worker started. */
const loaded = { managed: false, user: false };
let userLoaded: () => void = () => undefined;
const firstUserRead = new Promise<void>((resolve) => {
  userLoaded = resolve;
});

/** The raw inputs of the current resolution: policy and user settings as read. */
export function currentInputs(): { managed: unknown; user: unknown } {
  return { managed, user };
}

/** True once managed storage (the policy) has been read since the worker started. */
export function policyLoaded(): boolean {
  return loaded.managed;
}

/**
 * Resolves once the user settings have been read since the worker started (storage.local
 * answers at once; managed storage is never waited for here).
 */
export function userConfigLoaded(): Promise<void> {
  return firstUserRead;
}

/** Re-reads the user settings now and resolves when the new resolution is in force. */
export function reloadUserConfig(): Promise<void> {
  return readArea('user');
}

function resolveAndNotify(): void {
  current = resolveConfig({ managed, user });
  for (const fn of listeners) {
    // One failing listener must not keep the others from the new configuration.
    try {
      fn(current.config);
    } catch {
      // the listener's own module reports its failures
    }
  }
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
  loaded[area] = true;
  resolveAndNotify();
  if (area === 'user') userLoaded();
}

/**
 * (Re)reads both storage areas, each on its own: the user settings apply at once even while
 * the first managed-storage read is still blocked.
 */
export function reloadConfig(): Promise<void> {
  return Promise.all([readArea('managed'), readArea('user')]).then(() => undefined);
}

/** What `storage.local` holds under {@link USER_CONFIG_KEY} now (undefined when nothing). */
export async function readStoredUserConfig(): Promise<unknown> {
  return (await browser.storage.local.get(USER_CONFIG_KEY))[USER_CONFIG_KEY];
}

/**
 * Writes the user settings (already checked by the caller) and resolves once the new
 * resolution is in force. Rejects when storage refuses the write.
 */
export async function writeUserConfig(value: Record<string, unknown>): Promise<void> {
  await browser.storage.local.set({ [USER_CONFIG_KEY]: value });
  await reloadUserConfig();
}

/** For storage.onChanged: re-resolve when policy or user settings changed. */
export function handleStorageChange(changes: Record<string, unknown>, area: string): void {
  if (area === 'managed') void readArea('managed');
  else if (area === 'local' && USER_CONFIG_KEY in changes) void readArea('user');
}

export { DEFAULT_CONFIG };
