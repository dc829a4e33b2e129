/**
 * The app's per-tab sign-in state (PKCE verifier and state, load count): `sessionStorage`,
 * or, where the browser denies it — the app framed by a page of another site, with
 * third-party storage blocked (measured: tests/lab/README.md "Cookies in a frame") — a
 * session cookie partitioned by the top-level site (`Secure; SameSite=None; Partitioned`,
 * not HttpOnly), which a frame may still set.
 */

/** @returns {Storage | null} sessionStorage when this document may use it */
function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** @param {string} key */
const cookieName = (key) => `lab_ss_${key.replace(/[^A-Za-z0-9]/g, '_')}`;

/** @param {string} key @returns {string | null} */
export function getItem(key) {
  const s = storage();
  if (s) return s.getItem(key);
  const name = `${cookieName(key)}=`;
  const part = document.cookie.split('; ').find((c) => c.startsWith(name));
  return part === undefined ? null : decodeURIComponent(part.slice(name.length));
}

/** @param {string} key @param {string} value */
export function setItem(key, value) {
  const s = storage();
  if (s) s.setItem(key, value);
  else document.cookie = `${cookieName(key)}=${encodeURIComponent(value)}; Path=/; Secure; SameSite=None; Partitioned`;
}

/** @param {string} key */
export function removeItem(key) {
  const s = storage();
  if (s) s.removeItem(key);
  else document.cookie = `${cookieName(key)}=; Path=/; Max-Age=0; Secure; SameSite=None; Partitioned`;
}
