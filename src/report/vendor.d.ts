/** Minimal type declaration for d3-scale-chromatic (no bundled types): only what src/report/ calls. */
declare module 'd3-scale-chromatic' {
  /** Matplotlib's viridis ramp (256 colours) at t in [0, 1], as `#rrggbb`. */
  export function interpolateViridis(t: number): string;
}
