import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { InvalidInputError } from '../../src/errors.js';
import {
  archInfo,
  buildModel,
  camLayerName,
  listArchitectures,
  trainableParamCount,
  vggParamCount,
  type ModelArch,
} from '../../src/models/index.js';

await initNodeBackend();

const smallShape = (arch: ModelArch) => (listArchitectures().find((a) => a.name === arch)!.spatialRanks[0] === 1 ? [64, 2] : [32, 32, 3]);
const smallOpts = (arch: ModelArch) => ({
  inputShape: smallShape(arch),
  numClasses: 3,
  width: 0.25,
  depth: arch.startsWith('vit') ? 2 : undefined,
  patchSize: 8,
});

function convCount(m: tfl.LayersModel): number {
  return m.layers.filter((l) => ['Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose'].includes(l.getClassName())).length;
}

test('every architecture builds small, outputs logits of the right shape and names its CAM layer', () => {
  assert.equal(listArchitectures().length, 14);
  for (const a of listArchitectures()) {
    const opts = smallOpts(a.name);
    const m = buildModel(a.name, opts);
    const x = tf.ones([2, ...opts.inputShape]);
    const y = m.predict(x) as tf.Tensor;
    const want = a.output === 'pixels' ? [2, 32, 32, 3] : [2, 3];
    assert.deepEqual(y.shape, want, a.name);
    assert.ok(Array.from(y.dataSync()).every(Number.isFinite), `${a.name} finite`);
    const logits = m.getLayer('logits');
    assert.equal(m.outputs[0].sourceLayer, logits, `${a.name}: output comes from 'logits'`);
    assert.equal(logits.getConfig().activation, 'linear', `${a.name}: no softmax`);
    const cam = camLayerName(a.name, { depth: opts.depth });
    assert.ok(cam && m.getLayer(cam), `${a.name}: CAM layer ${cam}`);
    assert.equal(m.name, a.name);
    tf.dispose([x, y]);
    m.dispose();
  }
});

test('parameter counts of the standard configs match torchvision/timm', () => {
  // Known counts: torchvision resnet18/34/50, densenet121; timm vit_tiny/small_patch16_224.
  const cases: [ModelArch, number[], number][] = [
    ['resnet18', [32, 32, 3], 11_689_512],
    ['resnet34', [32, 32, 3], 21_797_672],
    ['resnet50', [32, 32, 3], 25_557_032],
    ['densenet121', [32, 32, 3], 7_978_856],
    ['vit-tiny', [224, 224, 3], 5_717_416],
  ];
  for (const [arch, inputShape, want] of cases) {
    const m = buildModel(arch, { inputShape, numClasses: 1000 });
    assert.equal(trainableParamCount(m), want, arch);
    m.dispose();
  }
});

test('VGG parameter count from config: torchvision values at 224 px, and equal to a built model', () => {
  const opts = { inputShape: [224, 224, 3], numClasses: 1000, batchNorm: false };
  assert.equal(vggParamCount('vgg11', opts), 132_863_336);
  assert.equal(vggParamCount('vgg16', opts), 138_357_544);
  assert.equal(vggParamCount('vgg19', opts), 143_667_240);
  assert.equal(vggParamCount('vgg16', { ...opts, batchNorm: true }), 138_365_992); // vgg16_bn
  for (const batchNorm of [false, true]) {
    for (const arch of ['vgg11', 'vgg16', 'vgg19'] as const) {
      const small = { inputShape: [64, 48, 2], numClasses: 5, width: 0.125, batchNorm };
      const m = buildModel(arch, small);
      assert.equal(trainableParamCount(m), vggParamCount(arch, small), `${arch} bn=${batchNorm}`);
      m.dispose();
    }
  }
});

test('conv layer counts of the standard depths', () => {
  const want: [ModelArch, number][] = [
    ['vgg11', 8],
    ['vgg16', 13],
    ['vgg19', 16],
    ['resnet18', 20], // 1 stem + 16 block convs + 3 shortcuts
    ['resnet34', 36], // 1 + 32 + 3
    ['resnet50', 53], // 1 + 48 + 4
    ['densenet121', 120], // 121 layers minus the classifier
  ];
  for (const [arch, n] of want) {
    const m = buildModel(arch, { inputShape: [32, 32, 3], numClasses: 2, width: 0.125 });
    assert.equal(convCount(m), n, arch);
    m.dispose();
  }
});

