/**
 * Beat morphology of the synthetic ECG, after ECGSYN (P. E. McSharry, G. D. Clifford,
 * L. Tarassenko, L. A. Smith, "A dynamical model for generating synthetic electrocardiogram
 * signals", IEEE Trans. Biomed. Eng. 50(3):289-294, 2003). ECGSYN moves a point around a limit
 * cycle and integrates dz/dt = -sum_i a_i dtheta_i exp(-dtheta_i^2 / 2 b_i^2); with the baseline
 * relaxation term left out the solution is a sum of Gaussians in the phase theta, one per wave
 * (P, Q, R, S, T). We use that closed form directly: each wave is a Gaussian in time around the
 * R peak, with ECGSYN's heart-rate scaling of positions and widths. The Gaussians are truncated
 * to +-2.5 sigma and shifted so they reach exactly zero there, which makes every wave's support
 * (and hence wave labels and the region where two classes differ) exact.
 */

/** Per-sample wave codes. */
export const WAVE_NONE = 0;
export const WAVE_P = 1;
export const WAVE_QRS = 2;
export const WAVE_T = 3;

/** A wave kernel: truncated Gaussian of `amp` mV at `offset` s from its beat's R peak. */
export interface WaveKernel {
  offset: number;
  sigma: number;
  amp: number;
  wave: typeof WAVE_P | typeof WAVE_QRS | typeof WAVE_T;
}

/** Half-width of a kernel's support in sigmas. */
export const KERNEL_SUPPORT = 2.5;
const FLOOR = Math.exp(-(KERNEL_SUPPORT * KERNEL_SUPPORT) / 2);

/** Value of a unit-peak kernel at `dt` seconds from its centre; exactly 0 outside +-2.5 sigma. */
export function kernelValue(dt: number, sigma: number): number {
  const u = dt / sigma;
  if (u <= -KERNEL_SUPPORT || u >= KERNEL_SUPPORT) return 0;
  return (Math.exp(-0.5 * u * u) - FLOOR) / (1 - FLOOR);
}

/** Beat types: sinus (normal), premature atrial (supraventricular), premature ventricular. */
export type BeatLabel = 'N' | 'S' | 'V';

/**
 * The amplitudes and shape factors of one subject's beats. Offsets/widths below are ECGSYN's at
 * 60 bpm (theta = -70, -15, 0, 15, 100 degrees) with narrower Q/R/S so that the truncated QRS is
 * ~0.1 s wide; amplitudes in mV.
 */
export interface BeatShape {
  pAmp: number;
  qAmp: number;
  rAmp: number;
  sAmp: number;
  tAmp: number;
  /** Multiplies every sinus wave width. */
  widthScale: number;
  /** Premature atrial beat: P amplitude (negative = inverted), width factor, shift towards the QRS (s). */
  ectopicPAmp: number;
  ectopicPWidth: number;
  ectopicPShift: number;
  /** Premature ventricular beat: QRS widening factor and R/S amplitude factors. */
  vWidth: number;
  vRFactor: number;
  vSFactor: number;
  /** Premature ventricular beat: T amplitude factor (negative = discordant T), width factor, delay (s). */
  vTFactor: number;
  vTWidth: number;
  vTShift: number;
}

/** Offsets (s) and sigmas (s) of P, Q, R, S, T at 60 bpm. */
const BASE_OFFSET = [-70 / 360, -0.025, 0, 0.025, 100 / 360];
const BASE_SIGMA = [0.2 / (2 * Math.PI), 0.01, 0.012, 0.01, 0.35 / (2 * Math.PI)];

/**
 * The kernels of one beat of type `label` at heart rate `hr` (bpm), relative to its R peak.
 * ECGSYN scales phase positions by [f^0.5, f, 1, f, f^0.5] and widths by f, f = sqrt(hr/60);
 * one cycle lasts 60/hr s, so times scale by those factors over f^2.
 */
export function beatKernels(label: BeatLabel, hr: number, shape: BeatShape): WaveKernel[] {
  const f = Math.sqrt(hr / 60);
  const pos = [f ** -1.5, 1 / f, 1, 1 / f, f ** -1.5];
  const wid = 1 / f;
  const off = (i: number) => BASE_OFFSET[i] * pos[i];
  const sig = (i: number) => BASE_SIGMA[i] * wid * shape.widthScale;
  const kernels: WaveKernel[] = [];
  if (label === 'N') kernels.push({ offset: off(0), sigma: sig(0), amp: shape.pAmp, wave: WAVE_P });
  if (label === 'S') {
    kernels.push({ offset: off(0) + shape.ectopicPShift, sigma: sig(0) * shape.ectopicPWidth, amp: shape.ectopicPAmp, wave: WAVE_P });
  }
  const w = label === 'V' ? shape.vWidth : 1;
  const rF = label === 'V' ? shape.vRFactor : 1;
  const sF = label === 'V' ? shape.vSFactor : 1;
  kernels.push({ offset: off(1) * w, sigma: sig(1) * w, amp: shape.qAmp, wave: WAVE_QRS });
  kernels.push({ offset: 0, sigma: sig(2) * w, amp: shape.rAmp * rF, wave: WAVE_QRS });
  kernels.push({ offset: off(3) * w, sigma: sig(3) * w, amp: shape.sAmp * sF, wave: WAVE_QRS });
  kernels.push({
    offset: off(4) + (label === 'V' ? shape.vTShift : 0),
    sigma: sig(4) * (label === 'V' ? shape.vTWidth : 1),
    amp: shape.tAmp * (label === 'V' ? shape.vTFactor : 1),
    wave: WAVE_T,
  });
  return kernels;
}

