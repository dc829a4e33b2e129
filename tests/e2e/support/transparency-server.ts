/**
 * The transparency suite's server: one request handler and one WebSocket echo listening on two
 * loopback origins at once, so the same page and the same assertions run in one browser on
 * an origin the extension monitors (`http://127.0.0.1:<port>`, named in the user settings by the
 * shared fixture, as for the lab: probe injected) and on one it does not (`http://127.0.0.2:<port>`: the browser's natives).
 * 127.0.0.0/8 is loopback, so both are secure contexts (W3C Secure Contexts §3.2).
 *
 * Routes (same on both origins):
 * - `/page`: the fixture page (tests/e2e/fixtures/transparency/page.html) with suite.js
 * - `/suite.js`, `/page-wrapper.js`: the fixture scripts
 * - `/text`: `hello text`; `/json`: `{"a":1,"b":[true,null]}`; `/doc`: an HTML document;
 *   `/bytes`: 256 bytes 0..255
 * - `/echo` (and `/api/v2/echo`, which the probe treats as protected): JSON with the request's
 *   method, content type (multipart boundary replaced by `BOUNDARY`), body length, body
 *   SHA-256 (hex, after the same boundary replacement, also of a multipart body sent under
 *   another content type) and `x-test` header
 * - `/slow?ms=N` (and `/api/v2/slow`): answers `slow` after N ms
 * - `/stream?id=X` (and `/api/v2/stream`): chunked; sends `part-1;` at once and the rest only
 *   after `/release?id=X` was requested, so a test can prove the first chunk was read before
 *   the rest existed
 * - `/redirect?to=/text` (and `/api/v2/redirect`): 302 to `to`
 * - `/first/<name>`: a page whose first `<head>` script is the test's (fixtures/transparency/
 *   first-<name>.html: `globals`, `listener`, `zod`, `patched`, `errors`)
 * - `/zod/…`: the repository's zod 4 (node_modules/zod, ES modules), for a page with its own zod
 * - `/auth/check` (and `/api/v2/auth/check`, protected): 200 `{"ok":true}` when the request's
 *   bearer token (`Authorization: Bearer` or `access_token`) is in `validTokens`, else 401 with
 *   `WWW-Authenticate: Bearer error="invalid_token"`; the token is never echoed
 * - WebSocket `/ws`: subprotocols `v1.proto`/`v2.proto` (the server prefers `v2.proto`),
 *   permessage-deflate on; text is echoed as `echo:<text>`, binary echoed as binary; a text
 *   `close:<code>:<reason>` closes cleanly, `drop` destroys the TCP connection (1006)
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'transparency');
const ZOD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'node_modules', 'zod');
/** Pages of `/first/<name>`. */
const FIRST_PAGES = new Set(['globals', 'listener', 'zod', 'patched', 'errors']);

/** The two origins of one server. */
export interface TransparencyServer {
  /** Monitored (the shared fixture names `http://127.0.0.1/*` in the user settings): `http://127.0.0.1:<port>`. */
  wrapped: string;
  /** Not monitored: `http://127.0.0.2:<port>`. */
  native: string;
  /** Bearer tokens `/auth/check` accepts (both origins). */
  validTokens: Set<string>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
};

