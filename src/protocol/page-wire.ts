/**
 * The page protocol's constants that need no schema: the observation types and the bounds of a
 * message on the probe's port. ./page.ts builds its zod schemas against these (and its type
 * check holds the type list equal to its observation union); the relay's gate
 * (./admit.ts) reads them from here, so the relay's bundle carries no schema library.
 */

/** Channel tag of every envelope; messages without it are ignored without parsing. */
export const PAGE_CHANNEL = 'softphone-guard';
/** Protocol version; bumped on any incompatible change to the schemas of ./page.ts. */
export const PAGE_PROTOCOL_VERSION = 1;
/** Largest serialized observation the relay forwards, in bytes (UTF-16 code units, approximated). */
export const MAX_PAGE_MESSAGE_BYTES = 8 * 1024;
/**
 * Most observations in one message on the probe's port: the probe sends arrays of
 * observations (extension/page/channel.ts); the relay drops a longer array whole and gates
 * each element.
 */
export const MAX_PAGE_BATCH = 64;

/** The `type` of every observation the probe may send (./page.ts `PageObservationSchema`), in its order. */
export const PAGE_OBSERVATION_TYPES = [
  'hello',
  'identity',
  'ws-open',
  'ws-close',
  'ws-activity',
  'http',
  'http-retry',
  'token-needed',
  'pc-state',
  'pc-stats',
  'media-permission',
  'gum',
  'track-ended',
  'media-reacquired',
  'org-switch',
  'worker-started',
  'ws-auth-refused',
] as const;
export type PageObservationTypeName = (typeof PAGE_OBSERVATION_TYPES)[number];
