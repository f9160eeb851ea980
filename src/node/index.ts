/** medlens Node adapters: backend loading, files, data readers, DICOM files, model folders, checkpoints. */
export { initNodeBackend, nodeCandidates, nodeWasmDir } from '../backend/node.js';
export * from './fs.js';
export * from './data.js';
export * from './dicom.js';
export * from './models.js';
export * from './checkpoints.js';
