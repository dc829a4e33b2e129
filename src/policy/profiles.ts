/**
 * Vendor profiles (policy key `profile`, docs/architecture.md §4 "Profiles"): for each platform
 * the full configuration it supplies as the default of every other key, read from the vendor's
 * own client code, and what the extension cannot do there ({@link PROFILE_LIMITS}).
 *
 * `custom` is {@link DEFAULT_CONFIG}. A vendor profile is DEFAULT_CONFIG overlaid with what its
 * client code shows; every overlaid value cites the file and commit (or npm package@version and
 * file) it comes from. Keys set by policy or the user still win (src/policy/resolve.ts).
 *
 * Sources:
 * - Genesys Cloud: genesys-cloud-streaming-client (github purecloudlabs/genesys-cloud-streaming-client
 *   @0c618a978f8211fb765cab547e73af16563bea49, 19.8.1), purecloud-platform-client-v2@262.0.0.
 *   The e2e lab runs the npm release 19.4.1 (GitHub aa266dfbcfc5d7d5aaf8df3ea8e0e3b8b82a1b51,
 *   tests/lab/README.md); between the two commits src/client.ts, src/http-client.ts and
 *   src/connection-manager.ts changed (a connectivity check, network-error retries, stanza ids),
 *   but none of the lines cited below (hosts, `INITIAL_DELAY`, the bearer header, the SASL
 *   `authKey:` password, `DEFAULT_STANZA_TIMEOUT`, the 14 s ping), so the profile holds for both.
 * - Amazon Connect: amazon-connect-streams (github amazon-connect/amazon-connect-streams
 *   @cc9c58756ce8be45c2d88d07bc604eb2b1955fa1, 2.28.2).
 * - Twilio Flex: @twilio/voice-sdk@2.18.5 (lib/twilio), @twilio/flex-plugin-scripts@7.1.2.
 *
 * Pure data: no browser globals.
 */
import { DEFAULT_CONFIG } from './schema';
import type { Config, ProfileName } from './schema';

/**
 * Genesys Cloud environments, one per region: purecloud-platform-client-v2@262.0.0
 * src/purecloud-platform-client-v2/PureCloudRegionHosts.js. The API host is `api.<env>` and the
 * login host `login.<env>` (same package, configuration.js `setEnvironment`: `basePath =
 * https://api.${environment}`, `authUrl = https://login.${environment}`); the streaming host is
 * `streaming.<env>` (streaming client src/client.ts: `apiHost = host.replace('wss://streaming.', '')`).
 */
const GENESYS_ENVIRONMENTS = [
  'mypurecloud.com',
  'mypurecloud.ie',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'mypurecloud.de',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'apne2.pure.cloud',
  'euw2.pure.cloud',
  'aps1.pure.cloud',
  'use2.us-gov-pure.cloud',
  'sae1.pure.cloud',
  'mec1.pure.cloud',
  'apne3.pure.cloud',
  'euc2.pure.cloud',
  'mxc1.pure.cloud',
  'apse1.pure.cloud',
  'edee1.eusc-pure.cloud',
] as const;

/** Twilio Voice signalling edges: @twilio/voice-sdk@2.18.5 lib/twilio/regions.ts `enum Edge`. */
const TWILIO_EDGES = [
  'sydney',
  'sao-paulo',
  'dublin',
  'frankfurt',
  'tokyo',
  'singapore',
  'ashburn',
  'umatilla',
  'roaming',
  'ashburn-ix',
  'san-jose-ix',
  'london-ix',
  'frankfurt-ix',
  'singapore-ix',
  'sydney-ix',
  'tokyo-ix',
] as const;

/** Twilio regions (the Insights gateway `eventgw.<region>.twilio.com`): same file, `enum Region`. */
const TWILIO_REGIONS = [
  'au1',
  'au1-ix',
  'br1',
  'de1',
  'de1-ix',
  'gll',
  'ie1',
  'ie1-ix',
  'ie1-tnx',
  'jp1',
  'jp1-ix',
  'sg1',
  'sg1-ix',
  'sg1-tnx',
  'us1',
  'us1-ix',
  'us1-tnx',
  'us2',
  'us2-ix',
  'us2-tnx',
] as const;

