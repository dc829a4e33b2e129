/**
 * Builds the formatters' text tables from a message catalogue ({@link Translate}): the
 * `_locales/<lang>/messages.json` of the extension. Plurals use the catalogue's `_one` /
 * `_other` variants chosen by the locale's plural rules; message names with `-` in the data
 * (`abnormal-close`) become `_` (`incidentKind_abnormal_close`), as Chrome message names allow
 * no `-`.
 */
import type { UnmonitoredReason } from '../policy/host-access';
import { PROFILES } from '../policy/schema';
import type { Health, IncidentKind, RecoveryStep } from '../session/types';
import type { HostAccessStrings } from './host-access';
import type { FormatStrings } from './strings';
import { pluralKey, type MessageKey, type Translate } from './translate';

/** `abnormal-close` → `abnormal_close`. */
const snake = (name: string): string => name.replace(/-/g, '_');

const HEALTHS: readonly Health[] = ['healthy', 'degraded', 'recovering', 'down'];
const KINDS: readonly IncidentKind[] = [
  'abnormal-close',
  'signalling-stalled',
  'unauthorized',
  'rate-limited',
  'request-timeout',
  'server-error',
  'ice-failed',
  'permission-lost',
  'track-ended',
];
const ACTIONS: readonly RecoveryStep['action'][] = [
  'token-refresh',
  'request-retry',
  'app-reconnected',
  'stall-close',
  'safe-reload',
  'mic-grant',
  'media-reacquire',
  'none',
];
const OUTCOMES: readonly RecoveryStep['outcome'][] = ['pending', 'ok', 'failed'];

function table<K extends string>(keys: readonly K[], value: (key: K) => string): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, string>;
}

/**
 * The BCP 47 tag of a catalogue: its `locale` message (`"de"`), else `"en"`. Chrome's own
 * `@@ui_locale` names the browser's language, which may have no catalogue.
 */
export function catalogueLocale(t: Translate): string {
  return t('locale') || 'en';
}

/**
 * The `src/format` text table from a catalogue.
 * @param t the lookup (`chrome.i18n.getMessage` in the extension, {@link catalogueTranslator} in Node)
 */
