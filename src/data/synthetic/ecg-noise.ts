/**
 * Heart-rate variability and measurement noise for the synthetic ECG (after ECGSYN, McSharry et
 * al. 2003: RR tachogram with a bimodal LF/HF spectrum; baseline wander, mains hum, EMG noise).
 */
import { InvalidInputError } from '../../errors.js';
import { Rng } from '../../util/random.js';
import { checkRange } from './common.js';

/** Noise amplitudes in mV; 0 turns a component off. */
export interface EcgNoise {
  /** Amplitude of baseline wander (two slow sinusoids, 0.05-0.5 Hz, respiration-like). */
  baselineWander: number;
  /** Amplitude of mains interference. */
  powerline: number;
  /** Mains frequency in Hz (50 or 60). */
  powerlineHz: number;
  /** Standard deviation of white EMG-like noise. */
  emg: number;
}

/** Default noise: visible but mild, like a clean ambulatory lead. */
export const DEFAULT_ECG_NOISE: EcgNoise = { baselineWander: 0.1, powerline: 0.02, powerlineHz: 50, emg: 0.02 };

/** Resolves a noise option: 'none', partial overrides of the defaults, or undefined (defaults). */
export function resolveEcgNoise(noise: Partial<EcgNoise> | 'none' | undefined): EcgNoise {
  if (noise === 'none') return { baselineWander: 0, powerline: 0, powerlineHz: 50, emg: 0 };
  if (noise !== undefined && (typeof noise !== 'object' || noise === null)) {
    throw new InvalidInputError('noise', `must be 'none' or an object of amplitudes, got ${String(noise)}`);
  }
  const n = { ...DEFAULT_ECG_NOISE, ...(noise ?? {}) };
  checkRange('noise.baselineWander', n.baselineWander, 0, 10);
  checkRange('noise.powerline', n.powerline, 0, 10);
  checkRange('noise.powerlineHz', n.powerlineHz, 1, 1000);
  checkRange('noise.emg', n.emg, 0, 10);
  return n;
}

/**
 * Adds noise to `out` (sample j at time t0 + j/fs). Always draws the same number of random values
 * for a given length, whatever the amplitudes, so callers' later draws stay aligned.
 */
export function addEcgNoise(out: Float64Array, t0: number, fs: number, noise: EcgNoise, rng: Rng): void {
  const bw = [0, 1].map(() => ({ f: rng.uniform(0.05, 0.5), ph: rng.uniform(0, 2 * Math.PI), a: rng.uniform(0.4, 1) }));
  const plPhase = rng.uniform(0, 2 * Math.PI);
  for (let j = 0; j < out.length; j++) {
    const t = t0 + j / fs;
    let v = 0;
    for (const c of bw) v += noise.baselineWander * c.a * Math.sin(2 * Math.PI * c.f * t + c.ph);
    v += noise.powerline * Math.sin(2 * Math.PI * noise.powerlineHz * t + plPhase);
    v += noise.emg * rng.normal();
    out[j] += v;
  }
}

/** Heart-rate variability of the RR process. */
export interface Hrv {
  /** Standard deviation of the RR intervals in seconds. */
  rrStd: number;
  /** Ratio of low-frequency (Mayer waves, 0.1 Hz) to high-frequency (respiratory, 0.25 Hz) power. */
  lfHfRatio: number;
}

/** ECGSYN-like defaults: LF/HF 0.5, RR std 30 ms. */
export const DEFAULT_HRV: Hrv = { rrStd: 0.03, lfHfRatio: 0.5 };

/**
 * RR-interval function of time: mean + a random-phase sum of sinusoids whose power follows
 * ECGSYN's bimodal spectrum (Gaussians at 0.1 and 0.25 Hz, 0.01 Hz wide, power ratio lfHfRatio).
 * Equivalent to ECGSYN's inverse FFT with random phases, evaluated at any time.
 */
export function rrProcess(rrMean: number, hrv: Hrv, rng: Rng): (t: number) => number {
  const freqs: number[] = [], amps: number[] = [], phases: number[] = [];
  const gauss = (f: number, mu: number) => Math.exp(-((f - mu) ** 2) / (2 * 0.01 * 0.01));
  for (let f = 0.02; f <= 0.45; f += 0.0025) {
    const s = hrv.lfHfRatio * gauss(f, 0.1) + gauss(f, 0.25);
    freqs.push(f);
    amps.push(Math.sqrt(s));
    phases.push(rng.uniform(0, 2 * Math.PI));
  }
  // Scale so the process has the requested standard deviation (each sinusoid has variance a^2/2).
  const power = amps.reduce((acc, a) => acc + (a * a) / 2, 0);
  const scale = power > 0 ? hrv.rrStd / Math.sqrt(power) : 0;
  return (t: number) => {
    let v = rrMean;
    for (let k = 0; k < freqs.length; k++) v += scale * amps[k] * Math.cos(2 * Math.PI * freqs[k] * t + phases[k]);
    return Math.max(0.25 * rrMean, v);
  };
}
