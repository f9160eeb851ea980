/** Generative and statistical infill: replace masked samples/pixels with plausible values instead of zeros. */
export type { InfillFunction } from './types.js';
export { linearInfill, harmonicInfill, readInfillArgs, type LinearInfillOptions, type HarmonicInfillOptions } from './classical.js';
export { EcgInfillModel, type EcgInfillModelOptions, type EcgInfillTrainOptions, type SignalSet } from './autoencoder.js';
export { GaussianInfill, type GaussianFitOptions } from './gaussian.js';
export { ImageInfillModel, drawRandomHole, type ImageInfillModelOptions, type ImageInfillTrainOptions, type ImageInfillEvalOptions, type ImageSet } from './image-inpainter.js';