export function formatStringsFrom(t: Translate): FormatStrings {
  const locale = catalogueLocale(t);
  const k = (key: string): MessageKey => key as MessageKey;
  return {
    locale,
    translate: t,
    notAvailable: t('notAvailable'),
    units: {
      ms: t('unit_ms'),
      s: t('unit_s'),
      min: t('unit_min'),
      h: t('unit_h'),
      d: t('unit_d'),
      percent: t('unit_percent'),
      bytes: t('unit_bytes'),
      kB: t('unit_kB'),
      MB: t('unit_MB'),
      GB: t('unit_GB'),
    },
    justNow: t('justNow'),
    ago: (d) => t('ago', [d]),
    inFuture: (d) => t('inFuture', [d]),
    health: table(HEALTHS, (h) => t(k(`health_${h}`))),
    ended: t('ended'),
    agentById: (id) => t('agentById', [id]),
    unknownAgent: (tabId) => t('unknownAgent', [String(tabId)]),
    org: (id) => t('org', [id]),
    embeddedIn: (host) => t('embeddedIn', [host]),
    orgSwitch: {
      switched: (from, to, time) => t('orgSwitch_switched', [from, to, time]),
      closed: (sockets, socketsText, calls, callsText, from) => {
        const parts: string[] = [];
        if (sockets > 0) parts.push(t(pluralKey('orgSwitch_sockets', sockets, locale), [socketsText]));
        if (calls > 0) parts.push(t(pluralKey('orgSwitch_calls', calls, locale), [callsText]));
        if (parts.length === 0) return t('orgSwitch_closedNothing', [from]);
        const what = parts.length === 2 ? t('orgSwitch_both', [parts[0]!, parts[1]!]) : parts[0]!;
        return t('orgSwitch_closed', [what, from]);
      },
      sentence: (switched, closed) => t('orgSwitch_sentence', [switched, closed]),
      unnamed: t('orgSwitch_unnamed'),
    },
    signalling: {
      socket: t('signalling_socket'),
      socketState: table(['none', 'open', 'closed'] as const, (s) => t(k(`signalling_state_${s}`))),
      openSockets: t('signalling_openSockets'),
      lastClose: t('signalling_lastClose'),
      closeCode: (code, kind) => t('signalling_closeCode', [String(code), kind]),
      clean: t('signalling_clean'),
      abnormal: t('signalling_abnormal'),
      closeReason: t('signalling_closeReason'),
      none: t('signalling_none'),
      heartbeatAge: t('signalling_heartbeatAge'),
      noMessageYet: t('signalling_noMessageYet'),
      heartbeatLate: (limit) => t('signalling_heartbeatLate', [limit]),
      abnormalWarning: t('signalling_abnormalWarning'),
      workers: t('signalling_workers'),
      workerKind: { worker: t('signalling_workerKind_worker'), 'shared-worker': t('signalling_workerKind_sharedWorker') },
    },
    media: {
      ice: t('media_ice'),
      connection: t('media_connection'),
      noPeerConnection: t('media_noPeerConnection'),
      rtt: t('media_rtt'),
      jitter: t('media_jitter'),
      loss: t('media_loss'),
      mos: t('media_mos'),
      audioReceived: t('media_audioReceived'),
      mic: t('media_mic'),
      micState: table(['granted', 'denied', 'prompt'] as const, (s) => t(k(`media_mic_${s}`))),
      micError: t('media_micError'),
      above: (limit) => t('media_above', [limit]),
      below: (limit) => t('media_below', [limit]),
      badState: t('media_badState'),
      micDenied: t('media_micDenied'),
    },
    auth: {
      last401: t('auth_last401'),
      endpoint: t('auth_endpoint'),
      lastRefresh: t('auth_lastRefresh'),
      refreshOutcome: (when, outcome) => t('auth_refreshOutcome', [when, outcome]),
      outcome: table(['ok', 'failed'] as const, (o) => t(k(`auth_outcome_${o}`))),
      tokenExpiry: t('auth_tokenExpiry'),
      expired: (when) => t('auth_expired', [when]),
      unknown: t('auth_unknown'),
      refreshCount: t('auth_refreshCount'),
      retries: t('auth_retries'),
      retriesRecovered: (recovered, total) => t('auth_retriesRecovered', [recovered, total]),
      none: t('auth_none'),
      refreshFailedWarning: t('auth_refreshFailedWarning'),
    },
    incident: {
      open: t('incident_open'),
      resolved: t('incident_resolved'),
      openFor: (d) => t('incident_openFor', [d]),
      resolvedAfter: (d) => t('incident_resolvedAfter', [d]),
      repeated: (n) => t('incident_repeated', [n]),
      kind: table(KINDS, (kind) => t(k(`incidentKind_${snake(kind)}`))),
      noRefresh: table(PROFILES, (profile) => t(k(`incident_noRefresh_${snake(profile)}`))),
    },
    step: {
      action: table(ACTIONS, (a) => t(k(`step_action_${snake(a)}`))),
      outcome: Object.fromEntries(
        ACTIONS.map((a) => [a, table(OUTCOMES, (o) => t(k(`step_outcome_${snake(a)}_${o}`)))]),
      ) as FormatStrings['step']['outcome'],
      sentence: (action, outcome) => t('step_sentence', [action, outcome]),
      after: (d) => t('step_after', [d]),
    },
    summary: {
      watching: (n, count, worst) => t(pluralKey('summary_watching', n, locale), [count, worst]),
      storedEvents: (n, count) => t(pluralKey('summary_storedEvents', n, locale), [count]),
    },
  };
}

