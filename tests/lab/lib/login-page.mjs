/**
 * The lab's login page: one button per agent, listing the agent's organisations (home first;
 * the accessible name names the home one). Choosing an agent starts a login session (cookie
 * `lab_session`) and issues a refresh cookie (`lab_refresh`), both in the home organisation.
 */
import { AGENTS, findOrg } from './directory.mjs';
import { escapeHtml } from './http-kit.mjs';

/**
 * @param {string} returnTo where to go after login (a same-origin path)
 * @returns {string} HTML
 */
export function loginPageHtml(returnTo) {
  const buttons = AGENTS.map((a) => {
    const org = findOrg(a.orgId)?.name ?? a.orgId;
    const orgs = a.orgIds.map((id) => findOrg(id)?.name ?? id).join(' · ');
    return `<li><form method="get" action="/login">
      <input type="hidden" name="user" value="${escapeHtml(a.id)}"><input type="hidden" name="return" value="${escapeHtml(returnTo)}">
      <button class="agent" type="submit" aria-label="Sign in as ${escapeHtml(a.name)}, ${escapeHtml(org)}">
      <span class="name">${escapeHtml(a.name)}</span><span class="org">${escapeHtml(orgs)}</span><span class="id">${escapeHtml(a.id)}</span></button></form></li>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Softphone lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; background: #eef1f5; color: #1d2433; margin: 0; display: grid; place-items: center; min-height: 100vh; }
  main { background: #fff; border-radius: 12px; box-shadow: 0 4px 24px #0002; padding: 28px 32px; width: 360px; }
  h1 { font-size: 20px; margin: 0 0 4px; } p { color: #5b6577; margin: 0 0 18px; }
  ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
  form { margin: 0; }
  button.agent { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; width: 100%; text-align: left; font: inherit; background: #fff; cursor: pointer; padding: 12px 14px; border: 1px solid #d5dbe5; border-radius: 8px; color: inherit; }
  button.agent:hover, button.agent:focus { border-color: #2f6fed; outline: none; box-shadow: 0 0 0 3px #2f6fed33; }
  .name { font-weight: 600; } .org { color: #5b6577; grid-column: 1; font-size: 13px; } .id { grid-row: 1 / 3; grid-column: 2; align-self: center; color: #8a93a3; font-size: 12px; }
</style></head>
<body><main>
<h1>Sign in</h1><p>Softphone lab — choose an agent.</p>
<ul>${buttons}</ul>
</main></body></html>`;
}