test('ResNet pads stride-2 convs like PyTorch: 224 px gives a 7x7 layer4 and 56x56 after the max-pool', () => {
  const m = buildModel('resnet18', { inputShape: [224, 224, 3], numClasses: 2, width: 0.125 });
  assert.deepEqual(m.getLayer('maxpool').outputShape, [null, 56, 56, 8]);
  assert.deepEqual(m.getLayer('layer4.1').outputShape, [null, 7, 7, 64]);
  assert.deepEqual(m.getLayer('layer2.0.conv1').outputShape, [null, 28, 28, 16]);
  m.dispose();
});

test('same seed gives the same weights; another seed or another layer different ones', () => {
  const opts = { inputShape: [32, 32, 3], numClasses: 4, width: 0.25, seed: 7 };
  const a = buildModel('resnet18', opts);
  const b = buildModel('resnet18', opts);
  const c = buildModel('resnet18', { ...opts, seed: 8 });
  const wa = a.getWeights().map((t) => t.dataSync());
  const wb = b.getWeights().map((t) => t.dataSync());
  const wc = c.getWeights().map((t) => t.dataSync());
  assert.equal(wa.length, wb.length);
  wa.forEach((w, i) => assert.deepEqual(w, wb[i], `weight ${i}`));
  const k1 = a.getLayer('layer1.0.conv1').getWeights()[0].dataSync();
  const k2 = a.getLayer('layer1.0.conv2').getWeights()[0].dataSync();
  assert.notDeepEqual(k1, k2, 'same-shaped layers get different weights');
  assert.notDeepEqual(wa[0], wc[0], 'another seed differs');
  for (const m of [a, b, c]) m.dispose();
});

test('cnn64 also takes volumes [D, H, W, C]', () => {
  const m = buildModel('cnn64', { inputShape: [16, 16, 16, 1], numClasses: 2, width: 0.125 });
  const y = m.predict(tf.ones([1, 16, 16, 16, 1])) as tf.Tensor;
  assert.deepEqual(y.shape, [1, 2]);
  assert.deepEqual(m.getLayer('block4_relu').outputShape, [null, 2, 2, 2, 32]);
  m.dispose();
});

test('bad options are InvalidInputErrors naming the option', () => {
  const cases: [ModelArch, object, RegExp][] = [
    ['resnet18', { inputShape: [64, 2], numClasses: 2 }, /inputShape.*\[H, W, C\]/],
    ['ecg-lstm', { inputShape: [32, 32, 3], numClasses: 2 }, /inputShape.*\[T, C\]/],
    ['cnn64', { inputShape: [32, 0, 3], numClasses: 2 }, /inputShape: must be positive integers/],
    ['cnn64', { inputShape: [32, 32, 3], numClasses: 0 }, /numClasses/],
    ['cnn64', { inputShape: [32, 32, 3], numClasses: 2, width: -1 }, /width/],
    ['vit-tiny', { inputShape: [30, 30, 3], numClasses: 2 }, /patchSize: 16/],
    ['unet', { inputShape: [36, 36, 1], numClasses: 2 }, /divisible by 8/],
    ['resnet18', { inputShape: [16, 16, 3], numClasses: 2 }, /spatial sizes >= 32/],
    ['nope' as ModelArch, { inputShape: [32, 32, 3], numClasses: 2 }, /unknown architecture 'nope'/],
  ];
  for (const [arch, opts, re] of cases) {
    assert.throws(() => buildModel(arch, opts as never), (e: unknown) => e instanceof InvalidInputError && re.test(e.message), `${arch} ${JSON.stringify(opts)}`);
  }
});

test('archInfo and camLayerName (which follows depth)', () => {
  assert.deepEqual(archInfo('cnn64').spatialRanks, [2, 3]);
  assert.equal(archInfo('unet').output, 'pixels');
  assert.throws(() => archInfo('alexnet'), /unknown architecture 'alexnet' \(known: ecg-lstm, /);
  assert.equal(camLayerName('vit-tiny'), 'blocks.11.norm1');
  assert.equal(camLayerName('vit-small', { depth: 4 }), 'blocks.3.norm1');
  assert.equal(camLayerName('ecg-lstm', { depth: 3 }), 'lstm2');
  assert.equal(camLayerName('ecg-gru', { depth: 1 }), null);
  assert.equal(camLayerName('ecg-cnn', { depth: 3 }), 'block3_relu');
  assert.equal(camLayerName('resnet50'), 'layer4.2');
});
