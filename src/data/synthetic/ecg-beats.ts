/**
 * A beat-classification dataset with exact ground truth of the class evidence, built on the
 * ECGSYN-style beat model in ecg-waves.ts (McSharry et al., IEEE TBME 2003).
 *
 * Every sample is a window around the R peak of a "current" beat, with its neighbours (the
 * preceding and following sinus beats) where they reach into the window. All of a sample's random
 * draws (heart rate, amplitudes, widths, prematurity, gain, noise) come from its own stream
 * `Rng(deriveSeed(seed, i))` and are drawn identically whatever its class, so the class acts only
 * through these deterministic changes:
 *   N: sinus P, normal QRS, preceding RR = sinus RR.
 *   S: premature atrial - inverted, reshaped P; normal QRS; preceding RR shortened to 60-75%
 *      (the previous beat, and its T wave, move closer); the sinus node resets after it.
 *   V: premature ventricular - no P; QRS 1.8-2.5x wider with taller R and deeper S; same short
 *      preceding RR as S; compensatory pause (the next beat moves later). Its T wave is left
 *      equal to the sinus T so that the evidence stays in the QRS.
 * `relevance` marks, for each sample, exactly the samples whose noise-free value would change if
 * the sample had been generated as another class of `classes` (same seed, same index): the P-wave
 * and QRS supports of the current beat and, where they lie in the window, the preceding/following
 * beats' samples that move with the class-dependent RR intervals (with `neighbours: false`, only
 * the P and QRS supports). It is therefore the same for
 * the sample's counterfactual twins, and outside it the twins are byte-identical.
 */
import { InvalidInputError } from '../../errors.js';
import type { ProgressCallback } from '../../progress.js';
import { Rng } from '../../util/random.js';
import type { LabeledDataset, RelevanceTruth } from '../types.js';
import { assignLabels, checkInt, checkLabels, checkRange, checkSeed, deriveSeed } from './common.js';
import { addEcgNoise, type EcgNoise, resolveEcgNoise } from './ecg-noise.js';
import { addBeat, type BeatLabel, beatKernels, drawBeatShape, markWaves } from './ecg-waves.js';

/** Options of `generateEcgBeats`. */
export interface EcgBeatsOptions {
  n: number;
  seed: number;
  /** Sampling rate in Hz (default 360). */
  fs?: number;
  /** Samples before the R peak (default round(0.3 fs)); the R peak is at index `before`. */
  before?: number;
  /** Samples from the R peak on (default round(0.45 fs)); window length = before + after. */
  after?: number;
  /** Classes in label order (default ['N', 'S', 'V']). */
  classes?: BeatLabel[];
  /** Class index per sample (overrides the balanced random assignment), e.g. to make twins. */
  labels?: ArrayLike<number>;
  /** Noise amplitudes in mV, or 'none'. */
  noise?: Partial<EcgNoise> | 'none';
  /**
   * Render the neighbouring beats (default true). With false the window holds the current beat
   * alone, so the short RR shows only in `rr` and `relevance` is just the P and QRS supports.
   */
  neighbours?: boolean;
  onProgress?: ProgressCallback;
}

/**
 * The dataset: `x` [N, T, 1] in mV, `shape` = [N, T, 1]; `relevance` and `waves` are flat over
 * [N, T] (shape without the channel axis). `rr` is [N, 2]: preceding and following RR in seconds.
 */
export type EcgBeatsDataset = LabeledDataset & RelevanceTruth & { waves: Uint8Array; rr: Float32Array; fs: number };

const ALL_CLASSES: BeatLabel[] = ['N', 'S', 'V'];

/** Generates a balanced beat dataset whose class evidence is known exactly (see file comment). */
export function generateEcgBeats(options: EcgBeatsOptions): EcgBeatsDataset {
  const { n, seed } = options;
  checkInt('n', n, 1, 10_000_000);
  checkSeed(seed);
  const fs = checkRange('fs', options.fs ?? 360, 50, 10000);
  const before = checkInt('before', options.before ?? Math.round(0.3 * fs), 1, 100000);
  const after = checkInt('after', options.after ?? Math.round(0.45 * fs), 1, 100000);
  const classes = options.classes ?? ALL_CLASSES;
  if (!Array.isArray(classes) || classes.length === 0 || new Set(classes).size !== classes.length || classes.some((c) => !ALL_CLASSES.includes(c))) {
    throw new InvalidInputError('classes', `must be distinct entries of ${ALL_CLASSES.join(', ')}, got ${JSON.stringify(classes)}`);
  }
  const noise = resolveEcgNoise(options.noise);
  const neighbours = options.neighbours ?? true;
  const y = options.labels !== undefined
    ? checkLabels(options.labels, n, classes.length)
    : assignLabels(n, classes.map(() => 1), new Rng(deriveSeed(seed, 0x6c61626c)));

  const T = before + after;
  const x = new Float32Array(n * T);
  const relevance = new Uint8Array(n * T);
  const waves = new Uint8Array(n * T);
  const rr = new Float32Array(n * 2);
  const t0 = -before / fs;
  const renders = classes.map(() => new Float64Array(T));
  const noiseBuf = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    const rng = new Rng(deriveSeed(seed, i));
    const hr = rng.uniform(60, 100);
    const sinusRR = 60 / hr;
    const shape = drawBeatShape(rng, false);
    const preSinus = sinusRR * rng.uniform(0.95, 1.05);
    const postSinus = sinusRR * rng.uniform(0.95, 1.05);
    const preEctopic = sinusRR * rng.uniform(0.6, 0.75);
    const gain = rng.uniform(0.8, 1.2);
    const intervals = (c: BeatLabel): [number, number] =>
      c === 'N' ? [preSinus, postSinus] : c === 'S' ? [preEctopic, postSinus] : [preEctopic, preSinus + postSinus - preEctopic];
    const sinusKernels = beatKernels('N', hr, shape);
    classes.forEach((c, k) => {
      const [pre, post] = intervals(c);
      const buf = renders[k];
      buf.fill(0);
      if (neighbours) addBeat(buf, t0, fs, -pre, sinusKernels);
      addBeat(buf, t0, fs, 0, beatKernels(c, hr, shape));
      if (neighbours) addBeat(buf, t0, fs, post, sinusKernels);
    });
    noiseBuf.fill(0);
    addEcgNoise(noiseBuf, t0, fs, noise, rng.fork());

    const label = y[i];
    const own = renders[label];
    const base = i * T;
    for (let j = 0; j < T; j++) {
      x[base + j] = gain * own[j] + noiseBuf[j];
      let differs = 0;
      for (let k = 0; k < renders.length && !differs; k++) if (renders[k][j] !== own[j]) differs = 1;
      relevance[base + j] = differs;
    }
    const c = classes[label];
    const [pre, post] = intervals(c);
    const codes = waves.subarray(base, base + T);
    if (neighbours) markWaves(codes, t0, fs, -pre, sinusKernels);
    markWaves(codes, t0, fs, 0, beatKernels(c, hr, shape));
    if (neighbours) markWaves(codes, t0, fs, post, sinusKernels);
    rr[2 * i] = pre;
    rr[2 * i + 1] = post;
    if (options.onProgress && ((i + 1) % 1024 === 0 || i + 1 === n)) options.onProgress({ task: 'synthetic:ecg-beats', done: i + 1, total: n });
  }
  return { x, shape: [n, T, 1], y, classNames: [...classes], fs, relevance, waves, rr };
}
