import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { graphOf } from '../../src/explain/graph.js';
import { defaultCamLayer, splitAt } from '../../src/explain/layer-split.js';
import { GradCAM } from '../../src/explain/gradcam.js';
import { IntegratedGradients } from '../../src/explain/integrated-gradients.js';
import { buildModel, camLayerName, type ModelArch } from '../../src/models/index.js';
import { assertClose } from '../helpers.js';
import { seeded, testInput, useCpu } from './fixtures.js';

before(useCpu);

test('ModelGraph reproduces a functional model with branches, concat and a nested model; split + tail = model', () => {
  const innerIn = tfl.input({ shape: [4] });
  const inner = tfl.model({ inputs: innerIn, outputs: tfl.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: seeded(1) }).apply(innerIn) as tfl.SymbolicTensor, name: 'inner' });
  const inp = tfl.input({ shape: [6, 3] });
  const c = tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c', kernelInitializer: seeded(2) }).apply(inp) as tfl.SymbolicTensor;
  const a = tfl.layers.conv1d({ filters: 2, kernelSize: 1, name: 'a', kernelInitializer: seeded(3) }).apply(c) as tfl.SymbolicTensor;
  const b = tfl.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same', name: 'b', kernelInitializer: seeded(4) }).apply(c) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([a, b]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalMaxPooling1d({}).apply(cat) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, kernelInitializer: seeded(5) }).apply(inner.apply(pooled)) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: inp, outputs: out });
  const x = testInput([3, 6, 3], 2);
  const [want, got, viaTail] = tf.tidy(() => {
    const split = splitAt(m, 'c');
    const { activation, values } = split.forward(x);
    return [(m.predict(x) as tf.Tensor).dataSync(), graphOf(m).forward(x).dataSync(), split.tail(activation, values).dataSync()];
  });
  assertClose(got, want, 1e-6);
  assertClose(viaTail, want, 1e-6);
  assert.equal(defaultCamLayer(m), 'b');
  assert.equal(splitAt(m, 'c'), splitAt(m, 'c'), 'splits are cached per (model, layer)');
});

const ZOO: [ModelArch, number[], Record<string, number>][] = [
  ['resnet18', [32, 32, 3], { width: 0.125 }],
  ['densenet121', [32, 32, 1], { width: 0.125 }],
  ['vgg11', [32, 32, 1], { width: 0.125 }],
  ['ecg-cnn', [64, 2], { depth: 2 }],
  ['ecg-lstm', [32, 2], { width: 0.25 }],
];

for (const [arch, shape, extra] of ZOO) {
  test(`zoo ${arch}: the graph executor matches predict; Grad-CAM on its CAM layer and IG run without leaks`, async () => {
    const m = buildModel(arch, { inputShape: shape, numClasses: 3, seed: 1, ...extra });
    const x = testInput([2, ...shape], 1);
    const [want, got] = tf.tidy(() => [(m.predict(x) as tf.Tensor).dataSync(), graphOf(m).forward(x).dataSync()]);
    assertClose(got, want, 1e-5, 1e-4);
    const before = tf.memory().numTensors;
    const layer = camLayerName(arch, extra) ?? undefined;
    const cam = await new GradCAM(m).attribute(x, { layer, target: 2 });
    assert.deepEqual(cam.shape, [2, ...shape.slice(0, -1), 1]);
    assert.ok(cam.values.every(Number.isFinite));
    const ig = await new IntegratedGradients(m).attribute(x, { target: 2, steps: 4 });
    assert.ok(ig.values.every(Number.isFinite));
    assert.equal(tf.memory().numTensors, before, 'no leaks');
  });
}
