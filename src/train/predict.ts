/**
 * Batched inference for classifiers that output logits (browser-safe). Every batch runs in a
 * tidy and is read back, so no tensors outlive a call.
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';

/** Checks that a sample shape matches the model's input shape (ignoring the batch axis). */
export function assertInputShape(model: tfl.LayersModel, shape: number[], what = 'input'): void {
  const expected = model.inputs[0].shape.slice(1);
  const got = shape.slice(1);
  const ok = expected.length === got.length && expected.every((d, i) => d === null || d === got[i]);
  if (!ok) {
    throw new InvalidInputError(what, `sample shape [${got.join(', ')}] does not match the model input [${expected.map((d) => d ?? '?').join(', ')}]`);
  }
}

/** Runs the model (inference mode) on flat `x` of `shape` [N, ...] in batches; returns logits [N, K] row-major. */
export function predictLogits(model: tfl.LayersModel, x: Float32Array, shape: number[], batchSize = 64): Float32Array {
  assertInputShape(model, shape);
  const n = shape[0];
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  const k = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
  const out = new Float32Array(n * k);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const logits = tf.tidy(() => {
      const xb = tf.tensor(x.subarray(s * size, e * size), [e - s, ...shape.slice(1)]);
      return model.apply(xb, { training: false }) as tf.Tensor;
    });
    out.set(logits.dataSync() as Float32Array, s * k);
    logits.dispose();
  }
  return out;
}

/** Row-wise softmax of logits [N, K] (numerically stable), in plain JS. */
export function softmaxRows(logits: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i += numClasses) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, logits[i + c]);
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += out[i + c] = Math.exp(logits[i + c] - max);
    for (let c = 0; c < numClasses; c++) out[i + c] /= sum;
  }
  return out;
}

/** Mean softmax cross-entropy of logits [N, K] against labels, in plain JS. */
export function crossEntropy(logits: ArrayLike<number>, y: ArrayLike<number>, numClasses: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, logits[i * numClasses + c]);
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[i * numClasses + c] - max);
    total += max + Math.log(sum) - logits[i * numClasses + y[i]];
  }
  return y.length ? total / y.length : NaN;
}
