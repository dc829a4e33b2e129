/**
 * Seed 002, docs/architecture.md §3 "Org switch": a multi-org agent switches organisations in the same
 * tab and the previous organisation's WebRTC session stays alive, colliding with the new one.
 *
 * The probe keeps the org of the document's latest identity response. When one names an org
 * other than the previous identity's (both known), it tears the previous org's sessions down
 * before the page sees that response (fetch-hook.ts holds the response, xhr-hook.ts reads it
 * before the page's DONE handlers run), so the app's new handshake never meets them:
 *
 * - every watched WebSocket still CONNECTING or OPEN whose `access_token` is not the token the
 *   identity request carried (a socket the app already opened for the new org stays) gets
 *   the native `close(1000, 'Organization switched')` — the page sees an ordinary clean close;
 * - every peer connection not closed yet gets the native `close()`;
 *
 * then `org-switch` is posted with the counts. The token broker forgets every token it held
 * first: a fresh token of the old org must never answer a 401 of the new one. The first
 * identity of a document, an identity without an org, and the same org again change nothing.
 */
import type { ExtractedIdentity } from '../../src/identity/extract-identity';
import type { PageObservation } from '../../src/protocol/page';
import type { SessionControls } from './context';

/** Largest count the observation carries (the schema's bound). */
const MAX_COUNT = 1000;

/** What the org switch needs of the probe. */
export interface OrgSwitchDeps {
  post(obs: PageObservation): void;
  now(): number;
  sessions: SessionControls;
  /** Called on a switch, before the teardown: the token broker forgets the old org's tokens. */
  onSwitch(): void;
}

/** See the module comment. */
export interface OrgSwitch {
  /** Posts `identity`, then tears down and posts `org-switch` when the org changed. @throws never */
  onIdentity(identity: ExtractedIdentity, token: string | null): void;
}

const attempt = (fn: () => number): number => {
  try {
    return Math.min(MAX_COUNT, fn());
  } catch {
    return 0;
  }
};

/** Creates the handler for one document. */
export function createOrgSwitch(deps: OrgSwitchDeps): OrgSwitch {
  /** The org of the document's previous identity, when it named one. */
  let orgId: string | null = null;
  return {
    onIdentity(identity, token) {
      try {
        deps.post({ type: 'identity', at: deps.now(), ...identity });
        const from = orgId;
        const to = identity.orgId ?? null;
        orgId = to;
        if (from === null || to === null || from === to) return;
        try {
          deps.onSwitch();
        } catch {
          // the teardown still happens
        }
        const { sockets, peerConnections } = deps.sessions;
        const closedSockets = attempt(() => sockets?.closeForOrgSwitch(token) ?? 0);
        const closedPeerConnections = attempt(() => peerConnections?.closeAll() ?? 0);
        deps.post({ type: 'org-switch', at: deps.now(), fromOrgId: from, toOrgId: to, closedSockets, closedPeerConnections });
      } catch {
        // never into the page's response handling
      }
    },
  };
}
