/**
 * Rung 4, carried out (docs/architecture.md §3 "Media recovery"): when the pure decision
 * (src/recovery/media-recovery.ts) says so, set the softphone origin's microphone content
 * setting back to allow (`chrome.contentSettings.microphone`), then ask the tab's probe to
 * re-acquire the microphone (`reacquire-media`). Every step is a session event, so the popup
 * shows what was done.
 *
 * The origin and URL come from the relay port's sender (relay-ports.ts), never from a page
 * message; the page must match `softphoneUrlPatterns`, and its origin be the one the loss was
 * first seen under. Grant times per origin are kept in memory
 * for the hourly limit; a worker restart forgets them (the limit then starts over).
 *
 * The agent's choice is respected (src/recovery/media-origin.ts `microphoneRestoreRule`): the
 * setting is restored only on an origin where the microphone was seen granted before it was
 * lost, or one `media.grantMicrophone` names. The origins seen granted (a top-level softphone
 * page reporting the permission `granted`) persist in `storage.local` (key
 * {@link GRANTED_ORIGINS_KEY}), so a worker restart keeps them.
 */
import { decideMediaRecovery, GRANT_WINDOW_MS } from '../../src/recovery/media-recovery';
import browser from 'webextension-polyfill';
import { microphoneRestoreRule, microphoneSettingTarget, observeGrant, rememberGrantedOrigin } from '../../src/recovery/media-origin';
import type { GrantWatch } from '../../src/recovery/media-origin';
import type { MicrophoneSettingTarget } from '../../src/recovery/media-origin';
import type { SessionState, WorkerEvent } from '../../src/session/types';
import { currentConfig } from './config-source';
import { commandSession, relayLink } from './relay-ports';
import { ingest } from './session-hub';
import { warn } from './log';

type GrantResult = { outcome: Exclude<Extract<WorkerEvent, { type: 'mic-grant' }>['outcome'], 'pending'>; detail?: string };

/** `storage.local` key: origins (most recent last) where the microphone was seen granted. */
export const GRANTED_ORIGINS_KEY = 'micGrantedOrigins';

const inFlight = new Set<number>();
/** Origins seen granted, most recent last; null until read from storage. */
let grantedOrigins: readonly string[] | null = null;
let loading: Promise<void> | null = null;
/** Per session key: what observeGrant needs to tell this origin's grant from a carried-over one. */
const grantWatches = new Map<number, GrantWatch>();

function loadGrantedOrigins(): Promise<void> {
  loading ??= browser.storage.local
    .get(GRANTED_ORIGINS_KEY)
    .then((r) => {
      const list: unknown = r[GRANTED_ORIGINS_KEY];
      return Array.isArray(list) ? list.filter((o): o is string => typeof o === 'string') : [];
    })
    .catch(() => [])
    .then((list) => {
      grantedOrigins ??= list;
    });
  return loading;
}

/**
 * Notes the origin of a top-level softphone page whose view reports the microphone granted (an
 * embedded one's permission is its embedder's), synchronously; the list is stored when it
 * changed (writes go out in order, the last one holds the latest list).
 */
function noteGrant(session: SessionState, origin: string, list: readonly string[]): readonly string[] {
  const seen = observeGrant(grantWatches.get(session.tabId), origin, session.media.micPermission);
  grantWatches.set(session.tabId, seen.watch);
  if (!seen.granted || session.embedded !== undefined) return list;
  const next = rememberGrantedOrigin(list, origin);
  if (next === list) return list;
  grantedOrigins = next;
  browser.storage.local.set({ [GRANTED_ORIGINS_KEY]: next }).catch((error: unknown) => warn('granted origins not stored', message(error)));
  return next;
}

const grantsByOrigin = new Map<string, number[]>();
/**
 * The origin each open microphone incident was first seen under (incident id → origin): a tab
 * that moved on to another site must not have the new site granted for the old one's loss.
 */
const incidentOrigins = new Map<string, string>();

/** The open microphone incident of a session (permission-lost first), remembering its origin. */
function incidentOrigin(session: SessionState, origin: string): string | undefined {
  const open = session.incidents.filter((i) => i.resolvedAt === undefined && (i.kind === 'permission-lost' || i.kind === 'track-ended'));
  const prefix = `${session.tabId}:`;
  for (const id of incidentOrigins.keys()) if (id.startsWith(prefix) && !open.some((i) => i.id === id)) incidentOrigins.delete(id);
  const incident = open.find((i) => i.kind === 'permission-lost') ?? open[0];
  if (!incident) return undefined;
  if (!incidentOrigins.has(incident.id)) incidentOrigins.set(incident.id, origin);
  return incidentOrigins.get(incident.id);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 160) : 'unknown error';
}

