/**
 * Who exists in the lab: organisations and agents. Fixed data, so tests can name them.
 * Two organisations make the multi-org case of seed 002 reproducible: `agent-1` and
 * `agent-2` are members of both (home `org-a`), with the same user id in each.
 */

/** @typedef {{ id: string, name: string }} LabOrg */
/**
 * @typedef {{ id: string, name: string, email: string, orgId: string, orgIds: readonly string[] }} LabAgent
 *   `orgId`: the home organisation (a fresh login starts there); `orgIds`: every organisation
 *   the agent is a member of, home first
 */

/** @type {readonly LabOrg[]} */
export const ORGS = Object.freeze([
  Object.freeze({ id: 'org-a', name: 'Northwind Contact Centre' }),
  Object.freeze({ id: 'org-b', name: 'Contoso Support' }),
]);

/** @type {readonly LabAgent[]} */
export const AGENTS = Object.freeze([
  Object.freeze({
    id: 'agent-1',
    name: 'Alex Rivera',
    email: 'alex.rivera@northwind.example',
    orgId: 'org-a',
    orgIds: Object.freeze(['org-a', 'org-b']),
  }),
  Object.freeze({
    id: 'agent-2',
    name: 'Sam Chen',
    email: 'sam.chen@northwind.example',
    orgId: 'org-a',
    orgIds: Object.freeze(['org-a', 'org-b']),
  }),
  Object.freeze({ id: 'agent-3', name: 'Kim Lee', email: 'kim.lee@contoso.example', orgId: 'org-b', orgIds: Object.freeze(['org-b']) }),
]);

/**
 * Organisations whose access tokens are JWT-shaped (`header.payload.signature`); the others
 * get opaque base64url tokens. Both shapes exist so that redaction is exercised on each.
 */
export const JWT_ACCESS_TOKEN_ORGS = Object.freeze(new Set(['org-b']));

/**
 * @param {string} id
 * @returns {LabAgent | undefined}
 */
export function findAgent(id) {
  return AGENTS.find((a) => a.id === id);
}

/**
 * @param {string} id
 * @returns {LabOrg | undefined}
 */
export function findOrg(id) {
  return ORGS.find((o) => o.id === id);
}

/**
 * @param {string} userId
 * @param {string} orgId
 * @returns {boolean} whether the agent is a member of the organisation
 */
export function isMember(userId, orgId) {
  return findAgent(userId)?.orgIds.includes(orgId) ?? false;
}
