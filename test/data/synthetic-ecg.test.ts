import test from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors.js';
import {
  generateEcgBeats, generateEcgStrip, kernelValue, WAVE_NONE, WAVE_P, WAVE_QRS, WAVE_T,
} from '../../src/data/synthetic/index.js';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Runs of equal codes in a window: [code, first, last]. */
function runs(codes: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let j = 0; j < codes.length; j++) {
    if (j > 0 && codes[j] === codes[j - 1]) out[out.length - 1][2] = j;
    else out.push([codes[j], j, j]);
  }
  return out;
}

test('kernel is a unit-peak Gaussian truncated to exactly zero at +-2.5 sigma', () => {
  assert.equal(kernelValue(0, 0.01), 1);
  assert.equal(kernelValue(0.025, 0.01), 0);
  assert.equal(kernelValue(-0.03, 0.01), 0);
  const c = Math.exp(-3.125);
  assert.ok(Math.abs(kernelValue(0.01, 0.01) - (Math.exp(-0.5) - c) / (1 - c)) < 1e-12);
});

test('ECG beats: deterministic from the seed, shapes, balanced classes', () => {
  const a = generateEcgBeats({ n: 100, seed: 7 });
  const b = generateEcgBeats({ n: 100, seed: 7 });
  const c = generateEcgBeats({ n: 100, seed: 8 });
  for (const k of ['x', 'y', 'relevance', 'waves', 'rr'] as const) assert.ok(bytes(a[k]).equals(bytes(b[k])), k);
  assert.ok(!bytes(a.x).equals(bytes(c.x)), 'other seed differs');
  assert.deepEqual(a.shape, [100, 270, 1]); // 0.3 s + 0.45 s at 360 Hz
  assert.equal(a.x.length, 100 * 270);
  assert.equal(a.relevance.length, 100 * 270);
  assert.equal(a.rr.length, 200);
  assert.deepEqual(a.classNames, ['N', 'S', 'V']);
  assert.equal(a.fs, 360);
  const counts = [0, 0, 0];
  for (const v of a.y) counts[v]++;
  assert.deepEqual([...counts].sort(), [33, 33, 34]);
  assert.ok(a.x.every(Number.isFinite), 'finite');
  const two = generateEcgBeats({ n: 10, seed: 1, classes: ['N', 'V'], fs: 250, before: 50, after: 100 });
  assert.deepEqual(two.shape, [10, 150, 1]);
  assert.deepEqual([...two.y].filter((v) => v === 1).length, 5);
});

test('ECG beats: counterfactual twins differ exactly on the relevance mask', () => {
  for (const neighbours of [true, false]) {
    const n = 60;
    const twins = [0, 1, 2].map((k) => generateEcgBeats({ n, seed: 11, labels: new Array(n).fill(k), neighbours }));
    const T = twins[0].shape[1];
    let relevant = 0, relevantDiffer = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < T; j++) {
        const at = i * T + j;
        const r = twins[0].relevance[at];
        assert.equal(twins[1].relevance[at], r, 'mask is the same for all twins');
        assert.equal(twins[2].relevance[at], r);
        const v = twins.map((d) => d.x[at]);
        const differ = v[0] !== v[1] || v[0] !== v[2];
        if (!r) assert.ok(!differ, `sample ${i} t=${j} differs outside the mask`);
        else { relevant++; if (differ) relevantDiffer++; }
      }
    }
    // Inside the mask the noise-free signals differ; after float32 rounding nearly all still do.
    assert.ok(relevantDiffer / relevant > 0.97, `${relevantDiffer}/${relevant}`);
    const frac = relevant / (n * T);
    assert.ok(frac > 0.1 && frac < (neighbours ? 0.8 : 0.5), `relevant fraction ${frac}`);
    // Swapping the relevant samples of an S beat for those of its N twin gives the N twin exactly.
    const hybrid = Float32Array.from(twins[1].x, (v, at) => (twins[0].relevance[at] ? twins[0].x[at] : v));
    assert.ok(bytes(hybrid).equals(bytes(twins[0].x)), 'hybrid equals the N twin');
  }
});

