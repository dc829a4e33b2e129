/**
 * Every piece of English text the diagnostics page shows, in one place so it can move to
 * `_locales` without touching components or the pure timeline code. {@link TIMELINE_STRINGS}
 * is the table `src/diagnostics/timeline-*.ts` takes (it shares the popup's
 * {@link FORMAT_STRINGS} for units, incidents and recovery steps, so both say the same thing
 * the same way); {@link DIAGNOSTICS_STRINGS} is the page's own text.
 */
import type { TimelineStrings } from '../../src/diagnostics/timeline-strings';
import type { ChartMetric } from '../../src/diagnostics/chart-thresholds';
import { FORMAT_STRINGS } from '../popup/strings';
import { sessionPlace } from '../../src/session/session-key';

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** How a socket's credentials were refused, as the timeline names it. */
const SOCKET_REFUSALS = {
  'sasl-failure': 'SASL failure',
  message: 'error message',
  close: 'close',
  upgrade: 'HTTP 401 on the upgrade',
} as const;

/** Text for `src/diagnostics`. */
export const TIMELINE_STRINGS: TimelineStrings = {
  format: FORMAT_STRINGS,
  category: {
    incident: 'Incidents',
    recovery: 'Recovery steps',
    signalling: 'WebSocket and heartbeat',
    http: 'HTTP requests',
    auth: 'Authorization (401, tokens)',
    media: 'ICE and call connection',
    quality: 'Call quality samples',
    device: 'Microphone and devices',
    session: 'Page, agent and organisation',
    other: 'Other',
  },
  severity: { error: 'Error', warning: 'Warning', info: 'Info' },
  separator: ' · ',
  session: {
    hello: 'Softphone page loaded, monitoring started',
    probeVersion: (v) => `probe ${v}`,
    identity: (name, userId) => (name === userId ? `Agent identified: ${userId}` : `Agent identified: ${name} (${userId})`),
    orgSwitch: (from, to) => `Organisation switched ${from} → ${to}`,
    orgSwitchClosed: (sockets, calls) =>
      `closed ${plural(sockets, 'socket', 'sockets')} and ${plural(calls, 'call connection', 'call connections')} of the old organisation`,
  },
  signalling: {
    open: (path) => `WebSocket opened: ${path}`,
    close: (code, meaning) => `WebSocket closed: ${code} ${meaning}`,
    codeMeaning: {
      1000: 'Normal closure',
      1001: 'Going away',
      1002: 'Protocol error',
      1003: 'Unsupported data',
      1005: 'No status received',
      1006: 'Abnormal closure (connection lost without a close frame)',
      1007: 'Invalid payload data',
      1008: 'Policy violation',
      1009: 'Message too big',
      1010: 'Mandatory extension missing',
      1011: 'Internal server error',
      1012: 'Service restart',
      1013: 'Try again later',
      1014: 'Bad gateway',
      1015: 'TLS handshake failure',
      4000: 'Closed by Softphone Guard: no heartbeat',
    },
    unknownCode: 'application-defined code',
    reason: (r) => `reason: ${r}`,
    noReason: 'no reason given',
    clean: 'clean close',
    abnormal: 'abnormal close',
    closedBy: {
      stall: 'closed by Softphone Guard because the socket went silent',
      'org-switch': 'closed by Softphone Guard: socket of the previous organisation',
    },
    stallClose: (silent) => `Heartbeat gap: no message for ${silent}; asked the page to close the silent socket`,
    protocol: (p) => `subprotocol ${p}`,
  },
  http: {
    failure: (status, text, method, path) => `HTTP ${status}${text ? ` ${text}` : ''}: ${method} ${path}`,
    networkError: (method, path) => `Network error: ${method} ${path}`,
    ok: (status, method, path) => `HTTP ${status}: ${method} ${path}`,
    statusText: {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      408: 'Request Timeout',
      409: 'Conflict',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
      502: 'Bad Gateway',
      503: 'Service Unavailable',
      504: 'Gateway Timeout',
    },
    retryAfter: (v) => `Retry-After: ${v}`,
    took: (d) => `took ${d}`,
    hiddenFromPage: 'hidden from the softphone (answered by a retry)',
    waitTooLong: 'not retried: the server asked to wait longer than 120 s',
    transport: (tr) => `via ${tr}`,
    error: (e) => `error: ${e}`,
    retry: (method, path, why, status) => `Retried ${method} ${path} ${why}: HTTP ${status}`,
    retryWhy: { unauthorized: 'with a fresh token after a 401', backoff: 'after a backoff wait' },
    retryOutcome: { recovered: 'recovered: the softphone saw success', failed: 'still failing' },
  },
  auth: {
    tokenNeeded: (path) => `401 on ${path}: asked for a fresh token`,
    socketRefused: (path, via) => `Socket ${path} refused its credentials (${SOCKET_REFUSALS[via]})`,
    refreshStarted: 'Token refresh started',
    refreshSucceeded: 'Token refresh succeeded',
    refreshFailed: (e) => `Token refresh failed${e ? `: ${e}` : ''}`,
    signInRequired: 'the agent must sign in again',
    expires: (clock) => `new token expires ${clock}`,
    refreshAhead: (note, outcome) => `${note || 'Refreshed ahead of time'} — ${outcome}`,
    outcome: { ok: 'ok', failed: 'failed' },
  },
  media: {
    pcState: (ice, conn, sig) => `Call connection: ICE ${ice}, connection ${conn}${sig ? `, signalling ${sig}` : ''}`,
    stats: (rtt, jitter, loss, mos) => `Call quality: RTT ${rtt}, jitter ${jitter}, loss ${loss}, MOS ${mos}`,
    above: (metric, limit) => `${metric} above ${limit}`,
    below: (metric, limit) => `${metric} below ${limit}`,
  },
  device: {
    permission: (state) => `Microphone permission: ${state}`,
    permissionState: { granted: 'allowed', denied: 'blocked', prompt: 'will ask' },
    gumOk: 'Microphone capture started',
    gumFailed: (name) => `Microphone capture failed${name ? `: ${name}` : ''}`,
    trackEnded: (kind) => `${kind === 'video' ? 'Camera' : 'Microphone'} track ended (device removed or permission revoked)`,
  },
  recovery: {
    mediaReacquired: (ok, inputs, errorName, reattached = 0) =>
      ok
        ? `Microphone re-acquired: ${plural(inputs, 'input device', 'input devices')} listed` +
          (reattached > 0 ? `; the call's microphone restored on ${plural(reattached, 'sender', 'senders')}` : '')
        : `Microphone re-acquisition failed${errorName ? `: ${errorName}` : ''}`,
    mediaReacquireAsked: 'Asked the page to re-acquire the microphone',
    extensionUpdate: (phase, version) =>
      ({
        deferred: `Extension update ${version} waits for the call to end`,
        applying: `Applying extension update ${version} (no call active); the softphone reloads after it`,
        reattached: `Softphone reloaded after the update to ${version}: monitored again`,
        'reattach-failed': `After the update to ${version} the softphone page was gone`,
        'reattach-skipped': `Updated to ${version}; reloads are disabled, so the softphone is monitored again after its next reload`,
      })[phase],
    micGrant: {
      pending: 'Restoring the microphone setting for the softphone',
      ok: 'Microphone setting for the softphone restored to allow',
      failed: 'Microphone setting could not be restored',
      'not-allowed': 'Microphone setting left alone: configuration does not allow changing it',
      'not-monitored': 'Microphone setting left alone: the page is not a configured softphone page',
      embedded: "Microphone setting left alone: the softphone is embedded, and the embedding page's setting decides",
      limited: 'Microphone setting left alone: restored too often within the hour',
    },
    safeReload: (cause) => `Tab reloaded safely (no call active): ${cause}`,
    reloadDeferred: (reason, cause) => `Reload postponed (${reason}): ${cause}`,
    reloadCause: {
      'signalling-not-recovered': 'signalling did not come back',
      'token-not-recovered': 'fresh tokens did not fix the 401',
      'request-not-recovered': 'a request kept failing after its retries',
    },
    deferReason: { 'call-active': 'a call is active', 'hourly-limit': 'hourly limit reached', disabled: 'safe reload is disabled' },
    step: (sentence) => `Recovery: ${sentence}`,
    forIncident: (summary) => `for: ${summary}`,
  },
  incident: {
    opened: (summary) => `Incident: ${summary}`,
    code: (code) => `close code ${code}`,
    status: (status) => `HTTP ${status}`,
  },
  unknown: (type) => `Event ${type}`,
};

