import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { nativeKernelHits } from '../../src/backend/native-addon.js';
import { FusedGRU, fusedGru, FusedLSTM, fusedLstm, GRU_GRAD_KERNEL, GRU_KERNEL, LSTM_GRAD_KERNEL, LSTM_KERNEL } from '../../src/models/fused-rnn.js';
import { buildModel } from '../../src/models/index.js';
import { deserializeModel, serializeModel } from '../../src/models/io.js';
import { createMetadata } from '../../src/models/metadata.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

const weightedSum = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.mul(tf.range(0, y.size), 0.37), y.shape))));

/**
 * Output, input gradient and every weight gradient of `layers` applied in turn (weights in layer
 * order). tfjs' stock LSTM cannot differentiate its input when T = 1 (Unpack's gradient then gets
 * a lone tensor), so `inputGrad` can be turned off.
 */
function outputsAndGrads(layers: tfl.layers.Layer[], inputGrad = true) {
  const run = (x: tf.Tensor) => layers.reduce((h, l) => l.apply(h) as tf.Tensor, x);
  return (x: tf.Tensor) => {
    const y = run(x); // builds the layers on the first call
    const vars = layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const { grads } = tf.variableGrads(() => weightedSum(run(x)) as tf.Scalar, vars);
    const dx = inputGrad ? [tf.grad((xx: tf.Tensor) => weightedSum(run(xx)))(x)] : [];
    return [y, ...dx, ...vars.map((v) => grads[v.name])];
  };
}

interface Case {
  batch: number;
  steps: number;
  inputDim: number;
  units: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
  recurrentActivation?: 'hardSigmoid' | 'sigmoid';
  useBias?: boolean;
  stacked?: boolean;
}

const CASES: Case[] = [
  { batch: 1, steps: 1, inputDim: 1, units: 3 },
  { batch: 3, steps: 7, inputDim: 4, units: 3, returnSequences: true },
  { batch: 3, steps: 7, inputDim: 4, units: 3, goBackwards: true, returnSequences: true, recurrentActivation: 'sigmoid' },
  { batch: 16, steps: 50, inputDim: 1, units: 32 },
  { batch: 16, steps: 50, inputDim: 4, units: 32, returnSequences: true, recurrentActivation: 'sigmoid' },
  { batch: 3, steps: 50, inputDim: 1, units: 32, goBackwards: true, useBias: false },
  { batch: 16, steps: 7, inputDim: 1, units: 32, stacked: true },
  { batch: 3, steps: 50, inputDim: 4, units: 3, stacked: true, goBackwards: true, recurrentActivation: 'sigmoid' },
];

const CELLS = {
  lstm: { make: fusedLstm, kernels: [LSTM_KERNEL, LSTM_GRAD_KERNEL] },
  gru: { make: fusedGru, kernels: [GRU_KERNEL, GRU_GRAD_KERNEL] },
};

function layersOf(cell: keyof typeof CELLS, c: Case, seed: number): tfl.layers.Layer[] {
  const make = (i: number, returnSequences: boolean) =>
    CELLS[cell].make({
      units: c.units, returnSequences, goBackwards: c.goBackwards, recurrentActivation: c.recurrentActivation, useBias: c.useBias,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 10 + i }),
      biasInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 20 + i }),
    });
  return c.stacked ? [make(0, true), make(1, c.returnSequences ?? false)] : [make(0, c.returnSequences ?? false)];
}

for (const cell of ['lstm', 'gru'] as const) {
  test(`fused ${cell}: outputs and gradients (input, kernel, recurrent kernel, bias) match the stock layer on cpu`, { skip: nativeSkip }, async (t) => {
    for (const [i, c] of CASES.entries()) {
      await tf.setBackend('cpu');
      const layers = layersOf(cell, c, 10 * i);
      // On cpu the layer runs tfjs-layers' stock per-step code; on native the fused kernels.
      await compareWithCpu(t, `${cell} ${JSON.stringify(c)}`, outputsAndGrads(layers, c.steps > 1), [randn([c.batch, c.steps, c.inputDim], 100 + i)],
        CELLS[cell].kernels, 1e-5);
      layers.forEach((l) => l.dispose());
    }
  });
}