test('ECG beats: wave labels match the signal (exact supports, P before QRS before T)', () => {
  const d = generateEcgBeats({ n: 90, seed: 3, noise: 'none', neighbours: false });
  const T = d.shape[1], B = 108;
  for (let i = 0; i < 90; i++) {
    const x = d.x.subarray(i * T, (i + 1) * T), w = d.waves.subarray(i * T, (i + 1) * T);
    const cls = d.classNames[d.y[i]];
    // Noise-free, a single beat: the signal is exactly 0 outside its waves.
    for (let j = 0; j < T; j++) if (w[j] === WAVE_NONE) assert.equal(x[j], 0, `sample ${i} t=${j}`);
    assert.equal(w[B], WAVE_QRS, 'R peak lies in the QRS');
    const rs = runs(w).filter((r) => r[0] !== WAVE_NONE);
    const q = rs.findIndex((r) => r[0] === WAVE_QRS);
    // R peak is the maximum of the QRS (to one sample).
    let arg = rs[q][1];
    for (let j = rs[q][1]; j <= rs[q][2]; j++) if (x[j] > x[arg]) arg = j;
    assert.ok(Math.abs(arg - B) <= 1, `R at ${arg}`);
    if (cls === 'V') assert.equal(w.indexOf(WAVE_P), -1, 'a PVC has no P wave');
    else {
      assert.equal(rs[q - 1][0], WAVE_P, 'P precedes the QRS');
      const pMean = x.subarray(rs[q - 1][1], rs[q - 1][2] + 1).reduce((a, b) => a + b, 0);
      assert.ok(cls === 'N' ? pMean > 0 : pMean < 0, 'sinus P upright, ectopic P inverted');
    }
    assert.ok(rs.slice(q + 1).some((r) => r[0] === WAVE_T), 'T follows the QRS');
    assert.equal(w.lastIndexOf(WAVE_QRS) < w.lastIndexOf(WAVE_T), true);
    // RR: premature beats have a short preceding RR; a PVC a compensatory pause.
    const [pre, post] = [d.rr[2 * i], d.rr[2 * i + 1]];
    if (cls === 'N') assert.ok(pre > 0.55 && Math.abs(pre / post - 1) < 0.12, `sample ${i}`);
    else assert.ok(pre < 0.8 * post, `${cls} pre ${pre} post ${post}`);
  }
});

test('ECG beats: a hand-made rule on the relevant region is perfect; the rest carries no class signal', () => {
  const d = generateEcgBeats({ n: 300, seed: 5, neighbours: false, noise: 'none' });
  const T = d.shape[1], B = 108;
  for (let i = 0; i < 300; i++) {
    const x = d.x.subarray(i * T, (i + 1) * T), r = d.relevance.subarray(i * T, (i + 1) * T);
    // QRS width at half the R amplitude, and the mean of the relevant samples before the QRS.
    let width = 0;
    for (let j = B; j < T && x[j] > x[B] / 2; j++) width++;
    for (let j = B - 1; j >= 0 && x[j] > x[B] / 2; j--) width++;
    let p = 0;
    for (let j = 0; j < B - 22; j++) if (r[j]) p += x[j];
    const pred = width > 10.5 ? 'V' : p < 0 ? 'S' : 'N';
    assert.equal(pred, d.classNames[d.y[i]], `sample ${i}`);
  }
  // With noise: per-class means of the irrelevant samples agree within their standard error.
  const noisy = generateEcgBeats({ n: 600, seed: 6 });
  const stats = [0, 1, 2].map(() => ({ n: 0, s: 0, s2: 0 }));
  for (let i = 0; i < 600; i++) {
    let m = 0, c = 0;
    for (let j = 0; j < T; j++) if (!noisy.relevance[i * T + j]) { m += noisy.x[i * T + j]; c++; }
    m /= c;
    const st = stats[noisy.y[i]];
    st.n++; st.s += m; st.s2 += m * m;
  }
  const mean = stats.map((s) => s.s / s.n), se = stats.map((s, k) => Math.sqrt((s.s2 / s.n - mean[k] ** 2) / s.n));
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
    assert.ok(Math.abs(mean[a] - mean[b]) < 4 * Math.hypot(se[a], se[b]), `irrelevant means ${mean}`);
  }
});

