import test from 'node:test';
import assert from 'node:assert/strict';
import { initNodeBackend } from '../../src/backend/node.js';
import { generateEcgBeats } from '../../src/data/synthetic/ecg-beats.js';
import { runEcgLstmStudy, type EcgLstmSettings, type EcgLstmStudyResult } from '../../src/studies/ecg-lstm.js';
import { interpolate, localisationScores, waveFractions } from '../../src/studies/ecg-lstm-metrics.js';
import { competenceCheck, studyVerdict, MASK_METHOD } from '../../src/studies/ecg-lstm-verdict.js';
import { stratifiedIndices } from '../../src/studies/ecg-lstm-data.js';
import { compareDelineation, cutWindows } from '../../src/studies/ecg-lstm-delineation.js';
import { ecgLstmOutputs } from '../../src/studies/ecg-lstm-report.js';

await initNodeBackend();

// Tiny: 60 Hz beats (T = 45), one epoch, three explained beats; about 20-40 s per run on 2 cores.
const TINY: Partial<EcgLstmSettings> = {
  fs: 60, nTrain: 48, nTest: 12, epochs: 1, nExplain: 3, nSanity: 2, infillSteps: 4,
  methods: { igSteps: 4, smoothGradSamples: 2, occlusionWindow: 9, occlusionStride: 9, maskSteps: 4, internalBatchSize: 64 },
};

/** The results without wall-clock timings (the only non-deterministic fields). */
function withoutTimings(r: EcgLstmStudyResult): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === 'trainSeconds' || k === 'secondsPerBeat' || k === 'totalSeconds' ? undefined : v)));
}

test('localisation path: the exact relevance fed as attribution scores 1; its complement 0', async () => {
  const ds = generateEcgBeats({ n: 6, seed: 3, fs: 60, neighbours: false });
  const batch = { x: ds.x, shape: ds.shape, y: ds.y };
  const perfect = await localisationScores(batch, Float32Array.from(ds.relevance), ds.relevance);
  assert.equal(perfect.relevanceMassAccuracy, 1);
  assert.equal(perfect.relevanceRankAccuracy, 1);
  assert.equal(perfect.auc, 1);
  const inverse = await localisationScores(batch, Float32Array.from(ds.relevance, (v) => 1 - v), ds.relevance);
  assert.equal(inverse.relevanceMassAccuracy, 0);
  assert.equal(inverse.auc, 0);
  // signs are ignored: -relevance localises as well as +relevance
  const negative = await localisationScores(batch, Float32Array.from(ds.relevance, (v) => -v), ds.relevance);
  assert.equal(negative.relevanceMassAccuracy, 1);
});

test('wave fractions: relevance on the QRS only gives QRS = 1; uniform relevance gives the wave lengths', () => {
  const ds = generateEcgBeats({ n: 4, seed: 5, fs: 60, neighbours: false });
  const onQrs = Float32Array.from(ds.waves, (w) => (w === 2 ? 0.7 : 0));
  assert.deepEqual(waveFractions(onQrs, ds.waves, 4), [0, 0, 1, 0]);
  const uniform = new Float32Array(ds.waves.length).fill(-2);
  const T = ds.shape[1];
  const expected = [0, 1, 2, 3].map((c) => {
    let s = 0;
    for (let i = 0; i < 4; i++) s += ds.waves.subarray(i * T, (i + 1) * T).filter((w) => w === c).length / T;
    return s / 4;
  });
  waveFractions(uniform, ds.waves, 4).forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-6, `code ${k}: ${v} vs ${expected[k]}`));
  assert.ok(waveFractions(new Float32Array(ds.waves.length), ds.waves, 4).every(Number.isNaN));
});

test('interpolate reads a curve between its points', () => {
  assert.equal(interpolate([0, 0.25, 0.5], [1, 0.5, 0], 0.1), 0.8);
  assert.equal(interpolate([0, 0.25, 0.5], [1, 0.5, 0], 0.25), 0.5);
  assert.equal(interpolate([0, 0.25, 0.5], [1, 0.5, 0], 0.5), 0);
});

