import test from 'node:test';
import { tf } from '../../src/backend/tf.js';
import { FUSED_KERNELS as K } from '../../src/backend/fused-ops.js';
import { buildModel } from '../../src/models/index.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

/** A small vit-tiny (2 blocks, width 0.25: D = 48, 3 heads; 16 px, patch 4: 17 tokens), built on the active backend. */
const smallVit = () => buildModel('vit-tiny', { inputShape: [16, 16, 3], numClasses: 5, seed: 7, depth: 2, width: 0.25, patchSize: 4 });

test('a small ViT: forward, input gradient and an SGD step match cpu, through the fused kernels', { skip: nativeSkip }, async (t) => {
  const x = randn([3, 16, 16, 3], 70);
  const fused = [K.layerNorm, K.gelu, K.attention, K.layerNormGradInput, K.layerNormGradGamma, K.geluGrad, K.attentionGrad];
  const step = (xs: tf.Tensor) => {
    const model = smallVit();
    const labels = tf.oneHot(tf.tensor1d([0, 3, 4], 'int32'), 5);
    const logits = model.apply(xs) as tf.Tensor;
    const inputGrad = tf.grad((inp: tf.Tensor) => tf.sum(tf.slice(model.apply(inp) as tf.Tensor, [0, 1], [-1, 1])))(xs);
    const sgd = tf.train.sgd(0.1);
    const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    // Weights after the step, then the logits the updated model gives.
    const after = model.trainableWeights.map((w) => w.read().clone());
    const out = [logits, inputGrad, loss, ...after, model.apply(xs) as tf.Tensor];
    model.dispose();
    sgd.dispose();
    return out;
  };
  await compareWithCpu(t, 'vit forward, input gradient, SGD step', step, [x], fused, 2e-4);
});
