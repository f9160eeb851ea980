/**
 * medlens public API (browser-safe core). Node-only adapters (files, model folders, checkpoints,
 * backend loading) are in `medlens/node`.
 */
export * from './errors.js';
export * from './progress.js';
export { Rng } from './util/random.js';
export * from './backend/index.js';
export * from './data/index.js';
export * from './dicom/index.js';
export * from './models/index.js';
export * from './explain/index.js';
export * from './report/index.js';
export * from './evaluate/index.js';
export * from './train/index.js';
