import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { InvalidInputError } from '../../src/errors.js';
import { Attribution } from '../../src/explain/attribution.js';
import { upsample, gaussianBlur, gaussianKernel, windowStarts, boxIndices, gridSegments } from '../../src/explain/spatial.js';
import { explain, listMethods, methodClass } from '../../src/explain/index.js';
import { IntegratedGradients } from '../../src/explain/integrated-gradients.js';
import { pickRows } from '../../src/explain/gradient-rows.js';
import { assertClose } from '../helpers.js';
import { linearFunction, linearModel, testInput, useCpu } from './fixtures.js';

before(useCpu);

const attr = () => new Attribution({ method: 'X', values: Float32Array.from([1, -2, 3, 0, -1, 0.5, 2, 0]), shape: [2, 2, 2], rank: 1, targets: Int32Array.from([1, 0]), delta: Float32Array.from([0.1, 0.2]) });

test('Attribution: sign modes, normalisation, per-sample views, channel sums', () => {
  const a = attr();
  assert.deepEqual(Array.from(a.withSign('positive').values), [1, 0, 3, 0, 0, 0.5, 2, 0]);
  assert.deepEqual(Array.from(a.withSign('negative').values), [0, 2, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(a.withSign('absolute').values), [1, 2, 3, 0, 1, 0.5, 2, 0]);
  assertClose(a.normalize('maxabs').values, [1 / 3, -2 / 3, 1, 0, -0.5, 0.25, 1, 0]);
  assertClose(a.normalize('minmax').values, [0.6, 0, 1, 0.4, 0, 0.5, 1, 1 / 3]);
  assertClose(a.normalize('sum').values, [1 / 6, -2 / 6, 3 / 6, 0, -1 / 3.5, 0.5 / 3.5, 2 / 3.5, 0]);
  assert.deepEqual(Array.from(a.sums()), [2, 1.5]);
  const s1 = a.sample(1);
  assert.deepEqual(s1.shape, [1, 2, 2]);
  assert.deepEqual(Array.from(s1.values), [-1, 0.5, 2, 0]);
  assert.deepEqual(Array.from(s1.targets!), [0]);
  assert.deepEqual(Array.from(a.sumChannels().values), [-1, 3, -0.5, 2]);
  assert.deepEqual(a.sumChannels().shape, [2, 2, 1]);
  assert.throws(() => a.sampleValues(2), InvalidInputError);
  assert.throws(() => a.withSign('up' as never), InvalidInputError);
  const z = new Attribution({ method: 'Z', values: new Float32Array(4), shape: [1, 4], rank: 1 });
  assert.deepEqual(Array.from(z.normalize('minmax').values), [0, 0, 0, 0]);
});

test('Attribution: JSON round-trip and validation; NPY bytes have a valid header and data', () => {
  const a = attr();
  const back = Attribution.fromJSON(JSON.parse(JSON.stringify(a)));
  assert.deepEqual(back, a);
  assert.throws(() => Attribution.fromJSON({ method: 'X', shape: [2], rank: 1, values: [1] }), InvalidInputError);
  assert.throws(() => Attribution.fromJSON({ method: 'X', shape: [1], rank: 4, values: [1] }), InvalidInputError);
  const npy = a.toNpy();
  assert.deepEqual(Array.from(npy.subarray(0, 8)), [0x93, 78, 85, 77, 80, 89, 1, 0]);
  const hlen = npy[8] | (npy[9] << 8);
  assert.equal((10 + hlen) % 64, 0);
  const header = String.fromCharCode(...npy.subarray(10, 10 + hlen));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 2, 2\), \} *\n$/);
  assert.deepEqual(Array.from(new Float32Array(npy.slice(10 + hlen).buffer)), Array.from(a.values));
});

