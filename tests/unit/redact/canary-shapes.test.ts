/**
 * The secret shapes tests/e2e/canary-secrets.spec.ts plants in a real browser, checked here at
 * the choke point itself so a regression shows up without a browser.
 */
import { describe, expect, it } from 'vitest';
import { redactString, redactValue } from '../../../src/redact/redact';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJyZWFzb24tMWEyYjNjNGQifQ.q83vEjRWeJCrze8SNFZ4kA';

describe('redaction of the canary shapes', () => {
  it('removes access_token, code and id_token from a request URL, keeping the rest', () => {
    expect(
      redactString(
        'http://127.0.0.1:8787/api/v2/users/me/webphone/endpoint?sg_case=fetch&access_token=cnry-at-1&code=cnry-code-2&id_token=cnry-idt-3',
      ),
    ).toBe(
      'http://127.0.0.1:8787/api/v2/users/me/webphone/endpoint?sg_case=fetch&access_token=[redacted]&code=[redacted]&id_token=[redacted]',
    );
  });

  it('removes a JWT id_token and a WebSocket access_token', () => {
    expect(redactString(`/sg-canary-missing?id_token=${JWT}`)).toBe('/sg-canary-missing?id_token=[redacted]');
    expect(redactString('ws://127.0.0.1:8787/api/v2/notifications?sg_case=ws&access_token=cnry-wsat-4')).toBe(
      'ws://127.0.0.1:8787/api/v2/notifications?sg_case=ws&access_token=[redacted]',
    );
  });

  it('removes a JWT from a close reason and from a display name', () => {
    expect(redactString(`expired ${JWT}`)).toBe('expired [redacted]');
    expect(redactValue({ type: 'identity', userId: 'agent-1', name: `Alex Rivera ${JWT}` })).toEqual({
      type: 'identity',
      userId: 'agent-1',
      name: 'Alex Rivera [redacted]',
    });
  });

  it('removes bearer credentials and cookies from header shapes', () => {
    expect(redactValue({ headers: { Authorization: 'Bearer cnry-bearer-5', Cookie: 'sid=cnry-cookie-6' } })).toEqual({
      headers: { Authorization: '[redacted]', Cookie: '[redacted]' },
    });
    expect(redactString('Northwind Contact Centre Bearer cnry-identitybearer-7')).toBe('Northwind Contact Centre Bearer [redacted]');
  });

  it('removes the addresses of ICE candidates', () => {
    expect(redactString('candidate:1 1 udp 2122260223 192.0.2.2 54321 typ host generation 0')).not.toContain('192.0.2.2');
    expect(redactString('candidate:2 1 udp 2122262783 fd00::2 40000 typ host')).not.toContain('fd00::2');
  });
});
