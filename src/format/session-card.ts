/**
 * The view model of one session card in the popup: every string the card shows, computed
 * from a {@link SessionView} and the present time. Pure, so the card components only lay
 * text out and the wording is unit-tested here.
 */
import type { ProfileName } from '../policy/schema';
import type { SessionView } from '../protocol/ui';
import type { AuthView, Health, MediaView, OrgSwitchView, SignallingView } from '../session/types';
import { describeSession } from './agent-sentence';
import { healthLabel } from './health';
import { incidentView, newestFirst, type IncidentView } from './incident';
import { formatBytes, formatCount } from './number';
import { displayJitter, displayLoss, displayMos, displayRtt } from './quality';
import type { FormatStrings } from './strings';
import { ageMs, formatClock, formatDuration, formatRelative } from './time';
import { hostOf, pathOf } from './url';
import { sessionPlace } from '../session/session-key';

/** Incidents shown per card before the "n more" control. */
export const INCIDENTS_SHOWN = 5;

/**
 * A socket silent for longer than this is flagged, ms: the built-in `watchdog.heartbeatTimeoutMs`
 * (about two missed 14 s Genesys pings, docs/architecture.md §6). The popup cannot wait for the policy
 * (managed storage can block for seconds, docs/architecture.md §7), and importing the config schema would
 * pull zod into the popup bundle; a unit test keeps the two equal.
 */
export const HEARTBEAT_FLAG_MS = 30_000;

/** One label/value line of a card section. */
export interface Row {
  /** Stable key within the section. */
  key: string;
  label: string;
  value: string;
  /** Why the value deserves attention; shown as a warning icon with this as its label. */
  warn?: string;
}

/** Everything one session card shows. */
export interface CardView {
  key: string;
  tabId: number;
  alive: boolean;
  title: string;
  /** `"Org 4f2a · apps.mypurecloud.com"`; empty when neither is known. */
  subtitle: string;
  health: Health;
  /** Pill text: the health label, or "Ended" for a session whose tab is gone. */
  pillLabel: string;
  /** What is wrong and what is being done, in one sentence (src/format/agent-sentence.ts). */
  reason: string;
  /** Changes when the sentence's news changes, not when an age in it ticks (for the live region). */
  reasonKey: string;
  /**
   * The tab's last organisation switch in one sentence (`"Switched organisation org-a → org-b
   * at 07:55; closed 1 socket and 1 call connection of org-a before the new sign-in."`), or
   * absent when it never switched.
   */
  orgSwitch?: string;
  signalling: Row[];
  media: Row[];
  auth: Row[];
  /** All incidents, newest first; the card shows {@link INCIDENTS_SHOWN} at first. */
  incidents: IncidentView[];
}

/**
 * Card title: the agent's name, else their user id, else `"Unknown agent (tab N)"` (the tab,
 * also for a softphone in one of its frames).
 */
export function sessionTitle(session: Pick<SessionView, 'agent' | 'tabId'>, t: FormatStrings): string {
  const agent = session.agent;
  if (agent?.name) return agent.name;
  if (agent?.userId) return t.agentById(agent.userId);
  return t.unknownAgent(sessionPlace(session.tabId).tabId);
}

/**
 * Card subtitle: organisation, the softphone's host and, for an embedded softphone, the page
 * embedding it (`"Org 4f2a · softphone.example · in a frame of crm.example"`), joined by ` · `;
 * empty when none is known.
 */
export function sessionSubtitle(session: Pick<SessionView, 'agent' | 'href' | 'embedded'>, t: FormatStrings): string {
  const parts: string[] = [];
  if (session.agent?.orgId) parts.push(t.org(session.agent.orgId));
  const host = hostOf(session.href);
  if (host) parts.push(host);
  const embedder = hostOf(session.embedded?.embedderOrigin);
  if (embedder) parts.push(t.embeddedIn(embedder));
  return parts.join(' · ');
}

/**
 * The row naming the softphone's workers (`"SharedWorker lab-softphone · Worker"`), or null
 * when its documents started none: their requests are observed by the worker, not the probe.
 */
