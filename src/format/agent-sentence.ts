/**
 * The agent card's one sentence: what is wrong and what Softphone Guard is doing about it,
 * in the popup's language, derived from the session state alone.
 *
 * The session's `health` was decided by the reducer (src/session/health.ts, whose rules this
 * mirrors); here it only chooses the wording. Every open problem the state shows is a
 * candidate with the health level it stands for; the first candidate at the session's own
 * level wins, else the first candidate at all (a state the reducer would not produce still
 * gets a true sentence), else a plain sentence for the level.
 *
 *     problem found ──▶ "<what is wrong>; <what is being done>."      (sentence_join)
 *     sign-in needed ─▶ "Sign-in needed: …; sign in to the softphone again."
 *     healthy ───────▶ "All good: signalling open, heartbeat 4 s ago."
 *
 * What is being done comes from the incident's latest recovery step where it says more than
 * the rule does (a safe reload under way, waiting for a call to end, the hourly limit).
 */
import type { SessionView } from '../protocol/ui';
import { POOR_JITTER_MS, POOR_MOS, POOR_PACKET_LOSS_PCT, POOR_RTT_MS } from '../session/call-quality';
import { isOpen, lastStep } from '../session/incidents';
import type { Health, Incident, IncidentKind } from '../session/types';
import { displayJitter, displayLoss, displayMos, displayRtt } from './quality';
import type { FormatStrings } from './strings';
import { formatCoarseDuration, formatRelative } from './time';
import type { MessageKey } from './translate';
import { pathOf } from './url';

/** The part of a session the sentence reads. */
export type SentenceInput = Pick<
  SessionView,
  'health' | 'alive' | 'incidents' | 'auth' | 'media' | 'signalling' | 'sockets' | 'refreshInFlight' | 'endedAt' | 'embedded'
>;

interface Candidate {
  level: Exclude<Health, 'healthy'>;
  text: string;
  /** The messages the text was made of: the same key means the same news, only ages moved on. */
  key: string;
}

/** A card sentence and what it says, apart from the figures in it. */
export interface AgentSentence {
  /** `"Signalling dropped (1006) 8 s ago; waiting for the softphone to reconnect."` */
  text: string;
  /**
   * Names the messages and health the sentence is made of (`"recovering:problem_dropped+action_waitReconnect"`):
   * it changes when the news changes, not when an age ticks, so a screen reader is told once.
   */
  key: string;
}

/** A pending `safe-reload` step's detail starts with this while the tab reloads (src/recovery/safe-reload.ts). */
const RELOADING_PREFIX = 'Reloading';

function newestOpen(incidents: readonly Incident[], kind: IncidentKind): Incident | undefined {
  return incidents.find((i) => i.kind === kind && isOpen(i));
}

/**
 * What a pending safe reload says about the escalation, or undefined when the incident has
 * none. The reducer writes the step's detail (src/session/incident-rules.ts): "Reloading …",
 * or why it waits ("Not reloading: a call is active…", "…hourly reload limit…", "…turned off…").
 */
function reloadAction(incident: Incident | undefined, s: Pick<SentenceInput, 'embedded'>): MessageKey | undefined {
  const last = incident && lastStep(incident);
  if (last?.action !== 'safe-reload' || last.outcome !== 'pending') return undefined;
  const detail = last.detail ?? '';
  if (detail.startsWith(RELOADING_PREFIX)) {
    if (/SharedWorker/.test(detail)) return 'action_reloadingSharedWorker';
    return s.embedded ? 'action_reloadingFrame' : 'action_reloading';
  }
  if (/hourly/i.test(detail)) return 'action_reloadLimit';
  if (/turned off|disabled/i.test(detail)) return 'action_reloadDisabled';
  if (/call/i.test(detail)) return 'action_reloadWaitsForCall';
  return undefined;
}

/**
 * What rung 5 will do, said before it does: reload the tab; for an embedded softphone only its
 * frame, never the page around it; for a 401 from a SharedWorker every page sharing it.
 */
function escalation(s: Pick<SentenceInput, 'embedded'>, incident?: Incident): MessageKey {
  if (incident?.detail.outOfReach === 'shared-worker') return 'action_escalatingSharedWorker';
  return s.embedded ? 'action_escalatingFrame' : 'action_escalating';
}

