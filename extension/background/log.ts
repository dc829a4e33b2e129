/**
 * The worker's only way to the console: every message passes the redaction choke point
 * (src/redact) first, so an error text that happens to carry a URL with a token, a JWT, a
 * cookie or a caller's number never reaches the console in clear (URLs minimised to origin
 * and templated path, src/redact/url-minimise.ts).
 */
import { redactText } from '../../src/redact/redact';

/** Logs a warning: `what` happened, with the error's name and message (redacted, ≤ 200 characters). */
export function warn(what: string, detail?: unknown): void {
  const text = detail === undefined ? '' : detail instanceof Error ? `${detail.name}: ${detail.message}` : String(detail);
  console.warn(`[softphone-guard] ${redactText(what)}${text ? `: ${redactText(text.slice(0, 200))}` : ''}`);
}
