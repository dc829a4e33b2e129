/**
 * Vendor profiles (src/policy/profiles.ts): each resolves on its own with no problem and gives
 * its whole configuration as defaults; keys set by policy or the user still win; the watchdog
 * stays above the platform's own heartbeat; and the hosts cover every region the vendor's client
 * code lists (the lists below are copied from the cited vendor files, not from the profile).
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, resolveConfig } from '../../../src/policy/resolve';
import { ConfigSchema, DEFAULT_CONFIG, PROFILES } from '../../../src/policy/schema';
import type { ProfileName } from '../../../src/policy/schema';
import { NO_IDENTITY_REQUEST, PROFILE_LIMITS, profileConfig } from '../../../src/policy/profiles';
import { matchesAnyPattern } from '../../../src/match/match-pattern';
import { matchesAnyUrlGlob, testUrlGlob } from '../../../src/match/url-glob';
import { inTokenAudience } from '../../../src/recovery/token-audience';

const VENDORS = PROFILES.filter((p): p is Exclude<ProfileName, 'custom'> => p !== 'custom');

describe.each(PROFILES)('profile %s', (profile) => {
  it('resolves alone, from policy or from the user, with no problem and its whole configuration', () => {
    for (const side of ['managed', 'user'] as const) {
      const input = { profile };
      const r = resolveConfig(side === 'managed' ? { managed: input, user: undefined } : { managed: undefined, user: input });
      expect(r.problems).toEqual([]);
      expect(r.config).toEqual(profileConfig(profile));
      expect(r.config.profile).toBe(profile);
      expect(r.sources.profile).toBe(side === 'managed' ? 'policy' : 'user');
      for (const key of CONFIG_KEYS.filter((k) => k !== 'profile')) expect(r.sources[key], key).toBe('default');
    }
  });

  it('passes the schema and every check when written out whole as a policy', () => {
    const config = profileConfig(profile);
    expect(ConfigSchema.safeParse(config).success).toBe(true);
    const r = resolveConfig({ managed: config, user: undefined });
    expect(r.problems).toEqual([]);
    expect(r.config).toEqual(config);
  });

  it('is a fresh copy each time', () => {
    const a = profileConfig(profile);
    a.softphoneUrlPatterns.push('https://changed.example/*');
    expect(profileConfig(profile).softphoneUrlPatterns).not.toContain('https://changed.example/*');
  });
});

describe('profiles', () => {
  it('custom is the built-in defaults, and no profile set means custom', () => {
    expect(profileConfig('custom')).toEqual(DEFAULT_CONFIG);
    expect(resolveConfig({ managed: undefined, user: undefined }).config).toEqual(DEFAULT_CONFIG);
    expect(PROFILE_LIMITS.custom).toEqual([]);
  });

  it('each vendor profile says what the extension cannot do there', () => {
    for (const vendor of VENDORS) {
      expect(PROFILE_LIMITS[vendor].length, vendor).toBeGreaterThan(0);
      expect(profileConfig(vendor)).not.toEqual({ ...DEFAULT_CONFIG, profile: vendor });
    }
  });

  it('keys set by policy win over the profile, the rest comes from the profile', () => {
    const r = resolveConfig({
      managed: {
        profile: 'twilio-flex',
        softphoneUrlPatterns: ['https://softphone.example.com/*'],
        watchdog: { heartbeatTimeoutMs: 45_000 },
      },
      user: undefined,
    });
    const flex = profileConfig('twilio-flex');
    expect(r.problems).toEqual([]);
    expect(r.config.softphoneUrlPatterns).toEqual(['https://softphone.example.com/*']);
    expect(r.config.watchdog).toEqual({ heartbeatTimeoutMs: 45_000, reconnectGraceMs: flex.watchdog.reconnectGraceMs });
    expect(r.config.tokenCarriers).toEqual(flex.tokenCarriers);
    expect(r.sources['watchdog.heartbeatTimeoutMs']).toBe('policy');
    expect(r.sources['watchdog.reconnectGraceMs']).toBe('default');
  });

  it('the policy’s profile wins over the user’s, and the user’s keys still win over the profile', () => {
    const r = resolveConfig({
      managed: { profile: 'genesys-cloud' },
      user: { profile: 'twilio-flex', watchdog: { reconnectGraceMs: 7000 } },
    });
    expect(r.config.profile).toBe('genesys-cloud');
    expect(r.config.watchdog.reconnectGraceMs).toBe(7000);
    expect(r.sources['watchdog.reconnectGraceMs']).toBe('user');
    expect(r.config.watchdog.heartbeatTimeoutMs).toBe(profileConfig('genesys-cloud').watchdog.heartbeatTimeoutMs);
  });

  it('an unknown profile is reported and the next source’s profile applies', () => {
    const r = resolveConfig({ managed: { profile: 'avaya' }, user: { profile: 'amazon-connect' } });
    expect(r.problems.map((p) => `${p.source}:${p.key}`)).toEqual(['policy:profile']);
    expect(r.config).toEqual(profileConfig('amazon-connect'));
  });

  it('a policy value that fails a check across keys falls back to the profile’s, which passes', () => {
    // oauth-silent without an authorization endpoint: the strategy gives way to the profile's.
    const r = resolveConfig({
      managed: { profile: 'genesys-cloud', tokenRefresh: { strategy: 'oauth-silent', clientId: 'c' } },
      user: undefined,
    });
    expect(r.config.tokenRefresh.strategy).toBe(profileConfig('genesys-cloud').tokenRefresh.strategy);
    expect(r.problems.map((p) => p.key)).toEqual(['tokenRefresh.strategy']);
  });
});

/**
 * The platforms' own heartbeat figures, ms, as their client code has them:
 * - genesys-cloud: genesys-cloud-streaming-client @0c618a978f8211fb765cab547e73af16563bea49
 *   src/server-monitor.ts `DEFAULT_STANZA_TIMEOUT = 35 * 1000` (the longest silence the client
 *   accepts from the server), src/ping.ts `DEFAULT_PING_INTERVAL = 14 * 1000`;
 * - amazon-connect: amazon-connect-streams @cc9c58756ce8be45c2d88d07bc604eb2b1955fa1
 *   src/lib/amazon-connect-websocket-manager.js `setInterval(re,1e4)` (aws/heartbeat);
 * - twilio-flex: @twilio/voice-sdk@2.18.5 lib/twilio/wstransport.ts `HEARTBEAT_TIMEOUT = 15000`.
 */
