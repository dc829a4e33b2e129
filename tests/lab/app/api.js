/**
 * The app's API client. `fetch` with `Authorization: Bearer` (or `X-Auth-Token`) for everything, except the
 * webphone endpoint registration, which goes through XMLHttpRequest as softphone SDKs built
 * on axios or superagent do, and the organisation switch, which is the cookie refresh
 * endpoint (no bearer token). No retry of any kind: the app is as fragile as the seeds'.
 */

/**
 * @typedef {{ ok: boolean, status: number, body: any }} ApiResult `status` 0 = network error
 */

/**
 * @param {{ token: () => string | null, failures: ReturnType<typeof import('./failures.js').createFailureLog>, header?: 'Authorization' | 'X-Auth-Token' }} deps
 *   `header`: where the token goes — `Authorization: Bearer <token>` (default) or `X-Auth-Token: <token>`
 */
export function createApi({ token, failures, header = 'Authorization' }) {
  const credential = () => (header === 'Authorization' ? `Bearer ${token() ?? ''}` : (token() ?? ''));
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] sent as JSON
   * @returns {Promise<ApiResult>}
   */
  async function request(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', [header]: credential() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      failures.http(method, path, 0);
      return { ok: false, status: 0, body: null };
    }
    const parsed = await res.json().catch(() => null);
    if (!res.ok) failures.http(method, path, res.status, res.statusText);
    return { ok: res.ok, status: res.status, body: parsed };
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] sent as JSON
   * @returns {Promise<ApiResult>}
   */
  function xhr(method, path, body) {
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open(method, path);
      x.setRequestHeader('Accept', 'application/json');
      x.setRequestHeader(header, credential());
      if (body !== undefined) x.setRequestHeader('Content-Type', 'application/json');
      x.responseType = 'text';
      x.onload = () => {
        let parsed = null;
        try {
          parsed = JSON.parse(x.responseText);
        } catch {
          /* not JSON */
        }
        const ok = x.status >= 200 && x.status < 300;
        if (!ok) failures.http(method, path, x.status, x.statusText);
        resolve({ ok, status: x.status, body: parsed });
      };
      x.onerror = () => {
        failures.http(method, path, 0);
        resolve({ ok: false, status: 0, body: null });
      };
      x.send(body === undefined ? null : JSON.stringify(body));
    });
  }

  /**
   * `POST /api/v2/authentication/refresh` with `{organizationId}`: the cookie `lab_refresh`
   * goes along (same origin), no bearer token.
   * @param {string} organizationId
   * @returns {Promise<ApiResult>} body `{access_token, token_type, expires_in}` (RFC 6749 §5.1)
   */
  async function switchOrganization(organizationId) {
    const path = '/api/v2/authentication/refresh';
    let res;
    try {
      res = await fetch(path, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ organizationId }),
      });
    } catch {
      failures.http('POST', path, 0);
      return { ok: false, status: 0, body: null };
    }
    const parsed = await res.json().catch(() => null);
    if (!res.ok) failures.http('POST', path, res.status, res.statusText);
    return { ok: res.ok, status: res.status, body: parsed };
  }

  return {
    switchOrganization,
    /** A plain request, for the lab option of caller-data.js. @returns {Promise<ApiResult>} */
    request,
    /** @returns {Promise<ApiResult>} body `{id, name, email, organization:{id, name}, organizations:[{id, name}]}` */
    me: () => request('GET', '/api/v2/users/me'),
    /** @returns {Promise<ApiResult>} body `{mediaToken, expiresIn (s), iceServers}` */
    mediaToken: () => request('GET', '/api/v2/communications/webRTC'),
    /** @param {string[]} codecs @returns {Promise<ApiResult>} via XHR; body `{endpointId, status}` */
    registerEndpoint: (codecs) => xhr('PUT', '/api/v2/users/me/webphone/endpoint', { codecs }),
    /** @param {string} userId @returns {Promise<ApiResult>} body `{systemPresence}` */
    setAvailable: (userId) =>
      request('PUT', `/api/v2/presence/users/${encodeURIComponent(userId)}`, { presenceDefinition: { systemPresence: 'Available' } }),
    /** @param {string} callId @returns {Promise<ApiResult>} body `{id, state}` */
    answer: (callId) => request('POST', `/api/v2/conversations/${encodeURIComponent(callId)}/answer`),
    /** @param {string} callId @returns {Promise<ApiResult>} body `{id, state}` */
    disconnect: (callId) => request('POST', `/api/v2/conversations/${encodeURIComponent(callId)}/disconnect`),
  };
}
