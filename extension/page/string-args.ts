/**
 * Converts a call's leading string arguments once, the way the native binding would (WebIDL
 * §3.2.10: ToString, in argument order, after the argument-count check), so the probe can read
 * them afterwards without calling a page object's `toString` a second time. A page that
 * passes a `URL` or any object with its own `toString` sees it called exactly once, as
 * without the probe.
 */

/**
 * `args` with its first `count` entries that are objects or functions replaced by their
 * string value; strings and other primitives are left as they are (their conversion has no
 * side effect). When a conversion throws, that entry becomes a stand-in that throws the same
 * error when the native converts it, and later entries are left unread: the native fails where
 * and as it would have. Fewer than `required` arguments: returned as they are (the native
 * rejects the call before converting any).
 * @returns `args` itself when nothing changed, else a copy
 * @throws never
 */
export function stringifyLeading(args: unknown[], count: number, required: number): unknown[] {
  if (args.length < required) return args;
  let out: unknown[] | null = null;
  const end = Math.min(count, args.length);
  for (let i = 0; i < end; i += 1) {
    const v = args[i];
    if ((typeof v !== 'object' || v === null) && typeof v !== 'function') continue;
    out ??= args.slice();
    try {
      out[i] = String(v); // for an object, exactly ToString (only symbols differ, and they are primitives)
    } catch (error) {
      out[i] = {
        toString() {
          throw error;
        },
      };
      return out;
    }
  }
  return out ?? args;
}
