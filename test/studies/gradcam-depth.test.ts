import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { initNodeBackend } from '../../src/backend/node.js';
import { buildModel } from '../../src/models/zoo.js';
import { generateChestXrays } from '../../src/data/synthetic/cxr.js';
import { rankCorrelation, roundForJson, timed } from '../../src/studies/common.js';
import { resolveSettings, runGradcamDepthStudy, depthVerdict, type GradcamDepthRun } from '../../src/studies/gradcam-depth.js';
import { dilateMasks, localisationScores, regionRelevance, randomisationLayers } from '../../src/studies/gradcam-depth-metrics.js';
import { areaFraction, methodsFor, weightLayerCount, pickRows } from '../../src/studies/gradcam-depth-models.js';
import { gradcamDepthOutputs, maskContour } from '../../src/studies/gradcam-depth-report.js';
import { resizeHannover } from '../../src/studies/gradcam-depth-hannover.js';
import { loadHannover, runGradcamDepthCommand, writeStudyOutputs } from '../../src/cli/commands/study.js';
import { runCli } from '../../src/cli/main.js';
import { InvalidInputError } from '../../src/errors.js';
import { sharedData, tmpDir } from '../helpers.js';

const hannoverDir = sharedData('cxr/hannover/data.csv');
const inUnit = (v: number | null, what: string) => assert.ok(v === null || (v >= -1e-6 && v <= 1 + 1e-6), `${what} = ${v} outside [0, 1]`);

// Tiny settings: the quick preset shrunk further so the end-to-end run stays well under a minute.
before(async () => {
  await initNodeBackend(process.env.MEDLENS_BACKEND ?? 'wasm');
});

// Decoding the 80 Hannover PNGs takes seconds: load them once for both tests that use them.
let hannoverCache: ReturnType<typeof loadHannover> | undefined;
const hannoverData = () => (hannoverCache ??= loadHannover(path.dirname(hannoverDir.path)));

const TINY = { archs: ['vgg11', 'vit-tiny'] as const, nTrain: 24, nVal: 8, nTest: 12, explainCount: 3, figuresPerArch: 1, deletionSteps: 4 };

test('rankCorrelation: exact permutation p-values on known orderings', () => {
  const up = rankCorrelation([1, 2, 3, 4], [10, 20, 30, 40]);
  assert.equal(up.rho, 1);
  assert.ok(Math.abs(up.pPositive - 1 / 24) < 1e-12); // only the identity pairing reaches rho = 1
  const down = rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1]);
  assert.equal(down.rho, -1);
  assert.equal(down.pPositive, 1);
  const gaps = rankCorrelation([1, 2, NaN, 4], [1, 2, 3, 4]);
  assert.equal(gaps.n, 3); // the non-finite pair is dropped
  assert.ok(Number.isNaN(rankCorrelation([1, 2], [2, 1]).rho)); // too few points
});

test('depthVerdict: holds unless quality rises significantly with depth', () => {
  const corr = (rho: number, p: number) => [{ measure: 'auc', withDepth: { rho, pPositive: p, n: 8 }, withAccuracy: { rho: 0, pPositive: 0.5, n: 8 } }];
  const learned = [0.9, 0.95, 0.8, 0.6];
  assert.equal(depthVerdict(corr(0.95, 0.001), learned).holds, false);
  assert.equal(depthVerdict(corr(0.4, 0.2), learned).holds, true);
  const neg = depthVerdict(corr(-0.6, 0.95), learned);
  assert.equal(neg.holds, true);
  assert.equal(neg.conclusive, true);
  assert.equal(neg.learnedModels, 3);
  assert.match(neg.explanation, /rho = -0\.60/);
  const chance = depthVerdict(corr(-0.6, 0.95), [0.5, 0.55, 0.8, 0.6]);
  assert.equal(chance.conclusive, false); // only one model beat chance
  assert.match(chance.explanation, /INCONCLUSIVE: only 1 of 4/);
});

test('localisation path: the ground-truth mask as attribution scores perfectly, its complement scores 0', async () => {
  const ds = generateChestXrays({ n: 4, size: 32, seed: 3, labels: [1, 1, 1, 1] });
  const x = { data: ds.x, shape: ds.shape };
  const thresholds = [0.25, 0.5, 0.75];
  const perfect = await localisationScores(x, { values: ds.relevance, shape: [4, 32, 32] }, ds.relevance, thresholds);
  assert.equal(perfect.pointingGame, 1);
  assert.equal(perfect.relevanceMassAccuracy, 1);
  assert.equal(perfect.relevanceRankAccuracy, 1);
  assert.equal(perfect.auc, 1);
  assert.deepEqual(perfect.iou, [1, 1, 1]);
  assert.equal(perfect.diceMean, 1);
  const inverse = Float32Array.from(ds.relevance, (v) => 1 - v);
  const worst = await localisationScores(x, { values: inverse, shape: [4, 32, 32] }, ds.relevance, thresholds);
  assert.equal(worst.relevanceMassAccuracy, 0);
  assert.equal(worst.pointingGame, 0);
  assert.equal(worst.auc, 0);
  assert.deepEqual(worst.iou, [0, 0, 0]);
});

