/**
 * The lab over HTTPS with several sites on loopback (`startLab({ tls: true })`): the host
 * names it answers for, the Chromium flags that take a browser there, a throwaway
 * certificate made at start, and one port that speaks both HTTPS (the browser) and plain HTTP
 * (the control API and CLI on `http://127.0.0.1:PORT`). Behaviour: tests/lab/README.md
 * "Topologies".
 */
import { createServer } from 'node:net';
import { generate } from 'selfsigned';

/** The lab's host names: every one resolves to 127.0.0.1 in a browser started with {@link TLS_BROWSER_ARGS}. */
export const LAB_HOSTS = Object.freeze({
  /** the softphone app and its platform (OAuth, API, notification socket) */
  softphone: 'softphone.test',
  /** a second softphone origin: the same app and platform, its own cookies */
  softphoneB: 'softphone-b.test',
  /** a CRM on another site, embedding the softphone in an iframe */
  crm: 'crm.test',
  /** a hostile origin: 401 to every `/api/v2/*` request, each one logged */
  attacker: 'attacker.test',
});

/**
 * Chromium flags for the lab's host names: every `*.test` name resolves to 127.0.0.1 (the
 * port stays the one in the URL), and the throwaway certificate is accepted.
 */
export const TLS_BROWSER_ARGS = Object.freeze(['--host-resolver-rules=MAP *.test 127.0.0.1', '--ignore-certificate-errors']);

/**
 * A self-signed certificate for the lab's host names and the loopback addresses, made anew
 * at every start and never written to disk.
 * @returns {Promise<{ key: string, cert: string }>} PEM
 */
export async function makeCertificate() {
  const names = [...Object.values(LAB_HOSTS), 'localhost'];
  const pems = await generate([{ name: 'commonName', value: LAB_HOSTS.softphone }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * One listening socket for two servers: a connection whose first byte opens a TLS handshake
 * (0x16, a TLS handshake record) goes to `tlsServer`, any other to `plainServer`.
 * @param {import('node:net').Server} tlsServer an `https` server (not listening itself)
 * @param {import('node:net').Server} plainServer an `http` server (not listening itself)
 * @returns {{ server: import('node:net').Server, destroyAll: () => void }} `server` to listen
 *   on; `destroyAll` drops every connection it accepted
 */
export function dualProtocolServer(tlsServer, plainServer) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {
      /* the peer went away */
    });
    socket.once('data', (first) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? tlsServer : plainServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  return {
    server,
    destroyAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}
