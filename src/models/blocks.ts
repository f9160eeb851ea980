/**
 * Small building blocks shared by the zoo builders: applying a layer to a symbolic tensor,
 * conv + batch-norm + ReLU with torch-compatible padding, channel scaling, input checks.
 */
import { tfl } from '../backend/tf.js';
import * as fast from './fast-layers.js';
import { InvalidInputError } from '../errors.js';
import type { SeededInit } from './init.js';
import { FusedBatchNormalization } from './fused-batchnorm.js';

/** A symbolic tensor of the functional API. */
export type Sym = tfl.SymbolicTensor;

/** Applies `layer` to symbolic input(s) and returns its single symbolic output. */
export function apply(layer: { apply: (x: Sym | Sym[]) => unknown }, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/** Scales a channel count by the width multiplier, at least 1. */
export function scaled(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

/** Batch norm with PyTorch's defaults (eps 1e-5, momentum 0.1 = Keras momentum 0.9), fused when training on 'native'. */
export function batchNorm(name: string, axis = -1): tfl.layers.Layer {
  return new FusedBatchNormalization({ name, axis, epsilon: 1e-5, momentum: 0.9 });
}

/**
 * 2D conv without bias (`name`), batch norm (`bnName`) and optionally ReLU (`reluName`).
 * Stride-2 convs pad explicitly (`name_pad`) by k/2 on every side, as PyTorch does, instead
 * of TF 'same' (which pads only bottom/right), so weights port to and from torch unchanged.
 */
export function convBn(
  x: Sym,
  init: SeededInit,
  o: { filters: number; kernel: number; stride?: number; name: string; bnName: string; reluName?: string },
): Sym {
  const stride = o.stride ?? 1;
  let y = x;
  let padding: 'same' | 'valid' = 'same';
  if (stride > 1 && o.kernel > 1) {
    const p = Math.floor(o.kernel / 2);
    y = apply(tfl.layers.zeroPadding2d({ padding: [[p, p], [p, p]], name: `${o.name}_pad` }), y);
    padding = 'valid';
  }
  y = apply(
    fast.conv2d({
      filters: o.filters,
      kernelSize: o.kernel,
      strides: stride,
      padding,
      useBias: false,
      kernelInitializer: init.conv(),
      name: o.name,
    }),
    y,
  );
  y = apply(batchNorm(o.bnName), y);
  if (o.reluName) y = apply(tfl.layers.reLU({ name: o.reluName }), y);
  return y;
}

/** The final dense layer producing logits, always named `logits`. */
export function logitsLayer(x: Sym, numClasses: number, init: SeededInit): Sym {
  return apply(fast.dense({ units: numClasses, kernelInitializer: init.dense(), name: 'logits' }), x);
}

/**
 * Checks `inputShape` has one of the allowed spatial ranks (plus channels) and positive
 * integer sizes; returns the spatial rank.
 */
export function checkInputShape(arch: string, inputShape: number[], ranks: number[]): number {
  if (!Array.isArray(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidInputError('inputShape', `must be positive integers, got [${String(inputShape)}]`);
  }
  const rank = inputShape.length - 1;
  if (!ranks.includes(rank)) {
    const want = ranks.map((r) => (r === 1 ? '[T, C]' : r === 2 ? '[H, W, C]' : '[D, H, W, C]')).join(' or ');
    throw new InvalidInputError('inputShape', `${arch} expects ${want} (channels last, no batch axis), got [${inputShape.join(', ')}]`);
  }
  return rank;
}

/** Checks every spatial size is at least `min` (e.g. before repeated down-sampling). */
export function checkMinSize(arch: string, inputShape: number[], min: number, why: string): void {
  const spatial = inputShape.slice(0, -1);
  if (spatial.some((d) => d < min)) {
    throw new InvalidInputError('inputShape', `${arch} needs spatial sizes >= ${min} (${why}), got [${inputShape.join(', ')}]`);
  }
}
