import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_FLAG_MS,
  authRows,
  cardView,
  mediaRows,
  sessionSubtitle,
  sessionTitle,
  signallingRows,
  workersRow,
  type Row,
} from '../../../src/format/session-card';
import fc from 'fast-check';
import { sessionKey } from '../../../src/session/session-key';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';
import { NOW, incident, session } from './fixtures';

/** Rows as `label: value [! warn]` lines, to compare at a glance. */
const lines = (rows: Row[]) => rows.map((r) => `${r.label}: ${r.value}${r.warn ? ` [! ${r.warn}]` : ''}`);

describe('sessionTitle and sessionSubtitle', () => {
  it('name the agent, organisation and page host', () => {
    const s = session();
    expect(sessionTitle(s, t)).toBe('Dana Reyes');
    expect(sessionSubtitle(s, t)).toBe('Org org-42 · apps.mypurecloud.com');
  });
  it('fall back to the user id, then to the tab', () => {
    expect(sessionTitle(session({ agent: { userId: 'u-9' } }), t)).toBe('Agent u-9');
    expect(sessionTitle(session({ agent: undefined, tabId: 12 }), t)).toBe('Unknown agent (tab 12)');
    expect(sessionSubtitle(session({ agent: undefined, href: undefined }), t)).toBe('');
    expect(sessionSubtitle(session({ agent: undefined }), t)).toBe('apps.mypurecloud.com');
  });
});

describe('signallingRows', () => {
  it('flags silence at the built-in heartbeat timeout', () => {
    expect(HEARTBEAT_FLAG_MS).toBe(DEFAULT_CONFIG.watchdog.heartbeatTimeoutMs);
  });

  it('shows an open socket with its heartbeat age', () => {
    expect(lines(signallingRows({ state: 'open', openSockets: 2, lastMessageAt: NOW - 4_300 }, NOW, t))).toEqual([
      'WebSocket: Open',
      'Open sockets: 2',
      'Last close: None',
      'Heartbeat age: 4 s',
    ]);
  });

  it('flags an abnormal close and shows its reason and when', () => {
    const rows = signallingRows(
      {
        state: 'closed',
        openSockets: 0,
        lastClose: { at: NOW - 12_000, code: 1006, reason: 'Connection lost', wasClean: false },
        lastMessageAt: NOW - 40_000,
      },
      NOW,
      t,
    );
    expect(lines(rows)).toEqual([
      'WebSocket: Closed',
      'Open sockets: 0',
      'Last close: 1006, abnormal · 12 s ago [! Closed abnormally]',
      'Close reason: Connection lost',
      // Not flagged: the socket is closed, the close row already says so.
      'Heartbeat age: 40 s',
    ]);
  });

  it('shows a clean close without a flag', () => {
    const rows = signallingRows(
      { state: 'closed', openSockets: 0, lastClose: { at: NOW - 2_000, code: 1000, reason: '', wasClean: true } },
      NOW,
      t,
    );
    expect(lines(rows)).toEqual(['WebSocket: Closed', 'Open sockets: 0', 'Last close: 1000, clean · 2 s ago']);
  });

  it('flags an open socket that has been silent too long', () => {
    const rows = signallingRows({ state: 'open', openSockets: 1, lastMessageAt: NOW - HEARTBEAT_FLAG_MS - 1000 }, NOW, t);
    expect(rows.at(-1)).toEqual({
      key: 'heartbeat',
      label: 'Heartbeat age',
      value: '31 s',
      warn: 'No message for over 30 s',
    });
  });

  it('leaves out the heartbeat age of an ended session', () => {
    const rows = signallingRows({ state: 'open', openSockets: 1, lastMessageAt: NOW - 4_300 }, NOW, t, false);
    expect(rows.map((r) => r.key)).toEqual(['state', 'open', 'close']);
  });

  it('says when no socket was seen and when an open one has had no message', () => {
    expect(lines(signallingRows({ state: 'none', openSockets: 0 }, NOW, t))).toEqual([
      'WebSocket: Not seen yet',
      'Open sockets: 0',
      'Last close: None',
    ]);
    expect(lines(signallingRows({ state: 'open', openSockets: 1 }, NOW, t)).at(-1)).toBe('Heartbeat age: No message yet');
  });
});

