/**
 * A scriptable HTTP server on 127.0.0.1 for the probe tier. It logs every API request, so a
 * test can count what the page sent and what the probe retried.
 *
 * Routes:
 * - `/`: a blank page (the probe and the relay stand-in come as init scripts)
 * - `/api/v2/*`: the next scripted answer for the path when there is one ({@link LadderServer.script});
 *   otherwise 200 for a token in `validTokens` (Authorization Bearer or `access_token`), else
 *   401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3)
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server answered. */
export interface LoggedRequest {
  method: string;
  path: string;
  token: string | null;
  status: number;
  /** Epoch ms it arrived. */
  at: number;
}

/** One scripted answer: status and headers, a JSON body `{ status }`. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface LadderServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Tokens the unscripted `/api/v2/*` routes accept. */
  validTokens: Set<string>;
  log: LoggedRequest[];
  /** The next requests to `path` get `answers`, in order; then the token rule applies again. */
  script(path: string, answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? url.searchParams.get('access_token');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the server on a free port. */
export async function startLadderServer(): Promise<LadderServer> {
  const validTokens = new Set<string>();
  const log: LoggedRequest[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe tier</title></head><body></body></html>');
        return;
      }
      if (!path.startsWith('/api/v2/')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      const token = tokenOf(req, url);
      const scripted = scripts.get(path)?.shift();
      const ok = token !== null && validTokens.has(token);
      const status = scripted?.status ?? (ok ? 200 : 401);
      log.push({ method: req.method ?? '', path, token, status, at: Date.now() });
      if (scripted) json(res, status, { status }, scripted.headers);
      else if (ok) json(res, 200, { ok: true, token });
      else json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    validTokens,
    log,
    script: (path, answers) => void scripts.set(path, [...answers]),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