test('regionRelevance: relevance spread evenly over lesion and confounder splits by pixel count', async () => {
  const ds = generateChestXrays({ n: 6, size: 32, seed: 5, labels: [1, 1, 1, 1, 1, 1], confounder: { kind: 'text-marker', correlation: 1 } });
  const both = Float32Array.from(ds.relevance, (v, p) => v || ds.confounderMask![p]);
  const P = 32 * 32;
  let expected = 0, carried = 0;
  for (let i = 0; i < 6; i++) {
    if (!ds.confounderPresent![i]) continue;
    let c = 0, l = 0;
    for (let p = i * P; p < (i + 1) * P; p++) (c += ds.confounderMask![p]), (l += ds.relevance[p]);
    expected += c / (c + l);
    carried++;
  }
  assert.ok(carried > 0);
  const got = await regionRelevance({ data: ds.x, shape: ds.shape }, { values: both, shape: [6, 32, 32] }, ds.confounderMask!, ds.confounderPresent!);
  assert.ok(Math.abs(got - expected / carried) < 1e-6, `${got} vs ${expected / carried}`);
});

test('dilateMasks grows each mask by a square neighbourhood, per sample, minus excluded pixels', () => {
  const size = 7, P = size * size;
  const masks = new Uint8Array(2 * P);
  masks[3 * size + 3] = 1; // sample 0: one centre pixel
  masks[P + 0] = 1; // sample 1: the top-left corner
  const exclude = new Uint8Array(2 * P);
  exclude[2 * size + 2] = 1; // a lesion pixel inside sample 0's 3x3 neighbourhood
  const d = dilateMasks(masks, size, 1, exclude);
  const on = (i: number) => d.subarray(i * P, (i + 1) * P).reduce((a, b) => a + b, 0);
  assert.equal(on(0), 9 - 1); // 3x3 block minus the excluded pixel
  assert.equal(d[2 * size + 2], 0);
  assert.equal(d[4 * size + 4], 1);
  assert.equal(on(1), 4); // clipped at the border: 2x2, nothing leaks from sample 0
  assert.equal(on(0) + on(1), d.reduce((a, b) => a + b, 0));
  assert.deepEqual(dilateMasks(masks, size, 0), masks);
  const wide = dilateMasks(masks, size, 3);
  assert.equal(wide.subarray(0, P).reduce((a, b) => a + b, 0), 49); // 7x7 covers the whole image
});

test('weightLayerCount counts conv and dense kernels; methods and layer subsets', () => {
  const vgg = buildModel('vgg11', { inputShape: [32, 32, 1], numClasses: 2, width: 0.125 });
  assert.equal(weightLayerCount(vgg), 11); // 8 convs + 3 fully connected (config A)
  const res = buildModel('resnet18', { inputShape: [32, 32, 1], numClasses: 2, width: 0.125 });
  assert.equal(weightLayerCount(res), 21); // 17 convs + 3 downsample 1x1 convs + fc
  const layers = randomisationLayers(res, 3);
  assert.equal(layers.length, 3);
  assert.equal(layers[0], 'logits'); // top first
  assert.equal(layers[2], 'conv1'); // ... down to the stem
  vgg.dispose();
  res.dispose();
  assert.deepEqual(methodsFor('vit-small').at(-1), 'AttentionRollout');
  assert.equal(methodsFor('resnet50').length, 3);
  assert.deepEqual(Array.from(pickRows(Float32Array.of(0, 1, 2, 3, 4, 5), [2, 0], 2)), [4, 5, 0, 1]);
  // sample 0: 1 of 4 pixels, sample 1 not carrying it, sample 2: 3 of 4 -> (0.25 + 0.75) / 2
  assert.equal(areaFraction(Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0), [1, 0, 1], 4), 0.5);
  assert.ok(Number.isNaN(areaFraction(undefined, undefined, 4)));
});

test('maskContour keeps only the boundary of a filled square', () => {
  const m = new Uint8Array(25);
  for (let r = 1; r <= 3; r++) for (let c = 1; c <= 3; c++) m[r * 5 + c] = 1;
  const edge = maskContour(m, 5, 5);
  assert.equal(edge.reduce((a, b) => a + b, 0), 8);
  assert.equal(edge[2 * 5 + 2], 0); // the centre is interior
});

test('settings: bad overrides are InvalidInputErrors naming the field', () => {
  assert.throws(() => resolveSettings(true, { nTest: 2 }), (e) => e instanceof InvalidInputError && /nTest/.test(e.message));
  assert.throws(() => resolveSettings(true, { vitPatch: 5 }), (e) => e instanceof InvalidInputError && /vitPatch/.test(e.message));
  assert.equal(resolveSettings(false).size, 64);
});

test('Hannover loader joins images, masks and ICU labels', { skip: hannoverDir.skip }, () => {
  const h = hannoverData();
  assert.equal(h.ids.length, 40);
  assert.equal(h.labels.reduce((a, b) => a + b, 0), 26); // rows with an icu_admission_offset (counted independently with Python's csv)
  const { lungs } = resizeHannover(h, 32);
  const frac = lungs.reduce((a, b) => a + b, 0) / lungs.length;
  assert.ok(frac > 0.15 && frac < 0.6, `lung fraction ${frac}`);
});