describe('mediaRows', () => {
  it('shows a good call with units and no flags', () => {
    expect(
      lines(
        mediaRows(
          {
            iceConnectionState: 'connected',
            connectionState: 'connected',
            rttMs: 85,
            jitterMs: 3.24,
            packetLossPct: 0.2,
            mos: 4.36,
            inboundAudioBytes: 1_530_000,
            micPermission: 'granted',
          },
          t,
        ),
      ),
    ).toEqual([
      'ICE connection: connected',
      'Connection: connected',
      'Round-trip time: 85 ms',
      'Jitter: 3.2 ms',
      'Packet loss: 0.2 %',
      'MOS: 4.4',
      'Audio received: 1.5 MB',
      'Microphone: Allowed',
    ]);
  });

  it('flags values over the Twilio thresholds, a failed connection and a blocked microphone', () => {
    expect(
      lines(
        mediaRows(
          {
            iceConnectionState: 'disconnected',
            connectionState: 'failed',
            rttMs: 612,
            jitterMs: 48,
            packetLossPct: 4.5,
            mos: 2.41,
            micPermission: 'denied',
            lastGumError: 'NotAllowedError',
          },
          t,
        ),
      ),
    ).toEqual([
      'ICE connection: disconnected [! Connection problem]',
      'Connection: failed [! Connection problem]',
      'Round-trip time: 612 ms [! Above 400 ms]',
      'Jitter: 48 ms [! Above 30 ms]',
      'Packet loss: 4.5 % [! Above 1 %]',
      'MOS: 2.4 [! Below 3.0]',
      'Microphone: Blocked [! Microphone blocked]',
      'Microphone error: NotAllowedError',
    ]);
  });

  it('shows a session without a call yet', () => {
    expect(lines(mediaRows({ rttMs: null }, t))).toEqual([
      'ICE connection: No call yet',
      'Connection: No call yet',
      'Round-trip time: —',
      'Jitter: —',
      'Packet loss: —',
      'MOS: —',
      'Microphone: —',
    ]);
  });
});

describe('authRows', () => {
  it('shows the last 401 with its path, the refresh outcome, expiry and counts', () => {
    expect(
      lines(
        authRows(
          {
            last401At: NOW - 125_000,
            last401Url: 'https://api.mypurecloud.com/api/v2/communications/webRTC?access_token=[redacted]',
            lastRefreshAt: NOW - 124_000,
            lastRefreshOutcome: 'ok',
            tokenExpiresAt: NOW + 8 * 60_000 + 20_000,
            refreshCount: 3,
            retries: 5,
            retriesRecovered: 4,
          },
          NOW,
          t,
        ),
      ),
    ).toEqual([
      'Last 401: 2 min ago',
      '401 endpoint: /api/v2/communications/webRTC',
      'Last token refresh: 2 min ago — ok',
      'Token expires: in 8 min',
      'Token refreshes: 3',
      'Retried requests: 4 of 5 recovered',
    ]);
  });

  it('flags a failed refresh with its error and shows an expired token', () => {
    expect(
      lines(
        authRows(
          {
            lastRefreshAt: NOW - 5_000,
            lastRefreshOutcome: 'failed',
            lastRefreshError: 'HTTP 500',
            tokenExpiresAt: NOW - 60_000,
            refreshCount: 1,
            retries: 0,
            retriesRecovered: 0,
          },
          NOW,
          t,
        ),
      ),
    ).toEqual([
      'Last 401: None',
      'Last token refresh: 5 s ago — failed · HTTP 500 [! Refresh failed]',
      'Token expires: Expired 1 min ago',
      'Token refreshes: 1',
      'Retried requests: 0 of 0 recovered',
    ]);
  });

  it('says the expiry is unknown when no token lifetime was seen', () => {
    const rows = authRows({ refreshCount: 0, retries: 0, retriesRecovered: 0 }, NOW, t);
    expect(rows.find((r) => r.key === 'expiry')?.value).toBe('Unknown');
  });
});

