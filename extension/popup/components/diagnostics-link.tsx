/**
 * A link to the diagnostics page: a real `<a href>` (keyboard, context menu, screen readers
 * know it) whose activation opens the page in a new tab through `tabs.create`, since a link
 * followed inside the popup would replace the popup.
 */
import { diagnosticsUrl, openDiagnostics } from '../open-diagnostics';

/** Props of {@link DiagnosticsLink}. */
export interface DiagnosticsLinkProps {
  /** The session's tab; absent: the page for all sessions. */
  tabId?: number;
  /** Visible text. */
  text: string;
  /** Accessible name (says that it opens a new tab). */
  label: string;
  class?: string;
}

/** The link. */
export function DiagnosticsLink({ tabId, text, label, class: cls }: DiagnosticsLinkProps) {
  return (
    <a
      class={cls ?? 'link-button'}
      href={diagnosticsUrl(tabId)}
      target="_blank"
      rel="noopener"
      aria-label={label}
      data-testid={tabId === undefined ? 'diagnostics-all' : 'diagnostics-link'}
      onClick={(e) => {
        e.preventDefault();
        openDiagnostics(tabId);
      }}
    >
      {text}
    </a>
  );
}
