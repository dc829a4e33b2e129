/**
 * "Export as policy": the settings in force as the managed-storage value for this extension
 * and as a Linux policy file, each to download or copy, with a toggle for settings that have
 * their default value and a note for each setting left out (secrets).
 */
import { useMemo, useState } from 'preact/hooks';
import { exportPolicy } from '../../../src/policy/policy-export';
import type { Config } from '../../../src/policy/schema';
import { MODEL_STRINGS, OPTIONS_STRINGS } from '../strings';

/** Props of {@link ExportPanel}. */
export interface ExportPanelProps {
  /** The configuration in force (redacted, as the worker sends it). */
  config: Config;
  extensionId: string;
}

/** The export section. */
export function ExportPanel({ config, extensionId }: ExportPanelProps) {
  const [allKeys, setAllKeys] = useState(false);
  const [note, setNote] = useState('');
  const exported = useMemo(() => exportPolicy(config, { extensionId, allKeys }), [config, extensionId, allKeys]);

  const copy = async (text: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setNote(OPTIONS_STRINGS.copied);
    } catch {
      setNote(OPTIONS_STRINGS.copyFailed);
    }
  };

  const blocks = [
    { id: 'export-policy', label: OPTIONS_STRINGS.exportPolicyLabel, text: exported.policyJson, file: OPTIONS_STRINGS.policyFileName },
    { id: 'export-linux', label: OPTIONS_STRINGS.exportLinuxLabel, text: exported.linuxJson, file: OPTIONS_STRINGS.linuxFileName },
  ];

  return (
    <section class="panel export" aria-labelledby="export-title">
      <h2 id="export-title">{OPTIONS_STRINGS.exportTitle}</h2>
      <p class="muted">{OPTIONS_STRINGS.exportIntro}</p>
      <label class="export__toggle">
        <input type="checkbox" checked={allKeys} onChange={(e) => setAllKeys((e.currentTarget as HTMLInputElement).checked)} />{' '}
        {OPTIONS_STRINGS.exportAllKeys}
      </label>
      {Object.keys(exported.policy).length === 0 ? <p class="muted">{OPTIONS_STRINGS.exportEmpty}</p> : null}
      {exported.omitted.length > 0 ? (
        <ul class="export__omitted">
          {exported.omitted.map((o) => (
            <li key={o.key}>{MODEL_STRINGS.exportOmitted[o.reason](MODEL_STRINGS.fields[o.key].label)}</li>
          ))}
        </ul>
      ) : null}
      {blocks.map((b) => (
        <div class="export__block" key={b.id}>
          <label class="field__label" for={b.id}>
            {b.label}
          </label>
          <textarea
            id={b.id}
            class="field__input field__input--code"
            readOnly
            rows={Math.min(16, b.text.split('\n').length + 1)}
            value={b.text}
            spellcheck={false}
          />
          <div class="export__actions">
            <button
              type="button"
              class="button"
              aria-label={OPTIONS_STRINGS.downloadLabel(b.label)}
              onClick={() => download(b.file, b.text)}
            >
              {OPTIONS_STRINGS.download}
            </button>
            <button type="button" class="button" aria-label={OPTIONS_STRINGS.copyLabel(b.label)} onClick={() => void copy(b.text)}>
              {OPTIONS_STRINGS.copy}
            </button>
          </div>
        </div>
      ))}
      <p class="export__note" role="status">
        {note}
      </p>
    </section>
  );
}

/** Saves `text` as a JSON file through the browser's download. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
