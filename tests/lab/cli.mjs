/**
 * Drives a running lab's control API from the command line (`npm run lab:fault -- ...`).
 * Prints the lab's JSON answer; on any error prints one line to stderr and exits 1.
 *
 *   publish-storm [--retry-after S] [--rate-limit-ms N]
 *   org-switch [--to ORG]            the agent picks another organisation (default org-b)
 *   ring [--user ID] [--from NUMBER]
 *   reset | stats | faults
 *   fault NAME [--<param> V ...]     e.g. fault renegotiation-timeout --latency-ms 2000 --count 2
 *                                    (V a number, or a string for string parameters: --to-org org-b)
 *   clear NAME
 *   common: --lab URL (default $LAB_URL or http://127.0.0.1:8787)
 */

const USAGE = `usage: cli.mjs <command> [options] [--lab URL]
  publish-storm [--retry-after S] [--rate-limit-ms N]
  org-switch [--to ORG]          (default org-b)
  ring [--user ID] [--from NUMBER]
  reset | stats | faults
  fault NAME [--<param> V ...]   (parameters as listed by "faults", kebab-case; V a number or a string)
  clear NAME`;

/** @param {string} flag `--rate-limit-ms` → `rateLimitMs` */
function camel(flag) {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

/**
 * @param {string[]} argv
 * @returns {{ command: string, positional: string[], flags: Record<string, string> }}
 * @throws {Error} on a flag without a value
 */
function parse(argv) {
  /** @type {string[]} */
  const positional = [];
  /** @type {Record<string, string>} */
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') flags.help = 'true';
    else if (a.startsWith('--')) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      flags[camel(a)] = v;
    } else positional.push(a);
  }
  return { command: positional.shift() ?? '', positional, flags };
}

/**
 * @param {string} name
 * @param {string} value
 * @returns {number}
 * @throws {Error} when not a number ≥ 0
 */
function num(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
  return n;
}

/**
 * Builds the control request for a command.
 * @param {{ command: string, positional: string[], flags: Record<string, string> }} args
 * @returns {{ method: string, path: string, body?: Record<string, unknown> }}
 * @throws {Error} for an unknown command or bad options
 */
function requestFor({ command, positional, flags }) {
  const opts = { ...flags };
  delete opts.lab;
  switch (command) {
    case 'publish-storm': {
      /** @type {Record<string, unknown>} */
      const body = {};
      if (opts.retryAfter !== undefined) body.retryAfterSeconds = num('retry-after', opts.retryAfter);
      if (opts.rateLimitMs !== undefined) body.rateLimitMs = num('rate-limit-ms', opts.rateLimitMs);
      return { method: 'POST', path: '/lab/fault/publish-storm', body };
    }
    case 'org-switch':
      return { method: 'POST', path: '/lab/fault/org-switch', body: opts.to !== undefined ? { toOrg: opts.to } : {} };
    case 'ring':
      return {
        method: 'POST',
        path: '/lab/ring',
        body: { ...(opts.user ? { userId: opts.user } : {}), ...(opts.from ? { from: opts.from } : {}) },
      };
    case 'reset':
      return { method: 'POST', path: '/lab/reset', body: {} };
    case 'stats':
      return { method: 'GET', path: '/lab/stats' };
    case 'faults':
      return { method: 'GET', path: '/lab/faults' };
    case 'fault': {
      const name = positional[0];
      if (!name) throw new Error('fault needs a NAME');
      /** @type {Record<string, unknown>} */
      const body = {};
      // Numbers stay numbers; anything else goes as a string (the lab checks each parameter's type).
      for (const [k, v] of Object.entries(opts)) body[k] = /^\s*-?[\d.]+\s*$/.test(v) ? num(k, v) : v;
      return { method: 'POST', path: `/lab/fault/${encodeURIComponent(name)}`, body };
    }
    case 'clear': {
      const name = positional[0];
      if (!name) throw new Error('clear needs a NAME');
      return { method: 'DELETE', path: `/lab/fault/${encodeURIComponent(name)}` };
    }
    default:
      throw new Error(command ? `unknown command "${command}" (try --help)` : 'no command (try --help)');
  }
}

async function main() {
  const args = parse(process.argv.slice(2));
  if (args.flags.help) {
    console.log(USAGE);
    return;
  }
  const base = (args.flags.lab ?? process.env.LAB_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  const req = requestFor(args);
  let res;
  try {
    res = await fetch(`${base}${req.path}`, {
      method: req.method,
      headers: req.body ? { 'Content-Type': 'application/json' } : {},
      body: req.body ? JSON.stringify(req.body) : undefined,
    });
  } catch (e) {
    const cause = /** @type {{ cause?: { code?: string, message?: string } }} */ (e).cause;
    throw new Error(`cannot reach the lab at ${base} (${cause?.code ?? cause?.message ?? /** @type {Error} */ (e).message})`, { cause: e });
  }
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!res.ok) throw new Error(`${req.method} ${req.path} → ${res.status}: ${body?.error ?? text.slice(0, 200)}`);
  console.log(JSON.stringify(body, null, 2));
}

main().catch((e) => {
  console.error(`lab: ${/** @type {Error} */ (e).message}`);
  process.exit(1);
});
