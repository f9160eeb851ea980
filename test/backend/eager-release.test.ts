/** Backprop that frees per node (src/backend/eager-release.ts): same gradients as tfjs, lower peak. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { installEagerRelease, uninstallEagerRelease } from '../../src/backend/eager-release.js';
import { Rng } from '../../src/util/random.js';

await tf.setBackend('cpu');

function randn(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

/** A small net touching the awkward cases: batch-norm moments, skip add, concat, split with an unused part, pad, addN, shared inputs. */
function loss(x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, dense: tf.Tensor): tf.Scalar {
  const h = tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same');
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  const n = tf.relu(tf.batchNorm(h, mean, variance, tf.zeros([8]), tf.fill([8], 1.5), 1e-3));
  const s = tf.add(tf.conv2d(n as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'same'), n);
  const [a, b, unused] = tf.split(tf.concat([s, n], 3), [4, 8, 4], 3);
  void unused;
  const padded = tf.pad(tf.mul(tf.sigmoid(a), tf.slice(b, [0, 0, 0, 0], [-1, -1, -1, 4])), [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const pooled = tf.reshape(tf.sum(tf.addN([padded, tf.square(padded)]), [1, 2]), [2, 4]);
  return tf.mean(tf.square(tf.matMul(pooled, dense))) as tf.Scalar;
}

const xs = [randn([2, 8, 8, 3], 1), randn([3, 3, 3, 8], 2), randn([3, 3, 8, 8], 3), randn([4, 5], 4)];

/** Values of every gradient of `loss` and the number of tensors left over. */
function run(eager: boolean): { grads: Float32Array[]; leftover: number } {
  if (eager) installEagerRelease();
  else uninstallEagerRelease();
  const before = tf.memory().numTensors;
  const grads = tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, d: tf.Tensor) => loss(x, w1, w2, d))(xs);
  const values = grads.map((g) => Float32Array.from(g.dataSync()));
  tf.dispose(grads);
  return { grads: values, leftover: tf.memory().numTensors - before };
}

test('gradients are bit-identical to tfjs, nothing leaks, and the peak of live bytes drops', async (t) => {
  const peak = async (eager: boolean) => {
    if (eager) installEagerRelease();
    else uninstallEagerRelease();
    const p = await tf.profile(() => tf.dispose(tf.grads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, d: tf.Tensor) => loss(x, w1, w2, d))(xs)));
    return p.peakBytes;
  };
  const stock = run(false), eager = run(true);
  eager.grads.forEach((g, i) => assert.deepEqual(g, stock.grads[i], `gradient ${i}`));
  assert.equal(eager.leftover, 0);
  assert.equal(stock.leftover, 0);
  const [stockPeak, eagerPeak] = [await peak(false), await peak(true)];
  t.diagnostic(`peak live bytes ${eagerPeak} vs tfjs ${stockPeak}`);
  assert.ok(eagerPeak < 0.8 * stockPeak, `peak bytes ${eagerPeak} vs tfjs ${stockPeak}`);
  uninstallEagerRelease();
});

test('a caller-given dy survives, second-order gradients and custom gradients returning dy or saved tensors work', () => {
  const results = [false, true].map((eager) => {
    if (eager) installEagerRelease();
    else uninstallEagerRelease();
    const x = xs[3];
    const dy = tf.mul(tf.onesLike(x), 0.5);
    const g = tf.grad((t: tf.Tensor) => tf.mul(tf.sigmoid(t), t))(x, dy);
    assert.ok(!dy.isDisposed, 'dy is the caller\'s');
    const second = tf.grad((t: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.exp(u), u)))(t)))(x);
    // the gradient returns dy itself for one input and a saved tensor for the other
    const custom = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      save([a]);
      return { value: tf.mul(a, b), gradFunc: (d: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [d as tf.Tensor, saved[0]] };
    });
    const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.relu(custom(a, b) as tf.Tensor)))([x, tf.neg(x)]);
    // tfjs itself disposes a returned saved tensor (gb) at the end of backprop; eager release keeps it
    if (eager) assert.deepEqual(gb.dataSync(), x.dataSync());
    const values = [g, second, ga].map((t) => Array.from(t.dataSync()));
    tf.dispose([g, second, ga, gb, dy]);
    return values;
  });
  assert.deepEqual(results[1], results[0]);
  uninstallEagerRelease();
});

test('optimizer.minimize trains identically', () => {
  const losses = [false, true].map((eager) => {
    if (eager) installEagerRelease();
    else uninstallEagerRelease();
    const vars = xs.slice(1).map((t) => tf.variable(t.clone()));
    const opt = tf.train.adam(0.01);
    const out: number[] = [];
    for (let i = 0; i < 3; i++) {
      const l = opt.minimize(() => loss(xs[0], vars[0], vars[1], vars[2]), true)!;
      out.push(l.dataSync()[0]);
      l.dispose();
    }
    tf.dispose(vars);
    opt.dispose();
    return out;
  });
  assert.deepEqual(losses[1], losses[0]);
  uninstallEagerRelease();
});

test('a gradient registered over a shape-only one gets the real saved tensors', () => {
  installEagerRelease();
  const stockSum = tf.getGradient('Sum')!;
  let seen: number[] = [];
  tf.registerGradient({ ...stockSum, gradFunc: (dy, saved, attrs) => {
    seen = Array.from(saved[0].dataSync());
    return stockSum.gradFunc(dy, saved, attrs);
  } });
  try {
    const x = xs[3];
    tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, 2)))(x));
    assert.deepEqual(seen, Array.from(x.dataSync(), (v) => Math.fround(v * 2)));
  } finally {
    tf.registerGradient(stockSum);
    uninstallEagerRelease();
  }
});
