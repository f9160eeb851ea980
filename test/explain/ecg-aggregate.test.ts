import test from 'node:test';
import assert from 'node:assert/strict';
import { aggregateEcgAttribution, aggregateEcgRelevance, codesFromSegments, segmentsFromCodes } from '../../src/explain/ecg-aggregate.js';
import { Attribution } from '../../src/explain/attribution.js';
import { generateEcgStrip } from '../../src/data/synthetic/index.js';
import type { WaveSegment } from '../../src/data/annotations.js';
import { InvalidInputError } from '../../src/errors.js';
import { tf } from '../../src/backend/tf.js';
import { learnDeletionMask } from '../../src/explain/deletion-mask.js';
import { linearInfill } from '../../src/explain/infill/index.js';

// Two beats on 40 samples: R at 10 and 30.
const segs: WaveSegment[] = [
  { wave: 'p', onset: 2, peak: 4, offset: 5 }, { wave: 'N', onset: 8, peak: 10, offset: 12 }, { wave: 't', onset: 15, peak: 17, offset: 19 },
  { wave: 'p', onset: 22, peak: 24, offset: 25 }, { wave: 'N', onset: 28, peak: 30, offset: 32 }, { wave: 't', onset: 35, peak: 37, offset: 39 },
];

test('per-wave, per-beat and per-RR sums, fractions and densities by hand', () => {
  const rel = Float64Array.from({ length: 40 }, (_, i) => (i >= 8 && i <= 12 ? 2 : i >= 35 ? 1 : 0)); // QRS1 = 10, T2 = 5
  const s = aggregateEcgRelevance(rel, { segments: segs });
  assert.equal(s.total, 15);
  assert.equal(s.waves.QRS.sum, 10);
  assert.equal(s.waves.QRS.samples, 10);
  assert.ok(Math.abs(s.waves.QRS.fraction - 2 / 3) < 1e-12);
  assert.equal(s.waves.QRS.density, 1);
  assert.ok(Math.abs(s.waves.QRS.relativeDensity - (2 / 3) / (10 / 40)) < 1e-12);
  assert.equal(s.waves.T.sum, 5);
  assert.equal(s.waves.P.sum, 0);
  assert.equal(s.waves.none.samples, 40 - 8 - 10 - 10);
  assert.equal(s.beats.length, 2);
  assert.deepEqual([s.beats[0].start, s.beats[0].end, s.beats[1].start, s.beats[1].end], [0, 20, 20, 40]);
  assert.equal(s.beats[0].sum, 10);
  assert.equal(s.beats[0].qrs!.sum, 10);
  assert.equal(s.beats[1].t!.sum, 5);
  assert.equal(s.beats[1].p!.sum, 0);
  assert.deepEqual(s.rr.map((r) => [r.from, r.to, r.sum]), [[10, 30, 2 * 3 + 0]]); // samples 10..12 of QRS1 are in RR [10, 30)
  assert.equal(s.source, 'segments');
  // the same from per-sample codes
  const codes = codesFromSegments(segs, 40);
  const c = aggregateEcgRelevance(rel, { codes });
  assert.equal(c.waves.QRS.sum, 10);
  assert.deepEqual(c.beats.map((b) => b.r), [10, 30]);
  assert.deepEqual(segmentsFromCodes(codes).map((x) => [x.wave, x.onset, x.offset]), segs.map((x) => [x.wave, x.onset, x.offset]));
});

test('with the delineator: relevance on the true QRS of a synthetic strip lands in the QRS', () => {
  const strip = generateEcgStrip({ seconds: 6, seed: 7, noise: 'none', rhythm: { pvcRate: 0, pacRate: 0 } });
  const rel = Float64Array.from(strip.waves, (w) => (w === 2 ? 1 : 0));
  const s = aggregateEcgRelevance(rel, { signal: strip.signal, fs: strip.fs });
  assert.equal(s.source, 'delineator');
  // the delineated QRS is narrower than the kernel supports that define the true QRS (~17 ms each side)
  assert.ok(s.waves.QRS.fraction > 0.5 && s.waves.P.fraction + s.waves.T.fraction < 0.2, JSON.stringify(s.waves));
  assert.ok(s.waves.QRS.relativeDensity > 5);
  assert.equal(s.beats.length, strip.rPeaks.length);
  const exact = aggregateEcgRelevance(rel, { codes: strip.waves, rPeaks: strip.rPeaks });
  assert.equal(exact.waves.QRS.fraction, 1);
  assert.equal(exact.rr.length, strip.rPeaks.length - 1);
});

