/**
 * Reads the agent's identity out of the identity response (default: the softphone's
 * `/api/v2/users/me` JSON, docs/architecture.md §4 `agentIdentity`) by dotted paths. Only the three
 * named fields leave the page; the rest of the body is never looked at again.
 */

/** Dotted paths into the identity JSON, e.g. `{ id: 'id', name: 'name', org: 'organization.id' }`. */
export interface IdentityFields {
  id: string;
  name: string;
  org: string;
}

/** The identity as the `identity` observation carries it (src/protocol/page.ts). */
export interface ExtractedIdentity {
  userId: string;
  name?: string;
  orgId?: string;
}

/** Longest value kept, characters (the observation schema's bound). */
export const MAX_IDENTITY_VALUE = 256;

/**
 * The value at a dotted path (`organization.id`; array indices as segments, `teams.0.id`),
 * following own properties only so `__proto__` and inherited names never resolve. Strings are
 * returned as is, finite numbers and bigints as decimal strings; anything else, an empty
 * string, an empty path or a value longer than {@link MAX_IDENTITY_VALUE} gives undefined.
 */
export function readDottedField(json: unknown, path: string): string | undefined {
  if (path.length === 0) return undefined;
  let cur: unknown = json;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  let text: string | undefined;
  if (typeof cur === 'string') text = cur;
  else if (typeof cur === 'number' && Number.isFinite(cur)) text = String(cur);
  else if (typeof cur === 'bigint') text = cur.toString();
  return text !== undefined && text.length > 0 && text.length <= MAX_IDENTITY_VALUE ? text : undefined;
}

/**
 * The identity in a parsed JSON body, or null when the id field is missing or unusable
 * (name and org are optional).
 */
export function extractIdentity(json: unknown, fields: IdentityFields): ExtractedIdentity | null {
  const userId = readDottedField(json, fields.id);
  if (userId === undefined) return null;
  const identity: ExtractedIdentity = { userId };
  const name = readDottedField(json, fields.name);
  if (name !== undefined) identity.name = name;
  const orgId = readDottedField(json, fields.org);
  if (orgId !== undefined) identity.orgId = orgId;
  return identity;
}
