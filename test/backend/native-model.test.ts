import test from 'node:test';
import { tf, tfl } from '../../src/backend/tf.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

/** A small conv-net with the layer kinds of the zoo's CNNs (conv, depthwise, batch norm, pooling, dense). */
function smallConvNet(): tfl.Sequential {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  m.add(tfl.layers.batchNormalization({}));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, depthwiseInitializer: init(2) }));
  m.add(tfl.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, activation: 'elu', kernelInitializer: init(3) }));
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(4) }));
  return m;
}

test('a small conv-net: loss gradients for every weight and the input match cpu', { skip: nativeSkip }, async (t) => {
  await tf.setBackend('cpu');
  const model = smallConvNet();
  const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
  const loss = (x: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor);
  const allGrads = (x: tf.Tensor) => {
    const { grads } = tf.variableGrads(() => loss(x) as tf.Scalar);
    return [...Object.values(grads), tf.grad(loss)(x)];
  };
  await compareWithCpu(t, 'conv-net weight + input gradients', allGrads, [randn([4, 16, 16, 3], 5)],
    ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'BatchMatMul'], 1e-4);
  model.dispose();
  labels.dispose();
});
