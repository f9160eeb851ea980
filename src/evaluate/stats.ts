/**
 * Small statistics shared by the metrics: ranking, Pearson/Spearman correlation, cosine and
 * SSIM similarity, trapezoid AUC, ROC AUC, Gini index and entropy. Written by hand because
 * they are a few lines each on typed arrays and no browser-safe npm package covers them
 * without pulling in a numeric stack.
 */

/** Indices sorted by value, largest first (ties: lower index first). */
export function rankDescending(values: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: values.length }, (_, i) => i);
  return idx.sort((a, b) => values[b] - values[a] || a - b);
}

/** Ranks 1..n (average rank for ties), ascending by value. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[idx[k]] = r;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation; NaN when either side is constant or the lengths are below 2. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`pearson: lengths ${n} and ${b.length}`);
  if (n < 2) return NaN;
  const { saa, sbb, sab } = centredMoments(a, b);
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Means of two equal-length series and their centred sums of squares and cross products (shared by Pearson and SSIM). */
function centredMoments(a: ArrayLike<number>, b: ArrayLike<number>): { ma: number; mb: number; saa: number; sbb: number; sab: number } {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) (ma += a[i]), (mb += b[i]);
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return { ma, mb, saa, sbb, sab };
}

/** Spearman rank correlation (Pearson of average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

/** Cosine similarity; NaN when a side is all zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}

/**
 * Structural similarity of two maps, computed globally (one window over the whole map) after
 * scaling each to [0, 1] by its own min and max, with the usual constants (K1 0.01, K2 0.03,
 * range 1). A global SSIM works for any rank; windowed SSIM is image-only.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const scale = (v: ArrayLike<number>) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < v.length; i++) (lo = Math.min(lo, v[i])), (hi = Math.max(hi, v[i]));
    const r = hi - lo;
    return Float64Array.from(v as ArrayLike<number>, (x) => (r > 0 ? (x - lo) / r : 0));
  };
  const x = scale(a), y = scale(b), n = x.length;
  const { ma: mx, mb: my, saa, sbb, sab } = centredMoments(x, y);
  const d = Math.max(1, n - 1);
  const vx = saa / d, vy = sbb / d, cxy = sab / d;
  const c1 = 0.01 ** 2, c2 = 0.03 ** 2;
  return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
}

/** Similarity functions by name, for the randomisation metrics. */
export const similarities = { spearman, pearson, cosine, ssim } as const;
/** Name of a similarity function. */
export type SimilarityName = keyof typeof similarities;

/** Area under y(x) by the trapezoid rule; x defaults to an even grid on [0, 1]. */
export function trapezoid(y: ArrayLike<number>, x?: ArrayLike<number>): number {
  const n = y.length;
  if (n < 2) return n === 1 ? y[0] : 0;
  let s = 0;
  for (let i = 1; i < n; i++) {
    const dx = x ? x[i] - x[i - 1] : 1 / (n - 1);
    s += (dx * (y[i] + y[i - 1])) / 2;
  }
  return s;
}

/** ROC AUC of `scores` predicting binary `labels` (Mann-Whitney, ties count half); NaN with one class only. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const r = averageRanks(scores);
  let pos = 0, sumPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) (pos++, (sumPos += r[i]));
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (sumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Gini index of |values| (Hurley & Rickard): 0 for uniform, (n-1)/n for one-hot; 0 for all zero. */
export function gini(values: ArrayLike<number>): number {
  const v = Float64Array.from(values as ArrayLike<number>, Math.abs).sort();
  const n = v.length;
  let s = 0, w = 0;
  for (let i = 0; i < n; i++) {
    s += v[i];
    w += (2 * (i + 1) - n - 1) * v[i];
  }
  return s > 0 ? w / (n * s) : 0;
}

/** Shannon entropy (nats) of the fractions |v_i| / sum |v|; 0 for all zero. */
export function entropy(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.abs(values[i]);
  if (!(s > 0)) return 0;
  let h = 0;
  for (let i = 0; i < values.length; i++) {
    const p = Math.abs(values[i]) / s;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** Mean of the finite values (NaN when none). */
export function finiteMean(values: ArrayLike<number>): number {
  let s = 0, c = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) (s += values[i]), c++;
  return c ? s / c : NaN;
}

/** Euclidean norm of a - b (b optional). */
export function l2(a: ArrayLike<number>, b?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s);
}
