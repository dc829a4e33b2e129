/**
 * Every piece of English text the popup shows, in one place so it can move to `_locales`
 * without touching components or formatters. {@link FORMAT_STRINGS} is the table the pure
 * formatters in `src/format` take; {@link POPUP_STRINGS} is the popup's own text.
 */
import type { FormatStrings } from '../../src/format/strings';
import type { HostAccessStrings } from '../../src/format/host-access';

/** Text for `src/format` (units, health labels, row labels, incident and step sentences). */
export const FORMAT_STRINGS: FormatStrings = {
  locale: 'en',
  notAvailable: '—',
  units: { ms: 'ms', s: 's', min: 'min', h: 'h', d: 'd', percent: '%', bytes: 'B', kB: 'kB', MB: 'MB', GB: 'GB' },
  justNow: 'just now',
  ago: (d) => `${d} ago`,
  inFuture: (d) => `in ${d}`,
  health: { healthy: 'Healthy', degraded: 'Degraded', recovering: 'Recovering', down: 'Down' },
  ended: 'Ended',
  agentById: (id) => `Agent ${id}`,
  unknownAgent: (tabId) => `Unknown agent (tab ${tabId})`,
  org: (id) => `Org ${id}`,
  orgSwitch: {
    switched: (from, to, time) => `Switched organisation ${from} → ${to} at ${time}`,
    closed: (sockets, socketsText, calls, callsText, from) => {
      const parts: string[] = [];
      if (sockets > 0) parts.push(`${socketsText} ${sockets === 1 ? 'socket' : 'sockets'}`);
      if (calls > 0) parts.push(`${callsText} call ${calls === 1 ? 'connection' : 'connections'}`);
      return parts.length === 0
        ? `nothing of ${from} was left open`
        : `closed ${parts.join(' and ')} of ${from} before the new sign-in`;
    },
    sentence: (switched, closed) => `${switched}; ${closed}.`,
    unnamed: 'an unnamed organisation',
  },
  signalling: {
    socket: 'WebSocket',
    socketState: { none: 'Not seen yet', open: 'Open', closed: 'Closed' },
    openSockets: 'Open sockets',
    lastClose: 'Last close',
    closeCode: (code, kind) => `${code}, ${kind}`,
    clean: 'clean',
    abnormal: 'abnormal',
    closeReason: 'Close reason',
    none: 'None',
    heartbeatAge: 'Heartbeat age',
    noMessageYet: 'No message yet',
    heartbeatLate: (limit) => `No message for over ${limit}`,
    abnormalWarning: 'Closed abnormally',
  },
  media: {
    ice: 'ICE connection',
    connection: 'Connection',
    noPeerConnection: 'No call yet',
    rtt: 'Round-trip time',
    jitter: 'Jitter',
    loss: 'Packet loss',
    mos: 'MOS',
    audioReceived: 'Audio received',
    mic: 'Microphone',
    micState: { granted: 'Allowed', denied: 'Blocked', prompt: 'Will ask' },
    micError: 'Microphone error',
    above: (limit) => `Above ${limit}`,
    below: (limit) => `Below ${limit}`,
    badState: 'Connection problem',
    micDenied: 'Microphone blocked',
  },
  auth: {
    last401: 'Last 401',
    endpoint: '401 endpoint',
    lastRefresh: 'Last token refresh',
    refreshOutcome: (when, outcome) => `${when} — ${outcome}`,
    outcome: { ok: 'ok', failed: 'failed' },
    tokenExpiry: 'Token expires',
    expired: (when) => `Expired ${when}`,
    unknown: 'Unknown',
    refreshCount: 'Token refreshes',
    retries: 'Retried requests',
    retriesRecovered: (recovered, total) => `${recovered} of ${total} recovered`,
    none: 'None',
    refreshFailedWarning: 'Refresh failed',
  },
  incident: {
    open: 'Open',
    resolved: 'Resolved',
    openFor: (d) => `Open for ${d}`,
    resolvedAfter: (d) => `Resolved after ${d}`,
    repeated: (n) => `Seen ${n} times`,
    kind: {
      'abnormal-close': 'WebSocket closed abnormally',
      'signalling-stalled': 'Signalling socket silent',
      unauthorized: 'Request rejected as unauthorized (401)',
      'rate-limited': 'Rate limited (429)',
      'request-timeout': 'Request timed out (408)',
      'server-error': 'Server error',
      'ice-failed': 'Call connection failed',
      'permission-lost': 'Microphone permission lost',
      'track-ended': 'Microphone stopped',
    },
  },
  step: {
    action: {
      'token-refresh': 'Fetched a fresh token',
      'request-retry': 'Retried the request',
      'app-reconnected': 'The softphone reconnected by itself',
      'stall-close': 'Closed the silent socket so the softphone reconnects',
      'safe-reload': 'Safe reload',
      'mic-grant': 'Allowed the microphone for the softphone again',
      'media-reacquire': 'Re-acquired the microphone',
      none: 'No action needed',
    },
    outcome: {
      'token-refresh': { pending: 'in progress', ok: 'ok', failed: 'failed' },
      'request-retry': { pending: 'in progress', ok: 'page saw success', failed: 'still failing' },
      'app-reconnected': { pending: 'waiting', ok: 'ok', failed: 'did not happen in time' },
      'stall-close': { pending: 'in progress', ok: 'done', failed: 'not done' },
      'safe-reload': { pending: 'waiting', ok: 'done', failed: 'not done' },
      'mic-grant': { pending: 'in progress', ok: 'done', failed: 'not done' },
      'media-reacquire': { pending: 'in progress', ok: 'microphone works', failed: 'failed' },
      none: { pending: 'watching', ok: 'cleared on its own', failed: 'still failing' },
    },
    sentence: (action, outcome) => `${action} — ${outcome}`,
    after: (d) => `after ${d}`,
  },
  summary: {
    watching: (n, count, worst) => `Watching ${count} softphone ${n === 1 ? 'tab' : 'tabs'}. Worst: ${worst}.`,
    storedEvents: (n, count) => `${count} ${n === 1 ? 'event' : 'events'} stored`,
  },
};

