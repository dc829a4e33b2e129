/**
 * The response getters (`readyState`, `status`, `statusText`, `response`, `responseText`,
 * `responseXML`, `responseURL`) and `getResponseHeader` / `getAllResponseHeaders`, wrapped on
 * the prototype: for an object with a view (a 401 being recovered) they answer from the view,
 * for every other object they are the native call. Cost for the others: one WeakMap lookup.
 */
import { apply, weakGet } from '../../src/recovery/intrinsics';
import type { WrapTraps } from './disguise';
import type { XhrKit } from './xhr-kit';

type NativeFn = (...a: unknown[]) => unknown;

/** What a getter shows for an exchange in flight with nothing received (XHR §3.6). */
function blank(kit: XhrKit, name: string, native: NativeFn, xhr: XMLHttpRequest, args: unknown[]): unknown {
  switch (name) {
    case 'status':
      return 0;
    case 'statusText':
    case 'responseURL':
    case 'getAllResponseHeaders':
      return '';
    case 'getResponseHeader':
      return args.length < 1 ? apply(native, xhr, args) : null; // the native's TypeError
    case 'response': {
      const rt = kit.responseType(xhr);
      return rt === '' || rt === 'text' ? '' : null;
    }
    case 'responseText': {
      const rt = kit.responseType(xhr);
      return rt === '' || rt === 'text' ? '' : apply(native, xhr, args); // InvalidStateError
    }
    case 'responseXML': {
      const rt = kit.responseType(xhr);
      return rt === '' || rt === 'document' ? null : apply(native, xhr, args); // InvalidStateError
    }
    default:
      return 1;
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function viewTraps(kit: XhrKit, name: string): WrapTraps<Function> {
  return {
    apply(native, thisArg, args) {
      let view;
      try {
        view = weakGet(kit.views, thisArg as XMLHttpRequest);
      } catch {
        view = undefined;
      }
      if (view === undefined) return apply(native, thisArg, args);
      if (name === 'readyState' && view.readyState !== null) return view.readyState;
      if (view.subject !== null) return apply(native, view.subject, args);
      return blank(kit, name, native as NativeFn, thisArg as XMLHttpRequest, args);
    },
  };
}

/** Installs the view-aware getters and methods. @throws never */
export function installXhrViews(kit: XhrKit): void {
  const proto = kit.NativeXhr.prototype;
  for (const name of ['readyState', 'status', 'statusText', 'response', 'responseText', 'responseXML', 'responseURL']) {
    kit.ctx.disguise.replaceGetter(proto, name, viewTraps(kit, name));
  }
  for (const name of ['getResponseHeader', 'getAllResponseHeaders']) {
    kit.ctx.disguise.replaceMethod(proto, name, viewTraps(kit, name));
  }
}