let first: GradcamDepthRun | undefined;

test('quick study runs end to end with valid, deterministic results', async () => {
  const hannover = hannoverDir.skip ? undefined : hannoverData();
  const { value: run, seconds } = await timed(() => runGradcamDepthStudy({ seed: 7, quick: true, overrides: { ...TINY, archs: [...TINY.archs] }, hannover }));
  first = run;
  const out = gradcamDepthOutputs(run, { seed: 7, quick: true, runtimeSeconds: seconds, backend: 'test' });
  const json = JSON.parse(JSON.stringify(out.json));
  assert.equal(json.study, 'gradcam-depth');
  const models = json.results.models;
  assert.equal(models.length, 4); // 2 archs x 2 variants
  for (const m of models) {
    inUnit(m.accuracy, 'accuracy');
    inUnit(m.auroc, 'auroc');
    assert.ok(m.depth > 0 && m.params > 0);
    assert.equal(m.methods.length, m.arch === 'vit-tiny' ? 4 : 3);
    for (const s of m.methods) {
      for (const k of ['pointingGame', 'relevanceMassAccuracy', 'relevanceRankAccuracy', 'auc', 'iouMean', 'diceMean', 'deletionAuc', 'confounderRelevance']) inUnit(s[k], `${m.arch} ${s.method} ${k}`);
      assert.equal(s.iou.length, 3);
      assert.equal(s.samples, 3);
    }
    assert.ok(m.methods[0].deletionAuc !== null, 'Grad-CAM deletion AUC computed');
    for (const v of m.randomisation.similarity) assert.ok(v === null || (v >= -1 && v <= 1));
    assert.equal(m.randomisation.layers.length, 2);
    if (m.variant === 'clean') assert.equal(m.confounderAreaFraction, null);
    else inUnit(m.confounderAreaFraction, 'confounder area');
  }
  // the clean variant has no confounder, so no relevance on it
  assert.ok(models.filter((m: { variant: string }) => m.variant === 'clean').every((m: { methods: { confounderRelevance: unknown }[] }) => m.methods[0].confounderRelevance === null));
  for (const c of json.results.correlations.clean) {
    assert.ok(c.withDepth.rho === null || Math.abs(c.withDepth.rho) <= 1);
    inUnit(c.withDepth.pPositive, 'p');
  }
  const v = json.results.verdict;
  assert.equal(typeof v.holds, 'boolean');
  assert.equal(v.holds, !(v.rho > 0 && v.pPositive < 0.05));
  assert.equal(v.conclusive, v.learnedModels >= 3 && v.rho !== null);
  if (!hannoverDir.skip) {
    const h = json.results.hannover;
    assert.equal(h.images, 40);
    inUnit(h.relevanceInLungs, 'relevance in lungs');
    assert.ok(h.lungAreaFraction > 0.15 && h.lungAreaFraction < 0.6);
  }
  // every figure the HTML references is among the files, and is a PNG
  const refs = [...out.html.matchAll(/src="([^"]+)"/g)].map((r) => r[1]);
  assert.ok(refs.length >= 4);
  for (const r of refs) assert.deepEqual(Array.from(out.files[r].subarray(1, 4)), [0x50, 0x4e, 0x47]);
  assert.match(out.html, /deeper is not more reliable/);
  const dir = tmpDir();
  const written = writeStudyOutputs(dir, out);
  assert.ok(written.every((f) => fs.existsSync(f)));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')).results, roundForJson(json.results));
});

test('same seed, same numbers (clean variant rerun alone); another seed differs', async () => {
  assert.ok(first, 'needs the end-to-end run');
  const again = await runGradcamDepthStudy({ seed: 7, quick: true, overrides: { ...TINY, archs: ['vgg11'], variants: ['clean'] } });
  const a = first.results.models.find((m) => m.arch === 'vgg11' && m.variant === 'clean')!;
  const b = again.results.models[0];
  assert.equal(b.accuracy, a.accuracy);
  assert.equal(b.auroc, a.auroc);
  assert.deepEqual(b.methods.map((m) => m.auc), a.methods.map((m) => m.auc));
  assert.deepEqual(b.randomisation.similarity, a.randomisation.similarity);
  const other = await runGradcamDepthStudy({ seed: 8, quick: true, overrides: { ...TINY, archs: ['vgg11'], variants: ['clean'], epochs: 1 } });
  const summary = (m: typeof a) => [m.auroc, m.methods[0].deletionAuc, ...m.methods.map((x) => x.auc)];
  assert.notDeepEqual(summary(other.results.models[0]), summary(a));
});

test('CLI: an unknown architecture is a one-line user error (exit 2) before any work', async () => {
  const code = await runCli(['node', 'medlens', 'study', 'gradcam-depth', '--quick', '--archs', 'vgg12', '--out', tmpDir()]);
  assert.equal(code, 2);
  await assert.rejects(runGradcamDepthCommand({ seed: 'x', out: tmpDir() }), InvalidInputError);
});
