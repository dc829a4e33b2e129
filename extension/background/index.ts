/**
 * Service worker entry: registrations only (listeners are registered synchronously at top
 * level so Chrome can wake the worker for them); the modules hold the implementations.
 */
import browser from 'webextension-polyfill';
import { handleConnect, broadcastConfig, connectedIdentities, pushToken, startRelayPorts } from './relay-ports';
import { handleUiMessage } from './ui-requests';
import { currentConfig, handleStorageChange, onConfigChange, reloadConfig } from './config-source';
import { endTabSessions, onSessionUpdate, tickAll } from './session-hub';
import { considerSafeReload } from './safe-reload';
import { considerMediaRecovery } from './media-recovery';
import { considerStalledSockets } from './signalling-watchdog';
import { observeWebRequests } from './web-request-observer';
import { startMaintenance, handleAlarm, reconcileTabs } from './maintenance';
import { handlePreventionAlarm, schedulePrevention, startPrevention } from './prevention';
import { handleConfigChange, handleInstalled, startContentScripts } from './content-scripts';
import { observeTabs } from './host-access';
import { applyTelemetryConfig, handleTelemetrySession, startTelemetry } from './telemetry';
import { handleTelemetryAlarm } from './telemetry-sender';
import { considerUpdate, handleUpdateAvailable, reattachAfterUpdate, resumePendingUpdate } from './update-apply';

browser.runtime.onConnect.addListener(handleConnect);
browser.runtime.onMessage.addListener(handleUiMessage);
browser.storage.onChanged.addListener(handleStorageChange);
browser.tabs.onRemoved.addListener((tabId) => void endTabSessions(tabId, Date.now()));
chrome.runtime.onInstalled.addListener(handleInstalled);
browser.runtime.onUpdateAvailable.addListener(handleUpdateAvailable);
browser.alarms.onAlarm.addListener(handleAlarm);
browser.alarms.onAlarm.addListener(handlePreventionAlarm);
browser.alarms.onAlarm.addListener(handleTelemetryAlarm);
observeWebRequests();
observeTabs();

onConfigChange(broadcastConfig);
onConfigChange(handleConfigChange);
onConfigChange(() => void schedulePrevention());
onSessionUpdate((session, at) => void considerSafeReload(session, at));
onSessionUpdate((session, at) => void considerMediaRecovery(session, at));
onSessionUpdate((session, at) => void considerStalledSockets(session, at));
onConfigChange(applyTelemetryConfig);
onSessionUpdate((session) => handleTelemetrySession(session));
onSessionUpdate((_session, at) => void considerUpdate(at));
const configLoaded = reloadConfig();
startRelayPorts({ configLoaded });
startContentScripts({ configLoaded });
startPrevention({ configLoaded, connectedIdentities: () => connectedIdentities(currentConfig()), pushToken });
startTelemetry({ configLoaded });
void reconcileTabs();
void reattachAfterUpdate({ configLoaded });
void resumePendingUpdate();
startMaintenance(tickAll);