test('fused LSTM: unsupported configurations run the stock code on native too', { skip: nativeSkip }, async (t) => {
  await tf.setBackend('cpu');
  const withState = fusedLstm({ units: 4, returnState: true, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) });
  const relu = fusedLstm({ units: 4, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) });
  const before = nativeKernelHits().get(LSTM_KERNEL) ?? 0;
  const stateFn = (x: tf.Tensor) => withState.apply(x) as tf.Tensor[];
  await compareWithCpu(t, 'lstm returnState', stateFn, [randn([2, 5, 3], 1)], [], 1e-5);
  await compareWithCpu(t, 'lstm relu activation', (x) => relu.apply(x) as tf.Tensor, [randn([2, 5, 3], 2)], [], 1e-5);
  // Dropout while training: stock code (random masks); in inference dropout is a no-op and the kernel runs.
  const dropout = fusedLstm({ units: 4, dropout: 0.3, recurrentDropout: 0.2 });
  await tf.setBackend('native');
  const x = tf.tensor(randn([2, 5, 3], 3).values, [2, 5, 3]);
  tf.dispose(dropout.apply(x, { training: true }) as tf.Tensor);
  assert.equal(nativeKernelHits().get(LSTM_KERNEL) ?? 0, before, 'the fused kernel must not run for these configurations');
  tf.dispose(dropout.apply(x, { training: false }) as tf.Tensor);
  assert.equal(nativeKernelHits().get(LSTM_KERNEL) ?? 0, before + 1, 'inference with dropout configured runs the fused kernel');
  tf.dispose(x);
  [withState, relu, dropout].forEach((l) => l.dispose());
});

for (const cell of ['lstm', 'gru'] as const) test(`ecg-${cell}: a training step on native equals cpu`, { skip: nativeSkip }, async () => {
  const stepOn = async (backend: string) => {
    await tf.setBackend(backend);
    const model = buildModel(`ecg-${cell}`, { inputShape: [40, 1], numClasses: 3, seed: 7 });
    assert.ok(model.layers.some((l) => l instanceof (cell === 'lstm' ? FusedLSTM : FusedGRU)), `ecg-${cell} builds the fused layer`);
    const x = tf.tensor(randn([6, 40, 1], 3).values, [6, 40, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const optimizer = tf.train.sgd(0.5);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    const result = { loss: loss.dataSync()[0], weights: model.getWeights().map((w) => Float32Array.from(w.dataSync())) };
    tf.dispose([x, y, loss]);
    optimizer.dispose();
    model.dispose();
    return result;
  };
  const before = new Map(nativeKernelHits());
  const cpu = await stepOn('cpu');
  const native = await stepOn('native');
  for (const k of CELLS[cell].kernels) assert.ok((nativeKernelHits().get(k) ?? 0) > (before.get(k) ?? 0), `${k} ran`);
  assert.ok(Math.abs(cpu.loss - native.loss) <= 1e-5 * Math.abs(cpu.loss), `loss ${native.loss} vs ${cpu.loss}`);
  cpu.weights.forEach((w, i) => {
    for (let j = 0; j < w.length; j++) {
      assert.ok(Math.abs(w[j] - native.weights[i][j]) <= 1e-5 * Math.max(1, Math.abs(w[j])), `weight ${i}[${j}]: ${native.weights[i][j]} vs ${w[j]}`);
    }
  });
});

for (const cell of ['lstm', 'gru'] as const) test(`ecg-${cell}: saved model.json keeps the stock className and loads into the fused layer`, async () => {
  await tf.setBackend('cpu');
  const model = buildModel(`ecg-${cell}`, { inputShape: [16, 1], numClasses: 2, seed: 3, width: 0.25 });
  const metadata = createMetadata({ arch: `ecg-${cell}`, task: 'test', classNames: ['a', 'b'], inputShape: [16, 1] });
  const files = await serializeModel(model, metadata);
  const json = JSON.parse(new TextDecoder().decode(files.modelJson)) as { modelTopology: { config: { layers: { class_name: string }[] } } };
  const recurrent = json.modelTopology.config.layers.map((l) => l.class_name).filter((n) => /lstm|gru/i.test(n));
  const stock = cell.toUpperCase();
  assert.deepEqual(recurrent, [stock, stock]);
  const loaded = (await deserializeModel(files)).model;
  assert.equal(loaded.layers.filter((l) => l instanceof (cell === 'lstm' ? FusedLSTM : FusedGRU)).length, 2);
  const x = tf.tensor(randn([2, 16, 1], 4).values, [2, 16, 1]);
  const [a, b] = [model, loaded].map((m) => (m.predict(x) as tf.Tensor).dataSync());
  assert.deepEqual(Array.from(b), Array.from(a));
  tf.dispose(x);
  model.dispose();
  loaded.dispose();
});
