/**
 * Node-only backend loading: tfjs-node when installed, then the native oneDNN backend when
 * built, then wasm (with medlens' training kernels), then cpu. `MEDLENS_BACKEND` forces one.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { selectBackend, cpuCandidate, backendInfo, type BackendCandidate, type BackendInfo } from './select.js';
import { wasmCandidate } from './wasm.js';

const require = createRequire(import.meta.url);

/** Folder of the tfjs wasm binaries inside node_modules, with a trailing separator. */
export function nodeWasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

const tfjsNodeCandidate: BackendCandidate = {
  name: 'tensorflow',
  load: async () => {
    try {
      await import('@tensorflow/tfjs-node' as string);
      return true;
    } catch {
      return '@tensorflow/tfjs-node is not installed (optional; it downloads libtensorflow at install)';
    }
  },
};

let nativeThreads = 1;
const nativeCandidate: BackendCandidate = {
  name: 'native',
  threads: () => nativeThreads,
  load: async () => {
    try {
      const mod = (await import('./native.js' as string)) as {
        registerNativeBackend?: () => Promise<true | string>;
        nativeInfo?: () => { threads: number } | undefined;
      };
      if (!mod.registerNativeBackend) return 'native backend not built';
      const outcome = await mod.registerNativeBackend();
      if (outcome === true && mod.nativeInfo) nativeThreads = mod.nativeInfo()?.threads ?? 1;
      return outcome;
    } catch (e) {
      return `native oneDNN addon not built (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
    }
  },
};

/** All Node candidates, fastest first. */
export function nodeCandidates(): BackendCandidate[] {
  return [tfjsNodeCandidate, nativeCandidate, wasmCandidate(nodeWasmDir()), cpuCandidate];
}

let pending: Promise<BackendInfo> | undefined;

/**
 * Initialises the fastest available backend once per process (later calls return the same
 * result). `prefer` (or env MEDLENS_BACKEND) forces one: tensorflow, native, wasm or cpu.
 */
export function initNodeBackend(prefer = process.env.MEDLENS_BACKEND || undefined): Promise<BackendInfo> {
  const info = backendInfo();
  if (info && (!prefer || info.name === prefer)) return Promise.resolve(info);
  if (!pending || prefer) pending = selectBackend(nodeCandidates(), prefer);
  return pending;
}
