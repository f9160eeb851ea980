/**
 * Reading and writing the training state held in tensors (model weights, optimizer slots) as
 * plain arrays, for checkpoints and best-weight snapshots. Browser-safe.
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { NamedArray } from './checkpoint.js';

/** Optimizers `fit` can build by name. */
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/** A fresh optimizer by name. */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    default:
      throw new InvalidInputError('optimizer', `unknown optimizer '${name as string}' (known: adam, sgd, rmsprop)`);
  }
}

function toNamed(name: string, t: tf.Tensor): NamedArray {
  // copy: on cpu/wasm dataSync may return the backend's own buffer
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const raw = t.dataSync();
  const data = dtype === 'int32' ? Int32Array.from(raw) : Float32Array.from(raw);
  return { name, shape: t.shape.slice(), dtype, data };
}

/** Copies of every model weight (trainable and not, e.g. batch-norm statistics), in model order. */
export function readModelWeights(model: tfl.LayersModel): NamedArray[] {
  // getWeights returns the live variables themselves: read, never dispose
  const values = model.getWeights();
  return model.weights.map((w, i) => toNamed(w.originalName, values[i]));
}

/** Writes arrays from `readModelWeights` back into `model` (matched by position, shapes checked). */
export function writeModelWeights(model: tfl.LayersModel, arrays: NamedArray[]): void {
  const ws = model.weights;
  if (ws.length !== arrays.length) {
    throw new InvalidInputError('checkpoint', `has ${arrays.length} weight arrays but the model has ${ws.length}`);
  }
  ws.forEach((w, i) => {
    const a = arrays[i];
    if (a.shape.length !== w.shape.length || a.shape.some((d, j) => d !== w.shape[j])) {
      throw new InvalidInputError('checkpoint', `weight ${i} '${a.name}' has shape [${a.shape}] but the model's '${w.originalName}' is [${w.shape}]`);
    }
  });
  const tensors = arrays.map((a) => tf.tensor(a.data, a.shape, a.dtype));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Copies of the optimizer's slots (iteration count, moments). */
export async function readOptimizerWeights(optimizer: tf.Optimizer): Promise<NamedArray[]> {
  const named = await optimizer.getWeights();
  const out = named.map((nt) => toNamed(nt.name, nt.tensor));
  // slots are live variables; the iteration count is a fresh scalar that must be freed
  for (const nt of named) if (!(nt.tensor instanceof tf.Variable)) nt.tensor.dispose();
  return out;
}

/** Restores slots from `readOptimizerWeights` into a fresh optimizer of the same kind. */
export async function restoreOptimizer(optimizer: tf.Optimizer, arrays: NamedArray[]): Promise<void> {
  const named = arrays.map((a) => ({ name: a.name, tensor: tf.tensor(a.data, a.shape, a.dtype) }));
  await optimizer.setWeights(named);
  // setWeights copies into its own variables
  tf.dispose(named.map((nt) => nt.tensor));
}