test('verdict: decided from the numbers', () => {
  const m = (name: string, drop: number, mass: number) => ({ name, deletion: { scoreDrop: drop, auc: 1 - drop, dropFraction: 0.1 }, localisation: { relevanceMassAccuracy: mass } });
  const yes = studyVerdict([m('Saliency', 0.1, 0.4), m(MASK_METHOD, 0.3, 0.8)], 'exact');
  assert.equal(yes.holds, true);
  assert.match(yes.statement, /HOLDS/);
  const no = studyVerdict([m('Saliency', 0.5, 0.4), m(MASK_METHOD, 0.3, 0.8)], 'exact');
  assert.equal(no.holds, false);
  assert.equal(no.maskHasLargestDrop, false);
  assert.equal(no.maskMostPlausible, true);
  assert.deepEqual(no.largestScoreDrop, { method: 'Saliency', value: 0.5 });
  assert.match(no.statement, /DOES NOT HOLD/);
  assert.deepEqual(no.weakModels, []);
  assert.doesNotMatch(no.statement, /CAUTION/);
  const weak = competenceCheck({ lstm: { balancedAccuracy: 0.6 }, cnn: { balancedAccuracy: 0.9 } }, { model: 1, linear: 2 }, 0.8, 3);
  const cautious = studyVerdict([m('Saliency', 0.1, 0.4), m(MASK_METHOD, 0.3, 0.8)], 'exact', MASK_METHOD, weak);
  assert.equal(cautious.holds, true);
  assert.deepEqual(cautious.weakModels, ['lstm']);
  assert.match(cautious.statement, /HOLDS.*CAUTION: this rests on weak models \(ECG LSTM balanced accuracy 0\.600 < 0\.8\)/);
});

test('competence check: a warning per classifier below the threshold and for an infill no better than linear', () => {
  const ok = competenceCheck({ lstm: { balancedAccuracy: 0.97 }, cnn: { balancedAccuracy: 0.8 } }, { model: 0.5, linear: 1.5 }, 0.8, 3);
  assert.deepEqual(ok, []);
  const bad = competenceCheck({ lstm: { balancedAccuracy: 0.456 }, cnn: { balancedAccuracy: NaN } }, { model: 1.524, linear: 1.125 }, 0.8, 4);
  assert.deepEqual(bad.map((w) => w.model), ['lstm', 'cnn', 'infill']);
  assert.match(bad[0].message, /^WARNING: the ECG LSTM balanced accuracy 0\.456 < 0\.8 on held-out beats \(chance 0\.250\)/);
  assert.match(bad[1].message, /Grad-CAM/);
  assert.match(bad[2].message, /1\.524 >= linear interpolation 1\.125/);
});

test('stratified beat choice and wave windows', () => {
  assert.deepEqual(stratifiedIndices([0, 0, 0, 1, 2, 2], 3, 4), [0, 1, 3, 4]);
  assert.deepEqual(stratifiedIndices([1, 1], 3, 5), [0, 1]);
  // labels at 360 Hz cut at 120 Hz around R = 30: every third sample
  const labels = Uint8Array.from({ length: 60 }, (_, i) => i % 4);
  assert.deepEqual(Array.from(cutWindows(labels, [30], 360, 120, 2, 4)), [labels[24], labels[27], labels[30], labels[33]]);
  const waves = [{ wave: 'p', onset: 10, peak: 15, offset: 20 }, { wave: 'N', onset: 30, peak: 35, offset: 40 }, { wave: 't', onset: 60, peak: 70, offset: 80 }];
  const same = compareDelineation(waves, waves, 500, 100, { record: 'r', lead: 'ii' });
  assert.ok(same.waves.every((w) => w.matched === 1 && w.sampleF1 === 1 && w.onsetErrorMs === 0));
  const shifted = compareDelineation(waves.map((w) => ({ ...w, onset: w.onset + 5 })), waves, 500, 100, { record: 'r', lead: 'ii' });
  assert.ok(shifted.waves.every((w) => w.onsetErrorMs === 10 && w.offsetErrorMs === 0));
});