/** Sets the origin's microphone setting to allow, checking before and after. Never throws. */
async function grant(target: MicrophoneSettingTarget, incognito: boolean): Promise<GrantResult> {
  const microphone = globalThis.chrome?.contentSettings?.microphone;
  if (!microphone) return { outcome: 'failed', detail: 'This browser offers no content settings to extensions.' };
  try {
    const before = await microphone.get({ primaryUrl: target.primaryUrl, incognito });
    if (before.setting === 'allow') {
      return {
        outcome: 'failed',
        detail: 'The microphone setting already allows this softphone: something the extension cannot change blocks it.',
      };
    }
    await microphone.set({ primaryPattern: target.pattern, setting: 'allow', scope: incognito ? 'incognito_session_only' : 'regular' });
    const after = await microphone.get({ primaryUrl: target.primaryUrl, incognito });
    if (after.setting !== 'allow') {
      return { outcome: 'failed', detail: `The browser kept the microphone setting at "${after.setting}" (a browser policy decides it).` };
    }
    return { outcome: 'ok' };
  } catch (error) {
    return { outcome: 'failed', detail: `The browser refused the change: ${message(error)}` };
  }
}

function rememberGrant(origin: string, at: number): void {
  const recent = (grantsByOrigin.get(origin) ?? []).filter((t) => at - t < GRANT_WINDOW_MS);
  grantsByOrigin.set(origin, [...recent, at]);
}

/**
 * Asks the tab's probe to re-prime the microphone. The pending step goes in first, so the
 * probe's answer always finds it; a document that went away meanwhile leaves the step pending
 * until the decision's answer timeout allows another attempt.
 */
async function reacquire(tabId: number, at: number): Promise<void> {
  await ingest(tabId, { type: 'media-reacquire', at });
  commandSession(tabId, { type: 'reacquire-media' });
}

/**
 * Checks one session after it changed (and on every tick) and takes rung 4's next step, if
 * any. One step per tab at a time; the step's event is applied before the next check.
 */
export async function considerMediaRecovery(session: SessionState, now: number): Promise<void> {
  const tabId = session.tabId;
  if (session.endedAt !== undefined) grantWatches.delete(tabId);
  if (grantedOrigins === null) await loadGrantedOrigins();
  const link = relayLink(tabId);
  if (!link) return;
  const granted = noteGrant(session, link.origin, grantedOrigins ?? []);
  if (inFlight.has(tabId)) return;
  const config = currentConfig();
  const lostAt = incidentOrigin(session, link.origin);
  const rule = microphoneRestoreRule({
    grantMicrophone: config.media.grantMicrophone,
    origin: link.origin,
    pageUrl: link.url,
    grantedOrigins: granted,
  });
  const mayRestore = rule === 'observed-grant' || rule === 'named';
  const decision = decideMediaRecovery({ session, config, now, recentGrants: grantsByOrigin.get(link.origin) ?? [], mayRestore });
  if (decision.act === 'none' || (decision.act === 'grant' && lostAt !== link.origin)) return;
  inFlight.add(tabId);
  try {
    switch (decision.act) {
      case 'grant': {
        const target = microphoneSettingTarget(link.url, config.softphoneUrlPatterns);
        // Recorded before the browser is asked: the page hears of the change before the answer does.
        if (target) await ingest(tabId, { type: 'mic-grant', at: now, outcome: 'pending' });
        const result: GrantResult = target ? await grant(target, link.incognito) : { outcome: 'not-monitored' };
        if (result.outcome === 'ok') rememberGrant(link.origin, now);
        const recorded = ingest(tabId, { type: 'mic-grant', at: Date.now(), ...result });
        // Then at once the re-prime, queued right behind the grant so no page event lands in
        // between; the probe waits for the page to see the permission granted.
        if (result.outcome === 'ok' && config.media.reacquireOnLoss) await reacquire(tabId, Date.now());
        await recorded;
        break;
      }
      case 'grant-refused':
        await ingest(tabId, { type: 'mic-grant', at: now, outcome: decision.reason });
        break;
      case 'grant-ineffective':
        await ingest(tabId, {
          type: 'mic-grant',
          at: now,
          outcome: 'failed',
          detail: 'The setting allows the microphone, but the page is still blocked: something the extension cannot change decides.',
        });
        break;
      case 'reacquire':
        await reacquire(tabId, now);
        break;
    }
  } catch (error) {
    warn('media recovery step failed', message(error));
  } finally {
    inFlight.delete(tabId);
  }
}
