/**
 * What a request URL is to the probe — its absolute form, and whether it is protected, the
 * identity request, in the token audience — remembered per URL string, so the common call
 * (the same few API URLs again and again) parses no URL and tests no glob.
 *
 * Each answer is exactly what the context's own tests give (context.ts `absoluteUrl`,
 * `isProtected`, `isIdentity`, `inAudience`): they depend only on the URL string, the
 * document's base URL (for a relative one) and the configuration in force. So the absolute
 * form is kept with the base URL it was resolved against (read once per call, as
 * `absoluteUrl` does, and compared), and the tests' answers are forgotten when a new
 * configuration object arrives. At most {@link MAX_URLS} strings are kept in each table;
 * past that, the table starts over.
 *
 * A URL may carry a token (`access_token`): the table is read and written with the `Map`
 * methods captured before any page script (src/recovery/intrinsics.ts), never through the
 * page's `Map.prototype`.
 */
import { exec, mapGet, mapSet } from '../../src/recovery/intrinsics';
import type { ProbeConfig } from '../../src/protocol/page';
import type { ProbeContext } from './context';

/** Most URL strings remembered at once (each table). */
export const MAX_URLS = 64;

/** What the probe's tests say about one absolute URL under one configuration. */
export interface UrlClass {
  protected: boolean;
  identity: boolean;
  /** In the token audience (protected and identity URLs are); null until first asked. */
  audience: boolean | null;
}

/** Remembers {@link UrlClass}es and absolute forms; see the module comment. */
export interface UrlClassifier {
  /** `ctx.absoluteUrl(raw)`. */
  absolute(raw: string): string;
  /** The class of `url` (absolute) under the configuration in force. */
  classify(url: string): UrlClass;
  /** `ctx.inAudience(url)`, remembered in `cls` (the class of `url`). */
  inAudience(cls: UrlClass, url: string): boolean;
}

/** A URL that context.ts `absoluteUrl` returns as written, whatever the base. */
const ABSOLUTE = /^(?:https?|wss?):\/\//i;
const NativeMap = Map;

interface Resolved {
  /** The base URL `href` was resolved against; null for a URL that is absolute already. */
  base: string | null;
  href: string;
}

/** Creates a classifier over `ctx`'s tests. @throws never */
export function createUrlClassifier(ctx: ProbeContext): UrlClassifier {
  const { natives } = ctx;
  // Counted here: the page could redefine `Map.prototype.size` and be handed the table.
  let resolved = new NativeMap<string, Resolved>();
  let resolvedCount = 0;
  let classes = new NativeMap<string, UrlClass>();
  let classesCount = 0;
  let classesOf: ProbeConfig | null = null;
  /** The document's base URL, or null when it cannot be read (then nothing is remembered). */
  const baseUri = (): string | null => {
    try {
      return natives.win.document.baseURI;
    } catch {
      return null;
    }
  };

  /** context.ts `absoluteUrl` with the base already read (one read per call, as there). */
  const resolve = (raw: string, base: string): string => {
    if (!natives.URL) return raw;
    try {
      return new natives.URL(raw, base).href;
    } catch {
      return raw;
    }
  };

  return {
    absolute(raw) {
      const known = mapGet(resolved, raw);
      if (known !== undefined && (known.base === null || known.base === baseUri())) return known.href;
      const isAbsolute = exec(ABSOLUTE, raw) !== null;
      const base = isAbsolute ? null : baseUri();
      if (!isAbsolute && base === null) return ctx.absoluteUrl(raw);
      const href = base === null ? raw : resolve(raw, base);
      if (known === undefined) {
        if (resolvedCount >= MAX_URLS) {
          resolved = new NativeMap();
          resolvedCount = 0;
        }
        resolvedCount += 1;
      }
      mapSet(resolved, raw, { base, href });
      return href;
    },
    classify(url) {
      const config = ctx.config();
      if (config !== classesOf) {
        classesOf = config;
        classes = new NativeMap();
        classesCount = 0;
      }
      const known = mapGet(classes, url);
      if (known !== undefined) return known;
      const isProtected = ctx.isProtected(url);
      const identity = ctx.isIdentity(url);
      const cls: UrlClass = { protected: isProtected, identity, audience: isProtected || identity ? true : null };
      if (classesCount >= MAX_URLS) {
        classes = new NativeMap();
        classesCount = 0;
      }
      classesCount += 1;
      mapSet(classes, url, cls);
      return cls;
    },
    inAudience(cls, url) {
      if (cls.audience === null) cls.audience = ctx.inAudience(url);
      return cls.audience;
    },
  };
}
