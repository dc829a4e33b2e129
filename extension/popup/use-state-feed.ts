/**
 * The popup's live feed: asks for the state once at open and then every second while the
 * popup is open, one request at a time, and keeps a local clock so ages tick between answers.
 */
import { useEffect, useState } from 'preact/hooks';
import type { FeedPhase } from '../../src/format/popup-model';
import type { StateResponse } from '../../src/protocol/ui';
import { requestState } from './state-client';

/** Time between the end of one request and the start of the next, ms. */
export const REFRESH_MS = 1000;
/** How often displayed ages advance on their own, ms. */
export const TICK_MS = 1000;

/** What the popup knows at a moment. */
export interface Feed {
  phase: FeedPhase;
  state: StateResponse | null;
  /** The present in the worker's clock: `state.now` advanced by local time since the answer. */
  now: number;
  /** Local time since the last answer, ms (for the "not updated" note). */
  sinceAnswerMs: number;
}

interface Received {
  phase: FeedPhase;
  state: StateResponse | null;
  /** `performance.now()` when `state` arrived. */
  at: number;
}

/** Polls `get-state` while mounted and re-renders every {@link TICK_MS}. */
export function useStateFeed(): Feed {
  const [received, setReceived] = useState<Received>({ phase: 'looking', state: null, at: performance.now() });
  const [clock, setClock] = useState(() => performance.now());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      const state = await requestState();
      if (stopped) return;
      const at = performance.now();
      setReceived((prev) =>
        state ? { phase: 'answered', state, at } : { phase: prev.state ? 'stale' : 'no-answer', state: prev.state, at: prev.at },
      );
      setClock(at);
      timer = setTimeout(() => void poll(), REFRESH_MS);
    };
    void poll();
    const ticker = setInterval(() => setClock(performance.now()), TICK_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ticker);
    };
  }, []);

  const sinceAnswerMs = Math.max(0, clock - received.at);
  return {
    phase: received.phase,
    state: received.state,
    now: received.state ? received.state.now + sinceAnswerMs : Date.now(),
    sinceAnswerMs,
  };
}
