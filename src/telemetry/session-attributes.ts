/**
 * The attributes that say which agent session a log record or metric point is about. Pure.
 * `user.id` is the semantic-conventions attribute (development status, v1.45) for the
 * signed-in user; the organisation and tab have no convention, so they carry this product's
 * `softphone_guard.` prefix (the conventions ask custom attributes to be namespaced).
 * The agent's display name is personal data and is not exported.
 */
import type { SessionState } from '../session/types';

/** OTLP attribute values used here. */
export type TelemetryAttributes = Record<string, string | number | boolean>;

export const ATTR_USER_ID = 'user.id';
export const ATTR_AGENT_ORG_ID = 'softphone_guard.agent.org_id';
export const ATTR_TAB_ID = 'softphone_guard.tab.id';

/** `softphone_guard.tab.id`, and `user.id` / `softphone_guard.agent.org_id` once the agent is known. */
export function sessionAttributes(session: Pick<SessionState, 'tabId' | 'agent'>): TelemetryAttributes {
  const a: TelemetryAttributes = { [ATTR_TAB_ID]: session.tabId };
  if (session.agent?.userId) a[ATTR_USER_ID] = session.agent.userId;
  if (session.agent?.orgId) a[ATTR_AGENT_ORG_ID] = session.agent.orgId;
  return a;
}
