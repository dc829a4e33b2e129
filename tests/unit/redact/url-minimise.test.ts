import { describe, expect, it } from 'vitest';
import {
  ID_PLACEHOLDER,
  UNREADABLE_URL,
  isIdentifierSegment,
  minimiseUrl,
  serverAddress,
  urlPathTemplate,
} from '../../../src/redact/url-minimise';

const UUID = '3f1c9a52-7d4e-4b8a-9c61-2e5f0d7b8a19';

describe('minimiseUrl: the seeds’ and the lab’s endpoints keep their paths', () => {
  it.each([
    // Seeds 000–002 (/work/shared/seeds) and tests/lab/lib/api-routes.mjs.
    ['http://127.0.0.1:8123/api/v2/authentication/refresh', 'http://127.0.0.1:8123/api/v2/authentication/refresh'],
    ['http://127.0.0.1:8123/api/v2/communications/webRTC', 'http://127.0.0.1:8123/api/v2/communications/webRTC'],
    ['http://127.0.0.1:8123/api/v2/presence/users', 'http://127.0.0.1:8123/api/v2/presence/users'],
    ['http://127.0.0.1:8123/api/v2/users/me/webphone/endpoint', 'http://127.0.0.1:8123/api/v2/users/me/webphone/endpoint'],
    ['http://127.0.0.1:8123/api/v2/diagnostics/trace', 'http://127.0.0.1:8123/api/v2/diagnostics/trace'],
    ['ws://127.0.0.1:8123/api/v2/notifications?access_token=abc.def', 'ws://127.0.0.1:8123/api/v2/notifications?access_token'],
    ['ws://127.0.0.1:8123/api/v2/notifications?auth=message', 'ws://127.0.0.1:8123/api/v2/notifications?auth'],
    ['http://127.0.0.1:8123/?carriers=custom', 'http://127.0.0.1:8123/?carriers'],
  ])('%s', (input, expected) => {
    expect(minimiseUrl(input)).toBe(expected);
  });
});

describe('minimiseUrl: vendors’ real paths', () => {
  it.each([
    // purecloud-platform-client-v2 UsersApi getUsersMe (`/api/v2/users/me`, `expand` query).
    ['https://api.mypurecloud.com/api/v2/users/me?expand=organization', 'https://api.mypurecloud.com/api/v2/users/me?expand'],
    // genesys-cloud-streaming-client 19.4.1 dist/npm/notifications.js: `notifications/channels/${channelId}/subscriptions`.
    [
      `https://api.mypurecloud.com/api/v2/notifications/channels/streaming-${UUID}/subscriptions`,
      `https://api.mypurecloud.com/api/v2/notifications/channels/streaming-${UUID}/subscriptions`,
    ],
    // genesys-cloud-streaming-client 19.4.1 dist/npm/connection-manager.js: `${wsHost}/stream/channels/${config.channelId}`.
    [
      `wss://streaming.usw2.pure.cloud/stream/channels/streaming-${UUID}`,
      `wss://streaming.usw2.pure.cloud/stream/channels/streaming-${UUID}`,
    ],
    // Records named by UUID: a conversation, an external contact, a user.
    [
      `https://api.mypurecloud.com/api/v2/conversations/calls/${UUID}/participants`,
      'https://api.mypurecloud.com/api/v2/conversations/calls/{id}/participants',
    ],
    [
      `https://api.mypurecloud.com/api/v2/externalcontacts/contacts/${UUID}`,
      'https://api.mypurecloud.com/api/v2/externalcontacts/contacts/{id}',
    ],
    // amazon-connect-streams 2.28.2 release/connect-streams.js: '/connect/ccp-v2', '/connect/api', '/connect/auth/authorize'.
    ['https://acme.my.connect.aws/connect/ccp-v2/', 'https://acme.my.connect.aws/connect/ccp-v2/'],
    ['https://acme.my.connect.aws/connect/ccp-v2/#/', 'https://acme.my.connect.aws/connect/ccp-v2/#/'],
    ['https://acme.my.connect.aws/connect/api', 'https://acme.my.connect.aws/connect/api'],
    [
      'https://acme.my.connect.aws/connect/auth/authorize?client_id=x&redirect_uri=y',
      'https://acme.my.connect.aws/connect/auth/authorize?client_id&redirect_uri',
    ],
    // @twilio/voice-sdk 2.18.5 lib/twilio/regions.ts createSignalingEndpointURL: `wss://${uri}/signal`.
    ['wss://voice-js.ashburn.twilio.com/signal', 'wss://voice-js.ashburn.twilio.com/signal'],
    ['wss://voice-js.roaming.twilio.com/signal', 'wss://voice-js.roaming.twilio.com/signal'],
    // A Twilio call SID (`CA` + 32 hex digits) names a call.
    [
      'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef.json',
      'https://api.twilio.com/{id}/Accounts/{id}/Calls/{id}',
    ],
  ])('%s', (input, expected) => {
    expect(minimiseUrl(input)).toBe(expected);
  });
});

