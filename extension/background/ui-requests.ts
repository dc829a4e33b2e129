/**
 * Answers extension pages (popup, options, diagnostics): one handler per request type
 * (src/protocol/ui-protocol.ts `UiHandlers`, so each must resolve to its request's reply).
 * Only the extension's own pages may ask: content scripts and web pages are refused, and
 * requests are schema-checked.
 */
import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import type { ConfigResponse, SetUserConfigResponse } from '../../src/protocol/ui';
import { answerUiRequest } from '../../src/protocol/ui-dispatch';
import type { UiHandlers, UiReplies, UiRequestType } from '../../src/protocol/ui-protocol';
import { redactConfig } from '../../src/policy/redact-config';
import { cannotRefresh } from '../../src/policy/profiles';
import { checkUserConfig, redactUserConfig, removeUserKeys, restoreRedacted } from '../../src/policy/user-config';
import { stateForUi } from './session-hub';
import { recentEvents, recentIncidents } from './event-store';
import { unmonitoredTabs } from './host-access';
import { exportAnswer } from './export';
import { currentInputs, currentResolution, policyLoaded, readStoredUserConfig, userConfigLoaded, writeUserConfig } from './config-source';

/**
 * Longest wait for the first read of the user settings after the worker started, ms
 * (storage.local answers in a few ms; the policy read is never waited for, docs/architecture.md §7).
 */
const USER_READ_WAIT_MS = 1000;

function fromExtensionPage(sender: Runtime.MessageSender): boolean {
  const own = browser.runtime.getURL('');
  return sender.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(own);
}

async function configAnswer(): Promise<ConfigResponse> {
  await Promise.race([userConfigLoaded(), new Promise((resolve) => setTimeout(resolve, USER_READ_WAIT_MS))]);
  const r = currentResolution();
  return {
    type: 'config',
    config: redactConfig(r.config),
    sources: r.sources,
    problems: r.problems,
    user: redactUserConfig(currentInputs().user),
    policyLoaded: policyLoaded(),
  };
}

async function setUserConfig(userConfig: Record<string, unknown>): Promise<SetUserConfigResponse> {
  const candidate = restoreRedacted(userConfig, await readStoredUserConfig());
  const check = checkUserConfig(candidate, currentInputs().managed);
  if (!check.ok) return { type: 'user-config-invalid', errors: check.errors };
  await writeUserConfig(check.value);
  return { type: 'user-config-saved', config: await configAnswer() };
}

async function resetUserConfig(keys: readonly string[]): Promise<ConfigResponse> {
  await writeUserConfig(removeUserKeys(await readStoredUserConfig(), keys));
  return configAnswer();
}

const HANDLERS: UiHandlers = {
  'get-state': async () => {
    const [state, unmonitored] = await Promise.all([stateForUi(), unmonitoredTabs()]);
    const { config, problems } = currentResolution();
    return { ...state, configProblems: problems.length, unmonitoredTabs: unmonitored, cannotRefresh: cannotRefresh(config) };
  },
  'get-events': async ({ limit, tabId }) => {
    const [events, incidents] = await Promise.all([recentEvents(limit, tabId), recentIncidents(200)]);
    return { type: 'events', events, incidents };
  },
  'get-config': configAnswer,
  'set-user-config': ({ userConfig }) => setUserConfig(userConfig),
  'reset-user-config': ({ keys }) => resetUserConfig(keys),
  'get-export': ({ format }) => exportAnswer(format),
};

/**
 * runtime.onMessage listener. Returns a promise for messages it answers and `undefined`
 * for the rest (other senders, malformed requests), so other listeners may answer them
 * (webextension-polyfill convention).
 */
export function handleUiMessage(message: unknown, sender: Runtime.MessageSender): Promise<UiReplies[UiRequestType]> | undefined {
  if (!fromExtensionPage(sender)) return undefined;
  return answerUiRequest(HANDLERS, message);
}
