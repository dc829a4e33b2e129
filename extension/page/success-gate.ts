/**
 * The document's success gate: which 2xx/3xx exchanges the fetch and XHR hooks report
 * (the rules and their memory bound are in src/limits/success-reports.ts). One gate per
 * document, created with the probe's context (`DocumentState.gate`, context.ts) and shared by
 * both hooks: a failure seen through XHR lets the next fetch success of the same request key
 * through, and the other way round.
 *
 * Never throws: should the gate itself fail (a page that broke `Map`, say), a success is
 * reported, as before the gate existed.
 */
import { createSuccessReports } from '../../src/limits/success-reports';
import type { SuccessReports } from '../../src/limits/success-reports';

/** See the module comment. `url`: the URL as reported in the `http` observation. */
export interface SuccessGate {
  /**
   * A failure of `url` is being reported (status 0 or ≥ 400, hidden from the page or not).
   * @param unauthorized a protected 401, a token request (`token-needed`) or a failed token retry
   */
  failed(url: string, unauthorized: boolean): void;
  /** Whether to report a success of `url`; true counts it as reported. */
  admit(url: string, isProtected: boolean): boolean;
  /** A success of `url` reported whatever the gate says (an identity response). */
  reported(url: string, isProtected: boolean): void;
}

/**
 * Creates the gate of one document.
 * @param now epoch ms (the probe's captured clock)
 * @throws never (created at document_start, before any page script could break `Map`)
 */
export function createSuccessGate(now: () => number): SuccessGate {
  const reports: SuccessReports = createSuccessReports();
  return {
    failed(url, unauthorized) {
      try {
        reports.failed(url, unauthorized);
      } catch {
        // best effort
      }
    },
    admit(url, isProtected) {
      try {
        return reports.admit(url, isProtected, now());
      } catch {
        return true;
      }
    },
    reported(url, isProtected) {
      try {
        reports.admit(url, isProtected, now(), true);
      } catch {
        // best effort
      }
    },
  };
}
