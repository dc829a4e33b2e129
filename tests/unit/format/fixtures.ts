/** Sessions and incidents for the format tests. */
import type { SessionView } from '../../../src/protocol/ui';
import type { Incident } from '../../../src/session/types';

/** A fixed present: 2024-06-07 21:00:00 UTC (Fri 16:00 CT, the seed-001 publish time). */
export const NOW = Date.UTC(2024, 5, 7, 21, 0, 0);

/** A healthy live session with nothing notable, overridable per test. */
export function session(overrides: Partial<SessionView> = {}): SessionView {
  return {
    tabId: 7,
    href: 'https://apps.mypurecloud.com/directory/#/softphone',
    agent: { userId: 'u-1', name: 'Dana Reyes', orgId: 'org-42' },
    health: 'healthy',
    healthReason: 'All good.',
    signalling: { state: 'open', openSockets: 1, lastMessageAt: NOW - 4_000 },
    media: {},
    auth: { refreshCount: 0, retries: 0, retriesRecovered: 0 },
    incidents: [],
    sockets: {},
    refreshInFlight: false,
    nextIncidentSeq: 1,
    startedAt: NOW - 3_600_000,
    updatedAt: NOW - 1_000,
    alive: true,
    ...overrides,
  };
}

/** An incident opened `agoMs` before {@link NOW}. */
export function incident(seq: number, agoMs: number, overrides: Partial<Incident> = {}): Incident {
  return {
    id: `7:${seq}`,
    tabId: 7,
    kind: 'unauthorized',
    openedAt: NOW - agoMs,
    summary: `Incident ${seq}`,
    detail: {},
    steps: [],
    ...overrides,
  };
}
