/**
 * Prevention (docs/architecture.md §3), wired to the browser: refresh tokens ahead of the configured risk
 * windows and ahead of a known token expiry, and keep softphone tabs from being discarded.
 *
 * One `chrome.alarms` alarm holds the next preventive refresh (alarms survive worker restarts;
 * packed builds clamp them to ≥ 30 s ahead, unpacked ones do not — docs/architecture.md §6). Its name
 * carries the reason, so the run that wakes for it needs no other state. The pure schedule is
 * `nextPreventiveRefreshAt` (src/prevention/risk-windows.ts). When the alarm fires, each
 * identity of the connected softphone tabs (refresh endpoint plus agent, ./token-broker.ts
 * `tokenKey`) gets one fresh token through the token broker's single flight, every tab of
 * that identity gets it as a `token` command without requestId, and each of their sessions
 * records a `refresh-ahead` event for the popup
 * ("Refreshed ahead of Mon 06:00 America/Chicago"); then the next alarm is set.
 *
 * Token expiries the broker learns (never the tokens) are kept in `storage.session` under
 * {@link TOKEN_TIMES_KEY}, so a restarted worker still refreshes ahead of them.
 */
import browser from 'webextension-polyfill';
import type { Alarms } from 'webextension-polyfill';
import { invalidWindows, nextPreventiveRefreshAt, preventiveNote } from '../../src/prevention/risk-windows';
import type { PreventiveReason, PreventiveRefresh } from '../../src/prevention/risk-windows';
import type { Config } from '../../src/policy/schema';
import { currentConfig } from './config-source';
import { ingest } from './session-hub';
import { onTokenObtained, refreshAhead } from './token-broker';
import type { FreshToken, TokenIdentity, TokenScope, TokenTimes } from './token-broker';
import { warn } from './log';

/** Alarm names start with this; the rest is the JSON of the {@link PreventiveReason}. */
export const PREVENTION_ALARM_PREFIX = 'sg-prevent:';
/** `storage.session` key: `{ [tokenKey]: TokenTimes }` — when tokens expire, never tokens. */
export const TOKEN_TIMES_KEY = 'preventionTokenTimes';
/**
 * Preventive runs are at least this far apart, ms: the packed-build alarm minimum, so an
 * unpacked build behaves as production does and a failing refresh endpoint is not hammered.
 */
export const MIN_RUN_SPACING_MS = 30_000;
/** How long a run waits for relays to reconnect to a worker the alarm just woke, ms. */
const RELAY_WAIT_MS = 3000;

/** What the module needs from the relay ports (passed in to keep the import graph acyclic). */
export interface PreventionPorts {
  /** Resolves once the stored configuration has been read. */
  configLoaded: Promise<unknown>;
  /** The token identities of the connected tabs (key: ./token-broker.ts `tokenKey`), with an origin and the tabs of each. */
  connectedIdentities(): Map<string, { scope: TokenScope; identity: TokenIdentity | undefined; tabs: number[] }>;
  /** Pushes a token to the connected tabs of one identity; returns those tabs. */
  pushToken(key: string, token: FreshToken): number[];
}

let ports: PreventionPorts | null = null;
let lastRunAt = -Infinity;
let tokenTimes: Promise<Record<string, TokenTimes>> | null = null;
let queue: Promise<void> = Promise.resolve();

const obtainsTokens = (config: Config): boolean =>
  config.tokenRefresh.strategy === 'cookie-endpoint' || config.tokenRefresh.strategy === 'oauth-silent';

function loadTokenTimes(): Promise<Record<string, TokenTimes>> {
  tokenTimes ??= browser.storage.session
    .get(TOKEN_TIMES_KEY)
    .then((r) => (r[TOKEN_TIMES_KEY] as Record<string, TokenTimes> | undefined) ?? {})
    .catch(() => ({}));
  return tokenTimes;
}

/** Remembers (or, with `null` or no expiry, forgets) when an identity's token expires. */
async function recordTokenTimes(key: string, times: TokenTimes | null): Promise<void> {
  const now = Date.now();
  const kept: Record<string, TokenTimes> = {};
  for (const [k, t] of Object.entries(await loadTokenTimes())) if (t.expiresAt !== undefined && t.expiresAt > now) kept[k] = t;
  if (times?.expiresAt !== undefined) kept[key] = times;
  else delete kept[key];
  tokenTimes = Promise.resolve(kept);
  await browser.storage.session.set({ [TOKEN_TIMES_KEY]: kept }).catch(() => undefined);
}

/** The earliest preventive refresh over the risk windows and every known token expiry. */
async function plan(config: Config, now: number): Promise<PreventiveRefresh | null> {
  const refreshAheadSeconds = config.tokenRefresh.refreshAheadSeconds;
  let best = nextPreventiveRefreshAt({ windows: config.riskWindows, refreshAheadSeconds, now });
  for (const t of Object.values(await loadTokenTimes())) {
    const next = nextPreventiveRefreshAt({
      windows: [],
      refreshAheadSeconds,
      now,
      tokenObtainedAt: t.obtainedAt,
      ...(t.expiresAt !== undefined ? { tokenExpiresAt: t.expiresAt } : {}),
    });
    if (next && (!best || next.at < best.at)) best = next;
  }
  return best;
}

