/**
 * The Amazon Connect vendor lab (tests/lab/README.md "Vendor labs: Amazon Connect"): a lab CCP
 * page running the vendor's published `amazon-connect-streams` 2.28.2 unmodified — in the page
 * (`connect.core.initSharedWorker`) and in its SharedWorker (`connect.worker.main`) — against the
 * lab's `GET /auth/authorize` (oauth-routes.mjs, the login session's cookie), the CTI API and the
 * transport socket (amazon-cti.mjs). Made by `startLab` (server.mjs VENDOR_LABS); everything is
 * on the softphone site, so with `tls` the worker calls `https://softphone.test:PORT/api` and
 * opens `wss://softphone.test:PORT/vendors/amazon/transport?id=…` (the websocket manager accepts
 * `wss://` URLs only: `Utils.validWSUrl`).
 *
 * Routes (softphone site):
 * - `GET /vendors/amazon/` the lab CCP (tests/lab/vendors/amazon/), `GET /vendors/amazon/<file>`
 *   its scripts, `shared-worker.js` among them;
 * - `GET /vendors/amazon/streams/connect-streams.js` the package's `release/connect-streams.js`,
 *   byte for byte (page and worker load the same file);
 * - `POST /api` the CTI API (amazon-cti.mjs);
 * - WebSocket `/vendors/amazon/transport?id=…` the transport socket (amazon-cti.mjs).
 *
 * Control API (loopback): `GET /lab/amazon/state`.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { sendJson } from './http-kit.mjs';
import { createConnectCti } from './amazon-cti.mjs';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vendors', 'amazon');
const PAGE_FILE_RE = /^[a-z0-9-]+\.(js|css|html)$/;
const TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8' };

/** @returns {string} the path of the package's release bundle (package.json "main") */
function streamsPath() {
  const require = createRequire(import.meta.url);
  return require.resolve('amazon-connect-streams');
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {Buffer} body
 * @param {string} type
 * @returns {number}
 */
function sendBytes(res, body, type) {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
  return 200;
}

/** @type {import('../server.mjs').VendorLabFactory} */
export function createAmazonLab({ tokens, origin }) {
  const cti = createConnectCti({ tokens, origin });
  const counts = { pageLoads: 0, workerLoads: 0 };

  return {
    async handleRequest(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if ((path === '/api' || path === '/api/') && method === 'POST') return cti.handleApi(req, res);
      if (!path.startsWith('/vendors/amazon/') || method !== 'GET') return null;
      const name = path.slice('/vendors/amazon/'.length) || 'index.html';
      if (name === 'streams/connect-streams.js') return sendBytes(res, await readFile(streamsPath()), TYPES.js);
      const m = PAGE_FILE_RE.exec(name);
      if (!m) return null;
      let body;
      try {
        body = await readFile(join(PAGE_DIR, name));
      } catch {
        return null;
      }
      if (name === 'index.html') counts.pageLoads++;
      if (name === 'shared-worker.js') counts.workerLoads++;
      return sendBytes(res, body, TYPES[/** @type {'js' | 'css' | 'html'} */ (m[1])]);
    },

    handleUpgrade(req, socket, head, url) {
      if (url.pathname === '/vendors/amazon/transport') return cti.acceptTransport(req, socket, head, url);
      return null;
    },

    async handleControl(req, res, url) {
      if (url.pathname === '/lab/amazon/state' && (req.method ?? 'GET') === 'GET') {
        const s = cti.snapshot();
        sendJson(res, 200, { ...s, counts: { ...s.counts, ...counts } });
        return 200;
      }
      return null;
    },

    terminateAll: () => cti.terminateAll(),
    stallOpen: (until) => cti.stallOpen(until),
    unstallAll: () => cti.unstallAll(),
    reset() {
      cti.resetLog();
      counts.pageLoads = 0;
      counts.workerLoads = 0;
    },
    close: () => cti.close(),
  };
}
