/**
 * Synthetic data with exact ground truth of what is relevant, deterministic from a seed:
 * - `generateEcgStrip`: ECGSYN-style single-lead strips with wave labels and N/S/V beats.
 * - `generateEcgBeats`: N/S/V beat windows; `relevance` = samples that change with the class.
 * - `generateChestXrays`: pneumothorax-like lesion, `relevance` = lesion mask; optional confounder.
 * - `generateCardiacCt`: cardiac CT slices/volumes with label maps and findings; `siteSubset`.
 * Sample i of every generator depends only on (seed, i): the same seed with other `labels`
 * (or finding rates) gives counterfactual twins that differ exactly on the relevance mask.
 */
export * from './common.js';
export * from './ecg-waves.js';
export * from './ecg-noise.js';
export * from './ecg.js';
export * from './ecg-beats.js';
export * from './cxr-anatomy.js';
export * from './cxr-confounders.js';
export * from './cxr.js';
export * from './ct-anatomy.js';
export * from './ct.js';
