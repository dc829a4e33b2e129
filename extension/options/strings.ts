/**
 * Every piece of English text the options page shows, in one place so it can move to
 * `_locales` without touching components or the view model. {@link MODEL_STRINGS} is the table
 * the pure model in `src/format/options-*.ts` takes; {@link OPTIONS_STRINGS} is the page's own.
 */
import type { OptionsStrings } from '../../src/format/options-strings';

/** Text for `src/format/options-*.ts`: section titles, labels, help, sources, parse messages. */
export const MODEL_STRINGS: OptionsStrings = {
  locale: 'en',
  sections: {
    monitoring: 'Monitored pages and requests',
    tokenRefresh: 'Token refresh',
    retry: 'Transparent retry',
    watchdog: 'Signalling watchdog',
    media: 'Microphone recovery',
    safeReload: 'Safe reload',
    riskWindows: 'Risk windows',
    agentIdentity: 'Agent identity',
    telemetry: 'OpenTelemetry export',
    storage: 'Event history',
  },
  fields: {
    profile: {
      label: 'Softphone platform',
      help: 'genesys-cloud, amazon-connect or twilio-flex: every setting not set here or by policy takes that platform’s value, read from the vendor’s own client code. custom: the built-in values.',
    },
    softphoneUrlPatterns: {
      label: 'Softphone pages',
      help: 'Chrome match patterns of the softphone pages to watch, one per line, for example https://*.mypurecloud.com/*.',
    },
    protectedRequestPatterns: {
      label: 'Requests recovered on 401',
      help: 'URL globs, one per line; * matches anything, and the whole URL must match (start with * or https://).',
    },
    'tokenRefresh.strategy': {
      label: 'Refresh strategy',
      help: 'cookie-endpoint: the softphone’s own refresh endpoint. oauth-silent: silent sign-in with PKCE. reload-when-idle: reload the tab when no call is active. off: report only.',
    },
    'tokenRefresh.refreshUrl': {
      label: 'Refresh endpoint',
      help: 'For cookie-endpoint: a path on the softphone’s site (/api/v2/authentication/refresh) or an absolute URL.',
    },
    'tokenRefresh.authorizeUrl': { label: 'Authorization endpoint', help: 'For oauth-silent: absolute https URL.' },
    'tokenRefresh.tokenUrl': { label: 'Token endpoint', help: 'For oauth-silent: absolute https URL.' },
    'tokenRefresh.clientId': { label: 'OAuth client ID', help: 'For oauth-silent: the public client’s ID.' },
    'tokenRefresh.scope': { label: 'OAuth scope', help: 'For oauth-silent: space-separated scopes; empty for the server’s default.' },
    'tokenRefresh.refreshAheadSeconds': {
      label: 'Refresh ahead of expiry (s)',
      help: 'Seconds before a token’s known expiry to fetch a fresh one. At most 86,400.',
    },
    'tokenRefresh.audience': {
      label: 'Token audience',
      help: 'Origins a fresh token may be sent to, besides the softphone page’s own and the refresh and token endpoints’, one per line, for example https://api.mypurecloud.com or https://*.my.connect.aws. https only (http for localhost).',
    },
    tokenCarriers: {
      label: 'Where the token travels',
      help: 'JSON list. {"type":"header","name":"Authorization","scheme":"Bearer"}, {"type":"query","name":"access_token"}, {"type":"ws-message","pattern":"<regular expression with one capture group>"} or {"type":"ws-message","format":"xmpp-sasl-plain","prefix":"authKey:"}.',
    },
    'retry.baseDelayMs': { label: 'Base delay (ms)', help: 'Backoff base: the wait before a retry grows from this. At most 120,000.' },
    'retry.maxDelayMs': { label: 'Maximum delay (ms)', help: 'Backoff cap; not below the base delay. At most 120,000.' },
    'retry.maxAttempts': { label: 'Maximum retries', help: 'Retries per request; 0 turns transparent retry off. At most 10.' },
    'retry.statuses': { label: 'Retried HTTP statuses', help: 'Error statuses to retry, separated by commas, for example 408, 429, 503.' },
    'watchdog.reconnectGraceMs': {
      label: 'Reconnect grace period (ms)',
      help: 'Time the softphone gets to reconnect by itself after its WebSocket closed abnormally. At most 3,600,000 (an hour).',
    },
    'watchdog.heartbeatTimeoutMs': {
      label: 'Heartbeat timeout (ms)',
      help: 'Silence on an open WebSocket after which it counts as stalled; 0 turns stall detection off. At most 3,600,000.',
    },
    'media.grantMicrophone': {
      label: 'Sites whose microphone may be allowed again',
      help: 'Softphone Guard allows a blocked microphone again on a softphone site where it saw the microphone allowed before; a block set on any other site stays, unless the site is listed here. JSON: a list of origins such as ["https://apps.mypurecloud.com", "https://*.my.connect.aws"], true (or ["*"]) for every monitored site, [] for none, false to never change the setting.',
    },
    'media.reacquireOnLoss': {
      label: 'Re-acquire the microphone',
      help: 'When the microphone stopped, have the softphone capture it again so it sees the devices.',
    },
    'safeReload.enabled': { label: 'Allow safe reload', help: 'Reload the tab as a last resort, never during a call.' },
    'safeReload.quietMs': {
      label: 'Quiet period (ms)',
      help: 'Time without incoming call audio before the tab counts as idle. At most 3,600,000.',
    },
    'safeReload.maxPerHour': { label: 'Reloads per hour', help: 'Most safe reloads per tab in any hour; 0 turns them off. At most 60.' },
    riskWindows: {
      label: 'Risk windows (JSON)',
      help: 'Known high-load windows, as a JSON list of {"days":["Mon"],"start":"06:00","timeZone":"America/Chicago","durationMinutes":30,"refreshAheadMinutes":5}. Time zones are IANA names.',
    },
    'agentIdentity.requestPattern': { label: 'Identity request', help: 'URL glob of the softphone response that names the agent.' },
    'agentIdentity.idField': { label: 'User ID field', help: 'Dotted path of the user ID in that response, for example id.' },
    'agentIdentity.nameField': { label: 'Name field', help: 'Dotted path of the agent’s name; empty for none.' },
    'agentIdentity.orgField': { label: 'Organisation field', help: 'Dotted path of the organisation ID; empty for none.' },
    'telemetry.otlpEndpoint': { label: 'OTLP endpoint', help: 'Absolute http(s) URL of the collector; empty turns export off.' },
    'telemetry.headers': {
      label: 'OTLP headers (JSON)',
      help: 'A JSON object of header names and values, for example {"x-api-key":"…"}. Values are never shown; leave "[redacted]" to keep a stored value.',
    },
    'telemetry.exportIntervalSeconds': { label: 'Export interval (s)', help: 'Seconds between exports. At most 86,400.' },
    retentionDays: { label: 'Keep events (days)', help: 'Days the local timeline is kept. At most 3,650.' },
    maxStoredEvents: { label: 'Stored events', help: 'Most events in the local timeline; the oldest go first. At most 10,000,000.' },
  },
  source: { policy: 'Policy', user: 'Your setting', default: 'Default' },
  profileSource: (platform) => `${platform} profile`,
  profileLimits: (platform) => `What Softphone Guard cannot do on ${platform}, and what it does instead`,
  lockedReason: 'Set by your organisation’s policy',
  empty: '(empty)',
  yes: 'Yes',
  no: 'No',
  hidden: '(hidden)',
  problemSource: { policy: 'Policy value not used', user: 'Your value not used' },
  problemWhole: 'Settings as a whole',
  problemUnknownKey: (key) => `Unknown setting “${key}”`,
  parse: {
    integer: 'Enter a whole number.',
    integers: (item) => `“${item}” is not a whole number.`,
    json: (detail) => `Not valid JSON${detail ? `: ${detail}` : ''}.`,
    choice: (options) => `Choose one of: ${options}.`,
  },
  exportOmitted: {
    secret: (label) => `${label}: secret values are never exported; add them to the policy by hand.`,
    redacted: (label) => `${label}: holds a hidden secret; set it in the policy by hand.`,
    'not-in-policy-schema': (label) => `${label}: false has no form in a policy file, which takes a list of origins here.`,
  },
};

