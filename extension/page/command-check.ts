/**
 * The probe's check of the commands it receives, by hand: the same rules as
 * `PageCommandSchema` (src/protocol/page.ts, which the relay parses with zod before sending),
 * without a schema library in the page. A schema library keeps global state (zod 4 adds
 * `__zod_globalConfig` and `__zod_globalRegistry` to `globalThis`) that the page could see
 * and change, and it would double the probe's size. tests/unit/page/command-check.test.ts
 * holds this file to the zod schemas: whatever they reject is rejected here, whatever they
 * accept is accepted with the same value.
 *
 * Everything here runs long after document_start, when the page may have replaced any global:
 * the few intrinsics it needs are captured when the probe's script is evaluated (before any
 * page script). Only own properties count (`Object.prototype` may carry page additions), and
 * the result is a fresh copy that owns every key of its shape (absent optional keys as
 * `undefined`), so nothing the probe reads from a command is inherited.
 */
import type { PageCommand, ProbeConfig } from '../../src/protocol/page';

const isArray = Array.isArray;
const ownKeys = Object.keys;
const hasOwn = Object.prototype.hasOwnProperty;
const isSafeInteger = Number.isSafeInteger;
const isFinite = Number.isFinite;
const apply = Reflect.apply;

const MAX_URL = 2048;
const MAX_TEXT = 256;

/** Thrown inside the check to stop at the first fault; never leaves {@link checkCommand}. */
const FAULT: unique symbol = Symbol('fault');

type Obj = Record<string, unknown>;

function fail(): never {
  throw FAULT;
}

/** `v` as an object that has no own key outside `keys` (zod's `strictObject`). */
function strict(v: unknown, keys: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || isArray(v)) fail();
  const own = ownKeys(v);
  for (let i = 0; i < own.length; i++) {
    let known = false;
    for (let j = 0; j < keys.length; j++) if (own[i] === keys[j]) known = true;
    if (!known) fail();
  }
  return v as Obj;
}

/** The own value of `key`, or undefined (an inherited one does not count). */
const field = (o: Obj, key: string): unknown => (apply(hasOwn, o, [key]) ? o[key] : undefined);

function str(v: unknown, max: number, min = 0): string {
  if (typeof v !== 'string' || v.length > max || v.length < min) fail();
  return v;
}

function num(v: unknown, min: number, max: number, int: boolean): number {
  if (typeof v !== 'number' || !isFinite(v) || v < min || v > max || (int && !isSafeInteger(v))) fail();
  return v;
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') fail();
  return v;
}

function literal<T extends string>(v: unknown, value: T): T {
  if (v !== value) fail();
  return value;
}

function array<T>(v: unknown, max: number, each: (e: unknown) => T): T[] {
  if (!isArray(v) || v.length > max) fail();
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) out[i] = each(v[i]);
  return out;
}

const optional = <T>(v: unknown, check: (v: unknown) => T): T | undefined => (v === undefined ? undefined : check(v));

const text = (v: unknown): string => str(v, MAX_TEXT);
const id = (v: unknown): string => str(v, 64, 1);
const epochMs = (v: unknown): number => num(v, 0, Infinity, false);

type Carrier = NonNullable<ProbeConfig['tokenCarriers']>[number];

/** One `tokenCarriers` entry: the first variant of the union that fits, as zod's `z.union`. */
function carrier(v: unknown): Carrier {
  const o = strict(v, ['type', 'name', 'scheme', 'pattern', 'format', 'prefix']);
  const type = field(o, 'type');
  if (type === 'header') {
    strict(o, ['type', 'name', 'scheme']);
    return { type, name: text(field(o, 'name')), scheme: optional(field(o, 'scheme'), text) };
  }
  if (type === 'query') {
    strict(o, ['type', 'name']);
    return { type, name: text(field(o, 'name')) };
  }
  if (type !== 'ws-message') fail();
  try {
    strict(o, ['type', 'pattern']);
    return { type, pattern: str(field(o, 'pattern'), 1024) };
  } catch {
    strict(o, ['type', 'format', 'prefix']);
    return { type, format: literal(field(o, 'format'), 'xmpp-sasl-plain'), prefix: text(field(o, 'prefix')) };
  }
}