describe('cardView', () => {
  it('builds the whole card, incidents newest first', () => {
    const card = cardView(
      session({
        health: 'degraded',
        healthReason: 'High jitter on the call.',
        media: { statsAt: NOW - 1_000, connectionState: 'connected', jitterMs: 48 },
        incidents: [
          incident(1, 50_000, { resolvedAt: NOW - 49_000 }),
          incident(3, 2_000, { resolvedAt: NOW - 1_000 }),
          incident(2, 20_000, { resolvedAt: NOW - 19_000 }),
        ],
      }),
      NOW,
      t,
    );
    expect(card.key).toBe('7');
    expect(card.title).toBe('Dana Reyes');
    expect(card.pillLabel).toBe('Degraded');
    // The sentence is derived from the state (src/format/agent-sentence.ts), not the worker's English.
    expect(card.reason).toBe('Poor call quality (Jitter 48 ms); the network path is the cause; monitoring.');
    expect(card.reasonKey).toBe('degraded:problem_poorQuality+action_monitoring');
    expect(card.incidents.map((i) => i.id)).toEqual(['7:3', '7:2', '7:1']);
  });

  it('labels an ended session "Ended" whatever its last health', () => {
    const card = cardView(session({ alive: false, health: 'down' }), NOW, t);
    expect(card.alive).toBe(false);
    expect(card.pillLabel).toBe('Ended');
    expect(card.health).toBe('down');
  });
});

describe('frames and workers on the card', () => {
  const embedded = { frameId: 11, embedderOrigin: 'https://crm.test' };

  it('the subtitle of an embedded softphone names the page embedding it', () => {
    expect(sessionSubtitle(session({ embedded }), t)).toBe('Org org-42 · apps.mypurecloud.com · in a frame of crm.test');
    expect(sessionSubtitle(session({ agent: undefined, embedded: { frameId: 11, embedderOrigin: 'https://crm.test:8443' } }), t)).toBe(
      'apps.mypurecloud.com · in a frame of crm.test:8443',
    );
    // The embedder unknown: nothing made up.
    expect(sessionSubtitle(session({ embedded: { frameId: 11 } }), t)).toBe('Org org-42 · apps.mypurecloud.com');
  });

  it('the title of an embedded unknown agent names the real tab, never the negative key', () => {
    const key = sessionKey(2038424493, 11)!;
    expect(key).toBeLessThan(0);
    expect(sessionTitle(session({ agent: undefined, tabId: key, embedded }), t)).toBe('Unknown agent (tab 2038424493)');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 22 - 1 }), (tabId, frameId) => {
        const title = sessionTitle(session({ agent: undefined, tabId: sessionKey(tabId, frameId)! }), t);
        expect(title).toBe(`Unknown agent (tab ${tabId})`);
        expect(title).not.toContain('-');
      }),
    );
    // A known agent is named whatever the key.
    expect(sessionTitle(session({ tabId: key }), t)).toBe('Dana Reyes');
  });

  it('workersRow: none without workers; kinds and names, each once, in order', () => {
    expect(workersRow(undefined, t)).toBeNull();
    expect(workersRow([], t)).toBeNull();
    const row = workersRow(
      [
        { kind: 'shared-worker', url: 'https://apps.mypurecloud.com/sw.js', name: 'lab-softphone', at: NOW - 5_000 },
        { kind: 'worker', url: 'https://apps.mypurecloud.com/w.js', at: NOW - 4_000 },
        { kind: 'shared-worker', url: 'https://apps.mypurecloud.com/sw2.js', name: 'lab-softphone', at: NOW - 3_000 },
        { kind: 'worker', url: 'https://apps.mypurecloud.com/w2.js', at: NOW - 2_000 },
      ],
      t,
    );
    expect(row).toEqual({ key: 'workers', label: 'Workers', value: 'SharedWorker lab-softphone · Worker' });
  });

  it('the card lists the workers after the signalling rows, and shows the real tab in its title', () => {
    const workers = [{ kind: 'shared-worker' as const, url: 'https://apps.mypurecloud.com/sw.js', name: 'lab-softphone', at: NOW - 5_000 }];
    const key = sessionKey(42, 7)!;
    const card = cardView(session({ workers, agent: undefined, tabId: key, embedded }), NOW, t);
    expect(card.signalling.at(-1)).toEqual({ key: 'workers', label: 'Workers', value: 'SharedWorker lab-softphone' });
    expect(card.title).toBe('Unknown agent (tab 42)');
    expect(card.subtitle).toBe('apps.mypurecloud.com · in a frame of crm.test');
    expect(cardView(session(), NOW, t).signalling.some((r) => r.key === 'workers')).toBe(false);
  });
});
