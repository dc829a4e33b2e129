/**
 * The two export buttons the popup and the diagnostics page show: save the redacted JSON
 * bundle as a file, and copy the short plain-text summary for a ticket to the clipboard
 * (saved as a file instead when the clipboard refuses, e.g. a page without focus). Both ask
 * the worker (`get-export`, src/protocol/ui-protocol.ts); the worker redacts, this component only
 * saves what it gets. The outcome is announced in a polite `aria-live` region.
 *
 * Markup and class names, for the pages' style sheets (no styles of its own beyond layout):
 * ```
 * div.sg-export                          (role="group")
 *   button.sg-export__button[data-kind=bundle]   data-testid="export-bundle"
 *   button.sg-export__button[data-kind=summary]  data-testid="export-summary"
 *   p.sg-export__status[data-outcome=ok|failed]  data-testid="export-status", aria-live="polite"
 * ```
 * The status shows the saved file's name, `labels.copied` after a copy, or `labels.failed`.
 * Buttons are disabled (`aria-busy` on the group) while an export is being made.
 */
import { useState } from 'preact/hooks';
import type { ExportResponse } from '../../src/protocol/ui';
import { uiRequest } from './ui-request';

/** Visible text, from the page's string table (the page owns localisation). */
export interface ExportButtonLabels {
  /** Button: save the JSON bundle. */
  bundle: string;
  /** Button: copy the plain-text summary. */
  summary: string;
  /** Status after the summary was copied to the clipboard. */
  copied: string;
  /** Status when the export could not be made or saved. */
  failed: string;
}

/** How long an export may take before it counts as failed, ms (20,000 events take a few seconds on a busy machine). */
export const EXPORT_TIMEOUT_MS = 30_000;

/** Saves `text` as a download named `filename` (no `downloads` permission needed). */
function saveFile(file: ExportResponse): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; give it a moment before releasing the URL.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

type Status = { outcome: 'ok' | 'failed'; text: string } | null;

/** Save-bundle and copy-summary buttons with a live status line. */
export function ExportButtons({ labels }: { labels: ExportButtonLabels }) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);

  const run = async (format: 'bundle' | 'summary'): Promise<void> => {
    setBusy(true);
    setStatus(null);
    try {
      const result = await uiRequest('get-export', { format }, { timeoutMs: EXPORT_TIMEOUT_MS });
      if (!result.ok) {
        setStatus({ outcome: 'failed', text: labels.failed });
        return;
      }
      const file = result.reply;
      if (format === 'summary') {
        try {
          await navigator.clipboard.writeText(file.text);
          setStatus({ outcome: 'ok', text: labels.copied });
          return;
        } catch {
          // Clipboard refused (no focus, no permission): the file still gets to the ticket.
        }
      }
      saveFile(file);
      setStatus({ outcome: 'ok', text: file.filename });
    } catch {
      setStatus({ outcome: 'failed', text: labels.failed });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="sg-export" role="group" aria-busy={busy} style={{ display: 'flex', flexWrap: 'wrap', gap: '0.5em', alignItems: 'center' }}>
      <button
        type="button"
        class="sg-export__button"
        data-kind="bundle"
        data-testid="export-bundle"
        disabled={busy}
        onClick={() => void run('bundle')}
      >
        {labels.bundle}
      </button>
      <button
        type="button"
        class="sg-export__button"
        data-kind="summary"
        data-testid="export-summary"
        disabled={busy}
        onClick={() => void run('summary')}
      >
        {labels.summary}
      </button>
      <p
        class="sg-export__status"
        data-testid="export-status"
        data-outcome={status?.outcome}
        aria-live="polite"
        style={{ margin: 0, flexBasis: '100%' }}
      >
        {status?.text ?? ''}
      </p>
    </div>
  );
}
