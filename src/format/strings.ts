/**
 * The shape of every piece of text the formatters produce. The formatters hold no English of
 * their own: the caller passes a table built from a `_locales` catalogue by
 * {@link formatStringsFrom} (src/format/catalogue-strings.ts), so a new language is a new
 * `messages.json` and no logic.
 *
 * Functions take already formatted pieces (`"4 s"`, `"/api/v2/x"`) and return a sentence;
 * numbers inside them are formatted by the caller with {@link FormatStrings.locale}.
 */
import type { ProfileName } from '../policy/schema';
import type { Health, IncidentKind, RecoveryStep } from '../session/types';
import type { Translate } from './translate';

/** Text table for `src/format`. */
export interface FormatStrings {
  /** BCP 47 tag for number formatting (`Intl.NumberFormat`) and plural rules. */
  locale: string;
  /** The catalogue lookup the table was built from, for sentences composed from several messages. */
  translate: Translate;
  /** Shown where a value was never measured or is unknown. */
  notAvailable: string;
  units: {
    ms: string;
    s: string;
    min: string;
    h: string;
    d: string;
    percent: string;
    bytes: string;
    kB: string;
    MB: string;
    GB: string;
  };
  /** A time less than a second away from now. */
  justNow: string;
  /** `"4 s"` → `"4 s ago"`. */
  ago: (duration: string) => string;
  /** `"8 min"` → `"in 8 min"`. */
  inFuture: (duration: string) => string;

  health: Record<Health, string>;
  /** Pill text of a session whose tab is gone. */
  ended: string;

  /** Card title when the agent is known only by user id. */
  agentById: (userId: string) => string;
  /** Card title when the agent is not known yet. */
  unknownAgent: (tabId: number) => string;
  /** Card subtitle part naming the organisation. */
  org: (orgId: string) => string;
  /** Card subtitle part of an embedded softphone: `"crm.example.com"` → `"in a frame of crm.example.com"`. */
  embeddedIn: (host: string) => string;

  /** The card's line about the tab's last organisation switch (seed 002). */
  orgSwitch: {
    /** `("org-a", "org-b", "07:55")` → `"Switched organisation org-a → org-b at 07:55"`. */
    switched: (from: string, to: string, time: string) => string;
    /**
     * What the probe closed of the old organisation: `(1, "1", 1, "1", "org-a")` →
     * `"closed 1 socket and 1 call connection of org-a before the new sign-in"`.
     */
    closed: (sockets: number, socketsText: string, calls: number, callsText: string, from: string) => string;
    /** `(switched, closed)` → the whole sentence. */
    sentence: (switched: string, closed: string) => string;
    /** Stands in for an organisation id the identity response left empty. */
    unnamed: string;
  };

  signalling: {
    socket: string;
    socketState: Record<'none' | 'open' | 'closed', string>;
    openSockets: string;
    lastClose: string;
    /** `(code, "clean" | "abnormal")` → `"1006, abnormal"`. */
    closeCode: (code: number, kind: string) => string;
    clean: string;
    abnormal: string;
    closeReason: string;
    none: string;
    heartbeatAge: string;
    noMessageYet: string;
    /** Warning for a silent socket: `"30 s"` → `"No message for over 30 s"`. */
    heartbeatLate: (limit: string) => string;
    abnormalWarning: string;
    /** Label of the row naming the softphone's workers. */
    workers: string;
    /** `("SharedWorker", "lab-softphone")`-style kinds: `worker` → `"Worker"`, `shared-worker` → `"SharedWorker"`. */
    workerKind: Record<'worker' | 'shared-worker', string>;
  };
  media: {
    ice: string;
    connection: string;
    noPeerConnection: string;
    rtt: string;
    jitter: string;
    loss: string;
    mos: string;
    audioReceived: string;
    mic: string;
    micState: Record<'granted' | 'denied' | 'prompt', string>;
    micError: string;
    /** `"400 ms"` → `"Above 400 ms"`. */
    above: (limit: string) => string;
    /** `"3.0"` → `"Below 3.0"`. */
    below: (limit: string) => string;
    badState: string;
    micDenied: string;
  };
  auth: {
    last401: string;
    /** Label of the path of the request that got the last 401. */
    endpoint: string;
    lastRefresh: string;
    /** `("2 min ago", "ok")` → `"2 min ago — ok"`. */
    refreshOutcome: (when: string, outcome: string) => string;
    outcome: Record<'ok' | 'failed', string>;
    tokenExpiry: string;
    /** `"2 min ago"` → `"Expired 2 min ago"`. */
    expired: (when: string) => string;
    unknown: string;
    refreshCount: string;
    retries: string;
    /** `(recovered, total)` → `"4 of 5 recovered"`. */
    retriesRecovered: (recovered: string, total: string) => string;
    none: string;
    refreshFailedWarning: string;
  };
  incident: {
    open: string;
    resolved: string;
    /** `"12 s"` → `"Open for 12 s"`. */
    openFor: (duration: string) => string;
    /** `"4 s"` → `"Resolved after 4 s"`. */
    resolvedAfter: (duration: string) => string;
    /** `"3"` → `"Seen 3 times"`. */
    repeated: (count: string) => string;
    kind: Record<IncidentKind, string>;
    /**
     * Note under an `unauthorized` or safe-reload incident where the extension cannot fetch a
     * token (strategy `reload-when-idle`), per profile in force: why, and that it reloads when
     * no call is active.
     */
    noRefresh: Record<ProfileName, string>;
  };
  step: {
    action: Record<RecoveryStep['action'], string>;
    /** Outcome wording per action: a retry "ok" means the page saw success. */
    outcome: Record<RecoveryStep['action'], Record<RecoveryStep['outcome'], string>>;
    /** `("Fetched a fresh token", "ok")` → `"Fetched a fresh token — ok"`. */
    sentence: (action: string, outcome: string) => string;
    /** `"1 s"` → `"after 1 s"`: time from the incident opening to the step. */
    after: (duration: string) => string;
  };
  summary: {
    /** `(n, worst)` → `"Watching 2 softphone tabs. Worst: Degraded."` */
    watching: (count: number, countText: string, worst: string) => string;
    /** `"1,234"` → `"1,234 events stored"`. */
    storedEvents: (count: number, countText: string) => string;
  };
}