const PLATFORM_HEARTBEAT_MS: Record<Exclude<ProfileName, 'custom'>, number> = {
  'genesys-cloud': 35 * 1000,
  'amazon-connect': 1e4,
  'twilio-flex': 15000,
};

describe.each(VENDORS)('%s watchdog', (vendor) => {
  it('waits comfortably (at least 1.5 times) longer than the platform’s own heartbeat before calling a socket stalled', () => {
    expect(profileConfig(vendor).watchdog.heartbeatTimeoutMs).toBeGreaterThanOrEqual(PLATFORM_HEARTBEAT_MS[vendor] * 1.5);
  });
});

describe('genesys-cloud hosts', () => {
  // purecloud-platform-client-v2@262.0.0 src/purecloud-platform-client-v2/PureCloudRegionHosts.js, copied.
  const PureCloudRegionHosts = {
    us_east_1: 'mypurecloud.com',
    eu_west_1: 'mypurecloud.ie',
    ap_southeast_2: 'mypurecloud.com.au',
    ap_northeast_1: 'mypurecloud.jp',
    eu_central_1: 'mypurecloud.de',
    us_west_2: 'usw2.pure.cloud',
    ca_central_1: 'cac1.pure.cloud',
    ap_northeast_2: 'apne2.pure.cloud',
    eu_west_2: 'euw2.pure.cloud',
    ap_south_1: 'aps1.pure.cloud',
    us_east_2: 'use2.us-gov-pure.cloud',
    sa_east_1: 'sae1.pure.cloud',
    me_central_1: 'mec1.pure.cloud',
    ap_northeast_3: 'apne3.pure.cloud',
    eu_central_2: 'euc2.pure.cloud',
    mx_central_1: 'mxc1.pure.cloud',
    ap_southeast_1: 'apse1.pure.cloud',
    eusc_de_east_1: 'edee1.eusc-pure.cloud',
  };
  const config = profileConfig('genesys-cloud');

  it.each(Object.entries(PureCloudRegionHosts))('%s (%s): app pages, REST API, streaming socket', (_region, env) => {
    expect(matchesAnyPattern(config.softphoneUrlPatterns, `https://apps.${env}/directory/`)).toBe(true);
    expect(
      matchesAnyUrlGlob(config.protectedRequestPatterns, `https://api.${env}/api/v2/notifications/channels?connectionType=streaming`),
    ).toBe(true);
    expect(inTokenAudience(config.tokenRefresh.audience, `https://api.${env}/api/v2/users/me`)).toBe(true);
    expect(inTokenAudience(config.tokenRefresh.audience, `wss://streaming.${env}/stream/channels/streaming-abc`)).toBe(true);
  });

  it('reads the organisation only from users/me asked with expand=organization', () => {
    const pattern = config.agentIdentity.requestPattern;
    expect(testUrlGlob(pattern, 'https://api.mypurecloud.de/api/v2/users/me?expand=organization')).toBe(true);
    // purecloud-platform-client-v2 UsersApi.getUsersMe: expand is a `multi` collection.
    expect(testUrlGlob(pattern, 'https://api.usw2.pure.cloud/api/v2/users/me?expand=presence&expand=organization')).toBe(true);
    // The streaming client's own users/me (src/client.ts prepareForConnect) carries no expand.
    expect(testUrlGlob(pattern, 'https://api.mypurecloud.com/api/v2/users/me')).toBe(false);
    expect(config.agentIdentity.orgField).toBe('organization.id');
  });

  it('carries the token as the SASL PLAIN password after authKey: and as a Bearer header', () => {
    expect(config.tokenCarriers).toContainEqual({ type: 'ws-message', format: 'xmpp-sasl-plain', prefix: 'authKey:' });
    expect(config.tokenCarriers).toContainEqual({ type: 'header', name: 'Authorization', scheme: 'Bearer' });
  });
});

