/**
 * Sessions, one per monitored softphone document's place — a tab, or a frame of a tab — keyed
 * by src/session/session-key.ts (named `tabId` in the state and the store): feeds every event through the redaction choke point
 * (`redactForStorage`: secrets, caller data, URLs minimised to origin and templated path) and
 * the pure reducer, then carries out what the reducer decided (persist, badge).
 *
 * Events are applied strictly in arrival order through one promise chain, after the
 * snapshots of a previous worker life have been loaded, so a restarted worker continues
 * each session where the last one left it. Relay observations carry their document and
 * sequence number ({@link Delivery}): one the store already holds is not applied twice.
 */
import type { PageObservation } from '../../src/protocol/page';
import type { SessionState, WorkerEvent } from '../../src/session/types';
import type { SessionView, StateResponse } from '../../src/protocol/ui';
import { createSession, reduceSession, worstHealth } from '../../src/session/reducer';
import { redactForStorage } from '../../src/redact/redact';
import {
  afterCommit,
  appendEvent,
  countEvents,
  isDelivered,
  loadSessions,
  markDelivered,
  putIncident,
  putSession,
  storeStatus,
} from './event-store';
import { showWorstHealth } from './badge';
import { currentConfig } from './config-source';
import { warn } from './log';
import { sessionPlace } from '../../src/session/session-key';

/** Ended sessions kept for the popup after their tab closed. */
export const MAX_ENDED_SESSIONS = 10;

const sessions = new Map<number, SessionState>();
const updateListeners = new Set<(session: SessionState, at: number) => void>();

/** Calls `fn` after every applied event (ticks included) with the session's new state. */
export function onSessionUpdate(fn: (session: SessionState, at: number) => void): void {
  updateListeners.add(fn);
}
let chain: Promise<void> = loadSessions()
  .then((saved) => {
    for (const s of saved) if (!sessions.has(s.tabId)) sessions.set(s.tabId, s);
  })
  .catch((error: unknown) => {
    warn('could not load sessions', error instanceof Error ? error.name : 'unknown');
  });

/** Resolves once everything queued so far has been applied. */
export function settled(): Promise<void> {
  return chain;
}

/**
 * Everything but ticks and socket activity is stored. The probe already posts a good call's
 * `pc-stats` only about every 5 s, and every one of a poor call (src/quality/stats-reporting.ts).
 */
function shouldStore(event: PageObservation | WorkerEvent): boolean {
  return event.type !== 'tick' && event.type !== 'ws-activity';
}

function apply(tabId: number, raw: PageObservation | WorkerEvent): void {
  // The choke point, at ingest: secrets redacted, caller data masked and every URL minimised
  // (src/redact/url-minimise.ts) before the reducer, the store, telemetry or the popup see it.
  // Live decisions on the full URL (token audience, SharedWorker scripts, webRequest
  // pairing) are taken by the callers on the observation as received, and never persist.
  const event = redactForStorage(raw) as PageObservation | WorkerEvent;
  const before = sessions.get(tabId) ?? createSession(tabId, event.at);
  const { watchdog } = currentConfig();
  const { state, effects } = reduceSession(before, event, {
    reconnectGraceMs: watchdog.reconnectGraceMs,
    heartbeatTimeoutMs: watchdog.heartbeatTimeoutMs,
  });
  const next: SessionState = before.endedAt !== undefined && event.type !== 'tick' ? { ...state, endedAt: undefined } : state;
  sessions.set(tabId, next);
  if (shouldStore(event)) {
    const { type, at, ...data } = event as { type: string; at: number } & Record<string, unknown>;
    appendEvent({ tabId, at, type, data });
  }
  for (const effect of effects) {
    if (effect.type === 'incident-opened' || effect.type === 'incident-updated') putIncident(effect.incident);
  }
  if (next !== before) putSession(next);
  void showWorstHealth(currentWorst(), signInNeeded());
  for (const fn of updateListeners) fn(next, event.at);
}

