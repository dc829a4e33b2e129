/**
 * A publish storm (seeds 000/001) run through the real reducer, and the inputs the worker
 * would gather for an export after it: sessions, incidents, stored events, configuration.
 */
import type { SessionView, StoredEvent } from '../../../src/protocol/ui';
import type { SessionEvent } from '../../../src/session/reducer';
import type { Incident } from '../../../src/session/types';
import type { BundleInputs } from '../../../src/export/build-bundle';
import { resolveConfig } from '../../../src/policy/resolve';
import { ev, run, s, TAB } from '../session/fixtures';

/** The storm's events: identity, a call with stats, the 1006, the 401 and its recovery. */
export function stormEvents(): SessionEvent[] {
  return [
    ev.hello(s(0)),
    ev.identity(s(1), 'agent-1', 'org-a'),
    ev.wsOpen(s(2)),
    ev.pcState(s(3), 'connected', 'connected'),
    ev.pcStats(s(4), 1000, { rttMs: 40, jitterMs: 3, packetLossPct: 0, mos: 4.3 }),
    ev.pcStats(s(9), 5000, { rttMs: 60, jitterMs: 5, packetLossPct: 0.5, mos: 4.2 }),
    ev.pcStats(s(14), 9000, { rttMs: 500, jitterMs: 40, packetLossPct: 4, mos: null }),
    ev.wsClose(s(20), 1006, false),
    ev.http(s(20.5), 401, '/api/v2/communications/webRTC', { protected: true, hiddenFromPage: true }),
    ev.tokenNeeded(s(20.5), '/api/v2/communications/webRTC'),
    ev.refreshStarted(s(20.6)),
    ev.refreshSucceeded(s(21), s(621)),
    ev.httpRetry(s(21.2), 'recovered', '/api/v2/communications/webRTC'),
    ev.wsOpen(s(23), 's2'),
    ev.tick(s(24)),
  ];
}

/** The incidents the run opened or updated, latest version of each. */
function incidentsOf(events: readonly SessionEvent[]): { session: SessionView; incidents: Incident[] } {
  const r = run(events);
  const byId = new Map<string, Incident>();
  for (const e of r.effects) if (e.type === 'incident-opened' || e.type === 'incident-updated') byId.set(e.incident.id, e.incident);
  return { session: { ...r.state, alive: true }, incidents: [...byId.values()] };
}

/** Stored events as the worker keeps them (ticks and activity are not stored). */
function stored(events: readonly SessionEvent[]): StoredEvent[] {
  return events
    .filter((e) => e.type !== 'tick' && e.type !== 'ws-activity')
    .map((e, i) => {
      const { type, at, ...data } = e as { type: string; at: number } & Record<string, unknown>;
      return { seq: i + 1, tabId: TAB, at, type, data };
    });
}

/** Export inputs after the storm, with `retry.maxAttempts` and the risk windows set by policy. */
export function stormInputs(overrides: Partial<BundleInputs> = {}): BundleInputs {
  const events = stormEvents();
  const { session, incidents } = incidentsOf(events);
  const storedEvents = stored(events);
  return {
    now: s(30),
    extensionVersion: '0.1.0',
    browser: {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      brands: [
        { brand: 'Chromium', version: '156.0.7778.0' },
        { brand: 'Not_A Brand', version: '24.0.0.0' },
      ],
      platform: 'Linux',
    },
    timeZone: 'America/Chicago',
    resolution: resolveConfig({
      managed: {
        retry: { maxAttempts: 3 },
        telemetry: {
          otlpEndpoint: 'https://otel.example.com/v1/logs?api_key=sk_live_policy_secret',
          headers: { 'x-api-key': 'hdr-secret-123' },
        },
      },
      user: {},
    }),
    policyLoaded: true,
    sessions: [session],
    incidents,
    incidentsStored: incidents.length,
    incidentsLimit: 2000,
    events: storedEvents,
    eventsStored: storedEvents.length,
    eventsLimit: 20_000,
    ...overrides,
  };
}
