/**
 * Band-limited resampling of 1-D signals (browser-safe). Windowed-sinc interpolation with a
 * low-pass cutoff at the lower Nyquist frequency, so downsampling does not alias. Hand-written:
 * a few lines, and the npm resamplers target audio streams (Web Audio, native addons).
 */
import { InvalidInputError } from '../errors.js';

/** Options of `resampleSignal`. */
export interface ResampleOptions {
  /** Zero crossings of the sinc kernel on each side (quality vs speed; default 16). */
  zeroCrossings?: number;
}

/**
 * Resamples `x` from `fromHz` to `toHz`. Output sample i sits at time i / toHz; its length is
 * round(x.length * toHz / fromHz). Kernel weights are normalised to sum 1, so constants are kept
 * exactly, including near the edges.
 */
export function resampleSignal(x: Float32Array, fromHz: number, toHz: number, opts: ResampleOptions = {}): Float32Array {
  if (!(fromHz > 0) || !Number.isFinite(fromHz)) throw new InvalidInputError('fromHz', `must be a positive finite rate, got ${fromHz}`);
  if (!(toHz > 0) || !Number.isFinite(toHz)) throw new InvalidInputError('toHz', `must be a positive finite rate, got ${toHz}`);
  if (fromHz === toHz) return x.slice();
  const ratio = fromHz / toHz; // input samples per output sample
  const cutoff = Math.min(1, toHz / fromHz); // fraction of the input Nyquist kept
  const zeros = opts.zeroCrossings ?? 16;
  const half = Math.ceil(zeros / cutoff); // kernel half-width in input samples
  const n = Math.round((x.length * toHz) / fromHz);
  const table = kernelTable(half, cutoff);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i * ratio;
    const center = Math.floor(t);
    let acc = 0;
    let wsum = 0;
    const lo = Math.max(0, center - half + 1);
    const hi = Math.min(x.length - 1, center + half);
    for (let k = lo; k <= hi; k++) {
      // Linear lookup in the tabulated kernel (exact sin/cos per tap was ~20x slower).
      const pos = Math.abs(t - k) * TABLE_STEPS;
      const j = Math.floor(pos);
      const h = table[j] + (pos - j) * (table[j + 1] - table[j]);
      acc += x[k] * h;
      wsum += h;
    }
    out[i] = wsum !== 0 ? acc / wsum : 0;
  }
  return out;
}

const TABLE_STEPS = 512;

/** Hann-windowed sinc sampled every 1/TABLE_STEPS input samples on [0, half + 1]. */
function kernelTable(half: number, cutoff: number): Float64Array {
  const len = (half + 1) * TABLE_STEPS + 2;
  const table = new Float64Array(len);
  for (let j = 0; j < len; j++) {
    const d = j / TABLE_STEPS;
    const u = d * cutoff;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const w = d >= half + 1 ? 0 : 0.5 + 0.5 * Math.cos((Math.PI * d) / (half + 1));
    table[j] = sinc * w;
  }
  return table;
}
