/**
 * Lab option `?callerPhone=…&callerEmail=…&callerName=…&callerOtp=…` (kept in sessionStorage,
 * like `?carriers=`, so the OAuth return's document has it): the app behaves like a contact
 * centre's screen pop and puts a caller's data where real softphones do (issue: "A contact
 * centre's URLs carry its customers"):
 * - the notification socket URL gets `&ani=tel:<phone>&email=<email>&customerName=<name>&otp=<otp>`;
 * - each time the socket opens, `GET /api/v2/contacts/<phone>?ani=tel:<phone>&email=…&customerName=…&otp=…`
 *   (the phone number raw in the path, as `/contacts/+15551234567`; the lab answers 404 —
 *   or 401 with a revoked token, which the extension then recovers);
 * - once signed in, a second socket with the same query, closed by the app at once with code
 *   4100 and the reason `wrap-up <phone> <email> otp=<otp>` (≤ 123 bytes, RFC 6455 §5.5.1).
 * Page transport only. Without the option nothing changes.
 */
import { getItem, setItem } from './session-store.js';

const KEY = 'lab.caller';
/** Close code of the wrap-up socket: private use (RFC 6455 §7.4.2), not the probe's 4000. */
export const WRAP_UP_CLOSE_CODE = 4100;

/** @typedef {{ phone: string, email: string, name: string, otp: string }} Caller */

/** @type {Caller | null} */
export const CALLER = (() => {
  const q = new URLSearchParams(location.search);
  const phone = q.get('callerPhone');
  if (phone) {
    const caller = { phone, email: q.get('callerEmail') ?? '', name: q.get('callerName') ?? '', otp: q.get('callerOtp') ?? '' };
    setItem(KEY, JSON.stringify(caller));
  }
  try {
    const stored = JSON.parse(getItem(KEY) ?? 'null');
    return stored && typeof stored.phone === 'string' ? stored : null;
  } catch {
    return null;
  }
})();

/** The caller's query parameters, `&`-prefixed, or '' without the option. */
export function callerQuery() {
  if (!CALLER) return '';
  const q = new URLSearchParams({ ani: `tel:${CALLER.phone}`, email: CALLER.email, customerName: CALLER.name, otp: CALLER.otp });
  return `&${q}`;
}

/**
 * The screen pop's contact lookup (see the module comment); nothing without the option.
 * @param {(method: string, path: string) => Promise<unknown>} request the app's API request
 */
export async function lookUpCaller(request) {
  if (!CALLER) return;
  await request('GET', `/api/v2/contacts/${CALLER.phone}?${callerQuery().slice(1)}`);
}

/**
 * The wrap-up socket (see the module comment); resolves with the close event's code and
 * reason, or null without the option.
 * @param {string} token the access token for the socket URL
 * @returns {Promise<{ code: number, reason: string } | null>}
 */
export function wrapUpSocket(token) {
  if (!CALLER) return Promise.resolve(null);
  const caller = CALLER;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new Promise((resolve) => {
    const ws = new WebSocket(`${scheme}://${location.host}/api/v2/notifications?access_token=${encodeURIComponent(token)}${callerQuery()}`);
    ws.onopen = () => ws.close(WRAP_UP_CLOSE_CODE, `wrap-up ${caller.phone} ${caller.email} otp=${caller.otp}`.slice(0, 123));
    ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
  });
}
