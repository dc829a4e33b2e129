/**
 * The identity a fresh token belongs to (docs/architecture.md §3 rung 2: "one refresh per identity"). A
 * token is single-flighted, cached, pushed and circuit-broken per identity key: the refresh
 * endpoint (or OAuth client) *and* the agent of the tab, as its identity response named them
 * (`identity` observation: user id and organisation). Seed 002's multi-org agents switch
 * organisation in one tab: after the switch, the tab's refresh is its new identity's, and a
 * token obtained for the old organisation is never handed to it.
 */

/** The agent a tab belongs to, as far as it is known (both absent before the identity response). */
export interface TokenIdentity {
  userId?: string;
  orgId?: string;
}

/**
 * The key of an identity: `refreshKey` (the endpoint or OAuth client, from configuration)
 * followed by the organisation and user as a JSON pair, so no two identities share a key
 * whatever characters their ids hold. A tab whose agent is not known yet gets `[null,null]`:
 * its own key, shared with other tabs not known yet, never with a known identity.
 * @param refreshKey the configured endpoint's key (never from a page)
 */
export function tokenIdentityKey(refreshKey: string, identity: TokenIdentity | undefined): string {
  return `${refreshKey} ${JSON.stringify([identity?.orgId ?? null, identity?.userId ?? null])}`;
}

/** True when both name the same agent (same user id and organisation; absent equals absent). */
export function sameIdentity(a: TokenIdentity | undefined, b: TokenIdentity | undefined): boolean {
  return a?.userId === b?.userId && a?.orgId === b?.orgId;
}