/**
 * An identity request pattern that matches no request (`.invalid` never resolves, RFC 2606 §2):
 * for platforms whose client makes no request, within reach of the page probe, whose answer
 * names the agent.
 */
export const NO_IDENTITY_REQUEST = 'https://no-identity-request.invalid/*';

const GENESYS_CLOUD: Config = {
  ...structuredClone(DEFAULT_CONFIG),
  profile: 'genesys-cloud',
  // Every host of each region's environment (PureCloudRegionHosts.js above): the web app's own
  // host is not named in the client code, so the whole environment is watched.
  softphoneUrlPatterns: GENESYS_ENVIRONMENTS.map((env) => `https://*.${env}/*`),
  // REST calls: streaming client src/http-client.ts `https://api.${host}/api/${version}/${path}`
  // with `Authorization: Bearer` (same file, requestApi), @0c618a9.
  protectedRequestPatterns: GENESYS_ENVIRONMENTS.map((env) => `https://api.${env}/api/v2/*`),
  tokenRefresh: {
    ...DEFAULT_CONFIG.tokenRefresh,
    // No endpoint in the client code mints a token from the page's cookies; oauth-silent needs
    // the customer's OAuth client and their region's login host (docs/policies/genesys-cloud.json).
    strategy: 'reload-when-idle',
    refreshUrl: '',
    // The REST API and the XMPP stream (src/client.ts `host` `wss://streaming.<env>`, the
    // token sent as the SASL PLAIN password, src/connection-manager.ts), @0c618a9.
    audience: GENESYS_ENVIRONMENTS.flatMap((env) => [`https://api.${env}`, `https://streaming.${env}`]),
  },
  tokenCarriers: [
    // src/http-client.ts: `params.headers.Authorization = Bearer ${opts.authToken}`, @0c618a9.
    { type: 'header', name: 'Authorization', scheme: 'Bearer' },
    // src/connection-manager.ts: SASL PLAIN `password: authKey:${config.authToken}` on
    // `${wsHost}/stream/channels/${config.channelId}`, @0c618a9.
    { type: 'ws-message', format: 'xmpp-sasl-plain', prefix: 'authKey:' },
  ],
  watchdog: {
    // src/client.ts: reconnect attempts start 2 s apart and double (INITIAL_DELAY 2000), each
    // first asking users/me and a new notifications channel, @0c618a9.
    reconnectGraceMs: 15_000,
    // src/server-monitor.ts: the client itself gives up after 35 s without a stanza
    // (DEFAULT_STANZA_TIMEOUT); client-side pings every 14 s (src/ping.ts), @0c618a9.
    heartbeatTimeoutMs: 60_000,
  },
  agentIdentity: {
    // purecloud-platform-client-v2@262.0.0 api/UsersApi.js getUsersMe (`expand`, collection
    // format multi); index.d.ts UserMe: `id`, `name`, `organization` (only when expanded).
    requestPattern: 'https://api.*/api/v2/users/me?*expand=*organization*',
    idField: 'id',
    nameField: 'name',
    orgField: 'organization.id',
  },
};

