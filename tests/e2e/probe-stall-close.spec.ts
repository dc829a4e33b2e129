/**
 * Rung 3, silent stall: on the worker's `close-stalled-socket` the probe closes an OPEN
 * socket with 4000 so the app's own reconnect logic runs. The page sees exactly one close:
 * the real one when the server answers the close handshake, or — on a dead connection that
 * cannot — a synthetic 1006 after 3 s, and never the native close that comes later. The
 * `ws-close` carries `closedBy: 'stall'`. Unknown or not-OPEN sockets are left alone.
 *
 * The command is posted as the relay posts the worker's commands into the page (the
 * channel's `to-page` envelope, harness `command`).
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import { command, observations } from './fixtures/probe/harness';
import type { SessionServer } from './fixtures/probe/session-server';

// One browser for the file; a fresh fixture page (and server) per test.
test.use({ shareBrowser: true });
// The session server's pages, one per test.
test.use({ probeOrigin: async ({ sessionServer }, use) => use(sessionServer.origin) });

/** STALL_CLOSE_FALLBACK_MS of src/protocol/page.ts. */
const FALLBACK_MS = 3000;

type LogEntry = {
  name: string;
  via: string;
  type: string;
  code?: number;
  reason?: string;
  wasClean?: boolean;
  trusted?: boolean;
  t: number;
};
type Fixture = {
  log: LogEntry[];
  sockets: Record<string, WebSocket>;
  openSocket(name: string, url: string): Promise<WebSocket>;
  socketStates(): Record<string, number>;
};
type FixtureWindow = Window & { fixture: Fixture; commandAt?: number };

const pageLog = (p: Page): Promise<LogEntry[]> => p.evaluate(() => (window as unknown as FixtureWindow).fixture.log);

/** Opens socket `name` on `path` and returns the probe's id for it. */
async function openWatched(p: Page, server: SessionServer, name: string, path: string): Promise<string> {
  const url = `${server.wsOrigin}${path}`;
  await p.evaluate(([n, u]) => (window as unknown as FixtureWindow).fixture.openSocket(n, u).then(() => undefined), [name, url] as const);
  await expect.poll(async () => (await observations(p, 'ws-open')).some((o) => o.url === url)).toBe(true);
  const open = (await observations(p, 'ws-open')).find((o) => o.url === url);
  return open?.socketId as string;
}

async function closeStalled(p: Page, socketId: string, silentSeconds: number): Promise<void> {
  await p.evaluate(() => ((window as unknown as FixtureWindow).commandAt = performance.now()));
  await command(p, { type: 'close-stalled-socket', socketId, silentSeconds });
}

test('a silent socket whose server still answers the close: one close 4000 for the page', async ({
  probePage: page,
  sessionServer: server,
}) => {
  const socketId = await openWatched(page, server, 's', '/ws/silent');
  await closeStalled(page, socketId, 45);
  await expect.poll(async () => (await pageLog(page)).length).toBe(2);
  // Past the fallback: nothing more for the page.
  await page.waitForTimeout(FALLBACK_MS + 500);
  const log = await pageLog(page);
  expect(log.map(({ t: _t, ...e }) => e)).toEqual([
    { name: 's', via: 'listener', type: 'close', code: 4000, reason: 'No heartbeat for 45 s', wasClean: true, trusted: true },
    { name: 's', via: 'onclose', type: 'close', code: 4000, reason: 'No heartbeat for 45 s', wasClean: true, trusted: true },
  ]);
  expect(await observations(page, 'ws-close')).toEqual([
    {
      type: 'ws-close',
      at: expect.any(Number),
      socketId,
      url: `${server.wsOrigin}/ws/silent`,
      code: 4000,
      reason: 'No heartbeat for 45 s',
      wasClean: true,
      closedBy: 'stall',
    },
  ]);
  expect(server.sockets.find((s) => s.path === '/ws/silent')?.closedWith).toEqual({ code: 4000, reason: 'No heartbeat for 45 s' });
});

