/**
 * VGG-style conv nets, input [H, W, C] (cnn64 also [D, H, W, C]):
 * - `cnn64`: `depth` (default 4) blocks `blockK_conv` (3x3, 32*2^(K-1)*width filters) ->
 *   `blockK_bn` -> `blockK_relu` -> `blockK_pool` (max 2), then `gap` and `logits`.
 *   Grad-CAM layer: `block4_relu`. With a 3D input the same net uses Conv3D (with bias, no
 *   BN: tfjs-layers lacks rank-5 batch norm) and MaxPool3D.
 * - `vgg11/16/19` (configs A/D/E of Simonyan & Zisserman): blocks 1-5 of
 *   `blockK_convJ` -> (`blockK_bnJ`) -> `blockK_reluJ`, then `blockK_pool`; classifier
 *   `flatten` -> `fc1` (4096*width, ReLU) -> `drop1` -> `fc2` -> `drop2` -> `logits`, as
 *   torchvision at 224 px (flatten of 7x7x512): vgg16 has 138,357,544 params, vgg16 with BN
 *   (convs keep their bias, as torchvision's vgg16_bn) 138,365,992.
 *   Grad-CAM layer: the last ReLU of block 5 (`block5_relu2/3/4`).
 */
import { tfl } from '../backend/tf.js';
import * as fast from './fast-layers.js';
import type { BuildOptions } from './types.js';
import { apply, batchNorm, checkInputShape, checkMinSize, logitsLayer, scaled, type Sym } from './blocks.js';
import { SeededInit } from './init.js';

/** Conv counts per block of the standard VGG configurations. */
export const VGG_CONFIGS = {
  vgg11: [1, 1, 2, 2, 2],
  vgg16: [2, 2, 3, 3, 3],
  vgg19: [2, 2, 4, 4, 4],
} as const;

/** Filters of VGG blocks 1-5 at width 1. */
export const VGG_FILTERS = [64, 128, 256, 512, 512] as const;

/** Builds `cnn64` (2D or 3D input). */
export function buildCnn64(opts: BuildOptions): tfl.LayersModel {
  const rank = checkInputShape('cnn64', opts.inputShape, [2, 3]);
  const depth = opts.depth ?? 4;
  checkMinSize('cnn64', opts.inputShape, 2 ** depth, `${depth} pooling steps of 2`);
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x: Sym = input;
  for (let b = 1; b <= depth; b++) {
    const conv = {
      filters: scaled(32 * 2 ** (b - 1), width),
      kernelSize: 3,
      padding: 'same' as const,
      useBias: false,
      kernelInitializer: init.conv(),
      name: `block${b}_conv`,
    };
    if (rank === 2) {
      x = apply(fast.conv2d(conv), x);
      x = apply(batchNorm(`block${b}_bn`), x);
    } else {
      // tfjs-layers 4.22 has no batch norm for rank-5 tensors: 3D convs keep their bias instead.
      x = apply(tfl.layers.conv3d({ ...conv, useBias: true }), x);
    }
    x = apply(tfl.layers.reLU({ name: `block${b}_relu` }), x);
    const pool = { poolSize: 2, strides: 2, name: `block${b}_pool` };
    x = apply(rank === 2 ? tfl.layers.maxPooling2d(pool) : tfl.layers.maxPooling3d(pool), x);
  }
  if (rank === 3) {
    // tfjs-layers has no 3D global pooling: flatten the volume to a sequence and pool that.
    const [d, h, w, c] = x.shape.slice(1) as number[];
    x = apply(tfl.layers.reshape({ targetShape: [d * h * w, c], name: 'gap_reshape' }), x);
  }
  x = apply(rank === 2 ? tfl.layers.globalAveragePooling2d({ name: 'gap' }) : tfl.layers.globalAveragePooling1d({ name: 'gap' }), x);
  if (opts.dropout) x = apply(tfl.layers.dropout({ rate: opts.dropout, seed: init.seed(), name: 'dropout' }), x);
  return tfl.model({ inputs: input, outputs: logitsLayer(x, opts.numClasses, init), name: 'cnn64' });
}

/** Builds `vgg11`, `vgg16` or `vgg19`. */
export function buildVgg(arch: keyof typeof VGG_CONFIGS, opts: BuildOptions): tfl.LayersModel {
  checkInputShape(arch, opts.inputShape, [2]);
  checkMinSize(arch, opts.inputShape, 32, '5 pooling steps of 2');
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const bn = opts.batchNorm ?? true;
  const rate = opts.dropout ?? 0.5;
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x: Sym = input;
  VGG_CONFIGS[arch].forEach((convs, i) => {
    const b = i + 1;
    for (let j = 1; j <= convs; j++) {
      x = apply(
        fast.conv2d({
          filters: scaled(VGG_FILTERS[i], width),
          kernelSize: 3,
          padding: 'same',
          useBias: true, // torchvision's vgg*_bn keep the conv bias before BN
          kernelInitializer: init.conv(),
          name: `block${b}_conv${j}`,
        }),
        x,
      );
      if (bn) x = apply(batchNorm(`block${b}_bn${j}`), x);
      x = apply(tfl.layers.reLU({ name: `block${b}_relu${j}` }), x);
    }
    x = apply(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b}_pool` }), x);
  });
  x = apply(tfl.layers.flatten({ name: 'flatten' }), x);
  for (const k of [1, 2]) {
    x = apply(fast.dense({ units: scaled(4096, width), activation: 'relu', kernelInitializer: init.dense(), name: `fc${k}` }), x);
    if (rate > 0) x = apply(tfl.layers.dropout({ rate, seed: init.seed(), name: `drop${k}` }), x);
  }
  return tfl.model({ inputs: input, outputs: logitsLayer(x, opts.numClasses, init), name: arch });
}

/**
 * Trainable parameter count of a VGG computed from its configuration, without building it
 * (vgg16 at 224 px has 138M parameters: too big to build in a test).
 */
export function vggParamCount(arch: keyof typeof VGG_CONFIGS, opts: BuildOptions): number {
  const width = opts.width ?? 1;
  const bn = opts.batchNorm ?? true;
  let cin = opts.inputShape[opts.inputShape.length - 1];
  let h = opts.inputShape[0];
  let w = opts.inputShape[1];
  let n = 0;
  VGG_CONFIGS[arch].forEach((convs, i) => {
    const f = scaled(VGG_FILTERS[i], width);
    for (let j = 0; j < convs; j++) {
      n += 9 * cin * f + f + (bn ? 2 * f : 0);
      cin = f;
    }
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  });
  const fc = scaled(4096, width);
  n += (h * w * cin + 1) * fc + (fc + 1) * fc + (fc + 1) * opts.numClasses;
  return n;
}
