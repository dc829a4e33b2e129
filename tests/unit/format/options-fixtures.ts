/** `get-config` answers for the options tests, built as the worker builds them. */
import { redactConfig } from '../../../src/policy/redact-config';
import { resolveConfig } from '../../../src/policy/resolve';
import { redactUserConfig } from '../../../src/policy/user-config';
import type { ConfigResponse } from '../../../src/protocol/ui';

/** The worker's answer for these storage contents (extension/background/ui-requests.ts). */
export function answerFor(managed: unknown, user: unknown, policyLoaded = true): ConfigResponse {
  const r = resolveConfig({ managed, user });
  return {
    type: 'config',
    config: redactConfig(r.config),
    sources: r.sources,
    problems: r.problems,
    user: redactUserConfig(user),
    policyLoaded,
  };
}
