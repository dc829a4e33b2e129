/**
 * Messages between extension pages (popup, options, diagnostics) and the service worker,
 * over `runtime.sendMessage`. Only extension pages may send them: the worker checks
 * `sender.id` and that the sender has no tab URL outside the extension.
 */
import { z } from 'zod';
import type { Incident, SessionState } from '../session/types';

export const UiRequestSchema = z.discriminatedUnion('type', [
  /** Current sessions, for the popup. */
  z.strictObject({ type: z.literal('get-state') }),
  /** Stored events, newest first, for export and diagnostics; `limit` ≤ 10,000. */
  z.strictObject({
    type: z.literal('get-events'),
    tabId: z.number().int().optional(),
    limit: z.number().int().positive().max(10_000),
  }),
]);
export type UiRequest = z.infer<typeof UiRequestSchema>;

/** A session as the popup shows it, with its recent incidents (newest first). */
export type SessionView = SessionState & { alive: boolean };

/** Answer to `get-state`. */
export interface StateResponse {
  type: 'state';
  /** Sessions of open tabs first, then ended ones still in the store; newest first. */
  sessions: SessionView[];
  /** Worst health across live sessions, or null when none is monitored. */
  worst: SessionState['health'] | null;
  /** Events in the store (approximate, for display). */
  storedEvents: number;
  now: number;
}

/** One stored event: a redacted observation or worker event, with its tab. */
export interface StoredEvent {
  seq?: number;
  tabId: number;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/** Answer to `get-events`. */
export interface EventsResponse {
  type: 'events';
  events: StoredEvent[];
  incidents: Incident[];
}
