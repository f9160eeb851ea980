/**
 * Synthetic single-lead ECG strips with per-sample wave labels and beat annotations, from the
 * ECGSYN-style model in ecg-waves.ts (McSharry et al., IEEE TBME 2003): sinus rhythm with
 * LF/HF heart-rate variability plus occasional premature atrial and ventricular beats.
 */
import { InvalidInputError } from '../../errors.js';
import { Rng } from '../../util/random.js';
import { checkRange, checkSeed } from './common.js';
import { addEcgNoise, DEFAULT_HRV, type EcgNoise, type Hrv, resolveEcgNoise, rrProcess } from './ecg-noise.js';
import {
  addBeat, type BeatLabel, beatKernels, drawBeatShape, markWaves, sampleRange, WAVE_P, WAVE_QRS, WAVE_T, waveExtent,
} from './ecg-waves.js';

/** Rates of ectopic beats: probability that a beat following a sinus beat is premature. */
export interface EcgRhythm {
  /** Premature ventricular beats: early wide QRS without P, compensatory pause after. */
  pvcRate?: number;
  /** Premature atrial beats: early beat with an inverted P and a normal QRS; sinus node reset. */
  pacRate?: number;
}

/** Options of `generateEcgStrip`. */
export interface EcgStripOptions {
  seconds: number;
  /** Sampling rate in Hz (default 360, as MIT-BIH). */
  fs?: number;
  /** Mean heart rate in bpm (default 70). */
  heartRate?: number;
  seed: number;
  /** Default: 5% PVCs, 5% PACs. `{ pvcRate: 0, pacRate: 0 }` gives pure sinus rhythm. */
  rhythm?: EcgRhythm;
  /** Heart-rate variability (default RR std 30 ms, LF/HF 0.5). */
  hrv?: Partial<Hrv>;
  /** Noise amplitudes in mV, or 'none'. */
  noise?: Partial<EcgNoise> | 'none';
}

/** One annotated beat of a strip; sample indices clipped to the strip, -1 where a wave is absent. */
export interface EcgBeatAnnotation {
  r: number;
  label: BeatLabel;
  pOn: number;
  pOff: number;
  qrsOn: number;
  qrsOff: number;
  tOn: number;
  tOff: number;
}

/** A generated strip. */
export interface EcgStrip {
  /** Signal in mV. */
  signal: Float32Array;
  fs: number;
  /** R-peak sample of every beat whose R peak lies in the strip. */
  rPeaks: Int32Array;
  /** Per-sample wave code: 0 none, 1 P, 2 QRS, 3 T (where waves overlap: QRS over P over T). */
  waves: Uint8Array;
  beats: EcgBeatAnnotation[];
}

/**
 * Generates a single-lead ECG strip, deterministic from `seed`. Wave labels mark exactly the
 * samples where a wave's kernels are non-zero; beats are listed for R peaks inside the strip.
 */
export function generateEcgStrip(options: EcgStripOptions): EcgStrip {
  const { seconds, seed } = options;
  const fs = options.fs ?? 360;
  const heartRate = options.heartRate ?? 70;
  checkRange('seconds', seconds, 0.1, 86400);
  checkRange('fs', fs, 50, 10000);
  checkRange('heartRate', heartRate, 30, 200);
  checkSeed(seed);
  const pvcRate = checkRange('rhythm.pvcRate', options.rhythm?.pvcRate ?? 0.05, 0, 1);
  const pacRate = checkRange('rhythm.pacRate', options.rhythm?.pacRate ?? 0.05, 0, 1);
  if (pvcRate + pacRate > 1) throw new InvalidInputError('rhythm', `pvcRate + pacRate must be <= 1, got ${pvcRate + pacRate}`);
  const hrv = { ...DEFAULT_HRV, ...(options.hrv ?? {}) };
  checkRange('hrv.rrStd', hrv.rrStd, 0, 0.5);
  checkRange('hrv.lfHfRatio', hrv.lfHfRatio, 0, 100);
  const noise = resolveEcgNoise(options.noise);

  const rng = new Rng(seed);
  const shape = drawBeatShape(rng, true);
  const rr = rrProcess(60 / heartRate, hrv, rng.fork());
  const times = beatTimes(seconds, rr, pvcRate, pacRate, rng);

  const length = Math.round(seconds * fs);
  const acc = new Float64Array(length);
  const waves = new Uint8Array(length);
  const beats: EcgBeatAnnotation[] = [];
  for (const { t, label } of times) {
    const kernels = beatKernels(label, heartRate, shape);
    addBeat(acc, 0, fs, t, kernels);
    markWaves(waves, 0, fs, t, kernels);
    const r = Math.round(t * fs);
    if (r < 0 || r >= length) continue;
    const range = (wave: number): [number, number] => {
      const ext = waveExtent(kernels, wave);
      return ext ? sampleRange(ext, 0, fs, t, length) : [-1, -1];
    };
    const [pOn, pOff] = range(WAVE_P), [qrsOn, qrsOff] = range(WAVE_QRS), [tOn, tOff] = range(WAVE_T);
    beats.push({ r, label, pOn, pOff, qrsOn, qrsOff, tOn, tOff });
  }
  addEcgNoise(acc, 0, fs, noise, rng.fork());
  return { signal: Float32Array.from(acc), fs, rPeaks: Int32Array.from(beats.map((b) => b.r)), waves, beats };
}

/**
 * Beat times from 1 s before the strip to 1 s after it. A PVC comes at 55-70% of the RR interval
 * and the next sinus beat keeps the sinus schedule (compensatory pause: the two intervals sum to
 * two RRs); a PAC comes at 60-80% of the RR and resets the sinus node (next beat one RR later).
 * Two ectopic beats never follow each other.
 */
function beatTimes(seconds: number, rr: (t: number) => number, pvcRate: number, pacRate: number, rng: Rng): { t: number; label: BeatLabel }[] {
  const out: { t: number; label: BeatLabel }[] = [];
  let t = -1 + rng.uniform(0, 0.5);
  let label: BeatLabel = 'N';
  let forcedNext: number | undefined;
  while (t < seconds + 1) {
    out.push({ t, label });
    const u = rng.next();
    const interval = rr(t);
    if (forcedNext !== undefined) {
      t = forcedNext;
      forcedNext = undefined;
      label = 'N';
    } else if (label === 'N' && u < pvcRate) {
      forcedNext = t + interval + rr(t + interval);
      t += interval * rng.uniform(0.55, 0.7);
      label = 'V';
    } else if (label === 'N' && u < pvcRate + pacRate) {
      t += interval * rng.uniform(0.6, 0.8);
      label = 'S';
    } else {
      t += interval;
      label = 'N';
    }
  }
  return out;
}
