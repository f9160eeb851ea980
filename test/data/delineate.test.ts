import test from 'node:test';
import assert from 'node:assert/strict';
import { delineateEcg, detectRPeaks, medianFilter, movingAverage, removeBaseline } from '../../src/data/delineate.js';
import { generateEcgStrip } from '../../src/data/synthetic/index.js';
import type { WaveSegment } from '../../src/data/annotations.js';
import { readWaveAnnotations, readWfdbRecord } from '../../src/node/data.js';
import { InvalidInputError } from '../../src/errors.js';
import { sharedData } from '../helpers.js';

/** Matches detected waves to reference waves of the same kind (peaks within 150 ms); errors in ms. */
function score(truth: WaveSegment[], found: WaveSegment[], fs: number, wave: string, lo: number, hi: number) {
  const ref = truth.filter((s) => s.wave === wave && s.peak >= lo && s.peak <= hi);
  const det = found.filter((s) => s.wave === wave);
  let hits = 0, on = 0, off = 0;
  for (const t of ref) {
    const m = det.find((d) => Math.abs(d.peak - t.peak) < 0.15 * fs);
    if (!m) continue;
    hits++;
    on += Math.abs(m.onset - t.onset);
    off += Math.abs(m.offset - t.offset);
  }
  const extra = det.filter((d) => d.peak >= lo && d.peak <= hi && !ref.some((t) => Math.abs(d.peak - t.peak) < 0.15 * fs)).length;
  return { sensitivity: hits / ref.length, extra, onsetMs: (on / hits) * (1000 / fs), offsetMs: (off / hits) * (1000 / fs) };
}

test('filters: moving average and running median known answers; baseline removal cancels a slow ramp', () => {
  assert.deepEqual(Array.from(movingAverage([1, 2, 3, 4, 5], 3)), [1.5, 2, 3, 4, 4.5]);
  assert.deepEqual(Array.from(medianFilter([5, 1, 9, 2, 8, 3], 3)), [3, 5, 2, 8, 3, 5.5]);
  const ramp = Float64Array.from({ length: 1000 }, (_, i) => 0.002 * i);
  const flat = removeBaseline(ramp, 250);
  for (let i = 100; i < 900; i++) assert.ok(Math.abs(flat[i]) < 1e-9);
});

test('delineator on synthetic strips: every R peak found within 10 ms, waves near their exact extents', () => {
  for (const seed of [3, 4]) {
    const strip = generateEcgStrip({ seconds: 10, seed, noise: 'none', rhythm: { pvcRate: 0, pacRate: 0 } });
    const d = delineateEcg(strip.signal, strip.fs);
    assert.equal(d.rPeaks.length, strip.rPeaks.length);
    strip.rPeaks.forEach((r, i) => assert.ok(Math.abs(d.rPeaks[i] - r) <= 0.01 * strip.fs, `R ${r} vs ${d.rPeaks[i]}`));
    assert.deepEqual(Array.from(detectRPeaks(strip.signal, strip.fs)), Array.from(d.rPeaks));
    const truth: WaveSegment[] = [];
    for (const b of strip.beats) {
      if (b.pOn >= 0) truth.push({ wave: 'p', onset: b.pOn, offset: b.pOff, peak: Math.round((b.pOn + b.pOff) / 2) });
      truth.push({ wave: 'N', onset: b.qrsOn, offset: b.qrsOff, peak: b.r });
      if (b.tOn >= 0) truth.push({ wave: 't', onset: b.tOn, offset: b.tOff, peak: Math.round((b.tOn + b.tOff) / 2) });
    }
    const lo = 0.5 * strip.fs, hi = strip.signal.length - 0.5 * strip.fs;
    const qrs = score(truth, d.waves, strip.fs, 'N', lo, hi), p = score(truth, d.waves, strip.fs, 'p', lo, hi), t = score(truth, d.waves, strip.fs, 't', lo, hi);
    assert.equal(qrs.sensitivity, 1);
    assert.ok(qrs.onsetMs < 25 && qrs.offsetMs < 25, JSON.stringify(qrs));
    assert.ok(p.sensitivity >= 0.9 && p.extra === 0 && p.onsetMs < 40 && p.offsetMs < 40, JSON.stringify(p));
    assert.ok(t.sensitivity >= 0.9 && t.extra === 0 && t.onsetMs < 60 && t.offsetMs < 60, JSON.stringify(t));
  }
});

const ludb = sharedData('ecg/ludb-record1');
test('delineator on LUDB record 1 (leads i, ii) against the expert annotations', { skip: ludb.skip }, (ctx) => {
  const rec = readWfdbRecord(`${ludb.path}/1`);
  const ann = readWaveAnnotations(`${ludb.path}/1`);
  const rows: string[] = [];
  for (const lead of [0, 1]) {
    const truth = ann[lead].waves;
    const lo = Math.min(...truth.map((s) => s.onset)), hi = Math.max(...truth.map((s) => s.offset));
    const d = delineateEcg(rec.physical[lead], rec.fs);
    const qrs = score(truth, d.waves, rec.fs, 'N', lo, hi), p = score(truth, d.waves, rec.fs, 'p', lo, hi), t = score(truth, d.waves, rec.fs, 't', lo, hi);
    rows.push(`${ann[lead].lead}: QRS on ${qrs.onsetMs.toFixed(1)} off ${qrs.offsetMs.toFixed(1)} ms; P on ${p.onsetMs.toFixed(1)} off ${p.offsetMs.toFixed(1)}; T on ${t.onsetMs.toFixed(1)} off ${t.offsetMs.toFixed(1)}`);
    for (const s of [qrs, p, t]) assert.ok(s.sensitivity === 1 && s.extra === 0, `${ann[lead].lead} ${JSON.stringify(s)}`);
    assert.ok(qrs.onsetMs < 25 && qrs.offsetMs < 30, `${ann[lead].lead} QRS ${JSON.stringify(qrs)}`);
    assert.ok(p.onsetMs < 30 && p.offsetMs < 30, `${ann[lead].lead} P ${JSON.stringify(p)}`);
    assert.ok(t.onsetMs < 60 && t.offsetMs < 35, `${ann[lead].lead} T ${JSON.stringify(t)}`);
  }
  ctx.diagnostic(rows.join(' | '));
});

test('delineator: given R peaks are used; bad input is rejected', () => {
  const strip = generateEcgStrip({ seconds: 4, seed: 5, noise: 'none', rhythm: { pvcRate: 0, pacRate: 0 } });
  const d = delineateEcg(strip.signal, strip.fs, { rPeaks: strip.rPeaks });
  assert.deepEqual(Array.from(d.rPeaks), Array.from(strip.rPeaks));
  assert.equal(d.waves.filter((w) => w.wave === 'N').length, strip.rPeaks.length);
  assert.throws(() => delineateEcg(new Float32Array(100), 360), InvalidInputError);
  assert.throws(() => delineateEcg(Float32Array.from({ length: 400 }, (_, i) => (i === 7 ? NaN : 0)), 360), /NaN/);
  assert.throws(() => delineateEcg(strip.signal, 20), /fs/);
  assert.throws(() => delineateEcg(strip.signal, strip.fs, { rPeaks: [-3] }), /rPeaks/);
});
