/**
 * Tiling geometry shared by the Tile kernel and its gradient: a tiled axis (size s, reps r) is
 * viewed as [r, s]; neighbouring untiled axes (and neighbouring tiled axes of size 1) are merged
 * so each tiled axis costs one rank-4 broadcast (forward) or one rank-4 sum (gradient).
 */

/** One merged axis: `size` elements repeated `reps` times. */
export interface TileAxis {
  size: number;
  reps: number;
}

/** Merges `shape`/`reps` into the fewest axes that tile the same way. */
export function mergeTileAxes(shape: readonly number[], reps: readonly number[]): TileAxis[] {
  const out: TileAxis[] = [];
  for (let i = 0; i < shape.length; i++) {
    const axis = { size: shape[i], reps: reps[i] };
    if (axis.size === 1 && axis.reps === 1) continue;
    const last = out[out.length - 1];
    if (last && last.reps === 1 && axis.reps === 1) last.size *= axis.size;
    else if (last && last.size === 1 && axis.size === 1) last.reps *= axis.reps;
    else out.push(axis);
  }
  return out;
}

/** Product of a list of numbers (1 for an empty list). */
export function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}