test('aggregating an attribution: one lead or the sum over leads, sign handling, errors', () => {
  const t = 40;
  const v = new Float32Array(t * 2);
  for (let i = 8; i <= 12; i++) { v[i * 2] = -1; v[i * 2 + 1] = 3; }
  const a = new Attribution({ method: 'X', values: v, shape: [1, t, 2], rank: 1 });
  assert.equal(aggregateEcgAttribution(a, { segments: segs, lead: 0 }).waves.QRS.sum, 5);
  assert.equal(aggregateEcgAttribution(a, { segments: segs }).waves.QRS.sum, 20);
  assert.equal(aggregateEcgAttribution(a, { segments: segs, sign: 'all' }).waves.QRS.sum, 10);
  assert.throws(() => aggregateEcgAttribution(a, { segments: segs, lead: 2 }), /lead/);
  assert.throws(() => aggregateEcgRelevance([1, 2], {}), InvalidInputError);
  assert.throws(() => aggregateEcgRelevance([1, NaN], { codes: [0, 0] }), /NaN/);
  assert.throws(() => aggregateEcgRelevance([1, 2], { codes: [0] }), /codes/);
  assert.throws(() => aggregateEcgRelevance([1, 2], { codes: [0, 7] }), /code 7/);
  const img = new Attribution({ method: 'X', values: new Float32Array(4), shape: [1, 2, 2, 1], rank: 2 });
  assert.throws(() => aggregateEcgAttribution(img, { segments: segs }), /rank/);
});

test('end to end: a deletion mask with infill on a QRS-only model puts most relevance on the QRS complexes', async (ctx) => {
  await tf.setBackend('cpu');
  const strip = generateEcgStrip({ seconds: 3, fs: 180, seed: 11, noise: 'none', rhythm: { pvcRate: 0, pacRate: 0 } });
  const t = strip.signal.length;
  // score = sum of |x| over the QRS samples (weights sign(x) there, 0 elsewhere)
  const w = tf.tensor1d(Float32Array.from(strip.signal, (v, i) => (strip.waves[i] === 2 ? Math.sign(v) : 0)));
  const model = (x: tf.Tensor) => tf.reshape(tf.sum(tf.mul(tf.reshape(x, [x.shape[0], t]), w), 1), [-1, 1]);
  const x = tf.tensor(strip.signal, [1, t, 1]);
  const r = await learnDeletionMask(model, x, { target: 0, perturbation: linearInfill({ noise: 0 }), grid: [t / 4], steps: 80, learningRate: 0.2, infillEvery: 5, lambdaTv: 0.05 });
  assert.ok(r.deletedScores[0] < 0.5 * r.baseScores[0], `deleted ${r.deletedScores[0]} base ${r.baseScores[0]}`);
  const s = aggregateEcgAttribution(r.attribution, { codes: strip.waves, rPeaks: strip.rPeaks });
  assert.ok(s.waves.QRS.relativeDensity > 2 * s.waves.P.relativeDensity && s.waves.QRS.relativeDensity > 2 * s.waves.T.relativeDensity, JSON.stringify(s.waves));
  assert.ok(s.waves.QRS.relativeDensity > 2, `QRS relative density ${s.waves.QRS.relativeDensity}`);
  ctx.diagnostic(`mask fraction P ${s.waves.P.fraction.toFixed(3)} QRS ${s.waves.QRS.fraction.toFixed(3)} T ${s.waves.T.fraction.toFixed(3)}; relative density P ${s.waves.P.relativeDensity.toFixed(2)} QRS ${s.waves.QRS.relativeDensity.toFixed(2)} T ${s.waves.T.relativeDensity.toFixed(2)}; score ${r.baseScores[0].toFixed(2)} -> ${r.deletedScores[0].toFixed(2)}`);
  tf.dispose([w, x]);
});
