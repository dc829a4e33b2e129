/**
 * A block of text to paste elsewhere (a policy entry) with a Copy button; the outcome is
 * announced in a live region. When the clipboard is refused, the text is selected so it can
 * be copied by hand.
 */
import { useRef, useState } from 'preact/hooks';
import { DIAGNOSTICS_STRINGS as S } from '../strings';

/** The snippet and its button. */
export function CopySnippet({ text, label, id }: { text: string; label: string; id: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      const el = pre.current;
      if (el) {
        const range = document.createRange();
        range.selectNodeContents(el);
        const selection = window.getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
      }
      setOutcome('failed');
    }
  };
  return (
    <div class="snippet">
      <p class="snippet__label" id={`${id}-label`}>
        {label}
      </p>
      <pre ref={pre} class="snippet__text" aria-labelledby={`${id}-label`} tabIndex={0}>
        <code>{text}</code>
      </pre>
      <button type="button" onClick={() => void copy()} aria-describedby={`${id}-label`}>
        {S.copy}
      </button>
      <span class="snippet__outcome" role="status">
        {outcome === 'copied' ? S.copied : outcome === 'failed' ? S.copyFailed : ''}
      </span>
    </div>
  );
}
