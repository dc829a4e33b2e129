/**
 * Fleet telemetry (docs/telemetry.md): when `telemetry.otlpEndpoint` is set, incidents and
 * their recovery steps become OTLP log records and session health and call quality OTLP
 * metrics, delivered to an OpenTelemetry Collector over OTLP/HTTP.
 *
 * Wiring only: what to export is decided in src/telemetry/ (pure), the SDK is set up in
 * telemetry-sdk.ts, the outbox persisted in telemetry-store.ts and sent by
 * telemetry-sender.ts. {@link handleTelemetrySession} runs inside the session hub's update
 * loop: it is synchronous, never throws and never waits, so recovery never waits on telemetry.
 */
import type { Config } from '../../src/policy/schema';
import type { SessionState } from '../../src/session/types';
import { incidentLogRecords } from '../../src/telemetry/incident-logs';
import { newQualitySample } from '../../src/telemetry/session-metrics';
import { resourceAttributes } from '../../src/telemetry/resource';
import { enqueue } from '../../src/telemetry/outbox';
import { currentConfig } from './config-source';
import { sessionOf } from './session-hub';
import { warn } from './log';
import { createTelemetrySdk } from './telemetry-sdk';
import type { TelemetrySdk } from './telemetry-sdk';
import { readTelemetryEnvironment } from './telemetry-environment';
import { clearTelemetryStore, currentOutbox, cursorOf, cursorTabs, loadTelemetryStore, setCursor, updateOutbox } from './telemetry-store';
import { kickTelemetry, setTelemetryTarget } from './telemetry-sender';

/** Latest state per tab, as the hub last reported it while telemetry is on (the health gauge reads it). */
const latest = new Map<number, SessionState>();
/** `media.statsAt` already recorded per tab (quality histograms take each sample once). */
const lastStatsAt = new Map<number, number>();

let configLoaded = false;
let storeLoaded = false;
let sdk: TelemetrySdk | null = null;
let sdkInterval = 0;
/** The collector in use, to notice a change of endpoint. */
let endpointInUse: string | null = null;
/** Bumped on every (re)start or stop: an SDK built for an older configuration is discarded. */
let generation = 0;

/**
 * Starts telemetry once the configuration and the outbox of a previous worker life are read.
 * Until the configuration is known, a missing endpoint does not count as "off" (the outbox of
 * a previous life is kept, not cleared).
 */
export function startTelemetry(opts: { configLoaded: Promise<void> }): void {
  void loadTelemetryStore().then(() => {
    storeLoaded = true;
    applyTelemetryConfig(currentConfig());
  });
  void opts.configLoaded.then(() => {
    configLoaded = true;
    applyTelemetryConfig(currentConfig());
  });
}

/** For `onConfigChange`: turns telemetry on, retargets it, or turns it off (and empties its outbox). */
export function applyTelemetryConfig(config: Config): void {
  try {
    const t = config.telemetry;
    if (!t.otlpEndpoint) {
      if (configLoaded && storeLoaded) stop();
      return;
    }
    if (!storeLoaded) return;
    if (endpointInUse !== null && endpointInUse !== t.otlpEndpoint) {
      // A Retry-After or backoff was the old collector's; the new one is tried at once.
      updateOutbox((outbox) => ({ ...outbox, attempt: 0, notBefore: 0 }));
    }
    endpointInUse = t.otlpEndpoint;
    setTelemetryTarget({ endpoint: t.otlpEndpoint, headers: { ...t.headers } });
    const intervalMs = t.exportIntervalSeconds * 1000;
    if (sdk && sdkInterval === intervalMs) return;
    void start(intervalMs);
  } catch (error) {
    warn('telemetry configuration not applied', error);
  }
}

async function start(intervalMs: number): Promise<void> {
  const mine = ++generation;
  const old = sdk;
  sdk = null;
  try {
    await old?.shutdown();
    const env = await readTelemetryEnvironment();
    if (mine !== generation) return;
    sdkInterval = intervalMs;
    sdk = createSdk(env, intervalMs);
    for (const s of latest.values()) exportSession(s);
  } catch (error) {
    warn('telemetry could not start', error);
  }
}

function createSdk(env: Awaited<ReturnType<typeof readTelemetryEnvironment>>, intervalMs: number): TelemetrySdk {
  return createTelemetrySdk({
    resource: resourceAttributes(env),
    version: env.extensionVersion,
    exportIntervalMs: intervalMs,
    liveSessions,
    losses: () => currentOutbox(),
    enqueue: (signal, body, items) => {
      updateOutbox((outbox) => enqueue(outbox, { signal, body, items }, Date.now()));
      kickTelemetry();
    },
  });
}

function stop(): void {
  const outbox = currentOutbox();
  if (!sdk && endpointInUse === null && outbox.entries.length === 0 && cursorTabs().length === 0) return;
  const mine = ++generation;
  endpointInUse = null;
  const old = sdk;
  sdk = null;
  sdkInterval = 0;
  setTelemetryTarget(null);
  latest.clear();
  lastStatsAt.clear();
  // Shut down first (its last collection lands in the outbox), then forget everything —
  // unless telemetry was turned on again meanwhile.
  void (old?.shutdown() ?? Promise.resolve()).then(() => {
    if (mine === generation) clearTelemetryStore();
  });
}

/** Live sessions for the health gauge; forgets tabs whose session ended or is gone. */
function liveSessions(): SessionState[] {
  const live: SessionState[] = [];
  for (const tabId of latest.keys()) {
    const now = sessionOf(tabId);
    if (!now || now.endedAt !== undefined) {
      latest.delete(tabId);
      lastStatsAt.delete(tabId);
      continue;
    }
    live.push(now);
  }
  for (const tabId of cursorTabs()) if (!sessionOf(tabId)) setCursor(tabId, undefined);
  return live;
}

/** For `onSessionUpdate`: turns what changed into log records and quality samples. Synchronous, never throws. */
export function handleTelemetrySession(session: SessionState): void {
  // Off: nothing at all. Turned on later, the hub's next tick (every 2 s) brings each live state.
  if (!currentConfig().telemetry.otlpEndpoint) return;
  if (latest.get(session.tabId) === session) return;
  latest.set(session.tabId, session);
  if (sdk) exportSession(session);
}

function exportSession(session: SessionState): void {
  const active = sdk;
  if (!active) return;
  try {
    const before = cursorOf(session.tabId);
    const { records, cursor } = incidentLogRecords(session, before);
    for (const r of records) active.emit(r);
    if (records.length > 0 || Object.keys(cursor).length !== Object.keys(before).length) setCursor(session.tabId, cursor);
    const sample = newQualitySample(session, lastStatsAt.get(session.tabId));
    if (sample && session.media.statsAt !== undefined) {
      lastStatsAt.set(session.tabId, session.media.statsAt);
      active.recordQuality(sample);
    }
  } catch (error) {
    warn('telemetry skipped a session update', error);
  }
}
