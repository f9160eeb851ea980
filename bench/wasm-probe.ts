/**
 * Probe: runs gradients through the ops the model zoo trains with (conv1d/2d/3d, depthwise,
 * separable, pooling, batch/layer norm, matmul, LSTM/GRU cells, attention, GELU) on the wasm
 * backend and lists kernels that are missing or fail. Run: node --import tsx bench/wasm-probe.ts
 */
import { tf, tfl } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';

await initNodeBackend('wasm');
const r = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 1);

const probes: Record<string, () => tf.Tensor | tf.Tensor[]> = {
  conv1d: () => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv1d(x as tf.Tensor3D, f as tf.Tensor3D, 2, 'same')))([r([2, 20, 3]), r([5, 3, 4])]),
  conv2d: () => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same')))([r([2, 9, 9, 3]), r([3, 3, 3, 4])]),
  fusedConv2d: () => tf.grads((x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.sum(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' })))([r([2, 9, 9, 3]), r([3, 3, 3, 4]), r([4])]),
  conv3d: () => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, 1, 'same')))([r([1, 5, 6, 6, 2]), r([3, 3, 3, 2, 3])]),
  depthwise: () => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')))([r([2, 7, 7, 3]), r([3, 3, 3, 2])]),
  separable: () => tf.grads((x: tf.Tensor, d: tf.Tensor, p: tf.Tensor) => tf.sum(tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same')))([r([2, 7, 7, 3]), r([3, 3, 3, 1]), r([1, 1, 3, 4])]),
  maxPool: () => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'same')))(r([2, 8, 8, 3])),
  avgPool: () => tf.grad((x: tf.Tensor) => tf.sum(tf.avgPool(x as tf.Tensor4D, 3, 2, 'same')))(r([2, 8, 8, 3])),
  maxPool3d: () => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'same')))(r([1, 4, 4, 4, 2])),
  avgPool3d: () => tf.grad((x: tf.Tensor) => tf.sum(tf.avgPool3d(x as tf.Tensor5D, 2, 2, 'same')))(r([1, 4, 4, 4, 2])),
  globalPool: () => tf.grad((x: tf.Tensor) => tf.sum(tf.mean(x, [1, 2])))(r([2, 4, 4, 3])),
  batchNorm: () => tf.grads((x: tf.Tensor, s: tf.Tensor) => tf.sum(tf.batchNorm(x, tf.mean(x, [0, 1, 2]), tf.moments(x, [0, 1, 2]).variance, tf.zeros([3]), s)))([r([2, 4, 4, 3]), r([3])]),
  matmulT: () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a, b, false, true)))([r([2, 5, 4]), r([2, 6, 4])]),
  softmaxGelu: () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), tf.erf(x))))(r([3, 5])),
  resize: () => tf.grad((x: tf.Tensor) => tf.sum(tf.image.resizeBilinear(x as tf.Tensor4D, [8, 8])))(r([1, 4, 4, 2])),
  upsample: () => tf.grad((x: tf.Tensor) => tf.sum(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 8])))(r([1, 4, 4, 2])),
  conv2dTranspose: () => tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [1, 8, 8, 2], 2, 'same')))([r([1, 4, 4, 3]), r([3, 3, 2, 3])]),
  concatSliceGather: () => tf.grad((x: tf.Tensor) => tf.sum(tf.gather(tf.concat([x, tf.slice(x, [0, 1], [-1, 2])], 1), [0, 2], 1)))(r([3, 5])),
};

function layerProbe(make: () => tfl.layers.Layer, shape: number[]) {
  return () => {
    const layer = make();
    const x = r(shape);
    layer.apply(x);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    return Object.values(grads);
  };
}
Object.assign(probes, {
  lstm: layerProbe(() => tfl.layers.lstm({ units: 8, returnSequences: true, recurrentInitializer: 'glorotNormal' }), [2, 6, 3]),
  gru: layerProbe(() => tfl.layers.gru({ units: 8, recurrentInitializer: 'glorotNormal' }), [2, 6, 3]),
  layerNorm: layerProbe(() => tfl.layers.layerNormalization(), [2, 6, 8]),
  bnLayer: layerProbe(() => tfl.layers.batchNormalization(), [4, 5, 5, 3]),
  bnDense: layerProbe(() => tfl.layers.batchNormalization(), [4, 6]),
  denseGelu: layerProbe(() => tfl.layers.dense({ units: 4, activation: 'gelu' as never }), [3, 6]),
  multiHeadish: layerProbe(() => tfl.layers.dense({ units: 4, activation: 'softmax' }), [2, 6, 8]),
});

for (const [name, fn] of Object.entries(probes)) {
  try {
    const out = tf.tidy(() => fn());
    tf.dispose(out);
    console.log(`ok      ${name}`);
  } catch (e) {
    console.log(`FAILED  ${name}: ${(e as Error).message.split('\n')[0]}`);
  }
}
