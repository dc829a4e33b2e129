/**
 * The popup's cards for softphone tabs the browser does not let the extension monitor
 * (`StateResponse.unmonitoredTabs`, src/policy/host-access.ts): one card per origin and
 * cause, with a plain sentence saying who can change it. Text comes from the caller's
 * {@link HostAccessStrings} table (the popup's is `extension/popup/strings.ts`).
 */
import type { UnmonitoredReason } from '../policy/host-access';
import type { UnmonitoredTab } from '../protocol/ui';

/** Text table for {@link unmonitoredCards}. */
export interface HostAccessStrings {
  /** Card subtitle: `"Not monitored"`. */
  notMonitored: string;
  /** `(2)` → `"2 tabs"`; shown after the subtitle when more than one tab is affected. */
  tabs: (count: number) => string;
  /** One sentence per cause, given the page origin (`https://apps.example.com`). */
  reason: Record<UnmonitoredReason, (origin: string) => string>;
  /** Popup status line when no tab is watched but some are refused. */
  status: (count: number) => string;
}

/** One card: an origin refused for one reason, and how many open tabs show it. */
export interface UnmonitoredCard {
  /** Stable key for the list. */
  key: string;
  origin: string;
  reason: UnmonitoredReason;
  /** The lowest tab id of the group (for a stable order). */
  firstTabId: number;
  tabCount: number;
  /** `"Not monitored"` or `"Not monitored · 2 tabs"`. */
  subtitle: string;
  /** The sentence, e.g. `"Softphone Guard is blocked on https://x by your browser policy …"`. */
  text: string;
}

/**
 * Groups the refused tabs by origin and reason, in the order their first tab appears.
 * @param tabs as the worker reported them; undefined or empty gives no cards
 */
export function unmonitoredCards(tabs: readonly UnmonitoredTab[] | undefined, t: HostAccessStrings): UnmonitoredCard[] {
  const groups = new Map<string, UnmonitoredCard>();
  for (const tab of [...(tabs ?? [])].sort((a, b) => a.tabId - b.tabId)) {
    const key = `${tab.reason} ${tab.origin}`;
    const card = groups.get(key);
    if (card) {
      card.tabCount += 1;
      continue;
    }
    const sentence = t.reason[tab.reason];
    if (!sentence) continue;
    groups.set(key, {
      key,
      origin: tab.origin,
      reason: tab.reason,
      firstTabId: tab.tabId,
      tabCount: 1,
      subtitle: '',
      text: sentence(tab.origin),
    });
  }
  return [...groups.values()].map((c) => ({
    ...c,
    subtitle: c.tabCount > 1 ? `${t.notMonitored} · ${t.tabs(c.tabCount)}` : t.notMonitored,
  }));
}
