/**
 * Shared types of the model zoo: architecture names, build options and per-architecture facts
 * that trainers and explainers rely on (spatial ranks, the Grad-CAM target layer).
 */
import type { SpatialRank } from '../data/types.js';

/** Every architecture `buildModel` knows. */
export type ModelArch =
  | 'ecg-lstm'
  | 'ecg-gru'
  | 'ecg-cnn'
  | 'cnn64'
  | 'vgg11'
  | 'vgg16'
  | 'vgg19'
  | 'resnet18'
  | 'resnet34'
  | 'resnet50'
  | 'densenet121'
  | 'vit-tiny'
  | 'vit-small'
  | 'unet';

/** Options of `buildModel`. Only `inputShape` and `numClasses` are required. */
export interface BuildOptions {
  /** Sample shape without the batch axis, channels last: [T, C], [H, W, C] or [D, H, W, C]. */
  inputShape: number[];
  /** Number of classes = units of the final `logits` layer (channels of the U-Net output). */
  numClasses: number;
  /** Seed of every initializer and dropout layer (default 0): same seed, same weights. */
  seed?: number;
  /**
   * Width multiplier (default 1): scales channels (CNNs), recurrent units (ECG RNNs),
   * growth rate and stem (DenseNet) and the embedding size (ViT).
   */
  width?: number;
  /** ViT patch size in pixels (default 16); height and width must be multiples of it. */
  patchSize?: number;
  /**
   * Depth: recurrent layers (ECG RNNs, default 2), conv blocks (ecg-cnn, cnn64; default 4),
   * transformer blocks (ViT, default 12), down-sampling levels (U-Net, default 3).
   * Ignored by VGG/ResNet/DenseNet, whose depth is their name.
   */
  depth?: number;
  /** VGG only: batch normalisation after each conv (default true, like torchvision's vgg*_bn). */
  batchNorm?: boolean;
  /** Dropout rate before the classifier where the architecture has one (default 0.5 VGG, 0 elsewhere). */
  dropout?: number;
}

/** Facts about one architecture, from `listArchitectures()`. */
export interface ArchInfo {
  name: ModelArch;
  /** Family, e.g. `rnn`, `cnn`, `vgg`, `resnet`, `densenet`, `vit`, `unet`. */
  family: string;
  /** Spatial ranks the input may have: 1 = signal [T, C], 2 = image [H, W, C], 3 = volume. */
  spatialRanks: SpatialRank[];
  /** Output per sample: class logits, or per-pixel logits (segmentation). */
  output: 'classes' | 'pixels';
  /**
   * Name of the layer whose output Grad-CAM should use, for the default depth
   * (`camLayerName(arch, opts)` gives it for other depths). Null when there is none.
   */
  defaultCamLayer: string | null;
  /** One line on the architecture. */
  description: string;
}
