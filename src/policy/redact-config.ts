/**
 * A configuration fit to show on the options page or put in a diagnostics bundle: the
 * telemetry headers (API keys for the collector) lose their values, and every URL goes
 * through the redaction choke point (an endpoint may carry a key in its query).
 */
import { REDACTED, redactUrl } from '../redact/redact';
import type { Config } from './schema';

/** Returns a redacted copy; the input is not changed. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  copy.telemetry.headers = Object.fromEntries(Object.keys(copy.telemetry.headers).map((k) => [k, REDACTED]));
  copy.telemetry.otlpEndpoint = redactUrl(copy.telemetry.otlpEndpoint);
  copy.tokenRefresh.refreshUrl = redactUrl(copy.tokenRefresh.refreshUrl);
  copy.tokenRefresh.authorizeUrl = redactUrl(copy.tokenRefresh.authorizeUrl);
  copy.tokenRefresh.tokenUrl = redactUrl(copy.tokenRefresh.tokenUrl);
  return copy;
}
