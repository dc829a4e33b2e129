/**
 * Severity icons (16 px, `currentColor`), decorative: the severity word next to each says the
 * same, so meaning never rests on the icon's shape or colour alone.
 */
import type { TimelineSeverity } from '../../../src/diagnostics/timeline-types';

/** The icon of a timeline line's severity. */
export function SeverityIcon({ severity }: { severity: TimelineSeverity }) {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      {severity === 'error' ? (
        <>
          <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
        </>
      ) : severity === 'warning' ? (
        <>
          <path d="M8 1.6L15 14H1z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
          <path d="M8 6v3.8" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
          <circle cx="8" cy="11.9" r="0.95" fill="currentColor" />
        </>
      ) : (
        <>
          <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path d="M8 7v4.5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
          <circle cx="8" cy="4.8" r="0.95" fill="currentColor" />
        </>
      )}
    </svg>
  );
}
