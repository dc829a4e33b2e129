/** Types for tests/lab/server.mjs (the softphone lab). Behaviour: tests/lab/README.md. */

export interface LabAgent {
  id: string;
  name: string;
  email: string;
  /** home organisation: a fresh login starts there */
  orgId: string;
  /** every organisation the agent is a member of, home first (agent-1: org-a, org-b) */
  orgIds: readonly string[];
}
export interface LabOrg {
  id: string;
  name: string;
}

export interface LabCall {
  id: string;
  from: string;
  /** null = offered to every agent */
  offeredTo: string[] | null;
  state: 'alerting' | 'connected' | 'disconnected';
  answeredBy: string | null;
  /** ms since epoch */
  createdAt: number;
}

export interface LabFaultResult {
  fault: string;
  /** ms since epoch */
  since: number;
  /** ms since epoch; null = until cleared */
  until: number | null;
  /** numbers, except string parameters such as org-switch's `toOrg` */
  params: Record<string, number | string>;
  /** publish-storm, token-revoke: access tokens that were live when revoked */
  revokedTokens?: number;
  /** publish-storm, server-down: sockets dropped without a close frame */
  terminatedSockets?: number;
  /** silent-stall: sockets open at injection, now silent (sockets opened later are not) */
  stalledSockets?: number;
  /** mic-revoked, org-switch: sockets the lab push was written to */
  notifiedSockets?: number;
}

export interface LabStats {
  /** POST /api/v2/authentication/refresh calls, whatever their outcome */
  refreshCalls: number;
  /** by user id; calls without a valid refresh cookie under "(none)" */
  refreshCallsByUser: Record<string, number>;
  /** access tokens issued (authorization code and refresh) */
  tokensIssued: number;
  /** notification sockets accepted */
  wsConnectionsTotal: number;
  /** notification sockets open now (a gauge, not reset) */
  wsOpen: number;
  /** notification upgrades refused (401, or 503 while server-down) */
  wsRejected: number;
  /**
   * notification upgrades accepted and dropped at once (1006) because the same login session
   * still had an open socket of another organisation (seed 002); not in wsConnectionsTotal
   */
  wsConflicts: number;
  /** app page loads that started the app (GET / with an authorization code) */
  pageLoads: number;
  /** keyed "METHOD path-template status", e.g. "GET /api/v2/communications/webRTC 401" */
  requests: Record<string, number>;
  /** active faults by name: since/until in ms since epoch, plus their parameters */
  faults: Record<string, { since: number; until: number | null } & Record<string, number | string | null>>;
}

/** One answered request in the lab's log (control calls are not logged). */
export interface LabLoggedRequest {
  method: string;
  /** route template, e.g. "/api/v2/presence/users/{id}" */
  path: string;
  status: number;
  /** ms since epoch the request arrived */
  receivedAt: number;
  /** ms since epoch its answer was sent */
  answeredAt: number;
}

/** What one request to the attacker origin carried (raw header and query values, null when absent). */
export interface LabAttackerRequest {
  /** ms since epoch */
  at: number;
  method: string;
  /** the URL path, e.g. "/api/v2/x" */
  path: string;
  origin: string | null;
  /** a WebSocket upgrade request */
  upgrade: boolean;
  authorization: string | null;
  xAmzBearer: string | null;
  /** the `access_token` query parameter */
  accessToken: string | null;
}

export interface LabState {
  readonly agents: readonly LabAgent[];
  readonly orgs: readonly LabOrg[];
  readonly calls: Map<string, LabCall>;
  /**
   * Offers a call (pushes `alerting` to that user's sockets, whatever their organisation, or
   * to every socket). `delivered`: sockets the push was really written to (a silently stalled
   * socket is not).
   * @throws Error with `status` 404 for an unknown user
   */
  ring(opts?: { userId?: string; from?: string }): { callId: string; delivered: number };
  /**
   * Injects a named fault (publish-storm, token-revoke, renegotiation-timeout, server-down,
   * silent-stall, slow-refresh, mic-revoked, org-switch).
   * @throws Error with `status` 404 unknown, 501 not implemented, 400 bad parameter
   */
  injectFault(name: string, params?: Record<string, unknown>): LabFaultResult;
  /** Same as injectFault('publish-storm', params). Defaults: retryAfterSeconds 3, rateLimitMs 8000. */
  publishStorm(params?: { retryAfterSeconds?: number; rateLimitMs?: number }): LabFaultResult;
  /** @returns whether the fault was active */
  clearFault(name: string): boolean;
  faults(): {
    definitions: Record<string, { description: string; implemented: boolean; defaults: Record<string, number | string> }>;
    active: LabStats['faults'];
  };
  /** Clears faults (ending a silent stall), counters and the attacker's log; tokens, sessions and sockets stay. */
  reset(): void;
  /** Every request the attacker origin received (at most 2000), oldest first; emptied by reset(). */
  attackerLog(): LabAttackerRequest[];
  stats(): LabStats;
  /** The latest requests (at most 2000), oldest first; emptied by reset(). */
  requestLog(): LabLoggedRequest[];
}

export interface LabOrigins {
  /** the softphone app and platform, e.g. https://softphone.test:40123 */
  softphone: string;
  /** a second softphone origin (same app and platform, its own cookies) */
  softphoneB: string;
  /** the CRM site: `${crm}/crm?user=agent-1[&transport=…]` frames the softphone */
  crm: string;
  /** the hostile origin: 401 to every /api/v2/* request, each logged */
  attacker: string;
}

export interface Lab {
  /** the app origin, e.g. http://127.0.0.1:40123, with `tls` https://softphone.test:40123 (the app is at `${url}/`) */
  url: string;
  port: number;
  /** whether the lab serves HTTPS (`startLab({ tls: true })`) */
  tls: boolean;
  /** plain HTTP on loopback, e.g. http://127.0.0.1:40123: the control API from Node (same as `url` without `tls`) */
  controlUrl: string;
  /** the lab's sites by host name (https with `tls`, else http); a browser needs TLS_BROWSER_ARGS to reach them */
  origins: LabOrigins;
  state: LabState;
  close(): Promise<void>;
}

/** The lab's host names (all resolve to 127.0.0.1 with TLS_BROWSER_ARGS). */
export const LAB_HOSTS: Readonly<{
  softphone: 'softphone.test';
  softphoneB: 'softphone-b.test';
  crm: 'crm.test';
  attacker: 'attacker.test';
}>;

/** Chromium flags for the lab's sites: `--host-resolver-rules=MAP *.test 127.0.0.1`, `--ignore-certificate-errors`. */
export const TLS_BROWSER_ARGS: readonly string[];

/**
 * Starts the lab on `host:port` (port 0 = a free port).
 * @param opts.heartbeatMs notification heartbeat period, ms (default 5000)
 * @param opts.tokenTtlSeconds access-token lifetime, s (default 600)
 * @param opts.tls HTTPS for the lab's host names with a throwaway certificate (plain HTTP still
 *   answered on the same port); login cookies `SameSite=None; Secure; Partitioned`
 * @param opts.log receives one line per request ("METHOD path-template status"), never a token
 */
export function startLab(opts?: {
  port?: number;
  host?: string;
  heartbeatMs?: number;
  tokenTtlSeconds?: number;
  tls?: boolean;
  log?: (line: string) => void;
}): Promise<Lab>;
