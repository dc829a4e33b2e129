/**
 * WCAG 2.x contrast ratio between two sRGB colours, for checking the toolbar badge colours.
 * Formula: relative luminance L = 0.2126 R + 0.7152 G + 0.0722 B of linearised channels, ratio
 * (L1 + 0.05) / (L2 + 0.05) with L1 the lighter (WCAG 2.2, definitions "relative luminance"
 * and "contrast ratio"; https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio).
 */

/** Level AA minimum for normal text (WCAG 2.2 SC 1.4.3). */
export const WCAG_AA_TEXT = 4.5;

/**
 * Relative luminance of `#rrggbb`, 0 (black) to 1 (white).
 * @throws Error when `hex` is not a 6-digit `#rrggbb` colour
 */
export function relativeLuminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${JSON.stringify(hex)}`);
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => {
    const c = Number.parseInt(h, 16) / 255;
    // The WCAG text gives 0.03928; the sRGB standard's 0.04045 differs only for no 8-bit value.
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of two `#rrggbb` colours, 1 to 21. @throws Error on a malformed colour */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