describe('minimiseUrl: caller data goes', () => {
  it.each([
    ['https://cc.example/api/v2/contacts/+15551234567', 'https://cc.example/api/v2/contacts/{id}'],
    ['https://cc.example/api/v2/contacts/%2B15551234567/notes', 'https://cc.example/api/v2/contacts/{id}/notes'],
    ['https://cc.example/api/v2/contacts/5551234567', 'https://cc.example/api/v2/contacts/{id}'],
    ['https://cc.example/dial/+1%20(555)%20123-4567', 'https://cc.example/dial/{id}'],
    ['https://cc.example/dial/tel:+15551234567', 'https://cc.example/dial/{id}'],
    ['https://cc.example/customers/jane.doe@example.com/history', 'https://cc.example/customers/{id}/history'],
    ['https://cc.example/customers/jane.doe%40example.com', 'https://cc.example/customers/{id}'],
    [
      'https://cc.example/screen-pop?ani=tel:+15551234567&dnis=+18005550199&customerName=Jane%20Doe',
      'https://cc.example/screen-pop?ani&dnis&customerName',
    ],
    ['https://cc.example/verify?otp=123456&pin=4321#otp=123456', 'https://cc.example/verify?otp&pin#otp'],
    ['https://cc.example/search?q=jane.doe@example.com&q=x', 'https://cc.example/search?q'],
    ['https://agent:hunter2@cc.example/x', 'https://cc.example/x'],
    ['https://jane.doe@example.com@cc.example/x', 'https://cc.example/x'],
    ['https://cc.example/app#/contacts/+15551234567?tab=notes', 'https://cc.example/app#/contacts/{id}?tab'],
    ['https://cc.example/app#access_token=abc&state=xyz', 'https://cc.example/app#access_token&state'],
    ['https://cc.example/login;jsessionid=ABC123DEF456/next', 'https://cc.example/login;jsessionid/next'],
    ['https://cc.example/x?+15551234567', 'https://cc.example/x?{id}'],
    ['https://cc.example/x?jane@example.com=1', 'https://cc.example/x?{id}'],
    ['https://15551234567.cc.example/x', 'https://{id}.cc.example/x'],
    // Short one-time secrets in the path, after the segment that names them.
    ['https://cc.example/verify/otp/123456', 'https://cc.example/verify/otp/{id}'],
    ['https://cc.example/api/v2/mfa/PIN/4321/confirm', 'https://cc.example/api/v2/mfa/PIN/{id}/confirm'],
    ['https://cc.example/verify/A7K2Q9', 'https://cc.example/verify/{id}'],
    ['https://cc.example/passcode/12-34-56', 'https://cc.example/passcode/{id}'],
    ['https://cc.example/app#/otp/123456', 'https://cc.example/app#/otp/{id}'],
  ])('%s', (input, expected) => {
    expect(minimiseUrl(input)).toBe(expected);
  });
});

