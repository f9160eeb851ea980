import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { nativeKernelHits } from '../../src/backend/native-addon.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

type Mode = [alignCorners: boolean, halfPixelCenters: boolean];
const MODES: Mode[] = [[false, false], [true, false], [false, true]];

const resize = (size: [number, number], [align, half]: Mode) => (x: tf.Tensor) => tf.image.resizeBilinear(x as tf.Tensor4D, size, align, half);

test('ResizeBilinear matches cpu: up and down, square and not, every corner mode', { skip: nativeSkip }, async (t) => {
  const cases: [number[], [number, number]][] = [[[2, 5, 5, 3], [9, 9]], [[1, 4, 7, 2], [9, 3]], [[2, 9, 6, 1], [4, 5]], [[1, 3, 8, 4], [1, 1]], [[1, 1, 1, 2], [3, 2]]];
  for (const [shape, size] of cases) {
    for (const mode of MODES) {
      await compareWithCpu(t, `resize [${shape}] -> [${size}] ${mode}`, resize(size, mode), [randn(shape, shape[1])], ['ResizeBilinear'], 1e-6);
    }
  }
});

test('ResizeBilinearGrad matches cpu on square images (where cpu is right)', { skip: nativeSkip }, async (t) => {
  for (const [shape, size] of [[[2, 5, 5, 3], [9, 9]], [[1, 8, 8, 2], [3, 5]]] as [number[], [number, number]][]) {
    for (const mode of [[false, false], [true, false]] as Mode[]) {
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(resize(size, mode)(v), w)))(x);
      await compareWithCpu(t, `grad [${shape}] -> [${size}] ${mode}`, f, [randn(shape, 1), randn([shape[0], ...size, shape[3]], 2)], ['ResizeBilinearGrad'], 1e-6);
    }
  }
});

/**
 * The gradient of <resize(x), w> is the adjoint of the (linear) resize applied to w: built here
 * column by column from the forward (resize of every unit image), so it checks the gradient
 * against the forward math, for non-square images and half-pixel centres too.
 */
test('ResizeBilinearGrad is the exact adjoint of the forward (non-square, half-pixel)', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  const cases: [number, number, [number, number]][] = [[3, 5, [7, 4]], [6, 4, [3, 9]], [4, 7, [4, 7]], [5, 2, [1, 3]]];
  for (const [h, w, size] of cases) {
    for (const mode of MODES) {
      const c = 2;
      const before = nativeKernelHits().get('ResizeBilinearGrad') ?? 0;
      const weights = randn([1, ...size, c], h * w);
      const [grad, columns] = tf.tidy(() => {
        const wt = tf.tensor(weights.values, weights.shape);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(resize(size, mode)(v), wt)))(tf.zeros([1, h, w, c]));
        // unit images e_p (one per pixel, all channels at once): resize(e_p) . w = dL/dx[p]
        const units = tf.reshape(tf.oneHot(tf.range(0, h * w, 1, 'int32'), h * w), [h * w, h, w, 1]);
        const cols = tf.sum(tf.mul(resize(size, mode)(tf.tile(units, [1, 1, 1, c])), wt), [1, 2]);
        return [g.dataSync(), cols.dataSync()];
      });
      assert.ok((nativeKernelHits().get('ResizeBilinearGrad') ?? 0) > before);
      for (let i = 0; i < grad.length; i++) {
        assert.ok(Math.abs(grad[i] - columns[i]) < 1e-5, `[${h},${w}] -> [${size}] ${mode} at ${i}: ${grad[i]} vs ${columns[i]}`);
      }
    }
  }
});

test('ResizeBilinearGrad by hand: 1x2 -> 1x4 without corners, and the image shape kept', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  // source columns 0, 0.5, 1, 1.5 -> taps (0), (0,1 at 0.5), (1), (1 clamped): weights per input
  const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(v as tf.Tensor4D, [1, 4]), tf.tensor([1, 10, 100, 1000], [1, 1, 4, 1]))))(tf.zeros([1, 1, 2, 1])));
  assert.deepEqual(g.shape, [1, 1, 2, 1]);
  assert.deepEqual(Array.from(g.dataSync()), [1 + 5, 5 + 100 + 1000]);
  g.dispose();
});