export function workersRow(workers: SessionView['workers'], t: FormatStrings): Row | null {
  if (!workers || workers.length === 0) return null;
  const names = workers.map((w) => (w.name ? `${t.signalling.workerKind[w.kind]} ${w.name}` : t.signalling.workerKind[w.kind]));
  return { key: 'workers', label: t.signalling.workers, value: [...new Set(names)].join(' · ') };
}

/**
 * The org-switch sentence of a card (seed 002).
 * @param now epoch ms of the present (a switch a day or more ago shows its weekday)
 * @param timeZone IANA time zone for the clock time; absent: the runtime's own
 */
export function orgSwitchSentence(sw: OrgSwitchView, now: number, t: FormatStrings, timeZone?: string): string {
  const to = t.orgSwitch;
  const from = sw.fromOrgId || to.unnamed;
  const switched = to.switched(from, sw.toOrgId || to.unnamed, formatClock(sw.at, now, t, timeZone));
  const closed = to.closed(
    sw.closedSockets,
    formatCount(sw.closedSockets, t),
    sw.closedPeerConnections,
    formatCount(sw.closedPeerConnections, t),
    from,
  );
  return to.sentence(switched, closed);
}

/**
 * Signalling rows: socket state, open sockets, last close, close reason, heartbeat age.
 * @param alive false for a session whose tab is gone: its heartbeat age is not shown (it would
 *   keep growing for a socket that no longer exists)
 */
export function signallingRows(s: SignallingView, now: number, t: FormatStrings, alive = true): Row[] {
  const ts = t.signalling;
  const rows: Row[] = [
    { key: 'state', label: ts.socket, value: ts.socketState[s.state] ?? s.state },
    { key: 'open', label: ts.openSockets, value: formatCount(s.openSockets ?? 0, t) },
  ];
  const close = s.lastClose;
  if (close) {
    const kind = close.wasClean ? ts.clean : ts.abnormal;
    const row: Row = {
      key: 'close',
      label: ts.lastClose,
      value: `${ts.closeCode(close.code, kind)} · ${formatRelative(close.at, now, t)}`,
    };
    if (!close.wasClean) row.warn = ts.abnormalWarning;
    rows.push(row);
    if (close.reason) rows.push({ key: 'reason', label: ts.closeReason, value: close.reason });
  } else {
    rows.push({ key: 'close', label: ts.lastClose, value: ts.none });
  }
  if (!alive) return rows;
  const age = ageMs(s.lastMessageAt, now);
  if (age !== null) {
    const row: Row = { key: 'heartbeat', label: ts.heartbeatAge, value: formatDuration(age, t) };
    if (s.state === 'open' && age > HEARTBEAT_FLAG_MS) row.warn = ts.heartbeatLate(formatDuration(HEARTBEAT_FLAG_MS, t));
    rows.push(row);
  } else if (s.state === 'open') {
    rows.push({ key: 'heartbeat', label: ts.heartbeatAge, value: ts.noMessageYet });
  }
  return rows;
}

const BAD_PEER_STATES = new Set(['failed', 'disconnected']);

/** Media rows: ICE and connection state, RTT, jitter, loss, MOS, audio received, microphone. */
export function mediaRows(m: MediaView, t: FormatStrings): Row[] {
  const tm = t.media;
  const stateRow = (key: string, label: string, state: string | undefined): Row => {
    const row: Row = { key, label, value: state ?? tm.noPeerConnection };
    if (state && BAD_PEER_STATES.has(state)) row.warn = tm.badState;
    return row;
  };
  const metric = (key: string, label: string, d: { value: string; warn?: string }): Row =>
    d.warn ? { key, label, value: d.value, warn: d.warn } : { key, label, value: d.value };
  const rows: Row[] = [
    stateRow('ice', tm.ice, m.iceConnectionState),
    stateRow('connection', tm.connection, m.connectionState),
    metric('rtt', tm.rtt, displayRtt(m.rttMs, t)),
    metric('jitter', tm.jitter, displayJitter(m.jitterMs, t)),
    metric('loss', tm.loss, displayLoss(m.packetLossPct, t)),
    metric('mos', tm.mos, displayMos(m.mos, t)),
  ];
  if (m.inboundAudioBytes !== undefined) {
    rows.push({ key: 'audio', label: tm.audioReceived, value: formatBytes(m.inboundAudioBytes, t) });
  }
  const mic: Row = {
    key: 'mic',
    label: tm.mic,
    value: m.micPermission ? tm.micState[m.micPermission] : t.notAvailable,
  };
  if (m.micPermission === 'denied') mic.warn = tm.micDenied;
  rows.push(mic);
  if (m.lastGumError) rows.push({ key: 'gum', label: tm.micError, value: m.lastGumError });
  return rows;
}

