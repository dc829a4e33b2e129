/**
 * The benchmarks' own small web server: the micro-benchmark page, blank and JSON routes, an
 * echo WebSocket, a WebSocket the server drops on request (abnormal close, 1006, for the
 * detection latency) and a trace sink for rtcstats. The softphone lab has none of these.
 *
 * One server per origin so each variant of a figure runs on its own site (its own renderer
 * process): the extension's default `softphoneUrlPatterns` monitor `http://127.0.0.1/*` (any
 * port), while `127.0.0.2` and `127.0.0.3` — the same loopback interface on Linux — are
 * monitored by nothing and, outside the extension's host permissions, reached by nothing of it.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { WebSocketServer } from 'ws';
import { PROJECT_ROOT } from '../support/browser.mjs';
import { join } from 'node:path';

const PAGE_DIR = new URL('./page/', import.meta.url).pathname;

/**
 * rtcstats (npm) is CommonJS; its two files are wrapped into one classic script that leaves
 * `window.rtcstatsLib = { rtcstats, traceWs }` for the page to start.
 */
function rtcstatsScript() {
  const dir = join(PROJECT_ROOT, 'node_modules', 'rtcstats');
  const wrap = (file) =>
    `(function(){var module={exports:{}};var exports=module.exports;\n${readFileSync(join(dir, file), 'utf8')}\nreturn module.exports;})()`;
  return `window.rtcstatsLib = { rtcstats: ${wrap('rtcstats.js')}, traceWs: ${wrap('trace-ws.js')} };\n`;
}

/**
 * The page's HTML. `rtcstats=1` loads and starts rtcstats (getStats every 1 s, its default
 * in nonmodule.js) before the page script, tracing to this server's `/trace` sink.
 */
function pageHtml(query) {
  const withRtcstats = query.get('rtcstats') === '1';
  const start = withRtcstats
    ? '<script src="/rtcstats.js"></script><script>rtcstatsLib.rtcstats(rtcstatsLib.traceWs("ws://" + location.host + "/trace"), 1000, [""]);</script>'
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>${start}<script src="/bench-page.js"></script></head><body><p>benchmark page</p></body></html>`;
}

const BLANK_HTML = '<!doctype html><html><head><meta charset="utf-8"><title>blank</title></head><body><p>blank</p></body></html>';

/**
 * Starts one server on `host` (a free port).
 * @param {string} host a loopback address, e.g. 127.0.0.2
 * @returns {Promise<{ url: string, traceMessages: () => number, close: () => Promise<void> }>}
 *   `traceMessages`: rtcstats trace messages received so far
 */
export async function startBenchServer(host) {
  const benchScript = readFileSync(join(PAGE_DIR, 'bench-page.js'), 'utf8');
  const rtcstats = rtcstatsScript();
  let traces = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    switch (url.pathname) {
      case '/page.html':
        return send(200, 'text/html; charset=utf-8', pageHtml(url.searchParams));
      case '/blank.html':
        return send(200, 'text/html; charset=utf-8', BLANK_HTML);
      case '/bench-page.js':
        return send(200, 'text/javascript', benchScript);
      case '/rtcstats.js':
        return send(200, 'text/javascript', rtcstats);
      case '/blank':
        return send(200, 'text/plain', 'ok');
      case '/api/v2/bench':
        return send(200, 'application/json', '{"ok":true}');
      default:
        return send(404, 'text/plain', 'not found');
    }
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (path === '/ws/echo') ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      // No close frame: the browser reports 1006 (RFC 6455 §7.1.5), as in a publish storm.
      else if (path === '/ws/drop') ws.on('message', () => ws.terminate());
      else if (path.startsWith('/trace')) ws.on('message', () => void (traces += 1));
      else ws.terminate();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${host}:${port}`,
    traceMessages: () => traces,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
