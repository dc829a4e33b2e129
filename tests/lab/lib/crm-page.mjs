/**
 * The CRM page (`https://crm.test:PORT/crm?user=agent-1[&transport=page|shared-worker|worker]`):
 * a page of another site that embeds the softphone in an iframe, as CRM integrations of
 * browser softphones do (Amazon Connect Streams frames its CCP with `allow="microphone; camera;
 * autoplay; clipboard-write; identity-credentials-get"`: amazon-connect-streams src/core.js,
 * commit cc9c58756ce8be45c2d88d07bc604eb2b1955fa1). The frame's first URL signs the agent in
 * (`/login?user=…&return=/…`), so its cookies are set inside the CRM's partition.
 *
 * The CRM has content of its own the agent would lose on a reload of the CRM page: a case
 * with unsaved notes (`<textarea id="case-notes">`, nothing ever saves it).
 */
import { escapeHtml } from './http-kit.mjs';

/** Transports the softphone app accepts in `?transport=` (tests/lab/README.md "The app"). */
export const APP_TRANSPORTS = Object.freeze(['page', 'shared-worker', 'worker']);

/**
 * @param {{ softphoneOrigin: string, user: string, agentName: string, transport: string | null }} opts
 *   `transport` null = the app's default (page)
 * @returns {string} HTML
 */
export function crmPageHtml({ softphoneOrigin, user, agentName, transport }) {
  const returnTo = transport ? `/?transport=${encodeURIComponent(transport)}` : '/';
  const frameSrc = `${softphoneOrigin}/login?user=${encodeURIComponent(user)}&return=${encodeURIComponent(returnTo)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Case 00042 · Northwind CRM</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f1ea; color: #2b2a26; }
  header { background: #3d3a8c; color: #fff; padding: 10px 18px; display: flex; justify-content: space-between; }
  main { display: grid; grid-template-columns: 1fr 460px; gap: 16px; padding: 16px; }
  section { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 4px #0002; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0 0 12px; }
  dt { color: #6b675c; } textarea { width: 100%; min-height: 160px; font: inherit; box-sizing: border-box; }
  iframe { width: 100%; height: 720px; border: 1px solid #d8d3c4; border-radius: 8px; background: #fff; }
</style></head>
<body>
<header><strong>Northwind CRM</strong><span>Signed in as ${escapeHtml(agentName)}</span></header>
<main>
  <section aria-labelledby="case-title">
    <h1 id="case-title">Case 00042 — Router drops calls</h1>
    <dl><dt>Customer</dt><dd>Jordan Miller</dd><dt>Phone</dt><dd>+1 312 555 0142</dd><dt>Status</dt><dd>Open</dd></dl>
    <label for="case-notes">Case notes (not saved yet)</label>
    <textarea id="case-notes" name="case-notes"></textarea>
  </section>
  <section aria-label="Softphone">
    <iframe id="softphone" title="Softphone" allow="microphone; autoplay" src="${escapeHtml(frameSrc)}"></iframe>
  </section>
</main>
</body></html>`;
}
