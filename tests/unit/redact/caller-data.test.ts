import { describe, expect, it } from 'vitest';
import { REDACTED, isUrlKey, redactForStorage, redactString, redactValue } from '../../../src/redact/redact';

describe('redactString masks caller data in free text', () => {
  it.each([
    ['caller +15551234567 hung up', `caller ${REDACTED} hung up`],
    ['caller +1 (555) 123-4567 hung up', `caller ${REDACTED} hung up`],
    ['transfer to +44 20 7946 0958.', `transfer to ${REDACTED}.`],
    ['dial +1.555.123.4567', `dial ${REDACTED}`],
    ['ANI tel:+15551234567;ext=12 busy', `ANI tel:${REDACTED} busy`],
    ['ANI tel:5551234567, queue 4', `ANI tel:${REDACTED}, queue 4`],
    ['customer jane.doe+vip@example.co.uk wrote', `customer ${REDACTED} wrote`],
    ['q=jane.doe%40example.com&x=1', `q=${REDACTED}&x=1`],
    ['{"reason":"sip:+15551234567@pbx.example.com refused"}', `{"reason":"sip:${REDACTED} refused"}`],
    ['verify otp=123456 pin: 4321', `verify otp=${REDACTED} pin: ${REDACTED}`],
    [
      'https://cc.example/pop?ani=5551234567&dnis=8005550199&sid=abc&auth=xyz',
      `https://cc.example/pop?ani=${REDACTED}&dnis=${REDACTED}&sid=${REDACTED}&auth=${REDACTED}`,
    ],
    ['SAMLResponse=PHNhbWw+ PHPSESSID=abc123', `SAMLResponse=${REDACTED} PHPSESSID=${REDACTED}`],
  ])('%s', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it.each([
    // Timestamps, offsets, durations, ports, close codes and counters as our messages write them.
    'Token refresh paused for 60 s after 5 failures',
    'Request timed out (408) on /api/v2/users/me after 15000 ms',
    'opened 2026-12-07T14:28:30.123+00:00, retried at 1765117710123',
    'ws://127.0.0.1:8123/api/v2/notifications closed 1006 after 120000 ms',
    'Retry-After: 120; backoff +1500 ms, jitter +250ms, offset +0100',
    'MOS 4.2, RTT 35 ms, loss 0.5 %, ssrc 1234567890',
    'v=0\r\no=- 4611731400430051336 2 IN IP4 [redacted]\r\na=ice-pwd:abc+1234567890XYZ\r\na=ssrc:3735928559 cname:x',
    'build 2.18.5+20261207 on port 8443',
    'npm @twilio/voice-sdk and user @ host',
  ])('leaves %s alone', (input) => {
    expect(redactString(input)).toBe(input);
  });

  it('keeps the host of a URL with user information', () => {
    expect(redactString('https://jane.doe@cc.example/x')).toBe(`https://${REDACTED}@cc.example/x`);
  });
});

describe('redactForStorage: the ingest choke point', () => {
  const before = {
    type: 'ws-close',
    at: 1765117710123,
    socketId: 's1',
    url: 'wss://cc.example/api/v2/contacts/+15551234567/stream?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln&customerName=Jane%20Doe',
    code: 4001,
    reason: 'bye jane.doe@example.com, see https://cc.example/contacts/5551234567?otp=123456',
    wasClean: true,
  };

  it('minimises URL fields and URLs in text, redacts the rest', () => {
    expect(redactForStorage(before)).toEqual({
      type: 'ws-close',
      at: 1765117710123,
      socketId: 's1',
      url: 'wss://cc.example/api/v2/contacts/{id}/stream?access_token&customerName',
      code: 4001,
      reason: `bye ${REDACTED}, see https://cc.example/contacts/{id}?otp`,
      wasClean: true,
    });
  });

  it('minimises arrays of URLs and URL objects', () => {
    expect(
      redactForStorage({
        heartbeatEndpoints: ['wss://h/a/5551234567?x=1'],
        last401Url: 'https://h/b?y=2',
        link: new URL('https://h/c?z=3'),
      }),
    ).toEqual({ heartbeatEndpoints: ['wss://h/a/{id}?x'], last401Url: 'https://h/b?y', link: 'https://h/c?z' });
  });

  it('redactValue alone keeps URLs readable (configuration shown to administrators)', () => {
    expect(redactValue({ otlpEndpoint: 'https://gw.example/otlp?tenant=a' })).toEqual({ otlpEndpoint: 'https://gw.example/otlp?tenant=a' });
  });

  it('knows URL-valued keys', () => {
    for (const k of ['url', 'href', 'last401Url', 'refreshUrl', 'heartbeatEndpoints', 'endpoint', 'src', 'uri'])
      expect(isUrlKey(k), k).toBe(true);
    for (const k of ['reason', 'summary', 'type', 'urlCount', 'socketId', 'name']) expect(isUrlKey(k), k).toBe(false);
  });
});
