/**
 * The worker's side of the relay ports: one port per monitored top-level document.
 * The tab comes from `port.sender`, never from a message. On connect the worker pushes the
 * probe configuration (and the latest fresh token for that origin, if any) and marks the tab
 * not auto-discardable (./prevention.ts); observations go to the session hub; `token-needed`
 * goes to the token broker and its answer back to the tab.
 */
import type { Runtime } from 'webextension-polyfill';
import { RELAY_PORT_NAME, RelayToWorkerSchema } from '../../src/protocol/port';
import type { WorkerToRelay } from '../../src/protocol/port';
import type { PageCommand, PageObservation } from '../../src/protocol/page';
import { toProbeConfig } from '../../src/policy/probe-config';
import { currentConfig } from './config-source';
import { ingest } from './session-hub';
import { notePageHttp } from './web-request-observer';
import { latestToken, obtainFreshToken } from './token-broker';
import type { FreshToken } from './token-broker';
import { keepTabLoaded } from './prevention';

interface Link {
  port: Runtime.Port;
  tabId: number;
  origin: string;
  /** The document's URL from `port.sender` (never from a message). */
  url: string;
  incognito: boolean;
}

const links = new Map<number, Link>();

function send(link: Link, cmd: PageCommand): void {
  try {
    link.port.postMessage({ type: 'cmd', cmd } satisfies WorkerToRelay);
  } catch {
    // The document went away; its port's onDisconnect cleans up.
  }
}

/** Pushes the current probe configuration to every connected tab. */
export function broadcastConfig(): void {
  const cmd = toProbeConfig(currentConfig());
  for (const link of links.values()) send(link, cmd);
}

async function onTokenNeeded(link: Link, obs: Extract<PageObservation, { type: 'token-needed' }>): Promise<void> {
  const config = currentConfig();
  let waited = false;
  const outcome = await obtainFreshToken(config, link.origin, obs.tokenHash, () => {
    waited = true;
    void ingest(link.tabId, { type: 'refresh-started', at: Date.now() });
  });
  if (!outcome.ok) {
    void ingest(link.tabId, { type: 'refresh-failed', at: Date.now(), error: outcome.error, signInRequired: outcome.signInRequired });
    send(link, { type: 'token-failed', requestId: obs.requestId, reason: outcome.error.slice(0, 256) });
    return;
  }
  const { token } = outcome;
  if (waited) {
    void ingest(link.tabId, {
      type: 'refresh-succeeded',
      at: Date.now(),
      ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    });
  }
  const expiresAt = token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {};
  send(link, { type: 'token', requestId: obs.requestId, accessToken: token.accessToken, ...expiresAt });
  if (outcome.refreshed) {
    // Other tabs of the same softphone learn the token before their own requests fail.
    for (const other of links.values()) {
      if (other !== link && other.origin === link.origin) send(other, { type: 'token', accessToken: token.accessToken, ...expiresAt });
    }
  }
}

/** runtime.onConnect listener. */
export function handleConnect(port: Runtime.Port): void {
  if (port.name !== RELAY_PORT_NAME) return;
  const tab = port.sender?.tab;
  const url = port.sender?.url ?? tab?.url;
  if (tab?.id === undefined || !url || (port.sender?.frameId ?? 0) !== 0) {
    port.disconnect();
    return;
  }
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    port.disconnect();
    return;
  }
  const link: Link = { port, tabId: tab.id, origin, url, incognito: tab.incognito };
  links.set(tab.id, link);
  keepTabLoaded(tab.id);
  port.onDisconnect.addListener(() => {
    if (links.get(link.tabId) === link) links.delete(link.tabId);
  });
  port.onMessage.addListener((raw: unknown) => {
    const parsed = RelayToWorkerSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'relay-hello') return;
    const obs = message.obs;
    if (obs.type === 'http') notePageHttp(link.tabId, obs);
    void ingest(link.tabId, obs);
    if (obs.type === 'token-needed') void onTokenNeeded(link, obs);
  });
  send(link, toProbeConfig(currentConfig()));
  const token = latestToken(currentConfig(), origin);
  if (token) send(link, { type: 'token', accessToken: token.accessToken, ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}) });
}

/** Page origins with a connected relay now, each with its tabs. */
export function connectedOrigins(): Map<string, number[]> {
  const byOrigin = new Map<string, number[]>();
  for (const link of links.values()) byOrigin.set(link.origin, [...(byOrigin.get(link.origin) ?? []), link.tabId]);
  return byOrigin;
}

/**
 * Pushes a token to every connected tab of `origin` as a `token` command without requestId.
 * @returns the tabs it was sent to
 */
export function pushToken(origin: string, token: FreshToken): number[] {
  const cmd: PageCommand = { type: 'token', accessToken: token.accessToken, ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}) };
  const tabs: number[] = [];
  for (const link of links.values()) {
    if (link.origin !== origin) continue;
    send(link, cmd);
    tabs.push(link.tabId);
  }
  return tabs;
}

/**
 * The connected document of a tab as its port's sender named it (never a message): origin,
 * URL and whether the tab is incognito; undefined when no relay of the tab is connected.
 */
export function relayLink(tabId: number): { origin: string; url: string; incognito: boolean } | undefined {
  const link = links.get(tabId);
  return link && { origin: link.origin, url: link.url, incognito: link.incognito };
}

/**
 * Sends a command to the probe of a tab.
 * @returns false when no relay of the tab is connected
 */
export function commandTab(tabId: number, cmd: PageCommand): boolean {
  const link = links.get(tabId);
  if (!link) return false;
  send(link, cmd);
  return true;
}

/** Tabs with a connected relay now. */
export function connectedTabs(): number[] {
  return [...links.keys()];
}
