/**
 * The result of every explainer: attribution values in the input's shape (or a layer grid,
 * with its upsampling recorded), with sign filtering, normalisation, per-sample views and
 * JSON/NPY export. Pure data: no tensors are held.
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { SpatialRank } from '../data/types.js';
import type { SignMode } from './types.js';

/** How a layer grid (CAMs) was brought to the input size. */
export interface GridInfo {
  /** Name of the layer whose grid was used. */
  layer: string;
  /** Spatial shape of the layer grid, e.g. [7, 7]. */
  shape: number[];
  /** Interpolation used to reach the input's spatial size; 'none' when values stay on the grid. */
  upsampling: 'none' | 'linear' | 'bilinear' | 'trilinear';
}

/** Fields of an attribution (also its JSON form, with `values` as a plain array). */
export interface AttributionInit {
  method: string;
  values: Float32Array;
  /** [N, ...spatial, C]. */
  shape: number[];
  rank: SpatialRank;
  /** Explained class per sample, when the target was a class index. */
  targets?: Int32Array;
  /** Per-sample convergence delta (IG, DeepLift): sum of attributions minus output difference. */
  delta?: Float32Array;
  grid?: GridInfo;
}

/** Normalisation modes: max |v| to 1, min-max to [0, 1], sum of |v| to 1. */
export type NormalizeMode = 'maxabs' | 'minmax' | 'sum';

/** Attribution values of a batch of samples. */
export class Attribution {
  readonly method: string;
  readonly values: Float32Array;
  readonly shape: number[];
  readonly rank: SpatialRank;
  readonly targets?: Int32Array;
  readonly delta?: Float32Array;
  readonly grid?: GridInfo;

  constructor(init: AttributionInit) {
    const size = init.shape.reduce((a, b) => a * b, 1);
    if (size !== init.values.length) throw new Error(`attribution: ${init.values.length} values for shape [${init.shape}]`);
    this.method = init.method;
    this.values = init.values;
    this.shape = init.shape.slice();
    this.rank = init.rank;
    this.targets = init.targets;
    this.delta = init.delta;
    this.grid = init.grid;
  }

  /** Number of samples. */
  get batch(): number {
    return this.shape[0];
  }

  /** Values per sample. */
  get sampleSize(): number {
    return this.values.length / this.shape[0];
  }