/**
 * Where a relay observation came from (src/protocol/port.ts): its document and sequence
 * number, and what to do once it is stored (acknowledge it to the relay).
 */
export interface Delivery {
  /** The relay's document id (`relay-hello` `doc`). */
  doc: string;
  /** The observation's `seq` within the document. */
  seq: number;
  /**
   * Called once the observation and what it changed are committed (a resend already stored:
   * once everything queued before it is committed), to acknowledge it to the relay.
   */
  stored: () => void;
}

/**
 * Queues an event for a tab. Never throws; a failing event is logged (by type) and skipped.
 * With `delivery`, an observation already stored (a relay's resend to a restarted worker,
 * src/storage/delivery.ts) is skipped, and `delivery.stored` is called once it is committed.
 */
export function ingest(tabId: number, event: PageObservation | WorkerEvent, delivery?: Delivery): Promise<void> {
  chain = chain.then(() => {
    if (delivery && isDelivered(tabId, delivery.doc, delivery.seq)) {
      afterCommit(delivery.stored);
      return;
    }
    try {
      apply(tabId, event);
    } catch (error) {
      warn(`event skipped (${event.type})`, error);
    }
    if (delivery) {
      markDelivered(tabId, delivery.doc, delivery.seq, Date.now());
      afterCommit(delivery.stored);
    }
  });
  return chain;
}

/** Ends every session of a tab (the tab closed): its top-level one and those of its frames. */
export function endTabSessions(tabId: number, at: number): Promise<void> {
  chain = chain.then(() => {
    for (const key of [...sessions.keys()]) if (sessionPlace(key).tabId === tabId) void endSession(key, at);
  });
  return chain;
}

/** Marks a session ended (its tab closed, or its document is no longer monitored) and drops the oldest ended sessions. */
export function endSession(tabId: number, at: number): Promise<void> {
  chain = chain.then(() => {
    const s = sessions.get(tabId);
    if (!s) return;
    const ended = { ...s, endedAt: at };
    sessions.set(tabId, ended);
    putSession(ended);
    const endedOnes = [...sessions.values()].filter((x) => x.endedAt !== undefined).sort((a, b) => b.updatedAt - a.updatedAt);
    for (const old of endedOnes.slice(MAX_ENDED_SESSIONS)) sessions.delete(old.tabId);
    void showWorstHealth(currentWorst(), signInNeeded());
  });
  return chain;
}

/** Sends a `tick` to every live session so time-based health (grace, heartbeat) advances. */
export function tickAll(at: number): void {
  for (const s of sessions.values()) if (s.endedAt === undefined) void ingest(s.tabId, { type: 'tick', at });
}

/** Every session the worker holds (live and recently ended), in no particular order. */
export function knownSessions(): SessionState[] {
  return [...sessions.values()];
}

/** The current session of a tab, if any. */
export function sessionOf(tabId: number): SessionState | undefined {
  return sessions.get(tabId);
}

/** A live session needs an interactive sign-in: the badge says so before any health. */
function signInNeeded(): boolean {
  return [...sessions.values()].some((s) => s.endedAt === undefined && s.auth.signInRequired === true);
}

function currentWorst(): SessionState['health'] | null {
  const live = [...sessions.values()].filter((s) => s.endedAt === undefined).map((s) => s.health);
  return worstHealth(live);
}

/** Snapshot for the popup: live sessions first (worst first), then ended ones. */
export async function stateForUi(): Promise<StateResponse> {
  await chain;
  const views: SessionView[] = [...sessions.values()].map((s) => ({ ...s, alive: s.endedAt === undefined }));
  views.sort((a, b) => Number(b.alive) - Number(a.alive) || b.updatedAt - a.updatedAt);
  const storedEvents = await countEvents().catch(() => 0);
  return { type: 'state', sessions: views, worst: currentWorst(), storedEvents, now: Date.now(), store: storeStatus() };
}
