/**
 * Reports the Workers and SharedWorkers the page starts (`worker-started`). The probe runs in
 * documents only: a worker's requests and sockets never pass through its hooks, and the
 * extension's webRequest observer sees them instead (Chromium reports a dedicated Worker's
 * requests with its page's tab and frame, a SharedWorker's with none, only their initiator
 * origin). This observation tells the worker which session they belong to, and which
 * documents share a SharedWorker (all of them must reload together for it to restart).
 *
 * Only observed: the constructor is the native's (a transparent wrapper, ./disguise.ts), called
 * with the page's own arguments, the URL converted to a string once (as the native would).
 * The worker is not wrapped, not fed a prelude, not given another URL: a `blob:` wrapper
 * would change its base URL (its relative `fetch('/api/…')` would fail) and, for a
 * SharedWorker, its identity (each page's blob URL differs, so no two pages would share it).
 */
import { MAX_URL, clip } from './context';
import type { ProbeContext } from './context';
import { stringifyLeading } from './string-args';

/** Longest worker name reported. */
const MAX_NAME = 128;

/** The name a page gave its worker: a string second argument, or an own `name` data property of the options. */
function nameOf(options: unknown): string | undefined {
  if (typeof options === 'string') return options;
  if (typeof options !== 'object' || options === null) return undefined;
  try {
    const d = Object.getOwnPropertyDescriptor(options, 'name');
    return d && typeof d.value === 'string' ? d.value : undefined;
  } catch {
    return undefined; // a Proxy's trap threw: report no name
  }
}

/**
 * Wraps `Worker` and `SharedWorker` where the page has them.
 * @throws never (a constructor it cannot replace stays native)
 */
export function hookWorkers(ctx: ProbeContext): void {
  for (const [property, kind] of [
    ['Worker', 'worker'],
    ['SharedWorker', 'shared-worker'],
  ] as const) {
    ctx.disguise.replaceConstructor(ctx.natives.win, property, {
      construct(native, pageArgs, newTarget) {
        const args = stringifyLeading(pageArgs, 1, 1);
        const worker = Reflect.construct(native, args, newTarget) as object;
        try {
          const name = nameOf(args[1]);
          ctx.post({
            type: 'worker-started',
            at: ctx.now(),
            kind,
            url: clip(ctx.absoluteUrl(String(args[0])), MAX_URL),
            ...(name === undefined || name === '' ? {} : { name: clip(name, MAX_NAME) }),
          });
        } catch {
          // observation only
        }
        return worker;
      },
    });
  }
}
