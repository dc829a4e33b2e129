/**
 * The options page's live configuration: asked for at once, asked again while the worker does
 * not answer or the policy is still unread, when storage changes (a policy pushed while the
 * page is open), and every {@link REFRESH_MS} in any case. Never waits on managed storage
 * itself (docs/architecture.md §7): the worker answers with what it has.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { ConfigResponse } from '../../src/protocol/ui';
import { requestConfig } from './config-client';

/** Time between two requests while the worker is not answering or the policy is unread, ms. */
export const RETRY_MS = 1000;
/** Time between two requests otherwise, ms. */
export const REFRESH_MS = 3000;
/** Delay after a storage change before asking: the worker re-reads storage first, ms. */
export const CHANGE_SETTLE_MS = 300;

/** Where the page is in talking to the worker. */
export type ConfigPhase = 'loading' | 'answered' | 'no-answer';

/** What the page knows. */
export interface ConfigFeed {
  phase: ConfigPhase;
  answer: ConfigResponse | null;
  /** Takes an answer the page got another way (after a save or reset). */
  accept(answer: ConfigResponse): void;
}

/** Keeps the configuration answer current while mounted. */
export function useConfigFeed(): ConfigFeed {
  const [state, setState] = useState<{ phase: ConfigPhase; answer: ConfigResponse | null }>({ phase: 'loading', answer: null });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const poll = useRef<() => void>(() => undefined);
  /** Bumped by every request and by {@link ConfigFeed.accept}: an older answer never wins. */
  const generation = useRef(0);

  useEffect(() => {
    let stopped = false;
    const schedule = (ms: number): void => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void run(), ms);
    };
    const run = async (): Promise<void> => {
      const mine = ++generation.current;
      const answer = await requestConfig();
      if (stopped) return;
      if (mine === generation.current) {
        setState((prev) =>
          answer ? { phase: 'answered', answer } : { phase: prev.answer ? 'answered' : 'no-answer', answer: prev.answer },
        );
      }
      schedule(answer && answer.policyLoaded ? REFRESH_MS : RETRY_MS);
    };
    poll.current = () => schedule(CHANGE_SETTLE_MS);
    const onChanged = (changes: Record<string, unknown>, area: string): void => {
      if (area === 'managed' || (area === 'local' && 'userConfig' in changes)) poll.current();
    };
    browser.storage.onChanged.addListener(onChanged);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer.current);
      browser.storage.onChanged.removeListener(onChanged);
    };
  }, []);

  const accept = useCallback((answer: ConfigResponse) => {
    generation.current += 1;
    setState({ phase: 'answered', answer });
  }, []);
  return { phase: state.phase, answer: state.answer, accept };
}
