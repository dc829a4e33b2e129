/**
 * The options page's requests to the service worker (src/protocol/ui.ts): `get-config`,
 * `set-user-config`, `reset-user-config`. Answers are schema-checked. Never throws: a worker
 * that is starting, restarting or not answering gives null.
 */
import browser from 'webextension-polyfill';
import { ConfigResponseSchema, SetUserConfigResponseSchema } from '../../src/protocol/ui';
import type { ConfigKey } from '../../src/policy/resolve';
import type { ConfigResponse, SetUserConfigResponse, UiRequest } from '../../src/protocol/ui';
import type { z } from 'zod';

/** How long `get-config` may take before the page treats it as unanswered, ms. */
export const CONFIG_TIMEOUT_MS = 1500;
/** How long a write may take (storage write plus re-resolution), ms. */
export const WRITE_TIMEOUT_MS = 5000;

async function ask<T>(request: UiRequest, schema: z.ZodType<T>, timeoutMs: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const answer = await Promise.race([
      browser.runtime.sendMessage(request).then(
        (value: unknown) => value,
        () => null,
      ),
      timeout,
    ]);
    const parsed = schema.safeParse(answer);
    return parsed.success ? parsed.data : null;
  } finally {
    clearTimeout(timer);
  }
}

/** The effective configuration with sources and problems, or null when there was no answer. */
export function requestConfig(): Promise<ConfigResponse | null> {
  return ask({ type: 'get-config' }, ConfigResponseSchema, CONFIG_TIMEOUT_MS);
}

/** Replaces the user settings; null when there was no answer (then nothing is known to be saved). */
export function saveUserConfig(userConfig: Record<string, unknown>): Promise<SetUserConfigResponse | null> {
  return ask({ type: 'set-user-config', userConfig }, SetUserConfigResponseSchema, WRITE_TIMEOUT_MS);
}

/** Removes user values (reset to default); the new configuration, or null when there was no answer. */
export function resetUserValues(keys: ConfigKey[]): Promise<ConfigResponse | null> {
  return ask({ type: 'reset-user-config', keys }, ConfigResponseSchema, WRITE_TIMEOUT_MS);
}
