/** Synthetic data with ground truth: ECG strips and beats, chest X-ray-like images, cardiac CT. */
export * from './common.js';
export * from './ecg-waves.js';
export * from './ecg-noise.js';
export * from './ecg.js';
export * from './ecg-beats.js';
export * from './cxr-anatomy.js';
export * from './cxr-confounders.js';
export * from './cxr.js';
