/**
 * The model zoo: `buildModel(arch, opts)` returns a fresh tfjs-layers functional model whose
 * final layer `logits` outputs raw class scores (no softmax), with weights fixed by `seed`.
 * Layer names of each architecture are documented at the top of its builder file.
 */
import { tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { ArchInfo, BuildOptions, ModelArch } from './types.js';
import { buildEcgCnn, buildEcgRnn } from './ecg.js';
import { buildCnn64, buildVgg, VGG_CONFIGS } from './vgg.js';
import { buildResNet, RESNET_CONFIGS } from './resnet.js';
import { buildDenseNet121 } from './densenet.js';
import { buildVit, VIT_CONFIGS, type VitOptions } from './vit.js';
import { buildUNet } from './unet.js';

const ARCHS: ArchInfo[] = [
  { name: 'ecg-lstm', family: 'rnn', spatialRanks: [1], output: 'classes', defaultCamLayer: 'lstm1', description: 'ECG: 2 LSTM layers (32 units) + dense' },
  { name: 'ecg-gru', family: 'rnn', spatialRanks: [1], output: 'classes', defaultCamLayer: 'gru1', description: 'ECG: 2 GRU layers (32 units) + dense' },
  { name: 'ecg-cnn', family: 'cnn', spatialRanks: [1], output: 'classes', defaultCamLayer: 'block4_relu', description: 'ECG: 4 Conv1D-BN-ReLU-pool blocks + global average pool' },
  { name: 'cnn64', family: 'cnn', spatialRanks: [2, 3], output: 'classes', defaultCamLayer: 'block4_relu', description: 'small VGG-ish net: 4 conv-BN-ReLU-pool blocks (32-256 filters) + global average pool; 3D input: Conv3D, no BN' },
  { name: 'vgg11', family: 'vgg', spatialRanks: [2], output: 'classes', defaultCamLayer: 'block5_relu2', description: 'VGG config A (8 convs), BN by default' },
  { name: 'vgg16', family: 'vgg', spatialRanks: [2], output: 'classes', defaultCamLayer: 'block5_relu3', description: 'VGG config D (13 convs), BN by default' },
  { name: 'vgg19', family: 'vgg', spatialRanks: [2], output: 'classes', defaultCamLayer: 'block5_relu4', description: 'VGG config E (16 convs), BN by default' },
  { name: 'resnet18', family: 'resnet', spatialRanks: [2], output: 'classes', defaultCamLayer: 'layer4.1', description: 'ResNet-18, basic blocks 2/2/2/2' },
  { name: 'resnet34', family: 'resnet', spatialRanks: [2], output: 'classes', defaultCamLayer: 'layer4.2', description: 'ResNet-34, basic blocks 3/4/6/3' },
  { name: 'resnet50', family: 'resnet', spatialRanks: [2], output: 'classes', defaultCamLayer: 'layer4.2', description: 'ResNet-50, bottleneck blocks 3/4/6/3' },
  { name: 'densenet121', family: 'densenet', spatialRanks: [2], output: 'classes', defaultCamLayer: 'features.norm5', description: 'DenseNet-121, growth 32, blocks 6/12/24/16' },
  { name: 'vit-tiny', family: 'vit', spatialRanks: [2], output: 'classes', defaultCamLayer: 'blocks.11.norm1', description: 'ViT-Tiny: D=192, 3 heads, 12 blocks, patch 16' },
  { name: 'vit-small', family: 'vit', spatialRanks: [2], output: 'classes', defaultCamLayer: 'blocks.11.norm1', description: 'ViT-Small: D=384, 6 heads, 12 blocks, patch 16' },
  { name: 'unet', family: 'unet', spatialRanks: [2], output: 'pixels', defaultCamLayer: 'dec1_relu2', description: 'small U-Net, 3 levels (16-128 filters), per-pixel logits' },
];

/** Every architecture with its family, supported spatial ranks and default Grad-CAM layer. */
export function listArchitectures(): ArchInfo[] {
  return ARCHS.map((a) => ({ ...a, spatialRanks: [...a.spatialRanks] }));
}

/** Facts about one architecture; an unknown name is an InvalidInputError listing the known ones. */
export function archInfo(arch: string): ArchInfo {
  const info = ARCHS.find((a) => a.name === arch);
  if (!info) throw new InvalidInputError('arch', `unknown architecture '${arch}' (known: ${ARCHS.map((a) => a.name).join(', ')})`);
  return { ...info, spatialRanks: [...info.spatialRanks] };
}

/** The Grad-CAM target layer of `arch` built with `opts` (depends on `depth` for some). */
export function camLayerName(arch: ModelArch, opts: Pick<BuildOptions, 'depth'> = {}): string | null {
  const info = archInfo(arch);
  const depth = opts.depth;
  if (depth === undefined) return info.defaultCamLayer;
  switch (arch) {
    case 'ecg-lstm':
    case 'ecg-gru':
      return depth >= 2 ? `${arch.slice(4)}${depth - 1}` : null;
    case 'ecg-cnn':
    case 'cnn64':
      return `block${depth}_relu`;
    case 'vit-tiny':
    case 'vit-small':
      return `blocks.${depth - 1}.norm1`;
    default:
      return info.defaultCamLayer;
  }
}

function checkOptions(opts: BuildOptions): void {
  if (!opts || typeof opts !== 'object') throw new InvalidInputError('opts', 'build options are required');
  if (!Number.isInteger(opts.numClasses) || opts.numClasses < 1) {
    throw new InvalidInputError('numClasses', `must be a positive integer, got ${String(opts.numClasses)}`);
  }
  if (opts.width !== undefined && !(Number.isFinite(opts.width) && opts.width > 0)) {
    throw new InvalidInputError('width', `must be a positive number, got ${String(opts.width)}`);
  }
  if (opts.depth !== undefined && !(Number.isInteger(opts.depth) && opts.depth >= 1)) {
    throw new InvalidInputError('depth', `must be a positive integer, got ${String(opts.depth)}`);
  }
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) throw new InvalidInputError('seed', `must be an integer, got ${String(opts.seed)}`);
  if (opts.dropout !== undefined && !(opts.dropout >= 0 && opts.dropout < 1)) {
    throw new InvalidInputError('dropout', `must be in [0, 1), got ${String(opts.dropout)}`);
  }
}