/** Auth rows: last 401 and its endpoint path, last refresh and outcome, token expiry, refreshes, retries. */
export function authRows(a: AuthView, now: number, t: FormatStrings): Row[] {
  const ta = t.auth;
  const rows: Row[] = [];
  if (a.last401At !== undefined) {
    rows.push({ key: '401', label: ta.last401, value: formatRelative(a.last401At, now, t) });
    if (a.last401Url) rows.push({ key: '401-path', label: ta.endpoint, value: pathOf(a.last401Url) });
  } else {
    rows.push({ key: '401', label: ta.last401, value: ta.none });
  }
  if (a.lastRefreshAt !== undefined) {
    const when = formatRelative(a.lastRefreshAt, now, t);
    const outcome = a.lastRefreshOutcome ? ta.outcome[a.lastRefreshOutcome] : undefined;
    let value = outcome ? ta.refreshOutcome(when, outcome) : when;
    if (a.lastRefreshNote) value = `${value} · ${a.lastRefreshNote}`;
    if (a.lastRefreshOutcome === 'failed' && a.lastRefreshError) value = `${value} · ${a.lastRefreshError}`;
    const row: Row = { key: 'refresh', label: ta.lastRefresh, value };
    if (a.lastRefreshOutcome === 'failed') row.warn = ta.refreshFailedWarning;
    rows.push(row);
  } else {
    rows.push({ key: 'refresh', label: ta.lastRefresh, value: ta.none });
  }
  if (a.tokenExpiresAt !== undefined) {
    const when = formatRelative(a.tokenExpiresAt, now, t);
    rows.push({ key: 'expiry', label: ta.tokenExpiry, value: a.tokenExpiresAt > now ? when : ta.expired(when) });
  } else {
    rows.push({ key: 'expiry', label: ta.tokenExpiry, value: ta.unknown });
  }
  rows.push({ key: 'refreshes', label: ta.refreshCount, value: formatCount(a.refreshCount ?? 0, t) });
  rows.push({
    key: 'retries',
    label: ta.retries,
    value: ta.retriesRecovered(formatCount(a.retriesRecovered ?? 0, t), formatCount(a.retries ?? 0, t)),
  });
  return rows;
}

/**
 * The whole card for one session.
 * @param now epoch ms of the present (the worker's `now` advanced by the popup's own clock)
 * @param timeZone IANA time zone for clock times; absent: the runtime's own
 * @param cannotRefresh the profile in force when the extension cannot fetch a token there (see {@link incidentView})
 */
export function cardView(session: SessionView, now: number, t: FormatStrings, timeZone?: string, cannotRefresh?: ProfileName): CardView {
  const sentence = describeSession(session, now, t);
  const card: CardView = {
    key: String(session.tabId),
    tabId: session.tabId,
    alive: session.alive,
    title: sessionTitle(session, t),
    subtitle: sessionSubtitle(session, t),
    health: session.health,
    pillLabel: session.alive ? healthLabel(session.health, t) : t.ended,
    reason: sentence.text,
    reasonKey: sentence.key,
    signalling: [
      ...signallingRows(session.signalling, now, t, session.alive),
      ...[workersRow(session.workers, t)].filter((r): r is Row => r !== null),
    ],
    media: mediaRows(session.media, t),
    auth: authRows(session.auth, now, t),
    incidents: newestFirst(session.incidents ?? []).map((i) => incidentView(i, now, t, cannotRefresh)),
  };
  if (session.orgSwitch) card.orgSwitch = orgSwitchSentence(session.orgSwitch, now, t, timeZone);
  return card;
}
