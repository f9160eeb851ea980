/**
 * Eigen-CAM (Muhammad & Yeasin): the projection of the layer activations on their first
 * principal component; gradient-free and class-agnostic.
 */
import { tf } from '../backend/tf.js';
import { CamExplainer, type CamInputs } from './cam-base.js';

/** Symmetric Gram matrix of the rows of `c` ([rows, cols], row-major): G[i][j] = c_i . c_j. */
function rowGram(c: Float64Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    const ri = i * cols;
    for (let j = i; j < rows; j++) {
      const rj = j * cols;
      let s = 0;
      for (let l = 0; l < cols; l++) s += c[ri + l] * c[rj + l];
      g[i * rows + j] = s;
      g[j * rows + i] = s;
    }
  }
  return g;
}

/** Symmetric Gram matrix of the columns of `c` ([rows, cols], row-major): H[a][b] = sum_i c_ia c_ib. */
function columnGram(c: Float64Array, rows: number, cols: number): Float64Array {
  const h = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let a = 0; a < cols; a++) {
      const ca = c[r + a];
      if (ca === 0) continue;
      const off = a * cols;
      for (let b = a; b < cols; b++) h[off + b] += ca * c[r + b];
    }
  }
  for (let a = 0; a < cols; a++) for (let b = 0; b < a; b++) h[a * cols + b] = h[b * cols + a];
  return h;
}

/** y = M x for a square m x m matrix. */
function matVec(mat: Float64Array, x: Float64Array, m: number): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += mat[i * m + j] * x[j];
    y[i] = s;
  }
  return y;
}

/**
 * Dominant eigenvector (unit length) of a symmetric positive semi-definite m x m matrix by
 * power iteration from `start`; stops when the normalised iterate moves less than 1e-10
 * (L1), or returns `undefined` when the iterate vanishes (zero matrix).
 */
function dominantEigenvector(mat: Float64Array, m: number, start: Float64Array, iterations: number): Float64Array | undefined {
  const n0 = Math.sqrt(start.reduce((s, q) => s + q * q, 0));
  if (n0 === 0) return undefined;
  let v: Float64Array = start.map((q) => q / n0);
  for (let it = 0; it < iterations; it++) {
    const next = matVec(mat, v, m);
    let norm = 0;
    for (let j = 0; j < m; j++) norm += next[j] * next[j];
    norm = Math.sqrt(norm);
    if (norm === 0) return undefined;
    let change = 0;
    for (let j = 0; j < m; j++) {
      next[j] /= norm;
      change += Math.abs(next[j] - v[j]);
    }
    v = next;
    if (change < 1e-10) break;
  }
  return v;
}

/**
 * Projection of centred rows of `a` ([P, K]) on their first right singular vector, found by
 * power iteration on the smaller Gram matrix: C C^T ([P, P]) when P <= K, else C^T C
 * ([K, K]); both have the same dominant eigenvalue, and the projection C v equals
 * C C^T u / |C^T u| for the dominant left vector u. The sign, arbitrary in an SVD, is chosen
 * so the map correlates positively with the channel-summed activation.
 */
export function firstComponentProjection(a: Float32Array, p: number, k: number, iterations = 200): Float32Array {
  const mean = new Float64Array(k);
  for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) mean[j] += a[i * k + j] / p;
  const c = new Float64Array(p * k);
  for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) c[i * k + j] = a[i * k + j] - mean[j];
  const start = new Float64Array(k).map((_, j) => 1 + j / k);
  const proj = new Float64Array(p);
  if (p <= k) {
    // Start from C v0, the first left iterate of the channel-space iteration from v0.
    const u0 = new Float64Array(p);
    for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) u0[i] += c[i * k + j] * start[j];
    const g = rowGram(c, p, k);
    const u = dominantEigenvector(g, p, u0, iterations);
    if (u) {
      const gu = matVec(g, u, p);
      const sigma = Math.sqrt(Math.max(0, u.reduce((s, q, i) => s + q * gu[i], 0)));
      if (sigma > 0) for (let i = 0; i < p; i++) proj[i] = gu[i] / sigma;
    }
  } else {
    const v = dominantEigenvector(columnGram(c, p, k), k, start, iterations);
    if (v) for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) proj[i] += c[i * k + j] * v[j];
  }
  let corr = 0;
  for (let i = 0; i < p; i++) {
    let t = 0;
    for (let j = 0; j < k; j++) t += c[i * k + j];
    corr += proj[i] * t;
  }
  return Float32Array.from(proj, (q) => (corr < 0 ? -q : q));
}

/** Eigen-CAM. */
export class EigenCAM extends CamExplainer {
  readonly name = 'EigenCAM';
  protected cam(c: CamInputs): tf.Tensor {
    const [n, ...rest] = c.activation.shape;
    const k = rest[rest.length - 1], p = rest.slice(0, -1).reduce((a, b) => a * b, 1);
    const data = c.activation.dataSync();
    const out = new Float32Array(n * p);
    for (let i = 0; i < n; i++) out.set(firstComponentProjection(data.subarray(i * p * k, (i + 1) * p * k) as Float32Array, p, k), i * p);
    return tf.tensor(out, [n, ...rest.slice(0, -1)]);
  }
}
