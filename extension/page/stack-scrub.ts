/**
 * Errors that cross a wrapper look as if the native alone had raised them: the probe's own
 * frames are dropped from `error.stack`, and the page's frames the native would have shown
 * are all there.
 *
 * V8 records an error's frames when the error is created (a native's DOMException or
 * TypeError included) and formats them at the first read of `stack`, an own accessor whose
 * getter and setter are the same two natives on every error. An error the native raises
 * inside a wrapper therefore carries the wrapper's frames above the page's — thrown at once,
 * or rejecting the promise the wrapper returns (fetch's URL and body checks, getUserMedia's
 * constraints, a refused connection: all recorded at the call) — and, with the page's
 * `Error.stackTraceLimit` frames in all, fewer of the page's.
 *
 * So around every wrapped call (disguise.ts) the limit is raised by {@link MARGIN} (a data
 * property write, the only cost on the success path), and an error leaving the wrapper,
 * thrown or rejected, has its stack rewritten through the native setter: the lines of the
 * probe's script dropped, at most the page's limit of frames kept, the header (which for a
 * Blink error holds its short message, not `message`) unchanged. Where the page set its own
 * `Error.prepareStackTrace`, that function is called with the page's call sites only — as
 * the error leaves the wrapper, where the native alone would call it at the page's first read
 * of `stack`. The probe's script is known by its URL, read from a call site at document_start.
 */

/** V8's call site object (the part used here). */
interface CallSite {
  getFileName(): string | null | undefined;
}
type ErrorWithHooks = { new (): Error; prepareStackTrace?: unknown; stackTraceLimit?: unknown };

/** Frames a wrapper may add between the page's call and the native: its traps, the hook, helpers. */
const MARGIN = 16;
const FRAME = '\n    at ';

/** The script URL of a V8 stack's first frame (`at f (URL:1:2)` or `at URL:1:2`), or undefined. */
function urlOfTopFrame(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const at = stack.indexOf(FRAME);
  if (at < 0) return undefined;
  const end = stack.indexOf('\n', at + 1);
  const line = stack.slice(at + FRAME.length, end < 0 ? undefined : end);
  return /^(?:.*? \()?(.+?):\d+:\d+\)?$/.exec(line)?.[1];
}

/** What {@link createStackScrub} returns. */
export interface StackScrub {
  /**
   * Before a wrapped call: raises `Error.stackTraceLimit` by {@link MARGIN}.
   * @returns the page's limit, or undefined when it is not a writable number (left alone)
   */
  enter(): number | undefined;
  /** After the call: the page's limit back, unless something changed it meanwhile. */
  leave(limit: number | undefined): void;
  /**
   * Drops the probe's frames from `error.stack` and keeps at most `limit` frames. Only an own
   * native `stack` accessor is touched; anything else is returned as it is.
   * @returns `error` itself
   * @throws never
   */
  scrub<T>(error: T, limit: number | undefined): T;
}

/**
 * Captures what scrubbing needs. Call at document_start, before any page script.
 * @returns null where the engine has no V8 stack accessor or the probe's script has no URL of
 *   its own (an inline copy: its frames could not be told from the page's)
 * @throws never
 */
export function createStackScrub(): StackScrub | null {
  try {
    const E = Error as unknown as ErrorWithHooks;
    const describe = Object.getOwnPropertyDescriptor;
    const apply = Reflect.apply;
    const indexOf = String.prototype.indexOf;
    const slice = String.prototype.slice;
    const stack = describe(new E(), 'stack');
    const stackGet = stack?.get;
    const stackSet = stack?.set;
    if (typeof stackGet !== 'function' || typeof stackSet !== 'function') return null;

    // The script's URL and CallSite.prototype.getFileName, from this very frame.
    let getFileName: ((this: CallSite) => unknown) | undefined;
    let url: unknown;
    const saved = describe(E, 'prepareStackTrace');
    try {
      E.prepareStackTrace = (_e: unknown, sites: CallSite[]) => {
        getFileName = Object.getPrototypeOf(sites[0]).getFileName as typeof getFileName;
        return getFileName ? apply(getFileName, sites[0], []) : undefined;
      };
      url = new E().stack;
    } finally {
      if (saved) Object.defineProperty(E, 'prepareStackTrace', saved);
      else delete E.prepareStackTrace;
    }
    if (typeof url !== 'string' || url === '') url = urlOfTopFrame(apply(stackGet, new E(), []));
    const here = globalThis.location?.href;
    if (typeof url !== 'string' || url === '' || url === here) return null;
    const fileName = getFileName;
    const probeUrl = url;
    const mine = (line: string): boolean => apply(indexOf, line, [probeUrl]) >= 0;

    /** `text` without the probe's frame lines, at most `limit` frames; `text` itself when unchanged. */
    const dropFrames = (text: string, limit: number | undefined): string => {
      let at = apply(indexOf, text, [FRAME]) as number;
      if (at < 0) return text;
      let out = apply(slice, text, [0, at]) as string;
      let kept = 0;
      let changed = false;
      while (at >= 0) {
        const next = apply(indexOf, text, [FRAME, at + 1]) as number;
        const line = apply(slice, text, next < 0 ? [at] : [at, next]) as string;
        if (mine(line) || (limit !== undefined && kept >= limit)) changed = true;
        else {
          out += line;
          kept += 1;
        }
        at = next;
      }
      return changed ? out : text;
    };

    /** The call sites that are not the probe's, at most `limit`. */
    const pageSites = (sites: CallSite[], limit: number | undefined): CallSite[] => {
      const kept: CallSite[] = [];
      for (let i = 0; i < sites.length && (limit === undefined || kept.length < limit); i += 1) {
        const file = fileName ? apply(fileName, sites[i], []) : undefined;
        if (file !== probeUrl) kept[kept.length] = sites[i]!;
      }
      return kept;
    };

    return {
      enter() {
        const d = describe(E, 'stackTraceLimit');
        if (d?.writable !== true || typeof d.value !== 'number') return undefined;
        E.stackTraceLimit = d.value + MARGIN;
        return d.value;
      },
      leave(limit) {
        if (limit !== undefined && describe(E, 'stackTraceLimit')?.value === limit + MARGIN) E.stackTraceLimit = limit;
      },
      scrub(error, limit) {
        try {
          if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return error;
          if (describe(error, 'stack')?.get !== stackGet) return error;
          const p = describe(E, 'prepareStackTrace');
          if (p !== undefined && !('value' in p)) return error; // the page's accessor: reading it would run its code
          const prepare: unknown = p?.value;
          let text: unknown;
          if (typeof prepare === 'function' && p?.writable === true && fileName) {
            // The page formats its own stacks: it gets the call sites the native would have given it.
            let prepared = false;
            E.prepareStackTrace = (e: unknown, sites: CallSite[]) => {
              prepared = true;
              return apply(prepare, E, [e, pageSites(sites, limit)]);
            };
            try {
              text = apply(stackGet, error, []);
            } finally {
              E.prepareStackTrace = prepare;
            }
            if (prepared) return error;
          } else text = apply(stackGet, error, []);
          if (typeof text !== 'string') return error;
          const scrubbed = dropFrames(text, limit);
          if (scrubbed !== text) apply(stackSet, error, [scrubbed]);
        } catch {
          // left as it is
        }
        return error;
      },
    };
  } catch {
    return null;
  }
}
