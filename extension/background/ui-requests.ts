/**
 * Answers extension pages (popup, options, diagnostics). Only the extension's own pages may
 * ask: content scripts and web pages are refused, and requests are schema-checked.
 */
import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import { UiRequestSchema } from '../../src/protocol/ui';
import type { ConfigResponse, EventsResponse, ExportResponse, SetUserConfigResponse, StateResponse } from '../../src/protocol/ui';
import { redactConfig } from '../../src/policy/redact-config';
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

type UiResponse = StateResponse | EventsResponse | ConfigResponse | SetUserConfigResponse | ExportResponse;

/**
 * runtime.onMessage listener. Returns a promise for messages it answers and `undefined`
 * for the rest, so other listeners may answer them (webextension-polyfill convention).
 */
export function handleUiMessage(message: unknown, sender: Runtime.MessageSender): Promise<UiResponse> | undefined {
  if (!fromExtensionPage(sender)) return undefined;
  const parsed = UiRequestSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const request = parsed.data;
  switch (request.type) {
    case 'get-state':
      return Promise.all([stateForUi(), unmonitoredTabs()]).then(([state, unmonitored]): StateResponse => ({
        ...state,
        configProblems: currentResolution().problems.length,
        unmonitoredTabs: unmonitored,
      }));
    case 'get-events':
      return Promise.all([recentEvents(request.limit, request.tabId), recentIncidents(200)]).then(
        ([events, incidents]): EventsResponse => ({ type: 'events', events, incidents }),
      );
    case 'get-config':
      return configAnswer();
    case 'set-user-config':
      return setUserConfig(request.userConfig);
    case 'reset-user-config':
      return resetUserConfig(request.keys);
    case 'get-export':
      return exportAnswer(request.format);
  }
}