const AMAZON_CONNECT: Config = {
  ...structuredClone(DEFAULT_CONFIG),
  profile: 'amazon-connect',
  softphoneUrlPatterns: [
    // README.md: the CCP at `https://my-instance-domain.my.connect.aws/ccp-v2/`, @cc9c587.
    'https://*.my.connect.aws/*',
    // src/core.js `isLegacyDomain` (`.awsapps.com`), LEGACY_AUTHORIZE_ENDPOINT `/connect/auth/authorize`, @cc9c587.
    'https://*.awsapps.com/connect/*',
  ],
  // src/client.js AWSClient: endpoint `baseUrl + '/api'`, legacy `baseUrl + '/connect/api'`, @cc9c587.
  protectedRequestPatterns: ['https://*.my.connect.aws/api*', 'https://*.awsapps.com/connect/api*'],
  tokenRefresh: {
    ...DEFAULT_CONFIG.tokenRefresh,
    // src/core.js `connect.core.authorize`: a GET of /auth/authorize with credentials answering
    // `{accessToken, expiration}` (src/worker.js `authorize`), @cc9c587 — not the POST and RFC 6749
    // §5.1 answer cookie-endpoint speaks (src/recovery/token-response.ts); the CCP refreshes by
    // itself 30 min before expiry (src/worker.js checkAuthToken).
    strategy: 'reload-when-idle',
    refreshUrl: '',
    audience: ['https://*.my.connect.aws', 'https://*.awsapps.com'],
  },
  // src/client.js AWSClient: `request.httpRequest.headers['X-Amz-Bearer'] = self.authToken`, @cc9c587.
  tokenCarriers: [{ type: 'header', name: 'X-Amz-Bearer' }],
  watchdog: {
    // src/lib/amazon-connect-websocket-manager.js: reconnects back off from 1 s (exponentialBackOffTime), @cc9c587.
    reconnectGraceMs: 10_000,
    // Same file: `aws/heartbeat` sent every 10 s (setInterval 1e4), answered by the server.
    heartbeatTimeoutMs: 30_000,
  },
  agentIdentity: {
    ...DEFAULT_CONFIG.agentIdentity,
    // No users/me: the agent comes from GetAgentConfiguration, a JSON-protocol POST to the same
    // /api URL as every other call (src/aws-client.js `targetPrefix` AmazonConnectCTIService),
    // made from the CCP's SharedWorker (src/worker.js pollForAgentConfiguration), @cc9c587.
    requestPattern: NO_IDENTITY_REQUEST,
  },
};

const TWILIO_FLEX: Config = {
  ...structuredClone(DEFAULT_CONFIG),
  profile: 'twilio-flex',
  // @twilio/flex-plugin-scripts@7.1.2 dist/prints/localReactIncompatibleWithRemote.js: `https://flex.twilio.com/admin/…`.
  softphoneUrlPatterns: ['https://flex.twilio.com/*'],
  // @twilio/voice-sdk@2.18.5 lib/twilio/eventpublisher.ts: Insights POSTs to
  // `https://${host}/v4/${endpointName}` with `X-Twilio-Token`; host from regions.ts
  // createEventGatewayURI (`eventgw.twilio.com`, `eventgw.<region>.twilio.com`).
  protectedRequestPatterns: ['https://eventgw.twilio.com/*', 'https://eventgw.*.twilio.com/*'],
  tokenRefresh: {
    ...DEFAULT_CONFIG.tokenRefresh,
    // The token comes from the customer's backend; the SDK only takes it (device.ts
    // `updateToken`, emitted `tokenWillExpire` tokenRefreshMs before expiry): nothing to ask.
    strategy: 'reload-when-idle',
    refreshUrl: '',
    audience: [
      // regions.ts createChunderEdgeURI `voice-js.${edge}.twilio.com`, signalling `wss://${uri}/signal`.
      ...TWILIO_EDGES.map((edge) => `https://voice-js.${edge}.twilio.com`),
      // regions.ts createEventGatewayURI.
      'https://eventgw.twilio.com',
      ...TWILIO_REGIONS.map((region) => `https://eventgw.${region}.twilio.com`),
    ],
  },
  tokenCarriers: [
    // lib/twilio/pstream.ts setToken: `_publish('listen', {browserinfo, reconnectTimeout, token})`,
    // sent as JSON.stringify({payload, type, version}), so the token closes the payload before "type":"listen".
    { type: 'ws-message', pattern: '"token":"([A-Za-z0-9_.-]+)"\\},"type":"listen"' },
    // lib/twilio/eventpublisher.ts: `'X-Twilio-Token': this.token`.
    { type: 'header', name: 'X-Twilio-Token' },
  ],
  watchdog: {
    // lib/twilio/wstransport.ts: the SDK retries its preferred edge for up to 15 s
    // (MAX_PREFERRED_DURATION), each attempt timing out after 5 s (CONNECT_TIMEOUT).
    reconnectGraceMs: 20_000,
    // lib/twilio/wstransport.ts HEARTBEAT_TIMEOUT 15000: the SDK itself reconnects after 15 s of silence.
    heartbeatTimeoutMs: 30_000,
  },
  agentIdentity: {
    ...DEFAULT_CONFIG.agentIdentity,
    // The Voice SDK makes no request whose answer names the agent: the identity is a grant in
    // the customer's access token.
    requestPattern: NO_IDENTITY_REQUEST,
  },
};