async function reschedule(): Promise<void> {
  if (!ports) return;
  await ports.configLoaded;
  const config = currentConfig();
  const now = Date.now();
  const next = obtainsTokens(config) ? await plan(config, now) : null;
  const name = next ? PREVENTION_ALARM_PREFIX + JSON.stringify(next.reason) : null;
  for (const alarm of await browser.alarms.getAll()) {
    if (alarm.name.startsWith(PREVENTION_ALARM_PREFIX) && alarm.name !== name) await browser.alarms.clear(alarm.name);
  }
  if (!next || !name) return;
  const bad = invalidWindows(config.riskWindows);
  if (bad.length > 0) warn('riskWindows with an unknown timeZone are ignored', bad.join(', '));
  await browser.alarms.create(name, { when: Math.max(next.at, lastRunAt + MIN_RUN_SPACING_MS) });
}

/**
 * Sets (or replaces) the alarm for the next preventive refresh. Calls are serialized; never
 * rejects. Call after configuration changes and after each run.
 */
export function schedulePrevention(): Promise<void> {
  queue = queue.then(reschedule).catch((error: unknown) => {
    warn('prevention not scheduled', error);
  });
  return queue;
}

function parseReason(alarmName: string): PreventiveReason | null {
  try {
    const r = JSON.parse(alarmName.slice(PREVENTION_ALARM_PREFIX.length)) as Partial<PreventiveReason> | null;
    if (r?.kind === 'risk-window' && typeof r.label === 'string' && typeof r.windowStart === 'number' && typeof r.index === 'number') {
      return { kind: 'risk-window', index: r.index, windowStart: r.windowStart, label: r.label.slice(0, 120) };
    }
    if (r?.kind === 'token-expiry' && typeof r.expiresAt === 'number') return { kind: 'token-expiry', expiresAt: r.expiresAt };
  } catch {
    // Not one of ours after all.
  }
  return null;
}

async function connectedSoon(p: PreventionPorts): Promise<ReturnType<PreventionPorts['connectedIdentities']>> {
  const until = Date.now() + RELAY_WAIT_MS;
  let identities = p.connectedIdentities();
  while (identities.size === 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    identities = p.connectedIdentities();
  }
  return identities;
}

/**
 * One preventive run: a fresh token per identity of the connected softphone tabs, pushed to
 * all the tabs of that identity and recorded on their sessions. Never rejects.
 */
async function runPrevention(reason: PreventiveReason): Promise<void> {
  const p = ports;
  if (!p) return;
  await p.configLoaded;
  const config = currentConfig();
  if (!obtainsTokens(config)) return;
  lastRunAt = Date.now();
  for (const [key, { scope, identity, tabs: known }] of await connectedSoon(p)) {
    const outcome = await refreshAhead(config, scope, identity);
    // A failing refresh is not retried ahead of that expiry again (it would be, every
    // MIN_RUN_SPACING_MS until the token expires): the 401 path (rung 2) takes over from here.
    if (!outcome.ok) await recordTokenTimes(key, null);
    const at = Date.now();
    const tabs = outcome.ok ? p.pushToken(key, outcome.token) : known;
    for (const tabId of tabs) {
      void ingest(
        tabId,
        outcome.ok
          ? {
              type: 'refresh-ahead',
              at,
              outcome: 'ok',
              note: preventiveNote(reason),
              ...(outcome.token.expiresAt !== undefined ? { expiresAt: outcome.token.expiresAt } : {}),
            }
          : { type: 'refresh-ahead', at, outcome: 'failed', note: preventiveNote(reason, false), error: outcome.error },
      );
    }
  }
}

/** alarms.onAlarm listener: runs the preventive refresh the alarm stands for, then reschedules. */
export function handlePreventionAlarm(alarm: Alarms.Alarm): void {
  if (!alarm.name.startsWith(PREVENTION_ALARM_PREFIX)) return;
  const reason = parseReason(alarm.name);
  void (reason ? runPrevention(reason) : Promise.resolve())
    .catch((error: unknown) => {
      warn('preventive refresh failed', error);
    })
    .then(() => schedulePrevention());
}

/**
 * Keeps a monitored tab from being discarded by the browser under memory pressure (a
 * discarded softphone tab drops its calls and sockets): `chrome.tabs.update` with
 * `autoDiscardable: false` (Chrome 54+; no permission needed). The flag stays for the life of
 * the tab, also if it later navigates away from the softphone.
 */
export function keepTabLoaded(tabId: number): void {
  void browser.tabs.update(tabId, { autoDiscardable: false }).catch(() => undefined);
}

/**
 * Starts prevention: remembers token expiries the broker learns and keeps the alarm set.
 * Call once at the top of the worker; register {@link handlePreventionAlarm} there too.
 */
export function startPrevention(p: PreventionPorts): void {
  ports = p;
  onTokenObtained((key, times) => {
    void recordTokenTimes(key, times).then(() => schedulePrevention());
  });
  void schedulePrevention();
}
