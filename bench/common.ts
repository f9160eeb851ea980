/**
 * Helpers shared by the benchmarks in bench/: flag parsing, median timing (sync and async)
 * and running a PyTorch reference script with /usr/bin/python3 (Debian python3-torch) on
 * the thread settings of `TORCH_THREAD_ENV`, as the medlens side gets on the shared machine.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the bench scripts. */
export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Value following `--name` in argv, if any. */
export function flagValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Median of numbers (upper median for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median and minimum (less disturbed by a busy shared machine) wall time, ms. */
export interface Timing { median: number; min: number }

/** Median and min wall time (ms) of `reps` runs after `warmup` runs; `fn` must read its result back. */
export function timeMs(fn: () => void, reps: number, warmup = 2): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), min: Math.min(...times) };
}

/** Median wall time (ms) of `reps` runs after `warmup` runs; `fn` must read its result back. */
export function medianMs(fn: () => void, reps: number, warmup = 2): number {
  return timeMs(fn, reps, warmup).median;
}

/**
 * `medianMs` for async work; also returns the last run's result. After `reps` runs it keeps
 * repeating while the runs total less than `minMs` (up to `maxReps`), so that millisecond-scale
 * work gets enough samples for a stable median on a busy machine.
 */
export async function medianMsAsync<T>(fn: () => Promise<T>, reps: number, warmup = 1, minMs = 0, maxReps = 50): Promise<{ ms: number; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmup; i++) last = await fn();
  const times: number[] = [];
  let total = 0;
  while (times.length < reps || (total < minMs && times.length < maxReps)) {
    const t0 = performance.now();
    last = await fn();
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
  }
  return { ms: median(times), last: last as T };
}

/**
 * Thread settings of every PyTorch reference run (bench:backend and bench:explain), matching the
 * 2 cores medlens gets: 2 torch intra-op threads and 2 OpenBLAS threads (Debian's torch uses the
 * system libblas: install libopenblas0-pthread, the reference BLAS is ~10x slower), and PASSIVE
 * OpenMP waits: on a loaded machine spinning threads made small convs 10-100x slower. OpenBLAS 2
 * vs 1 measured equal within noise on resnet18/ecg-lstm (batch 16) and ~20% faster on cnn64,
 * and batch-1 explanation GEMMs run outside torch's parallel regions, where 1 would idle a core.
 */
export const TORCH_THREAD_ENV = { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' } as const;

/**
 * Runs a Python script of bench/ with /usr/bin/python3 under `TORCH_THREAD_ENV`, stdout passed
 * through. Returns null on success, else why it failed (last line of stderr).
 */
export function runTorchScript(script: string, args: string[]): string | null {
  const env = { ...process.env, ...TORCH_THREAD_ENV };
  const r = spawnSync('/usr/bin/python3', [path.join(BENCH_DIR, script), ...args], { stdio: ['ignore', 'inherit', 'pipe'], env });
  if (r.status === 0) return null;
  const err = r.stderr?.toString().trim() ?? '';
  if (err) process.stderr.write(err + '\n');
  return `${script} failed: ${r.error?.message ?? err.split('\n').pop()}`;
}
