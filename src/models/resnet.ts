/**
 * ResNet18/34 (basic blocks) and ResNet50 (bottleneck, torchvision v1.5: stride on the 3x3),
 * input [H, W, C], layer names following torchvision so weights map one to one:
 * `conv1` (7x7/2) -> `bn1` -> `relu` -> `maxpool` (3x3/2), stages `layer1..layer4` of blocks
 * `layerS.B` with `layerS.B.conv1`, `.bn1`, `.relu1`, `.conv2`, `.bn2` (bottleneck also
 * `.relu2`, `.conv3`, `.bn3`), shortcut `layerS.B.downsample.0` (1x1 conv) and `.downsample.1`
 * (BN), `layerS.B.add`, and the block output (ReLU after the add) named `layerS.B` itself;
 * then `avgpool` (global average) and `logits` (torchvision's `fc`). Grad-CAM layer: the last
 * block output, e.g. `layer4.1` for resnet18 (pytorch-grad-cam's `model.layer4[-1]`).
 * Stride-2 convs and the max-pool pad explicitly like PyTorch (`*_pad` layers).
 */
import { tfl } from '../backend/tf.js';
import type { BuildOptions } from './types.js';
import { apply, checkInputShape, checkMinSize, convBn, logitsLayer, scaled, type Sym } from './blocks.js';
import { SeededInit } from './init.js';

/** Blocks per stage and block type of each ResNet. */
export const RESNET_CONFIGS = {
  resnet18: { blocks: [2, 2, 2, 2], bottleneck: false },
  resnet34: { blocks: [3, 4, 6, 3], bottleneck: false },
  resnet50: { blocks: [3, 4, 6, 3], bottleneck: true },
} as const;

function block(x: Sym, init: SeededInit, name: string, planes: number, stride: number, bottleneck: boolean): Sym {
  const cin = x.shape[x.shape.length - 1] as number;
  const cout = bottleneck ? planes * 4 : planes;
  let y: Sym;
  if (bottleneck) {
    y = convBn(x, init, { filters: planes, kernel: 1, name: `${name}.conv1`, bnName: `${name}.bn1`, reluName: `${name}.relu1` });
    y = convBn(y, init, { filters: planes, kernel: 3, stride, name: `${name}.conv2`, bnName: `${name}.bn2`, reluName: `${name}.relu2` });
    y = convBn(y, init, { filters: cout, kernel: 1, name: `${name}.conv3`, bnName: `${name}.bn3` });
  } else {
    y = convBn(x, init, { filters: planes, kernel: 3, stride, name: `${name}.conv1`, bnName: `${name}.bn1`, reluName: `${name}.relu1` });
    y = convBn(y, init, { filters: planes, kernel: 3, name: `${name}.conv2`, bnName: `${name}.bn2` });
  }
  let shortcut = x;
  if (stride !== 1 || cin !== cout) {
    shortcut = convBn(x, init, { filters: cout, kernel: 1, stride, name: `${name}.downsample.0`, bnName: `${name}.downsample.1` });
  }
  const sum = apply(tfl.layers.add({ name: `${name}.add` }), [y, shortcut]);
  return apply(tfl.layers.reLU({ name }), sum);
}

/** Builds `resnet18`, `resnet34` or `resnet50`; `width` scales every stage's channels. */
export function buildResNet(arch: keyof typeof RESNET_CONFIGS, opts: BuildOptions): tfl.LayersModel {
  checkInputShape(arch, opts.inputShape, [2]);
  checkMinSize(arch, opts.inputShape, 32, 'total stride 32');
  const { blocks, bottleneck } = RESNET_CONFIGS[arch];
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = convBn(input, init, { filters: scaled(64, width), kernel: 7, stride: 2, name: 'conv1', bnName: 'bn1', reluName: 'relu' });
  x = apply(tfl.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'maxpool_pad' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }), x);
  blocks.forEach((count, s) => {
    const planes = scaled(64 * 2 ** s, width);
    for (let b = 0; b < count; b++) {
      x = block(x, init, `layer${s + 1}.${b}`, planes, b === 0 && s > 0 ? 2 : 1, bottleneck);
    }
  });
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'avgpool' }), x);
  if (opts.dropout) x = apply(tfl.layers.dropout({ rate: opts.dropout, seed: init.seed(), name: 'dropout' }), x);
  return tfl.model({ inputs: input, outputs: logitsLayer(x, opts.numClasses, init), name: arch });
}
