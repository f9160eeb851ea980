/**
 * The tfjs wasm backend made trainable: registers the backprop kernels the stock wasm backend
 * lacks and faster replacements for slow ones (see `wasm-kernels/`). Browser-safe; the caller
 * gives the folder holding the .wasm files.
 */
import { setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendCandidate } from './select.js';
import { registerWasmTrainingKernels } from './wasm-kernels/index.js';

/** A candidate for `selectBackend` that loads wasm from `wasmDir` (a path or URL ending in '/'). */
export function wasmCandidate(wasmDir: string): BackendCandidate {
  return {
    name: 'wasm',
    load: async () => {
      setWasmPaths(wasmDir);
      registerWasmTrainingKernels();
      return true;
    },
    threads: () => getThreadsCount(),
  };
}
