/**
 * The browser functions the probe relies on, captured before any page script runs
 * (bitwarden's fido2-page-script pattern): later page patches of `fetch`, `postMessage`,
 * `setTimeout` or `addEventListener` change neither what the probe calls nor what it sees.
 * Every entry may be undefined where the API does not exist (insecure context, old engine);
 * each hook checks the ones it needs.
 */

type AnyFn = (...args: never[]) => unknown;

/**
 * The property's descriptor on `obj` or the nearest object of its prototype chain: a page
 * script that ran first may have replaced a constructor by a subclass (`class WebSocket extends
 * WebSocket`), whose prototype inherits the natives' methods and getters instead of owning them.
 */
export const own = (obj: object | undefined, key: PropertyKey): PropertyDescriptor | undefined => {
  for (let o: object | null | undefined = obj; o; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return d;
  }
  return undefined;
};
export const method = (obj: object | undefined, key: PropertyKey): AnyFn | undefined => {
  const v: unknown = own(obj, key)?.value;
  return typeof v === 'function' ? (v as AnyFn) : undefined;
};
export const getter = (obj: object | undefined, key: PropertyKey): AnyFn | undefined => own(obj, key)?.get as AnyFn | undefined;
export const setter = (obj: object | undefined, key: PropertyKey): AnyFn | undefined => own(obj, key)?.set as AnyFn | undefined;

/** What {@link captureNatives} returns; see the module comment. */
export type Natives = ReturnType<typeof captureNatives>;

/**
 * Snapshot of the natives in `win`. Call once, first thing at document_start.
 * @throws never (missing APIs are left undefined)
 */