test('a dead connection: a synthetic 1006 after the fallback, the app reconnects, the late native close stays hidden', async ({
  probePage: page,
  sessionServer: server,
}) => {
  const socketId = await openWatched(page, server, 'd', '/ws/dead');
  // The app's reconnect logic: on close, open a new socket.
  await page.evaluate((wsOrigin) => {
    const f = (window as unknown as FixtureWindow).fixture;
    f.sockets.d?.addEventListener('close', () => void f.openSocket('d2', `${wsOrigin}/ws?reconnected=1`));
  }, server.wsOrigin);
  await closeStalled(page, socketId, 31);
  await expect.poll(async () => (await pageLog(page)).filter((e) => e.type === 'close').length, { timeout: FALLBACK_MS + 5000 }).toBe(2);
  const [first] = await pageLog(page);
  const commandAt = await page.evaluate(() => (window as unknown as FixtureWindow).commandAt ?? 0);
  expect((first?.t ?? 0) - commandAt).toBeGreaterThanOrEqual(FALLBACK_MS - 100);
  expect((await pageLog(page)).map(({ t: _t, ...e }) => e)).toEqual([
    { name: 'd', via: 'listener', type: 'close', code: 1006, reason: '', wasClean: false, trusted: false },
    { name: 'd', via: 'onclose', type: 'close', code: 1006, reason: '', wasClean: false, trusted: false },
  ]);
  // The handshake is still pending natively: the socket is CLOSING.
  expect(await page.evaluate(() => (window as unknown as FixtureWindow).fixture.sockets.d?.readyState)).toBe(2);
  expect(await observations(page, 'ws-close')).toEqual([
    {
      type: 'ws-close',
      at: expect.any(Number),
      socketId,
      url: `${server.wsOrigin}/ws/dead`,
      code: 1006,
      reason: '',
      wasClean: false,
      closedBy: 'stall',
    },
  ]);
  // The app reconnected by its own logic.
  await expect.poll(async () => (await observations(page, 'ws-open')).map((o) => o.url)).toContain(`${server.wsOrigin}/ws?reconnected=1`);

  // The connection finally drops: Chromium ends the socket natively; the page hears nothing of it.
  expect(server.dropDead()).toBe(1);
  await expect.poll(() => page.evaluate(() => (window as unknown as FixtureWindow).fixture.sockets.d?.readyState)).toBe(3);
  await page.waitForTimeout(300);
  expect((await pageLog(page)).filter((e) => e.name === 'd')).toHaveLength(2);
  expect(await observations(page, 'ws-close')).toHaveLength(1);
});

test('unknown ids and sockets that are not OPEN are left alone', async ({ probePage: page, sessionServer: server }) => {
  const socketId = await openWatched(page, server, 'e', '/ws');
  await command(page, { type: 'close-stalled-socket', socketId: 'ws-unknown-1', silentSeconds: 40 });
  await page.evaluate(() => (window as unknown as FixtureWindow).fixture.sockets.e?.close(1000, 'app done'));
  await expect.poll(async () => (await observations(page, 'ws-close')).length).toBe(1);
  // Closed now (and dropped from the probe's registry): a late command changes nothing.
  await command(page, { type: 'close-stalled-socket', socketId, silentSeconds: 40 });
  const other = await openWatched(page, server, 'f', '/ws?other=1');
  await page.waitForTimeout(FALLBACK_MS + 300);
  expect(await page.evaluate(() => (window as unknown as FixtureWindow).fixture.socketStates())).toEqual({ e: 3, f: 1 });
  expect((await pageLog(page)).map((e) => [e.name, e.via, e.code, e.reason])).toEqual([
    ['e', 'listener', 1000, 'app done'],
    ['e', 'onclose', 1000, 'app done'],
  ]);
  const closes = await observations(page, 'ws-close');
  expect(closes).toHaveLength(1);
  expect(closes[0]).toMatchObject({ socketId, code: 1000, reason: 'app done' });
  expect(closes[0]?.closedBy).toBeUndefined();
  // The other socket still works.
  const echo = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const f = (window as unknown as FixtureWindow).fixture.sockets.f as WebSocket;
        f.addEventListener('message', (e) => resolve(String(e.data)), { once: true });
        f.send('ping');
      }),
  );
  expect(echo).toBe('echo:ping');
  expect(other).toMatch(/^ws-/);
});