test('quick study end to end: structure, metric ranges, determinism, outputs', async () => {
  const a = await runEcgLstmStudy({ seed: 11, quick: true, settings: TINY });
  const b = await runEcgLstmStudy({ seed: 11, quick: true, settings: TINY });
  assert.deepEqual(withoutTimings(a), withoutTimings(b));
  assert.equal(a.datasets.length, 1);
  const d = a.datasets[0];
  assert.equal(d.name, 'synthetic');
  assert.deepEqual(d.methods.map((m) => m.name), [
    'Saliency', 'IntegratedGradients', 'SmoothGrad', 'Occlusion (zero)', 'Occlusion (generative infill)', MASK_METHOD, 'Grad-CAM (1D-CNN)',
  ]);
  assert.equal(d.explainedBeats, 3);
  for (const m of d.methods) {
    const inUnit = (v: number, what: string) => assert.ok(v >= 0 && v <= 1, `${m.name} ${what} = ${v}`);
    inUnit(m.deletion.auc, 'deletion AUC');
    assert.ok(Math.abs(m.deletion.scoreDrop) <= 1, `${m.name} drop`);
    assert.equal(m.deletion.fractions.length, 21);
    inUnit(m.localisation.relevanceMassAccuracy, 'mass accuracy');
    inUnit(m.localisation.relevanceRankAccuracy, 'rank accuracy');
    inUnit(m.localisation.auc, 'AUC');
    const f = m.waveFractions;
    assert.ok(Math.abs(f.outside + f.P + f.QRS + f.T - 1) < 1e-5, `${m.name} fractions sum`);
    assert.ok(Math.abs(m.randomisation.meanSimilarity) <= 1 + 1e-6, `${m.name} similarity ${m.randomisation.meanSimilarity} ${m.randomisation.perLayer}`);
    assert.equal(m.randomisation.perLayer.length, m.randomisation.layers.length);
    assert.ok(m.secondsPerBeat > 0);
  }
  assert.equal(typeof d.verdict.holds, 'boolean');
  assert.equal(d.verdict.holds, d.verdict.maskHasLargestDrop && d.verdict.maskMostPlausible);
  assert.notEqual(d.verdictLstmOnly.mostPlausible.method, 'Grad-CAM (1D-CNN)');
  assert.notEqual(d.verdictLstmOnly.largestScoreDrop.method, 'Grad-CAM (1D-CNN)');
  const out = ecgLstmOutputs(a, { command: 'test', runtimeSeconds: 1 });
  const json = out.json as { results: { datasets: { methods: unknown[] }[] } };
  assert.equal(json.results.datasets[0].methods.length, 7);
  assert.match(out.html, /Verdict: The claim/);
  // one epoch on 48 beats: the models are weak, and every output says so
  assert.ok(d.warnings.length > 0 && d.warnings.every((w) => w.startsWith('WARNING: ')));
  assert.ok(d.verdict.weakModels.length > 0);
  assert.match(d.verdict.statement, /CAUTION: this rests on weak models/);
  assert.deepEqual((out.json.results as { warnings: string[] }).warnings, d.warnings.map((w) => `[synthetic] ${w}`));
  assert.match(out.html, /Competence checks \(held-out balanced accuracy &gt;= 0\.8 per classifier[^<]*FAILED: \[synthetic\] WARNING/);
  assert.ok(d.models.lstm.bestEpoch >= 1 && d.models.lstm.bestEpoch <= d.models.lstm.epochs);
  assert.ok(Number.isFinite(d.infill.losses.first) && d.infill.losses.max >= d.infill.losses.first);
  const pngs = Object.entries(out.files);
  assert.equal(pngs.length, d.traces.length * 7);
  for (const [name, bytes] of pngs) {
    assert.match(name, /^figures\/synthetic-[a-z]+-[a-z0-9-]+\.png$/);
    assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
    assert.ok(out.html.includes(name));
  }
});