export function captureNatives(win: Window & typeof globalThis) {
  const xhrProto = win.XMLHttpRequest?.prototype;
  const pcProto = win.RTCPeerConnection?.prototype;
  const wsProto = win.WebSocket?.prototype;
  const eventTarget = win.EventTarget?.prototype;
  const crypto = win.crypto;
  return {
    win,
    origin: win.location.origin,
    dateNow: Date.now,
    random: Math.random,
    setTimeout: win.setTimeout,
    clearTimeout: win.clearTimeout,
    postMessage: win.postMessage,
    queueMicrotask: win.queueMicrotask,
    /** The probe ↔ relay channel (channel.ts, handshake.ts); absent: the probe stays silent. */
    MessageChannel: win.MessageChannel as typeof MessageChannel | undefined,
    portPostMessage: method(win.MessagePort?.prototype, 'postMessage'),
    portStart: method(win.MessagePort?.prototype, 'start'),
    addEventListener: eventTarget?.addEventListener,
    removeEventListener: eventTarget?.removeEventListener,
    dispatchEvent: eventTarget?.dispatchEvent,
    stopImmediatePropagation: win.Event?.prototype.stopImmediatePropagation,
    preventDefault: win.Event?.prototype.preventDefault,
    /** `MessageEvent.prototype.data`: the port's messages are read with it, whatever the page redefines later. */
    messageData: getter(win.MessageEvent?.prototype, 'data'),
    document: win.document as Document | undefined,
    MutationObserver: win.MutationObserver as typeof MutationObserver | undefined,
    mutationObserve: method(win.MutationObserver?.prototype, 'observe'),
    mutationDisconnect: method(win.MutationObserver?.prototype, 'disconnect'),
    Event: win.Event,
    CloseEvent: win.CloseEvent as typeof CloseEvent | undefined,
    MessageEvent: win.MessageEvent as typeof MessageEvent | undefined,
    ProgressEvent: win.ProgressEvent,
    URL: win.URL,
    Request: win.Request,
    /** Brand check of a Request from any realm: throws for anything else. Also how the probe reads a URL that may carry a fresh token. */
    requestUrl: getter(win.Request?.prototype, 'url'),
    requestHeaders: getter(win.Request?.prototype, 'headers'),
    Proxy: win.Proxy,
    /** The fresh token settles promises of these: never the page's `Promise` or its later `then`. */
    Promise: win.Promise,
    promiseThen: win.Promise.prototype.then,
    Headers: win.Headers,
    /** A rewritten header (a fresh token) is set with this, never the page's later `Headers.prototype.set`. */
    headersSet: method(win.Headers?.prototype, 'set'),
    headersGet: method(win.Headers?.prototype, 'get'),
    ReadableStream: win.ReadableStream,
    AbortSignal: win.AbortSignal,
    abortSignal: {
      aborted: getter(win.AbortSignal?.prototype, 'aborted'),
      reason: getter(win.AbortSignal?.prototype, 'reason'),
    },
    DOMException: win.DOMException,
    TextEncoder: win.TextEncoder,
    textEncode: method(win.TextEncoder?.prototype, 'encode'),
    subtle: crypto?.subtle as SubtleCrypto | undefined,
    digest: method(win.SubtleCrypto?.prototype, 'digest'),
    fetch: win.fetch,
    WebSocket: win.WebSocket,
    ws: {
      close: method(wsProto, 'close'),
      send: method(wsProto, 'send'),
      readyState: getter(wsProto, 'readyState'),
      url: getter(wsProto, 'url'),
      protocol: getter(wsProto, 'protocol'),
    },
    /** Absent in old engines: then registries hold their objects strongly (weak-registry.ts). */
    WeakRef: win.WeakRef as WeakRefConstructor | undefined,
    weakRefDeref: method(win.WeakRef?.prototype, 'deref'),
    XMLHttpRequest: win.XMLHttpRequest,
    xhr: {
      open: method(xhrProto, 'open'),
      send: method(xhrProto, 'send'),
      setRequestHeader: method(xhrProto, 'setRequestHeader'),
      abort: method(xhrProto, 'abort'),
      getAllResponseHeaders: method(xhrProto, 'getAllResponseHeaders'),
      readyState: getter(xhrProto, 'readyState'),
      status: getter(xhrProto, 'status'),
      responseType: getter(xhrProto, 'responseType'),
      responseText: getter(xhrProto, 'responseText'),
      response: getter(xhrProto, 'response'),
      withCredentials: getter(xhrProto, 'withCredentials'),
      timeout: getter(xhrProto, 'timeout'),
      /** Setters for a retry's copy, whose URL or headers may carry the fresh token. */
      setResponseType: setter(xhrProto, 'responseType'),
      setWithCredentials: setter(xhrProto, 'withCredentials'),
      setTimeout: setter(xhrProto, 'timeout'),
    },
    RTCPeerConnection: win.RTCPeerConnection,
    pc: {
      getStats: method(pcProto, 'getStats'),
      close: method(pcProto, 'close'),
      connectionState: getter(pcProto, 'connectionState'),
      iceConnectionState: getter(pcProto, 'iceConnectionState'),
      signalingState: getter(pcProto, 'signalingState'),
    },
    permissions: win.navigator.permissions as Permissions | undefined,
    permissionsQuery: method(win.Permissions?.prototype, 'query'),
    mediaDevices: win.MediaDevices,
    /** `navigator.mediaDevices` (absent outside secure contexts) and its natives, for rung 4's re-prime. */
    mediaDevicesObject: win.navigator.mediaDevices as MediaDevices | undefined,
    getUserMedia: method(win.MediaDevices?.prototype, 'getUserMedia'),
    enumerateDevices: method(win.MediaDevices?.prototype, 'enumerateDevices'),
    deviceKind: getter(win.MediaDeviceInfo?.prototype, 'kind'),
    streamGetTracks: method(win.MediaStream?.prototype, 'getTracks'),
    trackStop: method(win.MediaStreamTrack?.prototype, 'stop'),
    permissionState: getter(win.PermissionStatus?.prototype, 'state'),
  };
}

/** `Reflect.apply` as it was when the probe's script was evaluated, before any page script. */
const reflectApply = Reflect.apply;

/**
 * `fn.apply(thisArg, args)` without trusting the page's `Function.prototype.apply` or its
 * later `Reflect.apply`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function call<T = unknown>(fn: AnyFn | Function | undefined, thisArg: unknown, ...args: unknown[]): T {
  if (fn === undefined) throw new TypeError('native missing');
  return reflectApply(fn, thisArg, args) as T;
}