/** Collects every problem the state shows, in the reducer's order (worst rules first). */
function candidates(s: SentenceInput, now: number, f: FormatStrings): Candidate[] {
  const t = f.translate;
  let problemKey = '';
  /** `t(key, subs)`, remembering `key` as the problem of the next {@link join}. */
  const p = (key: MessageKey, substitutions?: readonly string[]): string => {
    problemKey = key;
    return t(key, substitutions);
  };
  const join = (problem: string, action: MessageKey): { text: string; key: string } => ({
    text: t('sentence_join', [problem, t(action)]),
    key: `${problemKey}+${action}`,
  });
  const whole = (key: MessageKey): { text: string; key: string } => ({ text: t(key), key });
  const age = (at: number): string => formatCoarseDuration(Math.max(0, now - at), f);
  // Never "in 1 s": page and worker clocks may differ a little.
  const when = (at: number): string => formatRelative(Math.min(at, now), now, f);
  const incidents = s.incidents ?? [];
  const down = s.health === 'down';
  const found: Candidate[] = [];

  const unauthorized = newestOpen(incidents, 'unauthorized');
  const tokenLast = unauthorized && lastStep(unauthorized);
  const tokenWork = (unauthorized !== undefined && tokenLast?.outcome !== 'failed') || s.refreshInFlight;

  // Signalling dropped (abnormal close): within the grace the app reconnects; after it, rung 3/5.
  const close = newestOpen(incidents, 'abnormal-close');
  if (close) {
    const a = when(close.openedAt);
    const code = close.detail.code === undefined ? undefined : String(close.detail.code);
    const byStall = close.detail.closedBy === 'stall';
    if (down) {
      const problem = byStall
        ? p('problem_stallClosedNotBack', [a])
        : code
          ? p('problem_droppedNotBack', [code, a])
          : p('problem_droppedNotBackNoCode', [a]);
      found.push({ level: 'down', ...join(problem, reloadAction(close, s) ?? escalation(s)) });
    } else {
      const problem = byStall ? p('problem_stallClosed', [a]) : code ? p('problem_dropped', [code, a]) : p('problem_droppedNoCode', [a]);
      found.push({ level: 'recovering', ...join(problem, tokenWork ? 'action_waitReconnectThenToken' : 'action_waitReconnect') });
    }
  }

  // A socket still open but silent (signalling-stalled): rung 3 closes it.
  for (const stall of incidents) {
    if (stall.kind !== 'signalling-stalled' || !isOpen(stall)) continue;
    const id = stall.detail.socketId ?? '';
    const socket = s.sockets && Object.hasOwn(s.sockets, id) ? s.sockets[id] : undefined;
    if (!socket) continue;
    const silent = age(socket.lastMessageAt ?? socket.openedAt);
    const asked = stall.steps.some((step) => step.action === 'stall-close');
    if (asked && down) {
      found.push({ level: 'down', ...join(p('problem_silentStill', [silent]), reloadAction(stall, s) ?? escalation(s)) });
    } else {
      found.push({
        level: 'recovering',
        ...join(p('problem_silent', [silent]), asked ? 'action_closingSocket' : 'action_closeUnlessMessage'),
      });
    }
    break;
  }

  // 401 on a protected request: refresh (rung 2), retry, then reload (rung 5) or sign-in.
  if (unauthorized || (s.auth?.signInRequired && s.health !== 'healthy')) {
    const path = unauthorized?.detail.url ? pathOf(unauthorized.detail.url) : t('problem_aRequest');
    // A reload step under way (or deferred) is pending, so the health is `recovering`: the
    // sentence says what rung 5 does, not that a token is being fetched.
    const reloading = reloadAction(unauthorized, s);
    if (tokenLast?.outcome === 'failed' || reloading !== undefined || (!unauthorized && s.auth?.signInRequired)) {
      if (s.auth?.signInRequired) {
        found.push({ level: 'down', ...whole('sentence_signIn') });
      } else {
        const reach = unauthorized?.detail.outOfReach;
        const ladderLast = reloading === undefined ? tokenLast : unauthorized?.steps.findLast((st) => st.action !== 'safe-reload');
        const problem =
          reach === 'worker' || reach === 'shared-worker'
            ? p(reach === 'worker' ? 'problem_tokenInWorker' : 'problem_tokenInSharedWorker', [path])
            : ladderLast?.action === 'token-refresh'
              ? p('problem_tokenRefreshFailed', [path])
              : ladderLast?.action === 'request-retry'
                ? p('problem_tokenRetryFailed', [path])
                : p('problem_tokenNoFresh', [path]);
        found.push({ level: reloading === undefined ? 'down' : 'recovering', ...join(problem, reloading ?? escalation(s, unauthorized)) });
      }
    } else {
      const action = tokenLast?.outcome === 'ok' ? 'action_confirmToken' : 'action_fetchingToken';
      found.push({ level: 'recovering', ...join(p('problem_tokenRejected', [path]), action) });
    }
  }

  if (newestOpen(incidents, 'ice-failed')) {
    found.push({ level: 'down', ...join(p('problem_iceFailed'), 'action_waitIce') });
  }

  // Microphone (rung 4), worded as src/recovery/media-incidents.ts `microphoneHealth` decides.
  const permission = newestOpen(incidents, 'permission-lost');
  if (permission) {
    if (s.media?.micPermission === 'granted') {
      found.push({ level: 'recovering', ...join(p('problem_micAllowedAgain'), 'action_checkingMic') });
    } else {
      const blocked: Record<string, MessageKey> = {
        policy: 'sentence_micPolicy',
        browser: 'sentence_micBrowser',
        'not-monitored': 'sentence_micNotMonitored',
        limit: 'sentence_micLimit',
        embedded: 'sentence_micEmbedded',
      };
      const key = s.media?.micBlockedBy ? blocked[s.media.micBlockedBy] : undefined;
      found.push({ level: 'down', ...(key ? whole(key) : join(p('problem_micBlocked'), 'action_restoringMic')) });
    }
  }

  if (s.refreshInFlight && !unauthorized) found.push({ level: 'recovering', ...whole('sentence_refreshing') });

  const { iceConnectionState: ice, connectionState: conn } = s.media ?? {};
  if (ice === 'disconnected' || conn === 'disconnected') {
    found.push({ level: 'degraded', ...join(p('problem_iceDisconnected'), 'action_waitIceBack') });
  }

  const http = incidents.find((i) => isOpen(i) && (i.kind === 'rate-limited' || i.kind === 'request-timeout' || i.kind === 'server-error'));
  if (http) {
    const path = http.detail.url ? pathOf(http.detail.url) : t('problem_aRequest');
    const retries = http.steps.filter((step) => step.action === 'request-retry');
    const failed = retries.at(-1)?.outcome === 'failed' && !retries.some((step) => step.outcome === 'pending');
    let problem: string;
    if (http.kind === 'rate-limited') problem = p('problem_rateLimited', [path]);
    else if (http.kind === 'request-timeout') problem = p('problem_timeout', [path]);
    else if (http.detail.status === 0) problem = p('problem_networkError', [path]);
    else problem = p('problem_serverError', [path, http.detail.status === undefined ? '5xx' : String(http.detail.status)]);
    const action: MessageKey = failed
      ? (reloadAction(http, s) ?? 'action_retriesFailed')
      : http.kind === 'rate-limited'
        ? 'action_retryAfter'
        : 'action_retryBackoff';
    found.push({ level: 'degraded', ...join(problem, action) });
  }

  if (!permission && newestOpen(incidents, 'track-ended')) {
    const reacquiring = lastStep(newestOpen(incidents, 'track-ended')!)?.action === 'media-reacquire';
    found.push({ level: 'degraded', ...join(p('problem_trackEnded'), reacquiring ? 'action_reacquiringMic' : 'action_waitCapture') });
  }

  const poor = poorQualityItems(s.media ?? {}, f);
  if (poor.length > 0) {
    found.push({
      level: 'degraded',
      ...join(p('problem_poorQuality', [poor.join(t('problem_listSeparator'))]), 'action_monitoring'),
    });
  }
  return found;
}

