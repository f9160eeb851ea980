/**
 * Registers composed wasm kernels and gradients needed for training (placeholder: filled in by
 * the wasm-kernels work; idempotent).
 */
let registered = false;

/** Registers the missing/faster wasm kernels once. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
}
