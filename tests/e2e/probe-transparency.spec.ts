/**
 * The probe is transparent: in the same browser, the top page (probe installed) and a
 * same-origin iframe it creates (no probe: `all_frames` is false) must not be told apart by
 * the wrapped APIs' shape or behaviour — name, length, toString in every form, descriptors,
 * prototype identity, statics, instanceof, errors, and real fetch / XHR / WebSocket traffic.
 */
import { expect, test as base } from './support/fixture';
import { command, observations, openProbePage } from './fixtures/probe/harness';
import { DEFAULT_PROBE_CONFIG } from '../../extension/page/default-config';

/** Each test's page carries a same-origin iframe, which the probe does not reach (`all_frames` is false). */
const test = base.extend({
  probePage: async ({ probePage }, use) => {
    await probePage.evaluate(() => {
      const f = document.createElement('iframe');
      f.id = 'native';
      document.body.append(f);
    });
    await use(probePage);
  },
});

// One browser for the file.
test.use({ shareBrowser: true });

test('the probe is installed in the top page and not in the iframe', async ({ probePage: page, fixtureServer: server }) => {
  const [hello] = await observations(page, 'hello');
  expect(hello).toMatchObject({ type: 'hello', href: `${server.origin}/`, probeVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  // A wrapper and a native of the same API are different objects in the two realms anyway;
  // what proves the probe is the top realm's fetch not being its own realm's native: the
  // iframe's native toString prints a Proxy without the name.
  const seen = await page.evaluate(() => {
    const w = (document.getElementById('native') as HTMLIFrameElement).contentWindow as Window & typeof globalThis;
    return {
      topThroughNativeToString: w.Function.prototype.toString.call(window.fetch),
      frameThroughNativeToString: w.Function.prototype.toString.call(w.fetch),
    };
  });
  expect(seen.frameThroughNativeToString).toBe('function fetch() { [native code] }');
  expect(seen.topThroughNativeToString).not.toBe(seen.frameThroughNativeToString);
});

test('wrapped functions have the native shape', async ({ probePage: page }) => {
  const result = await page.evaluate(() => {
    type Realm = Window & typeof globalThis;
    const frame = (document.getElementById('native') as HTMLIFrameElement).contentWindow as Realm;

    const targets = (w: Realm): Record<string, unknown> => {
      const xp = w.XMLHttpRequest.prototype;
      const getter = (o: object, k: string): unknown => Object.getOwnPropertyDescriptor(o, k)?.get;
      return {
        WebSocket: w.WebSocket,
        fetch: w.fetch,
        XMLHttpRequest: w.XMLHttpRequest,
        RTCPeerConnection: w.RTCPeerConnection,
        webkitRTCPeerConnection: (w as unknown as { webkitRTCPeerConnection: unknown }).webkitRTCPeerConnection,
        'RTCPeerConnection.generateCertificate': w.RTCPeerConnection.generateCertificate,
        'RTCPeerConnection.prototype.close': w.RTCPeerConnection.prototype.close,
        'MediaDevices.prototype.getUserMedia': w.MediaDevices.prototype.getUserMedia,
        'Function.prototype.toString': w.Function.prototype.toString,
        'xhr.open': xp.open,
        'xhr.send': xp.send,
        'xhr.setRequestHeader': xp.setRequestHeader,
        'xhr.abort': xp.abort,
        'xhr.getResponseHeader': xp.getResponseHeader,
        'xhr.getAllResponseHeaders': xp.getAllResponseHeaders,
        'get readyState': getter(xp, 'readyState'),
        'get status': getter(xp, 'status'),
        'get statusText': getter(xp, 'statusText'),
        'get response': getter(xp, 'response'),
        'get responseText': getter(xp, 'responseText'),
        'get responseXML': getter(xp, 'responseXML'),
        'get responseURL': getter(xp, 'responseURL'),
      };
    };

    const describe = (w: Realm, fn: unknown): unknown => {
      const f = fn as { name: string; length: number; toString(): string };
      const ownKeys = Reflect.ownKeys(f as object).map(String);
      const descriptors = Object.fromEntries(
        ownKeys.map((k) => {
          const d = Object.getOwnPropertyDescriptor(f, k) as PropertyDescriptor;
          const v: unknown = d.value;
          return [
            k,
            {
              w: d.writable,
              e: d.enumerable,
              c: d.configurable,
              t: typeof v,
              get: typeof d.get,
              prim: typeof v === 'object' || typeof v === 'function' ? null : v,
            },
          ];
        }),
      );
      return {
        typeof: typeof fn,
        name: f.name,
        length: f.length,
        string: String(fn),
        template: `${f as unknown as string}`,
        ownToString: f.toString(),
        protoToString: w.Function.prototype.toString.call(fn),
        callToString: Function.prototype.toString.call.call(w.Function.prototype.toString, fn),
        ownKeys,
        descriptors,
        protoOfFn: Object.getPrototypeOf(fn) === w.Function.prototype,
        isExtensible: Object.isExtensible(fn),
        hasPrototype: 'prototype' in (fn as object),
        objectToString: Object.prototype.toString.call(fn),
      };
    };

    const top = targets(window);
    const nat = targets(frame);
    const out: Record<string, { top: unknown; native: unknown }> = {};
    for (const key of Object.keys(top)) out[key] = { top: describe(window, top[key]), native: describe(frame, nat[key]) };
    out['toString.toString()'] = {
      top: Function.prototype.toString.toString(),
      native: frame.Function.prototype.toString.toString(),
    };
    out['toString.toString.toString()'] = {
      top: Function.prototype.toString.toString.toString(),
      native: frame.Function.prototype.toString.toString.toString(),
    };
    out['plain functions still print their source'] = {
      top: Function.prototype.toString.call(function sample(a: number) {
        return a + 1;
      }),
      native: frame.Function.prototype.toString.call(function sample(a: number) {
        return a + 1;
      }),
    };
    out['class source'] = {
      top: Function.prototype.toString.call(class Foo {}),
      native: frame.Function.prototype.toString.call(class Foo {}),
    };
    out['bound function'] = {
      top: Function.prototype.toString.call(Math.max.bind(null)),
      native: frame.Function.prototype.toString.call(frame.Math.max.bind(null)),
    };
    return out;
  });
  for (const [key, { top, native }] of Object.entries(result)) expect(top, key).toEqual(native);
});

test('descriptors of the replaced properties are the native ones', async ({ probePage: page }) => {
  const result = await page.evaluate(() => {
    type Realm = Window & typeof globalThis;
    const frame = (document.getElementById('native') as HTMLIFrameElement).contentWindow as Realm;
    const d = (o: object, k: string): unknown => {
      const x = Object.getOwnPropertyDescriptor(o, k);
      return x && { w: x.writable, e: x.enumerable, c: x.configurable, value: typeof x.value, get: typeof x.get, set: typeof x.set };
    };
    const shape = (w: Realm): unknown => ({
      WebSocket: d(w, 'WebSocket'),
      fetch: d(w, 'fetch'),
      XMLHttpRequest: d(w, 'XMLHttpRequest'),
      RTCPeerConnection: d(w, 'RTCPeerConnection'),
      webkitRTCPeerConnection: d(w, 'webkitRTCPeerConnection'),
      toString: d(w.Function.prototype, 'toString'),
      getUserMedia: d(w.MediaDevices.prototype, 'getUserMedia'),
      close: d(w.RTCPeerConnection.prototype, 'close'),
      xhr: Object.fromEntries(Object.getOwnPropertyNames(w.XMLHttpRequest.prototype).map((k) => [k, d(w.XMLHttpRequest.prototype, k)])),
      wsProtoKeys: Object.getOwnPropertyNames(w.WebSocket.prototype),
      pcProtoKeys: Object.getOwnPropertyNames(w.RTCPeerConnection.prototype),
      windowKeysOrder: Object.keys(w).filter((k) => ['fetch', 'WebSocket', 'RTCPeerConnection'].includes(k)),
    });
    return { top: shape(window), native: shape(frame) };
  });
  expect(result.top).toEqual(result.native);
});

test('prototypes, statics, instanceof and errors match the native', async ({ probePage: page, fixtureServer: server }) => {
  const result = await page.evaluate(async (wsOrigin) => {
    type Realm = Window & typeof globalThis;
    const frame = (document.getElementById('native') as HTMLIFrameElement).contentWindow as Realm;
    const settle = async (fn: () => Promise<unknown>): Promise<string> => {
      try {
        return await fn().then(
          () => 'resolved',
          (e: Error) => `rejected ${e.name}: ${e.message}`,
        );
      } catch (e) {
        return `threw ${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const errorOf = (fn: () => unknown): string => {
      try {
        fn();
        return 'no error';
      } catch (e) {
        const err = e as Error;
        return `${Object.getPrototypeOf(err)?.constructor?.name}: ${err.message}`;
      }
    };
    const probe = async (w: Realm) => {
      const WS = w.WebSocket;
      const PC = w.RTCPeerConnection;
      const ws = new WS(`${wsOrigin}/ws`);
      const pc = new PC();
      class SubSocket extends WS {}
      const sub = new SubSocket(`${wsOrigin}/ws`);
      const cert = await PC.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams);
      const F = w.fetch as unknown as new () => unknown;
      const S = w.WebSocket as unknown as () => unknown;
      const P = w.RTCPeerConnection as unknown as () => unknown;
      const out = {
        protoIsInstanceProto: Object.getPrototypeOf(ws) === WS.prototype,
        ctorRoundTrip: WS.prototype.constructor === WS,
        pcCtorRoundTrip: PC.prototype.constructor === PC,
        xhrCtorRoundTrip: w.XMLHttpRequest.prototype.constructor === w.XMLHttpRequest,
        instanceofXhr: new w.XMLHttpRequest() instanceof w.XMLHttpRequest,
        xhrStatics: [w.XMLHttpRequest.UNSENT, w.XMLHttpRequest.OPENED, w.XMLHttpRequest.DONE],
        xhrSubclass: (() => {
          class Sub extends w.XMLHttpRequest {}
          const s = new Sub();
          return [s instanceof Sub, s instanceof w.XMLHttpRequest, s.readyState];
        })(),
        markerHidden: Object.keys(w).includes('softphone-guard.probe'),
        instanceofWs: ws instanceof WS,
        instanceofPc: pc instanceof PC,
        instanceofEventTarget: ws instanceof w.EventTarget,
        hasInstance: WS[Symbol.hasInstance](ws),
        subclass: [sub instanceof SubSocket, sub instanceof WS, Object.getPrototypeOf(SubSocket) === WS, sub.constructor === SubSocket],
        statics: [WS.CONNECTING, WS.OPEN, WS.CLOSING, WS.CLOSED, ws.OPEN],
        aliasIsSame: (w as unknown as { webkitRTCPeerConnection: unknown }).webkitRTCPeerConnection === PC,
        certificate: Object.prototype.toString.call(cert),
        certificateExpires: typeof cert.expires,
        callWithoutNew: [errorOf(() => S()), errorOf(() => P()), errorOf(() => (w.XMLHttpRequest as unknown as () => unknown)())],
        newFetch: errorOf(() => new F()),
        fetchBadThis: await settle(() => w.fetch.call({} as Window, '/')),
        toStringOnObject: errorOf(() => w.Function.prototype.toString.call({})),
        wsBadUrl: errorOf(() => new WS('http://[')),
        wsBadProtocol: errorOf(() => new WS(`${wsOrigin}/ws`, ['a', 'a'])),
        getStatsOnClosed: await (async () => {
          const p2 = new PC();
          p2.close();
          return [p2.connectionState, p2.signalingState, await p2.getStats().then((r) => typeof r.forEach)];
        })(),
        closeReturns: typeof pc.close(),
        pcState: [pc.connectionState, pc.signalingState, pc.iceConnectionState],
        gumBadThis: await settle(() => w.MediaDevices.prototype.getUserMedia.call({} as MediaDevices, { audio: true })),
        xhrOpenBad: errorOf(() => new w.XMLHttpRequest().open('GET', 'http://[')),
        xhrSendUnopened: errorOf(() => new w.XMLHttpRequest().send()),
        xhrHeaderUnopened: errorOf(() => new w.XMLHttpRequest().setRequestHeader('a', 'b')),
        xhrGetHeaderNoArgs: errorOf(() => (new w.XMLHttpRequest().getResponseHeader as unknown as () => unknown)()),
        xhrStatusOnPrototype: errorOf(() => (w.XMLHttpRequest.prototype as unknown as { status: number }).status),
        xhrFresh: (() => {
          const x = new w.XMLHttpRequest();
          return [x.readyState, x.status, x.statusText, x.response, x.responseText, x.responseURL, x.getAllResponseHeaders()];
        })(),
      };
      ws.close();
      sub.close();
      return out;
    };
    return { top: await probe(window), native: await probe(frame) };
  }, server.wsOrigin);
  expect(result.top).toEqual(result.native);
  expect(result.top.callWithoutNew[0]).toContain("Please use the 'new' operator");
  expect(result.top.instanceofWs).toBe(true);
});

test('fetch, XHR and WebSocket behave like the native', async ({ probePage: page, fixtureServer: server }) => {
  const result = await page.evaluate(
    async ({ origin, wsOrigin }) => {
      type Realm = Window & typeof globalThis;
      const frame = (document.getElementById('native') as HTMLIFrameElement).contentWindow as Realm;

      const viaFetch = async (w: Realm) => {
        const read = async (input: RequestInfo, init?: RequestInit) => {
          const r = await w.fetch(input, init);
          return {
            status: r.status,
            statusText: r.statusText,
            ok: r.ok,
            type: r.type,
            url: r.url,
            retryAfter: r.headers.get('retry-after'),
            fixture: r.headers.get('x-fixture'),
            body: await r.text(),
            isResponse: r instanceof w.Response,
          };
        };
        const promise = w.fetch(`${origin}/plain/200`);
        return {
          promiseIsPromise: promise instanceof w.Promise,
          ok: await read(`${origin}/plain/200`),
          notFound: await read(`${origin}/plain/404`),
          retry: await read(`${origin}/plain/503`, { method: 'POST', body: 'x', headers: { 'x-a': '1' } }),
          request: await read(new w.Request(`${origin}/plain/201`, { method: 'PUT', body: 'y' })),
          relative: await read('/plain/200'),
          unbound: await (0, w.fetch)(`${origin}/plain/204`).then((r) => r.status),
          url: await read(new w.URL('/plain/202', origin) as unknown as string),
          networkError: await w.fetch('http://127.0.0.1:1/').then(
            () => 'resolved',
            (e: Error) => `${e.name}: ${e.message}`,
          ),
          aborted: await w.fetch(`${origin}/plain/200`, { signal: AbortSignal.abort() }).then(
            () => 'resolved',
            (e: Error) => `${e.name}: ${e.message}`,
          ),
          badHeader: await w.fetch(`${origin}/plain/200`, { headers: { 'bad header': 'x' } }).then(
            () => 'resolved',
            (e: Error) => `${e.name}: ${e.message}`,
          ),
          settled: await promise.then((r) => r.status),
        };
      };

      const viaXhr = (w: Realm, method: string, url: string, responseType: XMLHttpRequestResponseType = '') =>
        new Promise<unknown>((resolve) => {
          const x = new w.XMLHttpRequest();
          const trail: unknown[] = [];
          x.onreadystatechange = () => trail.push(['rsc', x.readyState, x.status]);
          for (const t of ['loadstart', 'progress', 'load', 'error', 'abort', 'timeout'])
            x.addEventListener(t, () => trail.push([t, x.readyState]));
          x.onloadend = () =>
            resolve({
              trail: trail.filter((e, i, a) => (e as unknown[])[0] !== 'progress' || (a[i - 1] as unknown[])[0] !== 'progress'),
              status: x.status,
              statusText: x.statusText,
              response: responseType === 'json' ? x.response : x.responseText,
              responseURL: x.responseURL,
              header: x.getResponseHeader('Retry-After'),
              headers: x
                .getAllResponseHeaders()
                .split('\r\n')
                .filter((l) => !l.startsWith('date:'))
                .sort(),
            });
          x.open(method, url);
          x.responseType = responseType;
          trail.push(['opened', x.readyState]);
          x.send(method === 'GET' ? null : 'body');
        });

      const syncXhr = (w: Realm) => {
        const x = new w.XMLHttpRequest();
        const trail: unknown[] = [];
        x.onreadystatechange = () => trail.push(x.readyState);
        x.open('GET', `${origin}/plain/200`, false);
        x.send();
        return { trail, status: x.status, text: x.responseText };
      };

      const viaWs = (w: Realm) =>
        new Promise<unknown>((resolve) => {
          const ws = new w.WebSocket(`${wsOrigin}/ws`, ['chat']);
          const trail: unknown[] = [ws.readyState, ws.url, ws.protocol, ws.binaryType];
          ws.onopen = () => {
            trail.push(['open', ws.readyState, ws.protocol]);
            ws.send('hello');
            ws.send('close:4001:bye');
          };
          ws.onmessage = (e) => trail.push(['message', e.data]);
          ws.onclose = (e) => {
            trail.push(['close', e.code, e.reason, e.wasClean, ws.readyState]);
            resolve(trail);
          };
        });

      const probe = async (w: Realm) => ({
        fetch: await viaFetch(w),
        xhrOk: await viaXhr(w, 'GET', `${origin}/plain/200`),
        xhrJson: await viaXhr(w, 'GET', `${origin}/plain/200`, 'json'),
        xhr503: await viaXhr(w, 'POST', `${origin}/plain/503`),
        xhr404: await viaXhr(w, 'GET', '/plain/404'),
        xhrNetworkError: await viaXhr(w, 'GET', 'http://127.0.0.1:1/'),
        xhrSync: syncXhr(w),
        ws: await viaWs(w),
      });
      return { top: await probe(window), native: await probe(frame) };
    },
    { origin: server.origin, wsOrigin: server.wsOrigin },
  );
  expect(result.top).toEqual(result.native);
  expect(result.top.fetch.retry.retryAfter).toBe('7');
  expect(result.top.ws).toContainEqual(['message', 'echo:hello']);
  expect((result.top.ws as unknown[]).at(-1)).toEqual(['close', 4001, 'bye', true, 3]);
  expect(result.top.xhrOk).toMatchObject({ status: 200 });
  expect((result.top.xhrOk as { trail: unknown[][] }).trail.filter((e) => e[0] === 'rsc').map((e) => e[1])).toEqual([1, 2, 3, 4]);
});

test('a strict CSP sees no eval from the probe', async ({ context, fixtureServer: server }) => {
  const csp = await openProbePage(context, `${server.origin}/csp`);
  // Parse a command too: zod's object parser is where an eval would happen.
  await command(csp, DEFAULT_PROBE_CONFIG);
  await csp.evaluate(() => fetch('/plain/404').then((r) => r.status));
  // The blocked inline script proves violations do reach the server.
  await expect.poll(() => server.cspReports.length, { message: 'inline-script violation reported' }).toBeGreaterThan(0);
  await csp.waitForTimeout(500);
  const blocked = server.cspReports.map((r) => (r as { 'csp-report'?: { 'blocked-uri'?: string } })['csp-report']?.['blocked-uri']);
  expect(blocked).not.toContain('eval');
  expect(blocked).toContain('inline');
  await csp.close();
});