/** The popup's own text: headings, empty and loading states, controls. */
export const POPUP_STRINGS = {
  title: 'Softphone Guard',
  looking: 'Looking for softphone tabs…',
  empty: 'No softphone tab is being watched. Open your softphone; Softphone Guard starts watching it automatically.',
  noAnswer: 'The background service has not answered yet; retrying.',
  stale: (age: string) => `Not updated for ${age}: the background service is not answering.`,
  broken: 'This state could not be shown.',
  sessionsLabel: 'Watched softphone tabs',
  endedSessions: (n: number) => `Ended sessions (${n})`,
  sections: {
    signalling: 'Signalling',
    media: 'Media',
    auth: 'Auth',
    incidents: 'Recent incidents',
  },
  noIncidents: 'None',
  showMore: (n: number) => `${n} more`,
  showFewer: 'Show fewer',
  whatWasDone: 'What Softphone Guard did',
  /** Screen-reader label of the health pill's icon. */
  healthIcon: (label: string) => `Health: ${label}`,
  /** Screen-reader prefix of a warning icon next to a value. */
  warning: (why: string) => `Warning: ${why}`,
  /** Notice when configuration values are not in force (extension/popup/components/config-notice.tsx). */
  configProblems: (n: number) =>
    n === 1
      ? 'A configuration value is invalid and not applied.'
      : `${n} configuration values are invalid and not applied.`,
  openSettings: 'Open settings',
} as const;

/** Cards for softphone tabs the browser keeps the extension out of (src/format/host-access.ts). */
export const HOST_ACCESS_STRINGS: HostAccessStrings = {
  notMonitored: 'Not monitored',
  tabs: (n) => `${n} tabs`,
  reason: {
    'blocked-by-policy': (origin) =>
      `Softphone Guard is blocked on ${origin} by your browser policy (runtime_blocked_hosts); ask IT to allow it.`,
    'no-host-access': (origin) =>
      `Softphone Guard is not allowed on ${origin}: its site access is limited in the browser's extension settings; allow it on this site, or ask IT.`,
  },
  status: (n) =>
    n === 1 ? 'A softphone tab is open, but the browser does not let Softphone Guard watch it.' : `${n} softphone sites are open, but the browser does not let Softphone Guard watch them.`,
};
