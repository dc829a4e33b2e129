/**
 * Small inline icons (16 px, `currentColor`). Each takes an optional `label`: with one it is
 * announced as an image with that name, without one it is hidden from screen readers
 * (decorative, because visible text next to it says the same).
 */
import type { ComponentChildren } from 'preact';
import type { Health } from '../../../src/session/types';

interface IconProps {
  label?: string;
  class?: string;
}

function Svg({ label, class: cls, children }: IconProps & { children: ComponentChildren }) {
  return (
    <svg
      class={`icon ${cls ?? ''}`}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
    >
      {label ? <title>{label}</title> : null}
      {children}
    </svg>
  );
}

/** A tick in a circle. */
export function OkIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path
        d="M4.8 8.2l2.2 2.2 4.2-4.6"
        fill="none"
        stroke="currentColor"
        stroke-width="1.7"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </Svg>
  );
}

/** An exclamation mark in a triangle. */
export function WarnIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M8 1.6L15 14H1z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
      <path d="M8 6v3.8" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
      <circle cx="8" cy="11.9" r="0.95" fill="currentColor" />
    </Svg>
  );
}

/** Two arrows chasing each other: work in progress. */
export function RecoverIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M13.2 6.2A5.5 5.5 0 0 0 3 5.2" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
      <path d="M2.8 9.8A5.5 5.5 0 0 0 13 10.8" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
      <path
        d="M2.4 2.4v3.2h3.2M13.6 13.6v-3.2h-3.2"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </Svg>
  );
}

/** A cross in a circle. */
export function DownIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
    </Svg>
  );
}

/** A dash in a circle: over, nothing more to watch. */
export function EndedIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M5 8h6" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
    </Svg>
  );
}

/** The icon for a health. */
export function HealthIcon({ health, ...props }: IconProps & { health: Health }) {
  switch (health) {
    case 'healthy':
      return <OkIcon {...props} />;
    case 'degraded':
      return <WarnIcon {...props} />;
    case 'recovering':
      return <RecoverIcon {...props} />;
    case 'down':
      return <DownIcon {...props} />;
  }
}