describe('twilio-flex hosts and token', () => {
  // @twilio/voice-sdk@2.18.5 lib/twilio/regions.ts `enum Edge` and `enum Region`, copied.
  const Edge = {
    Sydney: 'sydney',
    SaoPaulo: 'sao-paulo',
    Dublin: 'dublin',
    Frankfurt: 'frankfurt',
    Tokyo: 'tokyo',
    Singapore: 'singapore',
    Ashburn: 'ashburn',
    Umatilla: 'umatilla',
    Roaming: 'roaming',
    AshburnIx: 'ashburn-ix',
    SanJoseIx: 'san-jose-ix',
    LondonIx: 'london-ix',
    FrankfurtIx: 'frankfurt-ix',
    SingaporeIx: 'singapore-ix',
    SydneyIx: 'sydney-ix',
    TokyoIx: 'tokyo-ix',
  };
  const Region = {
    Au1: 'au1',
    Au1Ix: 'au1-ix',
    Br1: 'br1',
    De1: 'de1',
    De1Ix: 'de1-ix',
    Gll: 'gll',
    Ie1: 'ie1',
    Ie1Ix: 'ie1-ix',
    Ie1Tnx: 'ie1-tnx',
    Jp1: 'jp1',
    Jp1Ix: 'jp1-ix',
    Sg1: 'sg1',
    Sg1Ix: 'sg1-ix',
    Sg1Tnx: 'sg1-tnx',
    Us1: 'us1',
    Us1Ix: 'us1-ix',
    Us1Tnx: 'us1-tnx',
    Us2: 'us2',
    Us2Ix: 'us2-ix',
    Us2Tnx: 'us2-tnx',
  };
  const config = profileConfig('twilio-flex');

  it.each(Object.values(Edge))(
    'edge %s: the signalling socket wss://voice-js.<edge>.twilio.com/signal is in the token audience',
    (edge) => {
      expect(inTokenAudience(config.tokenRefresh.audience, `wss://voice-js.${edge}.twilio.com/signal`)).toBe(true);
    },
  );

  it.each(Object.values(Region))('region %s: the Insights gateway is protected and in the audience', (region) => {
    const url = `https://eventgw.${region}.twilio.com/v4/EndpointEvents`;
    expect(matchesAnyUrlGlob(config.protectedRequestPatterns, url)).toBe(true);
    expect(inTokenAudience(config.tokenRefresh.audience, url)).toBe(true);
  });

  it('finds the token in a listen message built as lib/twilio/pstream.ts builds it, and nowhere else', () => {
    const carrier = config.tokenCarriers.find((c) => c.type === 'ws-message');
    const re = new RegExp(carrier?.pattern ?? '(never)');
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJncmFudHMiOnt9fQ.c2lnbmF0dXJlLV8';
    // pstream.ts setToken → _publish('listen', { browserinfo, reconnectTimeout, token }) → JSON.stringify({ payload, type, version }).
    const listen = JSON.stringify({
      payload: { browserinfo: { p: 'browser', v: '2.18.5' }, reconnectTimeout: 0, token },
      type: 'listen',
      version: '1.6',
    });
    expect(re.exec(listen)?.[1]).toBe(token);
    const invite = JSON.stringify({ payload: { callsid: 'CA1', sdp: 'v=0', token }, type: 'invite', version: '1.6' });
    expect(re.exec(invite)).toBeNull();
  });

  it('uses no refresh it cannot do: the token is the customer backend’s', () => {
    expect(config.tokenRefresh.strategy).toBe('reload-when-idle');
    expect(config.tokenCarriers).toContainEqual({ type: 'header', name: 'X-Twilio-Token' });
  });
});

