/**
 * A small 2D U-Net (Ronneberger et al.) for segmentation, input [H, W, C], output per-pixel
 * logits [H, W, numClasses]. `depth` (default 3) down-sampling levels; level k has
 * `enc{k}_conv1/bn1/relu1/conv2/bn2/relu2` with 16*2^(k-1)*width filters and `enc{k}_pool`;
 * `bottleneck_*` at the bottom; decoder levels `dec{k}_up` (2x2 transposed conv, stride 2),
 * `dec{k}_concat` (with `enc{k}_relu2`), `dec{k}_conv1..relu2`; `logits` is a 1x1 conv.
 * H and W must be multiples of 2^depth. Grad-CAM layer: `dec1_relu2`.
 */
import { tfl } from '../backend/tf.js';
import * as fast from './fast-layers.js';
import { InvalidInputError } from '../errors.js';
import type { BuildOptions } from './types.js';
import { apply, checkInputShape, convBn, scaled, type Sym } from './blocks.js';
import { SeededInit } from './init.js';

function doubleConv(x: Sym, init: SeededInit, filters: number, n: string): Sym {
  const y = convBn(x, init, { filters, kernel: 3, name: `${n}_conv1`, bnName: `${n}_bn1`, reluName: `${n}_relu1` });
  return convBn(y, init, { filters, kernel: 3, name: `${n}_conv2`, bnName: `${n}_bn2`, reluName: `${n}_relu2` });
}

/** Builds `unet`. */
export function buildUNet(opts: BuildOptions): tfl.LayersModel {
  checkInputShape('unet', opts.inputShape, [2]);
  const depth = opts.depth ?? 3;
  const f = 2 ** depth;
  if (opts.inputShape[0] % f !== 0 || opts.inputShape[1] % f !== 0) {
    throw new InvalidInputError('inputShape', `unet with depth ${depth} needs height and width divisible by ${f}, got [${opts.inputShape.join(', ')}]`);
  }
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const filters = (k: number) => scaled(16 * 2 ** (k - 1), width);
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  const skips: Sym[] = [];
  let x: Sym = input;
  for (let k = 1; k <= depth; k++) {
    x = doubleConv(x, init, filters(k), `enc${k}`);
    skips.push(x);
    x = apply(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${k}_pool` }), x);
  }
  x = doubleConv(x, init, filters(depth + 1), 'bottleneck');
  for (let k = depth; k >= 1; k--) {
    x = apply(
      tfl.layers.conv2dTranspose({ filters: filters(k), kernelSize: 2, strides: 2, kernelInitializer: init.conv(), name: `dec${k}_up` }),
      x,
    );
    x = apply(tfl.layers.concatenate({ axis: -1, name: `dec${k}_concat` }), [skips[k - 1], x]);
    x = doubleConv(x, init, filters(k), `dec${k}`);
  }
  const logits = apply(fast.conv2d({ filters: opts.numClasses, kernelSize: 1, kernelInitializer: init.dense(), name: 'logits' }), x);
  return tfl.model({ inputs: input, outputs: logits, name: 'unet' });
}
