/**
 * Weighted (ridge) least squares for LIME and KernelSHAP surrogates. The systems are small
 * (features + 1 unknowns), so normal equations with Gaussian elimination and partial
 * pivoting in float64 are enough; tfjs has no float64 solver.
 */

/** Solves A x = b in place for a dense n x n A (row-major); throws on a singular matrix. */
export function solveLinearSystem(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a), x = Float64Array.from(b);
  let maxAbs = 0;
  for (const v of m) maxAbs = Math.max(maxAbs, Math.abs(v));
  const tol = 1e-13 * maxAbs;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (!(Math.abs(m[piv * n + c]) > tol)) throw new Error('singular system');
    if (piv !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[piv * n + k]] = [m[piv * n + k], m[c * n + k]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}

/**
 * Coefficients minimising sum_i w_i (y_i - c0 - z_i . c)^2 + ridge |c|^2 for rows z_i
 * (rows x f, row-major). Returns [c0, c_1..c_f] (intercept first, not penalised). A singular
 * system is retried with a ridge of 1e-9 of its largest diagonal entry.
 */
export function weightedLeastSquares(z: Float64Array, y: Float64Array, w: Float64Array, f: number, ridge = 0): Float64Array {
  const rows = y.length, d = f + 1;
  const ata = new Float64Array(d * d), atb = new Float64Array(d);
  const row = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    row[0] = 1;
    for (let j = 0; j < f; j++) row[j + 1] = z[i * f + j];
    for (let a = 0; a < d; a++) {
      if (row[a] === 0) continue;
      const wa = w[i] * row[a];
      atb[a] += wa * y[i];
      for (let b = 0; b < d; b++) ata[a * d + b] += wa * row[b];
    }
  }
  for (let a = 1; a < d; a++) ata[a * d + a] += ridge;
  try {
    return solveLinearSystem(ata, atb, d);
  } catch {
    // Rank-deficient (a feature never varied): a tiny ridge gives it coefficient 0.
    let scale = 1e-12;
    for (let a = 0; a < d; a++) scale = Math.max(scale, ata[a * d + a]);
    for (let a = 1; a < d; a++) ata[a * d + a] += 1e-9 * scale;
    return solveLinearSystem(ata, atb, d);
  }
}