describe('minimiseUrl: other shapes, never throwing', () => {
  it.each([
    ['/api/v2/contacts/+15551234567?ani=1', '/api/v2/contacts/{id}?ani'],
    ['api/v2/users/me?expand=organization', 'api/v2/users/me?expand'],
    ['//cc.example/contacts/5551234567', '//cc.example/contacts/{id}'],
    ['tel:+15551234567', 'tel:{id}'],
    ['mailto:jane.doe@example.com', 'mailto:{id}'],
    ['about:blank', 'about:blank'],
    ['data:text/plain,+15551234567', 'data:'],
    ['blob:https://cc.example/' + UUID, 'blob:https://cc.example/{id}'],
    ['http://[::1]:8080/contacts/5551234567?x=1', 'http://[::1]:8080/contacts/{id}?x'],
    ['http://[::1/contacts/5551234567', 'http://[::1/contacts/{id}'],
    ['https://cc.example/%E0%A4%A/5551234567', 'https://cc.example/%E0%A4%A/{id}'],
    ['', ''],
    ['https://cc.example', 'https://cc.example'],
    ['https://cc.example/x?', 'https://cc.example/x?'],
  ])('%s', (input, expected) => {
    expect(minimiseUrl(input)).toBe(expected);
  });

  it('gives a placeholder for what is not a string', () => {
    for (const v of [undefined, null, 42, {}, [], Symbol('s')]) expect(minimiseUrl(v)).toBe(UNREADABLE_URL);
  });

  it('is idempotent', () => {
    const inputs = [
      'https://cc.example/screen-pop?ani=tel:+15551234567&dnis=1#x=1',
      `wss://streaming.usw2.pure.cloud/stream/channels/streaming-${UUID}`,
      '/a;b=1/c?d=2#/e/5551234567?f=3',
    ];
    for (const u of inputs) expect(minimiseUrl(minimiseUrl(u))).toBe(minimiseUrl(u));
  });

  it('bounds the work on a hostile megabyte URL', () => {
    const started = performance.now();
    const out = minimiseUrl(`https://cc.example/${'a/'.repeat(500_000)}?${'x=1&'.repeat(100_000)}`);
    expect(performance.now() - started).toBeLessThan(500);
    expect(out.length).toBeLessThanOrEqual(8192 + 64);
  });
});

describe('isIdentifierSegment', () => {
  it('keeps words, versions, short numbers and dates-free paths', () => {
    for (const s of ['api', 'v2', 'ccp-v2', 'users', 'me', 'webRTC', '2.18.5', '404', '123456', 'signal', 'sdk-v1.2.3']) {
      expect(isIdentifierSegment(s), s).toBe(false);
    }
  });
  it('a UUID names a record unless it follows an endpoint collection', () => {
    expect(isIdentifierSegment(UUID, 'conversations')).toBe(true);
    expect(isIdentifierSegment(UUID, 'contacts')).toBe(true);
    expect(isIdentifierSegment(UUID, '')).toBe(true);
    expect(isIdentifierSegment(UUID, 'channels')).toBe(false);
    expect(isIdentifierSegment(`streaming-${UUID}`, 'Channels')).toBe(false);
    expect(isIdentifierSegment(UUID, 'deployments')).toBe(false);
  });
  it('after a segment naming a one-time secret, a value with a digit goes; words and version tags stay', () => {
    for (const key of ['otp', 'OTP', 'pin', 'passcode', 'code', 'verify', 'mfa', '2fa', 'token']) {
      expect(isIdentifierSegment('123456', key), key).toBe(true);
      expect(isIdentifierSegment('0000', key), key).toBe(true);
      expect(isIdentifierSegment('ab12cd', key), key).toBe(true);
      expect(isIdentifierSegment('v2', key), key).toBe(false);
      expect(isIdentifierSegment('resend', key), key).toBe(false);
    }
    // Elsewhere a short number is a status, a page or a version, and stays.
    for (const previous of ['', 'errors', 'pages', 'contacts']) expect(isIdentifierSegment('123456', previous), previous).toBe(false);
    expect(minimiseUrl('https://cc.example/otp/resend')).toBe('https://cc.example/otp/resend');
    expect(minimiseUrl('https://cc.example/otp/v2/verify')).toBe('https://cc.example/otp/v2/verify');
  });
  it('phone numbers and e-mail addresses go after any segment', () => {
    expect(isIdentifierSegment('+15551234567', 'channels')).toBe(true);
    expect(isIdentifierSegment('jane@example.com', 'channels')).toBe(true);
  });
  it(`uses ${ID_PLACEHOLDER} as the placeholder`, () => {
    expect(minimiseUrl('/x/5551234567')).toBe(`/x/${ID_PLACEHOLDER}`);
  });
});

describe('urlPathTemplate and serverAddress (OpenTelemetry url.path, server.address)', () => {
  it.each([
    ['https://api.mypurecloud.com/api/v2/contacts/+15551234567?ani=1', '/api/v2/contacts/{id}', 'api.mypurecloud.com'],
    ['wss://voice-js.ashburn.twilio.com/signal', '/signal', 'voice-js.ashburn.twilio.com'],
    ['https://user:pw@Cc.Example:8443', '/', 'cc.example'],
    ['http://[::1]:8080/x', '/x', '[::1]'],
    ['/relative/5551234567', '/relative/{id}', undefined],
    ['tel:+15551234567', '/{id}', undefined],
  ])('%s', (input, path, host) => {
    expect(urlPathTemplate(input)).toBe(path);
    expect(serverAddress(input)).toBe(host);
  });
});
