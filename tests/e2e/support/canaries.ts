/**
 * Canary secrets for leak tests: unique strings planted where secrets travel (headers, URLs,
 * socket URLs, close reasons, identity responses) and then searched for wherever the
 * extension writes (IndexedDB, storage, the export, telemetry, the console).
 *
 * The places are read by the helpers below ({@link captureConsole}, {@link dumpIndexedDb},
 * {@link dumpStorage}, {@link requestExport}), shared by the secret and the caller-data canary specs.
 *
 * Canaries use only `[A-Za-z0-9_-]`, so URL encoding, JSON escaping and HTML leave them as
 * they are: a canary found nowhere verbatim was not written anywhere in a common encoding.
 */
import { randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import type { BrowserContext, ConsoleMessage, Page, Worker } from '@playwright/test';
import type { ExportResponse, StoredEvent } from '../../../src/protocol/ui';
import { EXTENSION_ID } from './softphone';

const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}/`;

/**
 * The canaries that occur in `text`, in the order given (empty: none leaked). Case-sensitive
 * plain substring search; empty canaries are ignored.
 */
export function findCanaries(text: string, canaries: string[]): string[] {
  return canaries.filter((c) => c.length > 0 && text.includes(c));
}

/** An opaque canary: `cnry-<label>-<24 hex digits>`. */
export function opaqueCanary(label: string): string {
  return `cnry-${label}-${randomBytes(12).toString('hex')}`;
}

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/**
 * A JWT-shaped canary (RFC 7519 compact serialization: `header.payload.signature`, base64url)
 * short enough for a WebSocket close reason (≤ 123 bytes, RFC 6455 §5.5.1), and its parts.
 * `parts` lists the payload and signature segments, unique to this canary (the header
 * segment is the same for every HS256 JWT, so it is no canary on its own).
 */
export function jwtCanary(label: string): { token: string; parts: string[] } {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: `${label}-${randomBytes(4).toString('hex')}` }));
  const signature = b64url(randomBytes(16));
  return { token: `${header}.${payload}.${signature}`, parts: [payload, signature] };
}

/** One console line, with where it came from. */
export interface ConsoleLine {
  where: string;
  text: string;
}

/**
 * Collects the console of the extension's service worker (also after a restart), of its
 * pages, and what the probe and relay write into softphone pages: console API calls whose
 * source is the extension's own script. Left out in softphone pages: the page's own messages,
 * and the browser's network error entries (CDP `Log.entryAdded`, no arguments), which print
 * the URL the page asked for in full (`WebSocket connection to 'ws://…?access_token=…'
 * failed`) with or without the extension — Chromium attributes them to the script that
 * called the native constructor, which is the probe's wrapper when the extension is there.
 */
export function captureConsole(ctx: BrowserContext): ConsoleLine[] {
  const lines: ConsoleLine[] = [];
  const fromExtension = (msg: ConsoleMessage): boolean => {
    const pageUrl = msg.page()?.url() ?? '';
    if (pageUrl.startsWith(EXTENSION_ORIGIN)) return true;
    return (msg.location().url ?? '').startsWith(EXTENSION_ORIGIN) && msg.args().length > 0;
  };
  ctx.on('console', (msg) => {
    if (fromExtension(msg)) lines.push({ where: `${msg.page()?.url() ?? '?'} (${msg.location().url})`, text: msg.text() });
  });
  const watchWorker = (w: Worker): void => {
    if (w.url().startsWith(EXTENSION_ORIGIN)) w.on('console', (msg) => lines.push({ where: `worker ${w.url()}`, text: msg.text() }));
  };
  ctx.serviceWorkers().forEach(watchWorker);
  ctx.on('serviceworker', watchWorker);
  return lines;
}

/** Every IndexedDB database of the extension, every store, every record, as JSON. */
export async function dumpIndexedDb(page: Page): Promise<{ json: string; stores: string[]; events: StoredEvent[] }> {
  return page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>): Promise<T> =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n): n is string => Boolean(n));
    if (!names.includes('softphone-guard')) names.push('softphone-guard');
    const out: Record<string, Record<string, unknown[]>> = {};
    const stores: string[] = [];
    let events: StoredEvent[] = [];
    for (const name of names) {
      const db = await request(indexedDB.open(name));
      out[name] = {};
      for (const store of Array.from(db.objectStoreNames)) {
        const records = await request(db.transaction(store, 'readonly').objectStore(store).getAll());
        out[name][store] = records;
        stores.push(`${name}/${store}`);
        if (name === 'softphone-guard' && store === 'events') events = records as StoredEvent[];
      }
      db.close();
    }
    return { json: JSON.stringify(out), stores, events };
  });
}

/** `storage.local` and `storage.session` of the extension, as JSON. */
export async function dumpStorage(page: Page): Promise<string> {
  return page.evaluate(async () =>
    JSON.stringify({ local: await chrome.storage.local.get(null), session: await chrome.storage.session.get(null) }),
  );
}

/** The export (`get-export`) as the popup asks for it. */
export async function requestExport(page: Page, format: 'bundle' | 'summary'): Promise<ExportResponse> {
  return page.evaluate((f) => chrome.runtime.sendMessage({ type: 'get-export', format: f }), format);
}

/**
 * Every place the extension keeps or sends data, read through one of its pages: IndexedDB (the
 * dump given), `storage.*`, the state the popup gets, both exports, what the OTLP receiver got,
 * and the console lines captured, as place name → text for {@link expectNoCanaries}.
 * @returns the places, and the two exports for the spec's own checks
 */
export async function collectPlaces(
  page: Page,
  db: { json: string },
  telemetry: { requests: { text: string }[] },
  consoleLines: ConsoleLine[],
): Promise<{ places: Record<string, string>; bundle: ExportResponse; summary: ExportResponse }> {
  const storage = await dumpStorage(page);
  const state = JSON.stringify(await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' })));
  const bundle = await requestExport(page, 'bundle');
  const summary = await requestExport(page, 'summary');
  const places = {
    indexedDb: db.json,
    storage,
    state,
    bundle: bundle.text,
    summary: summary.text,
    telemetry: telemetry.requests.map((r) => r.text).join('\n'),
    console: consoleLines.map((l) => `${l.where}: ${l.text}`).join('\n'),
  };
  return { places, bundle, summary };
}

/**
 * Asserts that none of `canaries` appears in any of `places` (place name → its text); a failure
 * names the place and shows up to five finds with 120 characters before and 40 after.
 * @throws the assertion error of the first place holding one
 */
export function expectNoCanaries(places: Record<string, string>, canaries: string[], what: string): void {
  for (const [place, text] of Object.entries(places)) {
    const found = findCanaries(text, canaries);
    const where = found.slice(0, 5).map((c) => {
      const i = text.indexOf(c);
      return text.slice(Math.max(0, i - 120), i + c.length + 40);
    });
    expect(found, `${what} found in ${place}, e.g. ${JSON.stringify(where)}`).toEqual([]);
  }
}
