/**
 * Canary secrets for leak tests: unique strings planted where secrets travel (headers, URLs,
 * socket URLs, close reasons, identity responses) and then searched for wherever the
 * extension writes (IndexedDB, storage, the export, telemetry, the console).
 *
 * Canaries use only `[A-Za-z0-9_-]`, so URL encoding, JSON escaping and HTML leave them as
 * they are: a canary found nowhere verbatim was not written anywhere in a common encoding.
 */
import { randomBytes } from 'node:crypto';

/**
 * The canaries that occur in `text`, in the order given (empty: none leaked). Case-sensitive
 * plain substring search; empty canaries are ignored.
 */
export function findCanaries(text: string, canaries: string[]): string[] {
  return canaries.filter((c) => c.length > 0 && text.includes(c));
}

/** An opaque canary: `cnry-<label>-<24 hex digits>`. */
export function opaqueCanary(label: string): string {
  return `cnry-${label}-${randomBytes(12).toString('hex')}`;
}

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/**
 * A JWT-shaped canary (RFC 7519 compact serialization: `header.payload.signature`, base64url)
 * short enough for a WebSocket close reason (≤ 123 bytes, RFC 6455 §5.5.1), and its parts.
 * `parts` lists the payload and signature segments, unique to this canary (the header
 * segment is the same for every HS256 JWT, so it is no canary on its own).
 */
export function jwtCanary(label: string): { token: string; parts: string[] } {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: `${label}-${randomBytes(4).toString('hex')}` }));
  const signature = b64url(randomBytes(16));
  return { token: `${header}.${payload}.${signature}`, parts: [payload, signature] };
}
