/**
 * The sessions list: asks the worker (`get-state`) at once and then every
 * {@link SESSIONS_REFRESH_MS} while the page is open, one request at a time.
 */
import { useEffect, useState } from 'preact/hooks';
import type { StateResponse } from '../../src/protocol/ui';
import { requestState } from './data/ui-client';

/** Time between the end of one `get-state` and the start of the next, ms. */
export const SESSIONS_REFRESH_MS = 2000;

/** `looking` until the first answer; `no-answer` when the worker has not answered yet. */
export interface SessionsFeed {
  phase: 'looking' | 'answered' | 'no-answer';
  state: StateResponse | null;
}

/** Polls `get-state` while mounted. */
export function useSessions(): SessionsFeed {
  const [feed, setFeed] = useState<SessionsFeed>({ phase: 'looking', state: null });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      const state = await requestState();
      if (stopped) return;
      setFeed((prev) => (state ? { phase: 'answered', state } : { phase: prev.state ? prev.phase : 'no-answer', state: prev.state }));
      timer = setTimeout(() => void poll(), SESSIONS_REFRESH_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return feed;
}
