/**
 * The options page's requests to the service worker (src/protocol/ui-protocol.ts):
 * `get-config`, `set-user-config`, `reset-user-config`. Answers are schema-checked. Never
 * throws: a worker that is starting, restarting or not answering gives null.
 */
import type { ConfigKey } from '../../src/policy/resolve';
import type { ConfigResponse, SetUserConfigResponse } from '../../src/protocol/ui';
import { replyOrNull } from '../../src/protocol/ui-protocol';
import { uiRequest } from '../shared/ui-request';

/** How long `get-config` may take before the page treats it as unanswered, ms. */
export const CONFIG_TIMEOUT_MS = 1500;
/** How long a write may take (storage write plus re-resolution), ms. */
export const WRITE_TIMEOUT_MS = 5000;

/** The effective configuration with sources and problems, or null when there was no answer. */
export async function requestConfig(): Promise<ConfigResponse | null> {
  return replyOrNull(await uiRequest('get-config', {}, { timeoutMs: CONFIG_TIMEOUT_MS }));
}

/** Replaces the user settings; null when there was no answer (then nothing is known to be saved). */
export async function saveUserConfig(userConfig: Record<string, unknown>): Promise<SetUserConfigResponse | null> {
  return replyOrNull(await uiRequest('set-user-config', { userConfig }, { timeoutMs: WRITE_TIMEOUT_MS }));
}

/** Removes user values (reset to default); the new configuration, or null when there was no answer. */
export async function resetUserValues(keys: ConfigKey[]): Promise<ConfigResponse | null> {
  return replyOrNull(await uiRequest('reset-user-config', { keys }, { timeoutMs: WRITE_TIMEOUT_MS }));
}