/** The popup's own text: headings, empty and loading states, controls and their labels. */
export interface PopupStrings {
  /** BCP 47 tag of the catalogue (for `<html lang>`). */
  locale: string;
  title: string;
  looking: string;
  empty: string;
  noAnswer: string;
  /** `"12 s"` → `"Not updated for 12 s: …"`. */
  stale: (age: string) => string;
  broken: string;
  sessionsLabel: string;
  endedSessions: (n: number) => string;
  sections: { signalling: string; media: string; auth: string; incidents: string };
  noIncidents: string;
  showMore: (n: number) => string;
  showFewer: string;
  whatWasDone: string;
  /** Accessible name of the health pill: `"Health: Degraded"`. */
  healthLabel: (label: string) => string;
  /** Accessible name of a warning icon next to a value. */
  warning: (why: string) => string;
  configProblems: (n: number) => string;
  openSettings: string;
  /** Visible text of a card's diagnostics link. */
  diagnostics: string;
  /** Its accessible name: `"Diagnostics for Dana Reyes (opens in a new tab)"`. */
  diagnosticsFor: (name: string) => string;
  diagnosticsAll: string;
  diagnosticsAllLabel: string;
  actionsLabel: string;
  /** Labels of the shared export buttons (extension/shared/export-buttons.tsx). */
  exportLabels: { bundle: string; summary: string; copied: string; failed: string };
}

/** The popup's own text from a catalogue. */
export function popupStringsFrom(t: Translate): PopupStrings {
  const locale = catalogueLocale(t);
  const n = (count: number): string => new Intl.NumberFormat(locale).format(count);
  return {
    locale,
    title: t('popup_title'),
    looking: t('popup_looking'),
    empty: t('popup_empty'),
    noAnswer: t('popup_noAnswer'),
    stale: (age) => t('popup_stale', [age]),
    broken: t('popup_broken'),
    sessionsLabel: t('popup_sessionsLabel'),
    endedSessions: (count) => t('popup_endedSessions', [n(count)]),
    sections: {
      signalling: t('popup_section_signalling'),
      media: t('popup_section_media'),
      auth: t('popup_section_auth'),
      incidents: t('popup_section_incidents'),
    },
    noIncidents: t('popup_noIncidents'),
    showMore: (count) => t('popup_showMore', [n(count)]),
    showFewer: t('popup_showFewer'),
    whatWasDone: t('popup_whatWasDone'),
    healthLabel: (label) => t('popup_healthLabel', [label]),
    warning: (why) => t('popup_warning', [why]),
    configProblems: (count) => t(pluralKey('popup_configProblems', count, locale), [n(count)]),
    openSettings: t('popup_openSettings'),
    diagnostics: t('popup_diagnostics'),
    diagnosticsFor: (name) => t('popup_diagnosticsFor', [name]),
    diagnosticsAll: t('popup_diagnosticsAll'),
    diagnosticsAllLabel: t('popup_diagnosticsAllLabel'),
    actionsLabel: t('popup_actionsLabel'),
    exportLabels: {
      bundle: t('popup_exportBundle'),
      summary: t('popup_exportSummary'),
      copied: t('popup_exportCopied'),
      failed: t('popup_exportFailed'),
    },
  };
}

const REASONS: readonly UnmonitoredReason[] = ['blocked-by-policy', 'no-host-access'];

/** The unmonitored-tab cards' text from a catalogue. */
export function hostAccessStringsFrom(t: Translate): HostAccessStrings {
  const locale = catalogueLocale(t);
  return {
    notMonitored: t('hostAccess_notMonitored'),
    tabs: (count) => t('hostAccess_tabs', [new Intl.NumberFormat(locale).format(count)]),
    reason: Object.fromEntries(
      REASONS.map((r) => [r, (origin: string) => t(`hostAccess_reason_${snake(r)}` as MessageKey, [origin])]),
    ) as HostAccessStrings['reason'],
    status: (count) => t(pluralKey('hostAccess_status', count, locale), [new Intl.NumberFormat(locale).format(count)]),
  };
}
