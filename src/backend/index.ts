/** Browser-safe backend API. Node code uses `backend/node.ts`. */
export { tf, tfl, tidyData } from './tf.js';
export { selectBackend, backendInfo, cpuCandidate, type BackendCandidate, type BackendInfo } from './select.js';
export { wasmCandidate } from './wasm.js';
