/**
 * Refresh storm: many softphone tabs of two agents lose their token at once (the lab's
 * `publish-storm`: every access token revoked, every socket dropped, presence 429 with
 * `Retry-After`), with the extension. Counted from the lab: refresh-endpoint calls per
 * identity (single-flight promises one), 401s the app itself saw, and how the presence
 * retries after the shared `Retry-After` spread out (full-jitter backoff on top of it,
 * src/recovery/backoff.ts) instead of arriving in lock-step.
 */
import { startLab } from '../lab/server.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { monitorBenchPages } from './monitor.mjs';
import { summarize } from './stats.mjs';

const PRESENCE = '/api/v2/presence/users/{id}';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const status = (page) => page.evaluate(() => window.labSoftphone?.status() ?? null).catch(() => null);
const callReady = (s) => Boolean(s && s.presence === 'Available' && s.mediaReady && s.micEnabled && s.signalling === 'open');

async function waitReady(page, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (callReady(await status(page))) return Date.now();
    await sleep(200);
  }
  return null;
}

async function post(lab, path, body) {
  const res = await fetch(`${lab.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
}

/**
 * @param {{ tabs: number, retryAfterSeconds: number, log: (line: string) => void }} opts
 *   `tabs`: split between agent-1 (127.0.0.1) and agent-2 (localhost): cookies are per host
 * @returns {Promise<object>} see the fields below; times in ms
 * @throws {Error} when a tab never became ready before the storm
 */
export async function measureRefreshStorm({ tabs, retryAfterSeconds, log }) {
  const lab = await startLab({ port: 0 });
  const { context } = await launchBrowser({ withExtension: true });
  try {
    await monitorBenchPages(context);
    const origins = [lab.url, `http://localhost:${lab.port}`];
    const pages = [];
    for (let i = 0; i < tabs; i += 5) {
      const batch = [];
      for (let j = i; j < Math.min(tabs, i + 5); j++) {
        batch.push(
          (async () => {
            const page = await context.newPage();
            await page.goto(`${origins[j % 2]}/login?user=${j % 2 === 0 ? 'agent-1' : 'agent-2'}&return=/`);
            if ((await waitReady(page, 45_000)) === null) throw new Error(`storm tab ${j + 1} never became ready`);
            return page;
          })(),
        );
      }
      pages.push(...(await Promise.all(batch)));
    }
    const before = await Promise.all(pages.map(status));
    await post(lab, '/lab/reset');
    const rateLimitMs = retryAfterSeconds * 1000 + 1000;
    const stormAt = Date.now();
    await post(lab, '/lab/fault/publish-storm', { retryAfterSeconds, rateLimitMs });
    const readyAt = await Promise.all(pages.map((p) => waitReady(p, 60_000)));
    const after = await Promise.all(pages.map(status));
    const stats = await (await fetch(`${lab.url}/lab/stats`)).json();
    const log_ = (await (await fetch(`${lab.url}/lab/requests`)).json()).requests;

    const puts = log_.filter((r) => r.method === 'PUT' && r.path === PRESENCE);
    const limited = puts.filter((r) => r.status === 429);
    const firstLimited = limited.length ? Math.min(...limited.map((r) => r.receivedAt)) : stormAt;
    const retries = puts.filter((r) => r.status !== 429 && r.receivedAt > firstLimited);
    const answered = limited.map((r) => r.answeredAt).sort((a, b) => a - b);
    const retried = retries.map((r) => r.receivedAt).sort((a, b) => a - b);
    const spread = (xs) => (xs.length ? Math.max(...xs) - Math.min(...xs) : 0);
    const app401 = after.reduce((n, s, i) => n + Math.max(0, (s?.failures?.http401 ?? 0) - (before[i]?.failures?.http401 ?? 0)), 0);
    const reloads = after.filter((s, i) => (s?.loadCount ?? 0) !== (before[i]?.loadCount ?? 0)).length;
    const recovered = readyAt.filter((t) => t !== null);
    const result = {
      tabs,
      identities: 2,
      retryAfterSeconds,
      refreshCallsByUser: stats.refreshCallsByUser,
      mediaToken401AtLab: stats.requests['GET /api/v2/communications/webRTC 401'] ?? 0,
      app401,
      reloads,
      tabsRecovered: recovered.length,
      recoveryMs: summarize(recovered.map((t) => t - stormAt)),
      presence429: limited.length,
      presence429SpreadMs: spread(answered),
      presenceRetries: retries.length,
      presenceRetrySpreadMs: spread(retried),
      // k-th earliest retry after the k-th earliest 429: how far past Retry-After it came.
      retryBeyondRetryAfterMs: summarize(retried.map((t, k) => t - (answered[k] ?? t) - retryAfterSeconds * 1000)),
    };
    log(
      `  storm: ${tabs} tabs, refresh calls ${JSON.stringify(result.refreshCallsByUser)}, 429s ${limited.length} ` +
        `(spread ${result.presence429SpreadMs} ms), retries ${retries.length} (spread ${result.presenceRetrySpreadMs} ms), ` +
        `recovered ${recovered.length}/${tabs}`,
    );
    return result;
  } finally {
    await context.close().catch(() => undefined);
    await lab.close();
  }
}
