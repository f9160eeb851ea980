/** Training API (browser-safe): the fit loop, checkpoints, datasets helpers, preprocessing, inference and metrics. */
export { fit, type FitOptions, type FitResult, type Monitor } from './fit.js';
export { MemoryCheckpointStore, encodeCheckpoint, decodeCheckpoint, type CheckpointStore, type TrainCheckpoint, type EpochRecord, type NamedArray } from './checkpoint.js';
export { validateDataset, validationSplit, classWeights, classCounts, gatherBatch, sampleSize, subsetDataset } from './dataset.js';
export { channelStats, standardize, selectClasses, zscoreRows } from './preprocess.js';
export { predictLogits, softmaxRows, crossEntropy, assertInputShape } from './predict.js';
export { createOptimizer, readModelWeights, writeModelWeights, readOptimizerWeights, restoreOptimizer, type OptimizerName } from './state.js';
export * from './metrics.js';