describe('amazon-connect hosts', () => {
  const config = profileConfig('amazon-connect');
  // amazon-connect-streams @cc9c587: README.md (`https://my-instance-domain.my.connect.aws/ccp-v2/`),
  // Documentation.md (`https://my-instance-domain.awsapps.com/connect/ccp-v2/`), src/client.js AWSClient endpoints.
  const CCP = ['https://my-instance-domain.my.connect.aws/ccp-v2/', 'https://my-instance-domain.awsapps.com/connect/ccp-v2/'];
  const API = ['https://my-instance-domain.my.connect.aws/api', 'https://my-instance-domain.awsapps.com/connect/api'];

  it('watches the CCP on both domains and protects its API with X-Amz-Bearer', () => {
    for (const url of CCP) expect(matchesAnyPattern(config.softphoneUrlPatterns, url), url).toBe(true);
    for (const url of API) {
      expect(matchesAnyUrlGlob(config.protectedRequestPatterns, url), url).toBe(true);
      expect(inTokenAudience(config.tokenRefresh.audience, url), url).toBe(true);
    }
    expect(matchesAnyPattern(config.softphoneUrlPatterns, 'https://my-instance-domain.awsapps.com/workdocs/')).toBe(false);
    expect(config.tokenCarriers).toEqual([{ type: 'header', name: 'X-Amz-Bearer' }]);
  });
});

describe.each(['amazon-connect', 'twilio-flex'] as const)('%s identity', (vendor) => {
  it('matches no request: the client makes none the probe sees that names the agent', () => {
    const config = profileConfig(vendor);
    expect(config.agentIdentity.requestPattern).toBe(NO_IDENTITY_REQUEST);
    for (const url of [
      ...config.tokenRefresh.audience.map((o) => `${o.replace('*.', 'x.')}/api/v2/users/me`),
      'https://api.mypurecloud.com/api/v2/users/me',
    ]) {
      expect(testUrlGlob(config.agentIdentity.requestPattern, url), url).toBe(false);
    }
  });
});
