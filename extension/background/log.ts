/**
 * The worker's only way to the console: every message passes the redaction choke point
 * (src/redact) first, so an error text that happens to carry a URL with a token, a JWT or a
 * cookie never reaches the console in clear.
 */
import { redactString } from '../../src/redact/redact';

/** Logs a warning: `what` happened, with the error's name and message (redacted, ≤ 200 characters). */
export function warn(what: string, detail?: unknown): void {
  const text = detail === undefined ? '' : detail instanceof Error ? `${detail.name}: ${detail.message}` : String(detail);
  console.warn(`[softphone-guard] ${redactString(what)}${text ? `: ${redactString(text.slice(0, 200))}` : ''}`);
}
