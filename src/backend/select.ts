/**
 * Backend selection, browser-safe: tries candidate backends fastest first and records why
 * each faster one was not used. Node adds its own candidates in `backend/node.ts`.
 */
import { tf } from './tf.js';
import { InvalidInputError } from '../errors.js';
import { registerFastGradients } from './wasm-kernels/index.js';
import { installEagerRelease } from './eager-release.js';

/** A backend that may be available. `load` resolves to true when it registered, else a reason. */
export interface BackendCandidate {
  name: string;
  load: () => Promise<true | string>;
  /** Threads the backend uses once active. */
  threads?: () => number;
}

/** What `selectBackend` chose and why the others were skipped. */
export interface BackendInfo {
  name: string;
  threads: number;
  skipped: { name: string; reason: string }[];
}

let current: BackendInfo | undefined;

/**
 * Activates the first candidate that loads. `prefer` forces one backend by name
 * (an error if it cannot load), e.g. from `MEDLENS_BACKEND` or `--backend`.
 */
export async function selectBackend(candidates: BackendCandidate[], prefer?: string): Promise<BackendInfo> {
  // The faster Tile/FusedBatchNorm gradients are global and exact on every backend.
  registerFastGradients();
  // Backprop frees per node on every backend (eager-release.ts): it is what lets a 224 px
  // ResNet-50 batch train within the wasm heap. MEDLENS_EAGER_RELEASE=0 keeps tfjs' own (Node).
  if (typeof process === 'undefined' || process.env?.MEDLENS_EAGER_RELEASE !== '0') installEagerRelease();
  const skipped: BackendInfo['skipped'] = [];
  const list = prefer ? candidates.filter((c) => c.name === prefer) : candidates;
  if (prefer && list.length === 0) {
    throw new InvalidInputError('backend', `unknown backend '${prefer}' (known: ${candidates.map((c) => c.name).join(', ')})`);
  }
  for (const c of list) {
    let outcome: true | string;
    try {
      outcome = await c.load();
    } catch (e) {
      outcome = e instanceof Error ? e.message : String(e);
    }
    if (outcome === true) {
      if (!(await tf.setBackend(c.name))) {
        skipped.push({ name: c.name, reason: 'registered but failed to initialise' });
        continue;
      }
      await tf.ready();
      // tfjs' cpu backend (and native, which extends it) prints a "use tfjs-node" banner on first
      // use; `medlens backend` already says why each faster backend was not used.
      const b = tf.backend() as unknown as { firstUse?: boolean };
      if (b.firstUse) b.firstUse = false;
      current = { name: c.name, threads: c.threads?.() ?? 1, skipped };
      return current;
    }
    if (prefer) throw new InvalidInputError('backend', `'${prefer}' is not available: ${outcome}`);
    skipped.push({ name: c.name, reason: outcome });
  }
  throw new Error('no tfjs backend could be initialised');
}

/** The backend chosen by the last `selectBackend` call, if any. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** The pure-JS cpu backend: always available, slowest. */
export const cpuCandidate: BackendCandidate = {
  name: 'cpu',
  load: async () => true,
  threads: () => 1,
};
