/**
 * Fingerprint of a bearer token: the first 16 hex digits of its SHA-256 (FIPS 180-4).
 * Lets the worker and the probe talk about "which token" without sending one; the hash is
 * never stored either.
 */
export async function tokenHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}