/** Chart titles and units. */
export const CHART_STRINGS: Record<ChartMetric, { title: string; unit: string }> = {
  rttMs: { title: 'Round-trip time (RTT)', unit: 'ms' },
  jitterMs: { title: 'Jitter', unit: 'ms' },
  packetLossPct: { title: 'Packet loss', unit: '%' },
  mos: { title: 'MOS (estimated)', unit: '' },
};

/** The page's own text. */
export const DIAGNOSTICS_STRINGS = {
  title: 'Softphone Guard diagnostics',
  skipToTimeline: 'Skip to the timeline',
  sessionsHeading: 'Agent sessions',
  sessionsLoading: 'Asking the background service for the sessions…',
  sessionsNone: 'No softphone session is known yet.',
  noAnswer: 'The background service has not answered; showing what is stored.',
  live: 'Live',
  ended: 'Ended',
  tabLabel: (key: number) => {
    const { tabId, frameId } = sessionPlace(key);
    return frameId === 0 ? `tab ${tabId}` : `tab ${tabId}, frame ${frameId}`;
  },
  selectedSession: (title: string) => `Selected session: ${title}`,
  storedOnly: (key: number) => {
    const { tabId, frameId } = sessionPlace(key);
    return `Tab ${tabId}${frameId === 0 ? '' : `, frame ${frameId}`} (no session state; stored events only)`;
  },
  timelineHeading: 'Timeline',
  timelineIntro: 'Every stored event of this session, newest first. Times are in your time zone',
  filtersLegend: 'Show',
  categoryCount: (label: string, n: number) => `${label} (${n.toLocaleString('en')})`,
  findLabel: 'Find in the timeline',
  findPlaceholder: 'code, status, endpoint…',
  timelineListLabel: 'Timeline events, newest first',
  loadingEvents: 'Loading events…',
  loadOlder: 'Load older events',
  allLoaded: 'All stored events are loaded.',
  shown: (shown: number, loaded: number, total: number | null) =>
    `Showing ${shown.toLocaleString('en')} of ${loaded.toLocaleString('en')} loaded lines` +
    (total === null ? '' : `; ${total.toLocaleString('en')} events stored for this tab`) +
    '.',
  noEvents: 'No events match.',
  readFailed: 'The event store could not be read.',
  detailHeading: 'Selected event',
  detailNone: 'Select an event (click, or use the arrow keys in the list) to see all of it here.',
  rawData: 'Stored data (redacted)',
  chartsHeading: 'Call quality',
  chartsIntro:
    'From the stored call statistics (one sample every 5 s, every second while quality is poor). Dashed lines are the quality thresholds; long calls are drawn worst-of-interval.',
  chartsLoading: (n: number) => `Reading call statistics… (${n.toLocaleString('en')} events read)`,
  chartsNone: 'No call statistics are stored for this session.',
  callLabel: 'Call',
  callOption: (start: string, end: string, n: number) => `${start} – ${end} (${n.toLocaleString('en')} samples)`,
  threshold: (level: 'warn' | 'poor', value: string) => (level === 'poor' ? `Poor: ${value}` : `Worth a look: ${value}`),
  chartSummary: (
    title: string,
    samples: number,
    median: string,
    worst: string,
    beyond: { value: string; worse: 'above' | 'below'; count: number }[],
  ) =>
    `${title}: ${samples.toLocaleString('en')} samples, median ${median}, worst ${worst}` +
    beyond.map((b) => `; ${b.count.toLocaleString('en')} ${b.worse} ${b.value}`).join('') +
    '.',
  noSamples: (title: string) => `${title}: not measured.`,
  recurrenceHeading: 'When incidents recur',
  recurrenceIntro: (zone: string, source: 'risk-window' | 'browser') =>
    source === 'risk-window'
      ? `Incidents of all sessions in the last 30 days, by weekday and hour in ${zone} (the time zone of the configured risk windows).`
      : `Incidents of all sessions in the last 30 days, by weekday and hour in ${zone} (this browser's time zone; no risk window is configured).`,
  recurrenceLoading: 'Reading incidents…',
  recurrenceNone: 'No cluster: incidents do not keep starting at the same weekday and time.',
  heatCaption: (zone: string) => `Incidents per weekday and hour (${zone})`,
  heatWeekday: 'Weekday',
  heatTotal: 'Total',
  weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const,
  heatCell: (n: number, day: string, hour: number) =>
    `${n} incidents on ${day} ${String(hour).padStart(2, '0')}:00–${String(hour).padStart(2, '0')}:59`,
  snippetLabel: 'Policy value that adds this risk window (riskWindows, JSON; the windows in force are kept):',
  copy: 'Copy',
  copied: 'Copied to the clipboard.',
  copyFailed: 'Could not copy; select the text and copy it by hand.',
  exportHeading: 'Export for a ticket',
  exportIntro: 'Everything stored for all sessions, redacted: no tokens, cookies or IP addresses.',
  exportLabels: {
    bundle: 'Save diagnostics bundle (JSON)',
    summary: 'Copy summary for a ticket',
    copied: 'Summary copied to the clipboard.',
    failed: 'Export failed; try again.',
  },
} as const;