  /** A view (no copy) of sample `i`'s values. */
  sampleValues(i: number): Float32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.batch) throw new InvalidInputError('sample', `index ${i} outside [0, ${this.batch})`);
    return this.values.subarray(i * this.sampleSize, (i + 1) * this.sampleSize);
  }

  /** Sample `i` as an attribution of batch 1. */
  sample(i: number): Attribution {
    return this.derive(this.sampleValues(i).slice(), [1, ...this.shape.slice(1)], {
      targets: this.targets?.slice(i, i + 1),
      delta: this.delta?.slice(i, i + 1),
    });
  }

  /** Keeps positive or negative values only, or takes absolute values. */
  withSign(mode: SignMode): Attribution {
    const f: Record<SignMode, (v: number) => number> = {
      all: (v) => v,
      positive: (v) => (v > 0 ? v : 0),
      negative: (v) => (v < 0 ? -v : 0),
      absolute: Math.abs,
    };
    if (!(mode in f)) throw new InvalidInputError('sign', `unknown mode '${mode}' (all, positive, negative, absolute)`);
    return this.derive(this.values.map(f[mode]), this.shape);
  }

  /** Sums the channel axis (last), giving one value per position: [N, ...spatial, 1]. */
  sumChannels(): Attribution {
    const c = this.shape[this.shape.length - 1];
    const out = new Float32Array(this.values.length / c);
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += this.values[i * c + k];
      out[i] = s;
    }
    return this.derive(out, [...this.shape.slice(0, -1), 1]);
  }

  /** Normalises each sample separately (a constant sample maps to zeros). */
  normalize(mode: NormalizeMode = 'maxabs'): Attribution {
    const out = new Float32Array(this.values.length);
    for (let i = 0; i < this.batch; i++) {
      const v = this.sampleValues(i);
      const o = out.subarray(i * this.sampleSize, (i + 1) * this.sampleSize);
      let lo = Infinity, hi = -Infinity, maxAbs = 0, sumAbs = 0;
      for (const x of v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
        maxAbs = Math.max(maxAbs, Math.abs(x));
        sumAbs += Math.abs(x);
      }
      if (mode === 'maxabs') for (let j = 0; j < v.length; j++) o[j] = maxAbs > 0 ? v[j] / maxAbs : 0;
      else if (mode === 'minmax') for (let j = 0; j < v.length; j++) o[j] = hi > lo ? (v[j] - lo) / (hi - lo) : 0;
      else if (mode === 'sum') for (let j = 0; j < v.length; j++) o[j] = sumAbs > 0 ? v[j] / sumAbs : 0;
      else throw new InvalidInputError('normalize', `unknown mode '${mode}' (maxabs, minmax, sum)`);
    }
    return this.derive(out, this.shape);
  }

  /** Sum of each sample's values (completeness checks). */
  sums(): Float32Array {
    const out = new Float32Array(this.batch);
    for (let i = 0; i < this.batch; i++) out[i] = this.sampleValues(i).reduce((a, b) => a + b, 0);
    return out;
  }

  /** The values as a new tensor (the caller disposes it). */
  toTensor(): tf.Tensor {
    return tf.tensor(this.values, this.shape, 'float32');
  }

  /** Plain JSON form (arrays instead of typed arrays). */
  toJSON(): Record<string, unknown> {
    return {
      method: this.method,
      shape: this.shape,
      rank: this.rank,
      values: Array.from(this.values),
      ...(this.targets ? { targets: Array.from(this.targets) } : {}),
      ...(this.delta ? { delta: Array.from(this.delta) } : {}),
      ...(this.grid ? { grid: this.grid } : {}),
    };
  }

  /** Rebuilds an attribution from `toJSON()` output (validated). */
  static fromJSON(json: unknown): Attribution {
    const j = json as Record<string, unknown>;
    if (!j || typeof j.method !== 'string' || !Array.isArray(j.shape) || !Array.isArray(j.values) || ![1, 2, 3].includes(j.rank as number)) {
      throw new InvalidInputError('attribution JSON', 'needs method, shape, rank (1|2|3) and values');
    }
    const size = (j.shape as number[]).reduce((a, b) => a * b, 1);
    if (size !== j.values.length) throw new InvalidInputError('attribution JSON', `${j.values.length} values for shape [${j.shape}]`);
    return new Attribution({
      method: j.method,
      shape: j.shape as number[],
      rank: j.rank as SpatialRank,
      values: Float32Array.from(j.values as number[]),
      targets: Array.isArray(j.targets) ? Int32Array.from(j.targets as number[]) : undefined,
      delta: Array.isArray(j.delta) ? Float32Array.from(j.delta as number[]) : undefined,
      grid: j.grid as GridInfo | undefined,
    });
  }

  /** NumPy .npy bytes (format 1.0, little-endian float32, C order). */
  toNpy(): Uint8Array {
    const shapeStr = this.shape.length === 1 ? `(${this.shape[0]},)` : `(${this.shape.join(', ')})`;
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeStr}, }`;
    // Header padded with spaces so that data starts on a 64-byte boundary, ending in '\n'.
    const total = 10 + header.length + 1;
    header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
    const out = new Uint8Array(10 + header.length + this.values.length * 4);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
    new DataView(out.buffer).setUint16(8, header.length, true);
    for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
    const dv = new DataView(out.buffer, 10 + header.length);
    for (let i = 0; i < this.values.length; i++) dv.setFloat32(i * 4, this.values[i], true);
    return out;
  }

  private derive(values: Float32Array, shape: number[], over: Partial<AttributionInit> = {}): Attribution {
    return new Attribution({
      method: this.method,
      rank: this.rank,
      targets: this.targets,
      delta: this.delta,
      grid: this.grid,
      values,
      shape,
      ...over,
    });
  }
}