/**
 * The figures of the latest sample that cross the health thresholds of
 * src/session/call-quality.ts (RTT > 400 ms, jitter > 30 ms, loss > 3 %, MOS < 3.0), as
 * `"Round-trip time 612 ms"`; none without a sample or for a closed or failed connection.
 */
function poorQualityItems(m: NonNullable<SentenceInput['media']>, f: FormatStrings): string[] {
  if (m.statsAt === undefined) return [];
  const over = new Set(['closed', 'failed']);
  if (over.has(m.connectionState ?? '') || over.has(m.iceConnectionState ?? '')) return [];
  const t = f.translate;
  const item = (label: string, value: string): string => t('problem_qualityItem', [label, value]);
  const items: string[] = [];
  if (m.rttMs != null && m.rttMs > POOR_RTT_MS) items.push(item(f.media.rtt, displayRtt(m.rttMs, f).value));
  if (m.jitterMs != null && m.jitterMs > POOR_JITTER_MS) items.push(item(f.media.jitter, displayJitter(m.jitterMs, f).value));
  if (m.packetLossPct != null && m.packetLossPct > POOR_PACKET_LOSS_PCT) {
    items.push(item(f.media.loss, displayLoss(m.packetLossPct, f).value));
  }
  if (m.mos != null && m.mos < POOR_MOS) items.push(item(f.media.mos, displayMos(m.mos, f).value));
  return items;
}