test('upsample: 1D linear with half-pixel centres; 2D bilinear; 3D trilinear is separable', () => {
  const u = tf.tidy(() => upsample(tf.tensor3d([0, 1], [1, 2, 1]), [4]).dataSync());
  assertClose(u, [0, 0.25, 0.75, 1]);
  const up1 = (v: number[], n: number) => Array.from(tf.tidy(() => upsample(tf.tensor3d(v, [1, v.length, 1]), [n]).dataSync()));
  const [a, b, c] = [[1, 3], [2, -1, 0.5], [0, 4]];
  const outer = (x: number[], y: number[], z: number[]) => x.flatMap((p) => y.flatMap((q) => z.map((r) => p * q * r)));
  const vol = tf.tensor(outer(a, b, c), [1, 2, 3, 2, 1]);
  const got = tf.tidy(() => upsample(vol, [5, 7, 3]).dataSync());
  assertClose(got, outer(up1(a, 5), up1(b, 7), up1(c, 3)), 1e-5);
  const img = tf.tensor(outer([1], a, b), [1, 2, 3, 1]);
  assertClose(tf.tidy(() => upsample(img, [4, 6]).dataSync()), outer([1], up1(a, 4), up1(b, 6)), 1e-5);
  const before = tf.memory().numTensors;
  upsample(vol, [2, 3, 2]).dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('gaussianBlur: constants are preserved, an impulse becomes the (separable) kernel', () => {
  const k = gaussianKernel(1);
  assertClose([k.reduce((p, q) => p + q, 0)], [1]);
  const imp = new Float32Array(21);
  imp[10] = 1;
  const b1 = tf.tidy(() => gaussianBlur(tf.tensor2d(imp, [1, 21]), 1).dataSync());
  assertClose(b1.subarray(7, 14), k, 1e-6);
  const im = new Float32Array(15 * 15);
  im[7 * 15 + 7] = 1;
  const b2 = tf.tidy(() => gaussianBlur(tf.tensor4d(im, [1, 15, 15, 1]), 1).dataSync());
  assertClose([b2[7 * 15 + 7], b2[6 * 15 + 8]], [k[3] * k[3], k[2] * k[4]], 1e-6);
  assertClose(tf.tidy(() => gaussianBlur(tf.fill([1, 4, 5, 3, 2], 2.5), [1, 2, 0.5]).dataSync()), new Array(120).fill(2.5), 1e-5);
});

test('windows and grid segments', () => {
  assert.deepEqual(windowStarts([5], [2], [2]), [[0], [2], [3]]);
  assert.deepEqual(windowStarts([3, 4], [2, 2], [1, 2]), [[0, 0], [0, 2], [1, 0], [1, 2]]);
  assert.deepEqual(Array.from(boxIndices([3, 4], [1, 2], [2, 2])), [6, 7, 10, 11]);
  assert.throws(() => windowStarts([3], [4], [1]), InvalidInputError);
  assert.deepEqual(Array.from(gridSegments([3, 4, 1], [2, 2])), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3]);
  assert.deepEqual(Array.from(gridSegments([5, 2], [2])), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
});

test('explain(): one signature for every method; names are forgiving; unknown names are listed', async () => {
  const names = listMethods().map((m) => m.name);
  for (const n of ['Saliency', 'IntegratedGradients', 'SmoothGrad', 'VarGrad', 'GradientShap', 'GradCAM', 'GradCAMPlusPlus', 'HiResCAM', 'XGradCAM', 'LayerCAM', 'EigenCAM', 'ScoreCAM', 'AblationCAM', 'Occlusion', 'FeatureAblation', 'ShapleyValueSampling', 'Lime', 'KernelShap', 'RISE', 'GuidedBackprop', 'Deconvolution', 'DeepLift', 'LRP', 'GuidedGradCAM', 'FullGrad', 'AttentionRollout', 'GradientRollout']) {
    assert.ok(names.includes(n), n);
  }
  assert.equal(methodClass('integrated-gradients'), IntegratedGradients);
  assert.ok(methodClass('gradcam++'));
  const { fn } = linearFunction([6]);
  const x = testInput([2, 6]);
  const a = await explain(fn, x, { method: 'integrated_gradients', target: 0, steps: 4 });
  const b = await new IntegratedGradients(fn).attribute(x, { target: 0, steps: 4 });
  assert.deepEqual(a.values, b.values);
  assert.equal(a.method, 'IntegratedGradients');
  assert.throws(() => methodClass('magic'), (e: unknown) => e instanceof InvalidInputError && /known: Saliency/.test(e.message));
});

test('pickRows: contiguous slices and one concatenation equal a gather (repeats, gaps, reversed)', () => {
  const src = testInput([5, 3, 2], 9);
  for (const rows of [[0, 1, 2, 3, 4], [2], [4, 4, 4], [0, 2, 3, 1, 1, 0], [4, 3, 2, 1, 0]]) {
    const got = tf.tidy(() => pickRows(src, Int32Array.from(rows)).dataSync());
    const want = tf.tidy(() => tf.gather(src, tf.tensor1d(rows, 'int32')).dataSync());
    assert.deepEqual(Array.from(got), Array.from(want), String(rows));
  }
  const before = tf.memory().numTensors;
  tf.tidy(() => pickRows(src, Int32Array.from([0, 1, 2, 3, 4]))).dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('targets: given class indices and, for methods that forward the input first, the predicted class cost no extra forward pass', async () => {
  const m = linearModel([[1, -1, 0.5], [0.5, 2, -1], [-1, 0.25, 1]], [0.1, 0, -0.2]);
  const layer = m.layers[0] as unknown as { call: (...a: unknown[]) => unknown };
  const call = layer.call.bind(layer);
  let calls = 0;
  layer.call = (...a: unknown[]) => (calls++, call(...a));
  const x = tf.tensor2d([[1, 0.5, -1], [-0.5, 1, 0.25], [0.2, -1, 2]]);
  const predicted = Array.from(tf.tidy(() => tf.argMax(m.predict(x) as tf.Tensor, 1).dataSync()));
  const count = async (method: string, options: Record<string, unknown>) => {
    calls = 0;
    const a = await explain(m, x, { method, ...options });
    return { calls, a };
  };
  for (const method of ['Saliency', 'InputXGradient', 'GuidedBackprop', 'LRP']) {
    const free = await count(method, {});
    assert.equal(free.calls, 1, `${method}: one forward pass for the predicted class`);
    assert.deepEqual(Array.from(free.a.targets!), predicted);
    const given = await count(method, { target: predicted });
    assert.equal(given.calls, 1, `${method}: one forward pass for given classes`);
    assert.deepEqual(Array.from(given.a.values), Array.from(free.a.values));
  }
  // DeepLift runs input and baseline in one batch; the delta needs no further pass.
  assert.equal((await count('DeepLift', {})).calls, 1);
  // Occlusion needs the unperturbed scores: one pass for them (lazily), one per chunk.
  const occ = await count('Occlusion', { target: 1, window: [1], internalBatchSize: 9 });
  assert.equal(occ.calls, 2);
  assert.deepEqual(Array.from(occ.a.targets!), [1, 1, 1]);
  await assert.rejects(explain(m, x, { method: 'Saliency', target: 3 }), InvalidInputError);
  await assert.rejects(explain(m, x, { method: 'Saliency', target: [0, 1] }), InvalidInputError);
});