function retry(v: unknown): NonNullable<ProbeConfig['retry']> {
  const o = strict(v, ['baseDelayMs', 'maxDelayMs', 'maxAttempts', 'statuses']);
  return {
    baseDelayMs: num(field(o, 'baseDelayMs'), 0, 120_000, true),
    maxDelayMs: num(field(o, 'maxDelayMs'), 0, 120_000, true),
    maxAttempts: num(field(o, 'maxAttempts'), 0, 10, true),
    statuses: array(field(o, 'statuses'), 32, (s) => num(s, 100, 599, true)),
  };
}

const url = (v: unknown): string => str(v, MAX_URL);

function config(o: Obj): ProbeConfig {
  strict(o, [
    'type',
    'protectedRequestPatterns',
    'identityRequestPattern',
    'identityFields',
    'statsIntervalMs',
    'tokenRefresh',
    'tokenWaitMs',
    'retry',
    'tokenAudience',
    'tokenAudienceMatch',
    'tokenCarriers',
  ]);
  const fields = strict(field(o, 'identityFields'), ['id', 'name', 'org']);
  return {
    type: 'config',
    protectedRequestPatterns: array(field(o, 'protectedRequestPatterns'), 64, url),
    identityRequestPattern: url(field(o, 'identityRequestPattern')),
    identityFields: { id: text(field(fields, 'id')), name: text(field(fields, 'name')), org: text(field(fields, 'org')) },
    statsIntervalMs: num(field(o, 'statsIntervalMs'), 250, 60_000, true),
    tokenRefresh: bool(field(o, 'tokenRefresh')),
    tokenWaitMs: num(field(o, 'tokenWaitMs'), 100, 60_000, true),
    retry: optional(field(o, 'retry'), retry),
    tokenAudience: optional(field(o, 'tokenAudience'), (a) => array(a, 64, url)),
    tokenAudienceMatch: optional(field(o, 'tokenAudienceMatch'), (a) => array(a, 64, url)),
    tokenCarriers: optional(field(o, 'tokenCarriers'), (a) => array(a, 16, carrier)),
  };
}

function command(v: unknown): PageCommand {
  if (typeof v !== 'object' || v === null || isArray(v)) fail();
  const o = v as Obj;
  switch (field(o, 'type')) {
    case 'config':
      return config(o);
    case 'token':
      strict(o, ['type', 'requestId', 'accessToken', 'expiresAt', 'replaces']);
      return {
        type: 'token',
        requestId: optional(field(o, 'requestId'), id),
        accessToken: str(field(o, 'accessToken'), 8192, 1),
        expiresAt: optional(field(o, 'expiresAt'), epochMs),
        replaces: optional(field(o, 'replaces'), (r) => str(r, 8192, 1)),
      };
    case 'token-failed':
      strict(o, ['type', 'requestId', 'reason']);
      return { type: 'token-failed', requestId: id(field(o, 'requestId')), reason: text(field(o, 'reason')) };
    case 'reacquire-media':
      strict(o, ['type']);
      return { type: 'reacquire-media' };
    case 'close-stalled-socket':
      strict(o, ['type', 'socketId', 'silentSeconds']);
      return {
        type: 'close-stalled-socket',
        socketId: id(field(o, 'socketId')),
        silentSeconds: num(field(o, 'silentSeconds'), 0, 86_400, true),
      };
    default:
      return fail();
  }
}

/**
 * The command in `msg` when it satisfies `PageCommandSchema`, as a fresh copy; else null.
 * @throws never
 */
export function checkCommand(msg: unknown): PageCommand | null {
  try {
    return command(msg);
  } catch {
    return null;
  }
}