/**
 * Builds architecture `arch` (see `listArchitectures()`) for samples of `opts.inputShape`
 * (channels last, no batch axis). The model outputs logits [B, numClasses] (U-Net:
 * [B, H, W, numClasses]); ViTs built with `attentionOutputs: true` also output each block's
 * attention. Same options and seed give identical weights.
 */
export function buildModel(arch: ModelArch, opts: BuildOptions | VitOptions): tfl.LayersModel {
  archInfo(arch);
  checkOptions(opts);
  switch (arch) {
    case 'ecg-lstm':
      return buildEcgRnn('lstm', opts);
    case 'ecg-gru':
      return buildEcgRnn('gru', opts);
    case 'ecg-cnn':
      return buildEcgCnn(opts);
    case 'cnn64':
      return buildCnn64(opts);
    case 'unet':
      return buildUNet(opts);
    case 'densenet121':
      return buildDenseNet121(opts);
    default:
      if (arch in VGG_CONFIGS) return buildVgg(arch as keyof typeof VGG_CONFIGS, opts);
      if (arch in RESNET_CONFIGS) return buildResNet(arch as keyof typeof RESNET_CONFIGS, opts);
      if (arch in VIT_CONFIGS) return buildVit(arch as keyof typeof VIT_CONFIGS, opts);
      throw new Error(`buildModel: no builder for ${arch}`);
  }
}

/** Number of trainable parameters (BN moving statistics excluded, as PyTorch counts). */
export function trainableParamCount(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
