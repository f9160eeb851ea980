/**
 * Helpers shared by the studies (browser-safe): timing, rank correlation with an exact
 * permutation p-value, the JSON envelope every study writes, and the output bundle (JSON, HTML,
 * PNG figures as bytes) that the CLI writes to disk. Studies stay free of Node modules; the
 * CLI (cli/commands/study.ts) owns file I/O.
 */
import { spearman } from '../evaluate/stats.js';
import { Rng } from '../util/random.js';

/** What a study hands to its writer: results JSON, report HTML and extra files by relative path. */
export interface StudyOutputs {
  /** The JSON-ready results (written as results.json). */
  json: StudyEnvelope<unknown>;
  /** The self-contained report (written as report.html). */
  html: string;
  /** Extra files (PNG figures...) by path relative to the output folder, e.g. `figures/a.png`. */
  files: Record<string, Uint8Array>;
}

/** The common top of every study's results.json. */
export interface StudyEnvelope<R> {
  study: string;
  seed: number;
  quick: boolean;
  /** Settings that determine the results (sizes, epochs, architectures...). */
  settings: Record<string, unknown>;
  /** Wall time of the whole run in seconds (not deterministic). */
  runtimeSeconds: number;
  /** Backend the run used, when known. */
  backend?: string;
  results: R;
}

/** Runs `fn` and returns its value with the elapsed wall time in seconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, seconds: (Date.now() - t0) / 1000 };
}

/** Spearman correlation with a one-sided permutation p-value for a positive association. */
export interface RankCorrelation {
  rho: number;
  /** P(rho_perm >= rho) under random pairing: exact for n <= 8, else from `samples` seeded draws. NaN when rho is. */
  pPositive: number;
  n: number;
}

function permutations(n: number): number[][] {
  if (n <= 1) return [[...Array(n).keys()]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let k = 0; k <= p.length; k++) out.push([...p.slice(0, k), n - 1, ...p.slice(k)]);
  return out;
}

/**
 * Spearman rho of `a` and `b` (pairs with a non-finite side dropped) and the one-sided
 * permutation p-value of a rho at least this large. Why hand-written: a handful of points
 * (one per architecture) needs an exact permutation test, not the t approximation.
 */
export function rankCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, seed = 0, samples = 20000): RankCorrelation {
  if (a.length !== b.length) throw new Error(`rankCorrelation: ${a.length} vs ${b.length} values`);
  const xa: number[] = [], xb: number[] = [];
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) (xa.push(a[i]), xb.push(b[i]));
  const n = xa.length;
  const rho = n >= 3 ? spearman(xa, xb) : NaN;
  if (!Number.isFinite(rho)) return { rho: NaN, pPositive: NaN, n };
  const tol = 1e-9;
  let hits = 0, total = 0;
  const count = (perm: number[]) => {
    const r = spearman(xa, perm.map((j) => xb[j]));
    total++;
    if (r >= rho - tol) hits++;
  };
  if (n <= 8) permutations(n).forEach(count);
  else {
    const rng = new Rng(seed);
    for (let s = 0; s < samples; s++) count(rng.shuffle([...Array(n).keys()]));
  }
  return { rho, pPositive: hits / total, n };
}

/** Rounds every finite number in a JSON-ready value to `digits` significant digits (smaller, diff-friendly JSON). */
export function roundForJson<T>(value: T, digits = 6): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? Number(v.toPrecision(digits)) : null;
    if (Array.isArray(v)) return v.map(walk);
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