/** Creates the handler; `releases` is shared by both listeners (ids are per test). */
function handler(releases: Map<string, () => void>, validTokens: Set<string>) {
  const files: Record<string, [string, string]> = {
    '/page': ['page.html', 'text/html; charset=utf-8'],
    '/suite.js': ['suite.js', 'text/javascript'],
    '/page-wrapper.js': ['page-wrapper.js', 'text/javascript'],
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req);
      const path = url.pathname.replace(/^\/api\/v2(?=\/)/, '');
      const first = /^\/first\/([a-z]+)$/.exec(path);
      if (first && FIRST_PAGES.has(first[1]!)) {
        return send(res, 200, 'text/html; charset=utf-8', readFileSync(join(FIXTURES, `first-${first[1]}.html`)));
      }
      const zodFile = /^\/zod\/((?:[\w-]+\/)*[\w.-]+\.js)$/.exec(path);
      if (zodFile && !zodFile[1]!.includes('..')) {
        try {
          return send(res, 200, 'text/javascript', readFileSync(join(ZOD, zodFile[1]!)));
        } catch {
          return send(res, 404, 'text/plain', 'not found');
        }
      }
      if (path === '/auth/check') {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token');
        if (bearer !== null && validTokens.has(bearer)) return send(res, 200, 'application/json', '{"ok":true}');
        return send(res, 401, 'application/json', '{"error":"invalid_token"}', { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
      const file = files[path];
      if (file) return send(res, 200, file[1], readFileSync(join(FIXTURES, file[0])));
      switch (path) {
        case '/text':
          return send(res, 200, 'text/plain; charset=utf-8', 'hello text');
        case '/json':
          return send(res, 200, 'application/json', '{"a":1,"b":[true,null]}');
        case '/doc':
          return send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>doc</title><p id="x">para</p>');
        case '/bytes':
          return send(res, 200, 'application/octet-stream', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
        case '/echo': {
          const type = req.headers['content-type'] ?? '';
          const boundary = /boundary=(.+)$/.exec(type)?.[1];
          const text = body.toString('latin1');
          // A FormData body sent under another content type still carries a random boundary.
          const normalized = (boundary ? text.split(boundary).join('BOUNDARY') : text).replace(
            /----WebKitFormBoundary[0-9A-Za-z]+/g,
            'BOUNDARY',
          );
          return send(
            res,
            200,
            'application/json',
            JSON.stringify({
              method: req.method,
              type: boundary ? type.replace(boundary, 'BOUNDARY') : type,
              length: body.length,
              sha256: createHash('sha256').update(Buffer.from(normalized, 'latin1')).digest('hex'),
              test: req.headers['x-test'] ?? null,
            }),
          );
        }
        case '/slow': {
          const ms = Math.min(10_000, Number(url.searchParams.get('ms') ?? 1000));
          const timer = setTimeout(() => send(res, 200, 'text/plain', 'slow'), ms);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        case '/stream': {
          const id = url.searchParams.get('id') ?? '';
          res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
          res.write('part-1;');
          releases.set(id, () => {
            res.write('part-2;');
            res.end('part-3;');
          });
          return;
        }
        case '/release': {
          const id = url.searchParams.get('id') ?? '';
          const release = releases.get(id);
          releases.delete(id);
          release?.();
          return send(res, release ? 200 : 404, 'text/plain', release ? 'released' : 'unknown');
        }
        case '/redirect':
          res.writeHead(302, { location: url.searchParams.get('to') ?? '/text', 'cache-control': 'no-store' });
          res.end();
          return;
        default:
          return send(res, 404, 'text/plain', 'not found');
      }
    })();
  };
}

function attachWebSocket(server: Server): WebSocketServer {
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    perMessageDeflate: true,
    handleProtocols: (protocols) => (protocols.has('v2.proto') ? 'v2.proto' : protocols.has('v1.proto') ? 'v1.proto' : false),
  });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.send(data, { binary: true });
        return;
      }
      const text = data.toString();
      const close = /^close:(\d+):(.*)$/.exec(text);
      if (close) socket.close(Number(close[1]), close[2]);
      else if (text === 'drop') socket.terminate();
      else socket.send(`echo:${text}`);
    });
  });
  return wss;
}

/** Starts the server on one free port on both 127.0.0.1 and 127.0.0.2. */
export async function startTransparencyServer(): Promise<TransparencyServer> {
  const releases = new Map<string, () => void>();
  const validTokens = new Set<string>();
  const handle = handler(releases, validTokens);
  const servers: Server[] = [];
  const socketServers: WebSocketServer[] = [];
  let port = 0;
  for (const host of ['127.0.0.1', '127.0.0.2']) {
    const server = createServer(handle);
    socketServers.push(attachWebSocket(server));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    wrapped: `http://127.0.0.1:${port}`,
    native: `http://127.0.0.2:${port}`,
    validTokens,
    close: async () => {
      for (const wss of socketServers) {
        for (const c of wss.clients) c.terminate();
        wss.close();
      }
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