const CONFIGS: Record<ProfileName, Config> = {
  custom: DEFAULT_CONFIG,
  'genesys-cloud': GENESYS_CLOUD,
  'amazon-connect': AMAZON_CONNECT,
  'twilio-flex': TWILIO_FLEX,
};

/**
 * The full configuration a profile supplies as the default of every key.
 * @returns a fresh copy (sharing nothing with the tables here)
 */
export function profileConfig(profile: ProfileName): Config {
  return structuredClone(CONFIGS[profile]);
}

/**
 * The profile in force when the extension cannot fetch a token under `config` (strategy
 * `reload-when-idle`: it only reloads when no call is active), else undefined.
 */
export function cannotRefresh(config: Pick<Config, 'profile' | 'tokenRefresh'>): ProfileName | undefined {
  return config.tokenRefresh.strategy === 'reload-when-idle' ? config.profile : undefined;
}

/** The platform's name for display; `custom` has none. */
export const PROFILE_NAMES: Record<ProfileName, string> = {
  custom: '',
  'genesys-cloud': 'Genesys Cloud',
  'amazon-connect': 'Amazon Connect',
  'twilio-flex': 'Twilio Flex',
};

/**
 * What the extension cannot do on each platform and what it does instead, as short sentences
 * for the options page (English; the popup's incident note is localised,
 * src/format/incident.ts).
 */
export const PROFILE_LIMITS: Record<ProfileName, readonly string[]> = {
  custom: [],
  'genesys-cloud': [
    'The token travels inside the softphone’s XMPP socket (SASL PLAIN, authKey:). After a refused sign-in the Genesys client does not reconnect by itself, so Softphone Guard keeps the refusal from the app and signs in again on the same socket with a fresh token, when it can fetch one.',
    'A fresh token needs your organisation’s OAuth client: set tokenRefresh.strategy oauth-silent, clientId, and your region’s login host in authorizeUrl and tokenUrl. Until then Softphone Guard reloads the softphone when no call is active.',
    'The organisation is known only from a /api/v2/users/me request with expand=organization.',
  ],
  'amazon-connect': [
    'The CCP fetches its own token (GET /auth/authorize) in a form Softphone Guard’s refresh does not speak, and calls its API from a SharedWorker the extension cannot enter: Softphone Guard does not refresh tokens here. It sees the worker’s 401s and reloads the CCP when no call is active.',
    'The agent is named only in a SharedWorker API call: the popup names the tab, not the agent.',
    'Instance domains outside *.my.connect.aws and *.awsapps.com (GovCloud and others) are not in the vendor’s client code: add them to softphoneUrlPatterns.',
  ],
  'twilio-flex': [
    'The access token is minted by your own backend, so refreshing it is the app’s job (tokenWillExpire → updateToken). Softphone Guard cannot fetch one: it watches for refused tokens and reloads the softphone when no call is active.',
    'Only Flex at flex.twilio.com is watched: a Voice SDK app on your own site needs its pages in softphoneUrlPatterns.',
    'The Voice SDK makes no request that names the agent: the popup names the tab, not the agent.',
  ],
};