/** Support [on, off] in seconds relative to R of the kernels of one wave; null if absent. */
export function waveExtent(kernels: WaveKernel[], wave: number): [number, number] | null {
  let on = Infinity, off = -Infinity;
  for (const k of kernels) {
    if (k.wave !== wave) continue;
    on = Math.min(on, k.offset - KERNEL_SUPPORT * k.sigma);
    off = Math.max(off, k.offset + KERNEL_SUPPORT * k.sigma);
  }
  return on === Infinity ? null : [on, off];
}

/**
 * Adds the kernels of a beat whose R peak is at `rTime` seconds into `out`, where sample j is at
 * time `t0 + j / fs`. Only samples inside each kernel's support are touched.
 */
export function addBeat(out: Float64Array, t0: number, fs: number, rTime: number, kernels: WaveKernel[]): void {
  for (const k of kernels) {
    const c = rTime + k.offset;
    const lo = Math.max(0, Math.ceil((c - KERNEL_SUPPORT * k.sigma - t0) * fs));
    const hi = Math.min(out.length - 1, Math.floor((c + KERNEL_SUPPORT * k.sigma - t0) * fs));
    for (let j = lo; j <= hi; j++) out[j] += k.amp * kernelValue(t0 + j / fs - c, k.sigma);
  }
}

/**
 * Writes wave codes of a beat into `codes` (same time grid as `addBeat`) for every sample where
 * that wave's kernels are non-zero. Priority: QRS over P over T, so a premature P on the
 * preceding T is labelled P.
 */
export function markWaves(codes: Uint8Array, t0: number, fs: number, rTime: number, kernels: WaveKernel[]): void {
  for (const wave of [WAVE_T, WAVE_P, WAVE_QRS]) {
    const ext = waveExtent(kernels, wave);
    if (!ext) continue;
    const [lo, hi] = sampleRange(ext, t0, fs, rTime, codes.length);
    for (let j = lo; j <= hi; j++) {
      const cur = codes[j];
      if (cur === WAVE_QRS || (cur === WAVE_P && wave === WAVE_T)) continue;
      codes[j] = wave;
    }
  }
}

/**
 * Indices [first, last] of the samples strictly inside an extent (kernels are 0 at its ends),
 * clipped to [0, length - 1]; first > last when none.
 */
export function sampleRange(ext: [number, number], t0: number, fs: number, rTime: number, length: number): [number, number] {
  const a = (rTime + ext[0] - t0) * fs, b = (rTime + ext[1] - t0) * fs;
  const first = Math.max(0, Number.isInteger(a) ? a + 1 : Math.ceil(a));
  const last = Math.min(length - 1, Number.isInteger(b) ? b - 1 : Math.floor(b));
  return [first, last];
}

/**
 * Draws one subject's beat shape. `discordantVT` gives premature ventricular beats an inverted,
 * broader, later T wave (as in real PVCs); without it their T wave equals the sinus one.
 */
export function drawBeatShape(rng: { uniform(lo: number, hi: number): number }, discordantVT: boolean): BeatShape {
  return {
    pAmp: rng.uniform(0.1, 0.25),
    qAmp: -rng.uniform(0.05, 0.2),
    rAmp: rng.uniform(0.8, 1.5),
    sAmp: -rng.uniform(0.1, 0.35),
    tAmp: rng.uniform(0.2, 0.45),
    widthScale: rng.uniform(0.9, 1.1),
    ectopicPAmp: -rng.uniform(0.08, 0.2),
    ectopicPWidth: rng.uniform(0.8, 1.1),
    ectopicPShift: rng.uniform(-0.02, 0.01),
    vWidth: rng.uniform(1.8, 2.5),
    vRFactor: rng.uniform(1.1, 1.5),
    vSFactor: rng.uniform(1.5, 2.5),
    vTFactor: discordantVT ? -rng.uniform(1, 1.5) : 1,
    vTWidth: discordantVT ? rng.uniform(1.1, 1.3) : 1,
    vTShift: discordantVT ? rng.uniform(0.06, 0.1) : 0,
  };
}