/** The page's own text: headings, buttons, notices. */
export const OPTIONS_STRINGS = {
  title: 'Softphone Guard settings',
  intro:
    'Every setting with the value in force and where it comes from. Settings your organisation’s policy sets are locked; you can change the others for this browser.',
  loading: 'Loading settings…',
  noAnswer: 'The background service has not answered yet; retrying.',
  policyPending: 'Your organisation’s policy has not been read yet; settings it sets will lock when it arrives.',
  lockedCount: (n: number) => `${n} ${n === 1 ? 'setting is' : 'settings are'} set by your organisation’s policy.`,
  sourceLabel: 'Source',
  inForce: (value: string) => `In force: ${value}`,
  defaultIs: (value: string) => `Default: ${value}`,
  reset: 'Reset to default',
  resetLabel: (label: string) => `Reset ${label} to default`,
  save: 'Save',
  saving: 'Saving…',
  saved: 'Saved.',
  resetDone: (label: string) => `${label} reset to default.`,
  notSaved: (n: number) => `Not saved: ${n} ${n === 1 ? 'setting needs' : 'settings need'} fixing.`,
  saveFailed: 'Not saved: the background service did not answer. Try again.',
  nothingChanged: 'Nothing to save.',
  problemsTitle: 'Problems',
  problemsIntro: 'These values are not in force; the next source (your setting or the default) applies instead.',
  noProblems: 'No problems: every value set is in force.',
  exportTitle: 'Export as policy',
  exportIntro:
    'The settings in force as the policy an administrator deploys: the managed-storage value for this extension, and a Linux policy file (/etc/opt/chrome/policies/managed/ or /etc/chromium/policies/managed/).',
  exportAllKeys: 'Include settings that have their default value',
  exportPolicyLabel: 'Managed-storage value',
  exportLinuxLabel: 'Linux policy file',
  download: 'Download',
  downloadLabel: (what: string) => `Download ${what}`,
  copy: 'Copy',
  copyLabel: (what: string) => `Copy ${what}`,
  copied: 'Copied.',
  copyFailed: 'Copy failed: select the text and copy it by hand.',
  exportEmpty: 'Every setting has its default value: the policy is empty.',
  policyFileName: 'softphone-guard-policy.json',
  linuxFileName: 'softphone-guard-linux-policy.json',
  broken: 'The settings could not be shown.',
} as const;
