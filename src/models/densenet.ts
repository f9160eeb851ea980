/**
 * DenseNet-121 (Huang et al.; torchvision layout), input [H, W, C]: `features.conv0` (7x7/2)
 * -> `features.norm0` -> `features.relu0` -> `features.pool0` (3x3/2); dense blocks 1-4 of
 * 6/12/24/16 layers `features.denseblockB.denselayerL.{norm1,relu1,conv1,norm2,relu2,conv2,concat}`
 * (bottleneck 1x1 to 4*growth, then 3x3 to growth, concatenated onto the input); transitions
 * `features.transitionB.{norm,relu,conv,pool}` halving channels and size; then
 * `features.norm5` -> `features.relu5` -> `avgpool` -> `logits`. Growth rate 32*width, stem
 * 64*width. Grad-CAM layer: `features.norm5` (pytorch-grad-cam's `model.features[-1]`).
 */
import { tfl } from '../backend/tf.js';
import * as fast from './fast-layers.js';
import type { BuildOptions } from './types.js';
import { apply, batchNorm, checkInputShape, checkMinSize, convBn, logitsLayer, scaled, type Sym } from './blocks.js';
import { SeededInit } from './init.js';

/** Layers per dense block of DenseNet-121. */
export const DENSENET121_BLOCKS = [6, 12, 24, 16] as const;

function conv(x: Sym, init: SeededInit, filters: number, kernel: number, name: string): Sym {
  return apply(
    fast.conv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false, kernelInitializer: init.conv(), name }),
    x,
  );
}

function normRelu(x: Sym, norm: string, relu: string): Sym {
  return apply(tfl.layers.reLU({ name: relu }), apply(batchNorm(norm), x));
}

/** Builds `densenet121`. */
export function buildDenseNet121(opts: BuildOptions): tfl.LayersModel {
  checkInputShape('densenet121', opts.inputShape, [2]);
  checkMinSize('densenet121', opts.inputShape, 32, 'total stride 32');
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const growth = scaled(32, width);
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = convBn(input, init, {
    filters: scaled(64, width),
    kernel: 7,
    stride: 2,
    name: 'features.conv0',
    bnName: 'features.norm0',
    reluName: 'features.relu0',
  });
  x = apply(tfl.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'features.pool0_pad' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'features.pool0' }), x);
  DENSENET121_BLOCKS.forEach((layers, i) => {
    const b = i + 1;
    for (let l = 1; l <= layers; l++) {
      const n = `features.denseblock${b}.denselayer${l}`;
      let y = normRelu(x, `${n}.norm1`, `${n}.relu1`);
      y = conv(y, init, 4 * growth, 1, `${n}.conv1`);
      y = normRelu(y, `${n}.norm2`, `${n}.relu2`);
      y = conv(y, init, growth, 3, `${n}.conv2`);
      x = apply(tfl.layers.concatenate({ axis: -1, name: `${n}.concat` }), [x, y]);
    }
    if (b < DENSENET121_BLOCKS.length) {
      const n = `features.transition${b}`;
      const channels = x.shape[x.shape.length - 1] as number;
      x = conv(normRelu(x, `${n}.norm`, `${n}.relu`), init, Math.floor(channels / 2), 1, `${n}.conv`);
      x = apply(tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${n}.pool` }), x);
    }
  });
  x = normRelu(x, 'features.norm5', 'features.relu5');
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'avgpool' }), x);
  if (opts.dropout) x = apply(tfl.layers.dropout({ rate: opts.dropout, seed: init.seed(), name: 'dropout' }), x);
  return tfl.model({ inputs: input, outputs: logitsLayer(x, opts.numClasses, init), name: 'densenet121' });
}