test('ECG strip: beats, wave labels and rhythm', () => {
  const s = generateEcgStrip({ seconds: 60, fs: 360, heartRate: 75, seed: 4, rhythm: { pvcRate: 0.1, pacRate: 0.1 } });
  assert.equal(s.signal.length, 21600);
  assert.ok(bytes(s.signal).equals(bytes(generateEcgStrip({ seconds: 60, heartRate: 75, seed: 4, rhythm: { pvcRate: 0.1, pacRate: 0.1 } }).signal)));
  assert.ok(s.beats.length > 65 && s.beats.length < 85, `${s.beats.length} beats`);
  const labels = s.beats.map((b) => b.label);
  assert.ok(labels.includes('V') && labels.includes('S'), 'ectopics present');
  const rr = s.beats.slice(1).map((b, k) => (b.r - s.beats[k].r) / 360);
  for (let k = 1; k < s.beats.length - 1; k++) {
    const b = s.beats[k];
    assert.equal(s.waves[b.r], WAVE_QRS);
    assert.ok(b.qrsOn <= b.r && b.r <= b.qrsOff && b.qrsOff < b.tOn, `beat ${k}`);
    if (b.label === 'V') {
      assert.equal(b.pOn, -1);
      // Compensatory pause: coupling + pause = two sinus intervals (within HRV).
      const two = rr[k - 1] + rr[k];
      assert.ok(rr[k - 1] < rr[k] && Math.abs(two / (2 * 60 / 75) - 1) < 0.25, `${rr[k - 1]} + ${rr[k]}`);
      assert.ok(b.qrsOff - b.qrsOn > 0.15 * 360, 'wide QRS');
    } else {
      assert.ok(b.pOn < b.pOff && b.pOff < b.qrsOn, `beat ${k}`);
      assert.equal(s.waves[Math.round((b.pOn + b.pOff) / 2)], WAVE_P);
      assert.ok(b.qrsOff - b.qrsOn < 0.13 * 360, `beat ${k}`);
    }
    if (b.label === 'S') assert.ok(rr[k - 1] < 0.85 * rr[k], `beat ${k}`);
  }
  const sinus = generateEcgStrip({ seconds: 20, seed: 1, rhythm: { pvcRate: 0, pacRate: 0 }, noise: 'none' });
  assert.ok(sinus.beats.every((b) => b.label === 'N'), 'sinus only');
  for (let j = 0; j < sinus.signal.length; j++) if (sinus.waves[j] === WAVE_NONE) assert.equal(sinus.signal[j], 0);
  assert.ok([WAVE_P, WAVE_T].every((w) => sinus.waves.includes(w)), 'P and T labelled');
});

test('ECG generators reject bad options with InvalidInputError', () => {
  assert.throws(() => generateEcgBeats({ n: 0, seed: 1 }), InvalidInputError);
  assert.throws(() => generateEcgBeats({ n: 3, seed: NaN }), InvalidInputError);
  assert.throws(() => generateEcgBeats({ n: 3, seed: 1, classes: ['N', 'N'] }), InvalidInputError);
  assert.throws(() => generateEcgBeats({ n: 3, seed: 1, labels: [0, 1] }), /labels/);
  assert.throws(() => generateEcgBeats({ n: 2, seed: 1, labels: [0, 3] }), /labels/);
  assert.throws(() => generateEcgBeats({ n: 2, seed: 1, noise: { emg: -1 } }), /noise.emg/);
  assert.throws(() => generateEcgStrip({ seconds: 10, seed: 1, heartRate: Infinity }), /heartRate/);
  assert.throws(() => generateEcgStrip({ seconds: 10, seed: 1, rhythm: { pvcRate: 0.7, pacRate: 0.7 } }), /rhythm/);
});

test('ECG generation speed: 1,000 beats', () => {
  const t = performance.now();
  generateEcgBeats({ n: 1000, seed: 1 });
  const ms = performance.now() - t;
  console.log(`# 1000 ECG beats in ${ms.toFixed(0)} ms`);
  assert.ok(ms < 3000, `${ms} ms`);
});
