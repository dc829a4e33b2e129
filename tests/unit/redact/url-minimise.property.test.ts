/**
 * Property tests: caller data planted anywhere in a URL — path segment, query, fragment, user
 * information, in clear or percent-encoded — never survives minimiseUrl, nor redactForStorage
 * of an event carrying the URL and a free-text reason, whatever surrounds it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactForStorage, redactText } from '../../../src/redact/redact';
import { minimiseUrl } from '../../../src/redact/url-minimise';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
/** An E.164 number: `+`, a non-zero first digit, 10–14 more (long enough to be unique in the noise). */
const phone = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(10, 14)).map(([cc, rest]) => `+${cc}${rest}`);
const LOCAL = 'abcdefghijklmnopqrstuvwxyz0123456789._';
const word = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: min, maxLength: max });
const email = fc
  .tuple(fc.string({ unit: fc.constantFrom(...LOCAL), minLength: 1, maxLength: 16 }), word(3, 10), fc.constantFrom('com', 'org', 'co.uk'))
  .map(([local, domain, tld]) => `x${local}z@${domain}.${tld}`);
/** A one-time password: 6–10 digits (too short for the digit rule: only its place hides it). */
const otp = digits(6, 10).map((d) => `7${d}`);
const segment = fc.oneof(word(1, 12), fc.constantFrom('api', 'v2', 'contacts', 'channels', 'users', 'me', 'ccp-v2', 'signal'));
const host = fc.constantFrom('cc.example', 'api.mypurecloud.com', 'voice-js.ashburn.twilio.com', '127.0.0.1:8123', 'acme.my.connect.aws');
const scheme = fc.constantFrom('https', 'http', 'ws', 'wss');

type Place = 'path' | 'query' | 'fragment' | 'userinfo' | 'route';

/** A URL with `secret` planted in `place`, encoded or not, among harmless segments and parameters. */
const urlWith = (secret: fc.Arbitrary<string>) =>
  fc
    .record({
      scheme,
      host,
      before: fc.array(segment, { maxLength: 4 }),
      after: fc.array(segment, { maxLength: 3 }),
      name: fc.constantFrom('ani', 'dnis', 'q', 'customerName', 'otp', 'pin', 'x', 'phone'),
      other: fc.array(fc.tuple(word(1, 8), word(0, 8)), { maxLength: 3 }),
      place: fc.constantFrom<Place>('path', 'query', 'fragment', 'userinfo', 'route'),
      encode: fc.boolean(),
      secret,
    })
    .map((r) => {
      const value = r.encode ? encodeURIComponent(r.secret) : r.secret;
      const path = `/${r.before.join('/')}`;
      const others = r.other.map(([k, v]) => `${k}=${v}`);
      const query = (extra: string[]) => [...others, ...extra].join('&');
      let url: string;
      switch (r.place) {
        case 'path':
          url = `${r.scheme}://${r.host}${path}/${value}/${r.after.join('/')}?${query([])}`;
          break;
        case 'query':
          url = `${r.scheme}://${r.host}${path}?${query([`${r.name}=${value}`])}`;
          break;
        case 'fragment':
          url = `${r.scheme}://${r.host}${path}#${query([`${r.name}=${value}`])}`;
          break;
        case 'userinfo':
          url = `${r.scheme}://${encodeURIComponent(r.secret)}:pw@${r.host}${path}`;
          break;
        case 'route':
          url = `${r.scheme}://${r.host}${path}#/contacts/${value}?tab=${value}`;
          break;
      }
      return { url, secret: r.secret, value, place: r.place };
    });

const survives = (text: string, secret: string): boolean =>
  text.includes(secret) || text.includes(encodeURIComponent(secret)) || text.includes(secret.replace(/^\+/, ''));

describe('minimiseUrl never keeps caller data', () => {
  it('a planted phone number', () => {
    fc.assert(
      fc.property(urlWith(phone), ({ url, secret }) => {
        expect(survives(minimiseUrl(url), secret), url).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
  it('a planted e-mail address', () => {
    fc.assert(
      fc.property(urlWith(email), ({ url, secret }) => {
        expect(survives(minimiseUrl(url), secret), url).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
  it('a planted one-time password, outside the path', () => {
    fc.assert(
      fc.property(
        urlWith(otp).filter((u) => u.place !== 'path'),
        ({ url, secret }) => {
          expect(minimiseUrl(url).includes(secret), url).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('never throws and is idempotent on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })), (s) => {
        const once = minimiseUrl(s);
        expect(minimiseUrl(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('redactForStorage: a stored event keeps no caller data', () => {
  it('in its URL fields or its free text', () => {
    fc.assert(
      fc.property(urlWith(phone), email, phone, fc.string({ maxLength: 20 }), (u, mail, number, noise) => {
        const event = {
          type: 'ws-close',
          at: 1,
          url: u.url,
          reason: `${noise} caller ${number} <${mail}> reconnect ${u.url} ${noise}`,
          nested: { last401Url: u.url, heartbeatEndpoints: [u.url] },
        };
        const out = JSON.stringify(redactForStorage(event));
        for (const secret of [u.secret, mail, number]) expect(survives(out, secret), `${secret} in ${out}`).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
  it('redactText minimises URLs and paths in text', () => {
    expect(redactText('GET https://cc.example/contacts/+15551234567?ani=x failed after 1500 ms')).toBe(
      'GET https://cc.example/contacts/{id}?ani failed after 1500 ms',
    );
    expect(redactText('Server error (503) on /api/v2/contacts/5551234567?ani=1.')).toBe('Server error (503) on /api/v2/contacts/{id}?ani.');
    expect(redactText('ratio 3/4, opus/48000/2 and 12/07/2026 stay')).toBe('ratio 3/4, opus/48000/2 and 12/07/2026 stay');
  });
});
