/** Data: readers that take bytes (WFDB, annotations, PNG, NRRD, NIfTI), MIT-BIH beats, synthetic generators. */
export * from './types.js';
export * from './wfdb.js';
export * from './annotations.js';
export * from './mitbih.js';
export * from './mitbih-split.js';
export * from './resample.js';
export * from './png.js';
export * from './nrrd.js';
export * from './nifti.js';
export * from './synthetic/index.js';
export * from './delineate.js';
