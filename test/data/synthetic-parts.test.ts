import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/random.js';
import { InvalidInputError } from '../../src/errors.js';
import {
  addEcgNoise, assignLabels, checkInt, checkLabels, checkRange, checkSeed, deriveSeed, drawAnatomy, generateCardiacCt,
  generateChestXrays, generateEcgBeats, lungAngle, lungMarkings, lungRadius, MAX_MARKING, resolveEcgNoise, rrProcess, toCanonical,
} from '../../src/data/synthetic/index.js';
import type { ProgressEvent } from '../../src/progress.js';

/** Amplitude of the sinusoid of frequency f in a signal sampled at fs (least squares over whole periods). */
function amplitudeAt(signal: ArrayLike<number>, fs: number, f: number): number {
  let c = 0, s = 0;
  for (let j = 0; j < signal.length; j++) {
    c += signal[j] * Math.cos((2 * Math.PI * f * j) / fs);
    s += signal[j] * Math.sin((2 * Math.PI * f * j) / fs);
  }
  return (2 * Math.hypot(c, s)) / signal.length;
}

test('deriveSeed, assignLabels and the option checks', () => {
  const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(1, i)));
  assert.equal(seeds.size, 1000);
  assert.notEqual(deriveSeed(1, 5), deriveSeed(2, 5));
  assert.equal(deriveSeed(3, 4, 5), deriveSeed(3, 4, 5));
  const labels = assignLabels(10, [1, 1, 1], new Rng(1));
  assert.deepEqual([0, 1, 2].map((k) => labels.filter((v) => v === k).length).sort(), [3, 3, 4]);
  const skew = assignLabels(100, [0.7, 0.3], new Rng(2));
  assert.equal(skew.filter((v) => v === 1).length, 30);
  assert.notDeepEqual([...assignLabels(50, [1, 1], new Rng(3))], [...assignLabels(50, [1, 1], new Rng(4))]);
  assert.deepEqual([...checkLabels([0, 2, 1], 3, 3)], [0, 2, 1]);
  assert.throws(() => checkLabels([0, 1.5], 2, 3), InvalidInputError);
  assert.equal(checkInt('k', 3, 1, 5), 3);
  assert.throws(() => checkInt('k', 6, 1, 5), /k: must be an integer in \[1, 5\], got 6/);
  assert.throws(() => checkRange('r', NaN, 0, 1), InvalidInputError);
  assert.throws(() => checkSeed(Infinity), /seed/);
});

test('RR process: requested standard deviation and LF/HF power ratio', () => {
  const rr = rrProcess(0.8, { rrStd: 0.03, lfHfRatio: 0.5 }, new Rng(5));
  const fs = 4, series = Float64Array.from({ length: 4 * 3600 }, (_, j) => rr(j / fs) - 0.8);
  const std = Math.sqrt(series.reduce((a, b) => a + b * b, 0) / series.length);
  assert.ok(Math.abs(std / 0.03 - 1) < 0.15, `rr std ${std}`);
  // Power in each band: sum of squared amplitudes over the spectral lines of the band.
  const band = (lo: number, hi: number) => { let p = 0; for (let f = lo; f <= hi + 1e-9; f += 0.0025) p += amplitudeAt(series, fs, f) ** 2; return p; };
  const ratio = band(0.07, 0.13) / band(0.22, 0.28);
  assert.ok(Math.abs(ratio - 0.5) < 0.1, `LF/HF ${ratio}`);
});

test('ECG noise: powerline amplitude and frequency, EMG standard deviation', () => {
  const fs = 500, buf = new Float64Array(fs * 10);
  addEcgNoise(buf, 0, fs, resolveEcgNoise({ baselineWander: 0, powerline: 0.05, powerlineHz: 60, emg: 0 }), new Rng(1));
  assert.ok(Math.abs(amplitudeAt(buf, fs, 60) - 0.05) < 1e-6);
  assert.ok(amplitudeAt(buf, fs, 50) < 1e-6);
  const emg = new Float64Array(20000);
  addEcgNoise(emg, 0, fs, resolveEcgNoise({ baselineWander: 0, powerline: 0, emg: 0.02 }), new Rng(2));
  const sd = Math.sqrt(emg.reduce((a, b) => a + b * b, 0) / emg.length);
  assert.ok(Math.abs(sd - 0.02) < 0.001, `emg sd ${sd}`);
  const none = resolveEcgNoise('none');
  assert.equal(none.baselineWander + none.powerline + none.emg, 0);
  assert.throws(() => resolveEcgNoise({ powerlineHz: 0 }), /powerlineHz/);
});

test('CXR anatomy helpers: pose, lung radius and angle, marking range', () => {
  const a = drawAnatomy(new Rng(1), false);
  const identity = { ...a, scale: 1, rot: 0, du: 0, dv: 0 };
  assert.deepEqual(toCanonical(identity, 0, 0, 4), [-0.75, -0.75]);
  const l = a.lungs[0];
  assert.equal(lungRadius(l, l.cu, l.cv), 0);
  assert.ok(Math.abs(lungRadius(l, l.cu, l.cv + l.av) - 1) < 1e-12, 'base of the lung on the pleura');
  assert.ok(Math.abs(lungAngle(l, l.cu - l.au / 2, l.cv)) < 1e-12, 'right lung: lateral is image left');
  assert.ok(Math.abs(lungAngle(a.lungs[1], a.lungs[1].cu + 0.1, a.lungs[1].cv) - 0) < 1e-12, 'left lung: lateral is image right');
  assert.ok(Math.abs(lungAngle(l, l.cu, l.cv - 0.2) - 90) < 1e-12, 'apex is up');
  for (let k = 0; k < 500; k++) {
    const m = lungMarkings(a, Math.cos(k) * 0.9, Math.sin(k * 1.3) * 0.9, (k % 10) / 10);
    assert.ok(m >= 0 && m <= MAX_MARKING, `marking ${m}`);
  }
});

test('generators report progress', () => {
  const events: ProgressEvent[] = [];
  generateEcgBeats({ n: 1100, seed: 1, onProgress: (e) => events.push(e) });
  generateChestXrays({ n: 65, size: 16, seed: 1, onProgress: (e) => events.push(e) });
  generateCardiacCt({ n: 17, size: 16, seed: 1, onProgress: (e) => events.push(e) });
  assert.deepEqual(events.map((e) => `${e.task} ${e.done}/${e.total}`), [
    'synthetic:ecg-beats 1024/1100', 'synthetic:ecg-beats 1100/1100',
    'synthetic:cxr 64/65', 'synthetic:cxr 65/65',
    'synthetic:ct 16/17', 'synthetic:ct 17/17',
  ]);
});
