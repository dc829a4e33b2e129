/**
 * The key of a session: one softphone document's place, a tab and a frame in it
 * (docs/architecture.md §2 "Frames and workers"). A session is kept, stored and shown under
 * one number, the field `tabId` of the session, its incidents and its events:
 *
 * - a top-level softphone (frame 0) is keyed by its tab id, as every session was before frames
 *   were monitored, so stored sessions and events keep their meaning;
 * - a softphone in a subframe is keyed by the negative number `-(tabId · 2²² + frameId)`, never
 *   equal to a tab id (tab ids are positive) and the same after a worker restart without
 *   anything stored. Chromium's tab ids are positive 32-bit integers, large ones included
 *   (measured on Chromium 156: 121887729, 2038424493); its frame ids count the frames created
 *   since the browser started (5, 7, 11 in the lab). The key stays an exact integer (below
 *   2⁵³) for every tab id below 2³¹ and frame id below 2²² (4 194 304 frames in one browser
 *   run); a larger id is refused (`null`) rather than given a key another frame could share.
 *
 * The document within the frame changes with each navigation and reload; the session does not
 * (the relay's document id and `port.sender.documentId` tell the documents apart).
 */

/** Frame id of a tab's top-level document (`chrome.webNavigation`/`runtime.MessageSender`). */
export const TOP_FRAME_ID = 0;

const FRAME_SPAN = 2 ** 22;
const MAX_TAB_FOR_FRAMES = 2 ** 31;

/** Where a session's document lives. */
export interface SessionPlace {
  tabId: number;
  /** 0 for the top-level document. */
  frameId: number;
}

/**
 * The session key of a document.
 * @param tabId the tab's id (positive integer)
 * @param frameId the frame's id in the tab (0: top level)
 * @returns the key, or null when the ids are not ones a browser gives (negative, not integers,
 *   a frame id ≥ 2²², a tab id ≥ 2³¹ with a subframe)
 */
export function sessionKey(tabId: number, frameId: number): number | null {
  if (!Number.isSafeInteger(tabId) || tabId < 0 || !Number.isSafeInteger(frameId) || frameId < 0) return null;
  if (frameId === TOP_FRAME_ID) return tabId;
  if (frameId >= FRAME_SPAN || tabId >= MAX_TAB_FOR_FRAMES) return null;
  return -(tabId * FRAME_SPAN + frameId);
}

/**
 * The tab and frame of a session key ({@link sessionKey}'s inverse).
 * @returns the place; for a key no document can have (not an integer) `{tabId: -1, frameId: -1}`
 */
export function sessionPlace(key: number): SessionPlace {
  if (!Number.isSafeInteger(key)) return { tabId: -1, frameId: -1 };
  if (key >= 0) return { tabId: key, frameId: TOP_FRAME_ID };
  const n = -key;
  return { tabId: Math.floor(n / FRAME_SPAN), frameId: n % FRAME_SPAN };
}

/** True when the session's softphone is embedded in another page (a subframe). */
export function isEmbeddedSession(key: number): boolean {
  return key < 0;
}
