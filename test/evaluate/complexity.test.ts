import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complexity, effectiveComplexity, evaluate, gini, entropy, sparseness, spearman, pearson, rocAuc, trapezoid, ssim, cosine, averageRanks } from '../../src/evaluate/index.js';
import { assertClose } from '../helpers.js';

for (const shape of [[3, 10, 1], [3, 5, 2, 1], [3, 2, 5, 1, 1]]) {
  test(`complexity metrics on one-hot, uniform and zero maps (shape [${shape}])`, async () => {
    const n = 10;
    const a = new Float32Array(3 * n);
    a[4] = -2.5; // one-hot (sign ignored)
    a.fill(0.7, n, 2 * n); // uniform; third sample all zero
    const x = { data: new Float32Array(3 * n), shape };
    assertClose(await sparseness(null, x, undefined, a), [(n - 1) / n, 0, 0], 1e-6);
    assertClose(await complexity(null, x, undefined, a), [0, Math.log(n), 0], 1e-6);
    assert.deepEqual(Array.from(await effectiveComplexity(null, x, undefined, a)), [1, n, 0]);
    assert.deepEqual(Array.from(await evaluate('effective-complexity', { x, attribution: a, eps: 1 })), [1, 0, 0]);
  });
}

test('statistics helpers agree with hand computations', () => {
  assertClose([gini([0, 0, 0, 1])], [0.75], 1e-9);
  assertClose([gini([1, 2, 3, 4])], [0.25], 1e-9); // sum (2i-n-1) v_i / (n sum v) = (−3−2+3+12)/(4·10)
  assertClose([entropy([1, 1])], [Math.log(2)], 1e-9);
  assert.deepEqual(Array.from(averageRanks([3, 1, 3, 2])), [3.5, 1, 3.5, 2]);
  assertClose([spearman([1, 2, 3, 4], [10, 20, 30, 1000])], [1], 1e-12);
  assertClose([pearson([1, 2, 3], [2, 4, 7])], [0.9933992677987828], 1e-9);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assertClose([rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])], [0.75], 1e-12);
  assertClose([trapezoid([0, 1, 1])], [0.75], 1e-12);
  assertClose([trapezoid([1, 3], [0, 2])], [4], 1e-12);
  assertClose([ssim([1, 2, 3], [1, 2, 3]), cosine([1, 0], [0, 1])], [1, 0], 1e-9);
  assert.ok(ssim([1, 2, 3, 4], [4, 3, 2, 1]) < 0);
});