function healthySentence(s: SentenceInput, now: number, f: FormatStrings): AgentSentence {
  const t = f.translate;
  const whole = (key: MessageKey, substitutions?: readonly string[]): AgentSentence => ({ text: t(key, substitutions), key });
  const sig = s.signalling;
  if (!sig) return whole('sentence_generic_healthy');
  if (sig.openSockets > 0) {
    // A message older than the latest open came over a previous socket: not this one's heartbeat.
    const heard = sig.lastMessageAt !== undefined && !(sig.lastOpenAt !== undefined && sig.lastMessageAt < sig.lastOpenAt);
    return heard
      ? whole('sentence_healthyHeartbeat', [formatRelative(Math.min(sig.lastMessageAt!, now), now, f)])
      : whole('sentence_healthyOpen');
  }
  return whole(sig.state === 'none' ? 'sentence_healthyWaiting' : 'sentence_healthyClosed');
}

const GENERIC: Record<Exclude<Health, 'healthy'>, MessageKey> = {
  degraded: 'sentence_generic_degraded',
  recovering: 'sentence_generic_recovering',
  down: 'sentence_generic_down',
};

/**
 * The card sentence for a session at `now`, with the key of what it says.
 * @param session the worker's view of one tab (src/protocol/ui.ts `SessionView`)
 * @param now epoch ms of the present, for ages ("8 s ago")
 * @param f the text table; its `translate` supplies the sentence messages
 * @returns one sentence ending in a full stop; never throws on partial state
 */
export function describeSession(session: SentenceInput, now: number, f: FormatStrings): AgentSentence {
  const t = f.translate;
  if (!session.alive) {
    return session.endedAt === undefined
      ? { text: t('sentence_endedNoTime'), key: 'ended' }
      : { text: t('sentence_ended', [formatRelative(session.endedAt, now, f)]), key: 'ended' };
  }
  // The reducer weighed the same state with its thresholds: when it says healthy, so does the card.
  const health = session.health;
  if (health === 'healthy') {
    const healthy = healthySentence(session, now, f);
    return { text: healthy.text, key: `healthy:${healthy.key}` };
  }
  // The one problem only the agent can fix comes first: nothing else the card could say helps more.
  if (health === 'down' && session.auth?.signInRequired) return { text: t('sentence_signIn'), key: 'down:sentence_signIn' };
  const found = candidates(session, now, f);
  const match = found.find((c) => c.level === health) ?? found[0];
  if (match) return { text: match.text, key: `${health}:${match.key}` };
  const generic = GENERIC[health] ?? 'sentence_generic_degraded';
  return { text: t(generic), key: `${health}:${generic}` };
}

/** {@link describeSession}'s text alone. */
export function agentSentence(session: SentenceInput, now: number, f: FormatStrings): string {
  return describeSession(session, now, f).text;
}
