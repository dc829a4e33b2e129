/**
 * What the app itself saw go wrong: counts for the test hook and a visible log for people.
 * Request keys are "METHOD path-template status", the same names the lab server counts under.
 * No URL query, header or body is ever written here (the socket URL carries a token).
 */

const TEMPLATES = [
  [/^\/api\/v2\/presence\/users\/[^/]+$/, '/api/v2/presence/users/{id}'],
  [/^\/api\/v2\/conversations\/[^/]+\/answer$/, '/api/v2/conversations/{id}/answer'],
  [/^\/api\/v2\/conversations\/[^/]+\/disconnect$/, '/api/v2/conversations/{id}/disconnect'],
];

/**
 * @param {string} path a path, possibly with a query
 * @returns {string} the route template, query dropped
 */
export function pathTemplate(path) {
  const p = path.split('?')[0] ?? path;
  for (const [re, name] of TEMPLATES) if (re.test(p)) return name;
  return p;
}

/** Close codes worth a name in the log (RFC 6455 §7.4.1). */
const CLOSE_NAMES = {
  1000: 'Normal Closure',
  1001: 'Going Away',
  1006: 'Abnormal Closure',
  1011: 'Internal Error',
  1012: 'Service Restart',
  1013: 'Try Again Later',
};

/**
 * @param {() => void} onChange called after every new entry
 */
export function createFailureLog(onChange) {
  const counts = { http401: 0, http429: 0, http408: 0, http5xx: 0, httpOther: 0, wsAbnormalCloses: 0, byRequest: {} };
  /** @type {{ seq: number, at: number, kind: 'http' | 'ws' | 'app', text: string }[]} the latest 200 */
  const entries = [];
  let seq = 0;

  /** @param {'http' | 'ws' | 'app'} kind @param {string} text */
  function add(kind, text) {
    entries.push({ seq: ++seq, at: Date.now(), kind, text });
    if (entries.length > 200) entries.shift();
    onChange();
  }

  return {
    counts,
    entries,
    /**
     * A failed request: an HTTP status ≥ 400, or 0 for a network error.
     * @param {string} method
     * @param {string} path
     * @param {number} status
     * @param {string} [statusText]
     */
    http(method, path, status, statusText = '') {
      const key = `${method} ${pathTemplate(path)} ${status}`;
      counts.byRequest[key] = (counts.byRequest[key] ?? 0) + 1;
      if (status === 401) counts.http401++;
      else if (status === 429) counts.http429++;
      else if (status === 408) counts.http408++;
      else if (status >= 500) counts.http5xx++;
      else counts.httpOther++;
      const what = status === 0 ? 'network error' : `${status}${statusText ? ` ${statusText}` : ''}`;
      console.warn(`${method} ${pathTemplate(path)} failed: ${what}`);
      add('http', `${method} ${pathTemplate(path)} → ${what}`);
    },
    /**
     * A notification socket closed without the app asking for it.
     * @param {number} code
     * @param {string} reason
     */
    socketClosed(code, reason) {
      if (code !== 1000) counts.wsAbnormalCloses++;
      const name = CLOSE_NAMES[code] ?? 'unknown';
      console.warn(`WebSocket connection closed: code = ${code} (${name}), reason = "${reason}"`);
      add('ws', `WebSocket closed: code ${code} (${name})${reason ? `, reason "${reason}"` : ''}`);
    },
    /** @param {string} text anything else the app noticed (no secrets) */
    note(text) {
      console.warn(text);
      add('app', text);
    },
    /** @returns {typeof counts} a copy */
    snapshot() {
      return structuredClone(counts);
    },
  };
}
