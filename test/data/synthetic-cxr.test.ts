import test from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors.js';
import { generateChestXrays } from '../../src/data/synthetic/index.js';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const count = (a: ArrayLike<number>) => { let c = 0; for (let i = 0; i < a.length; i++) c += a[i] ? 1 : 0; return c; };

test('CXR: deterministic from the seed, shapes, label counts', () => {
  const a = generateChestXrays({ n: 20, size: 48, seed: 3 });
  const b = generateChestXrays({ n: 20, size: 48, seed: 3 });
  const c = generateChestXrays({ n: 20, size: 48, seed: 4 });
  for (const k of ['x', 'y', 'relevance', 'lungMask'] as const) assert.ok(bytes(a[k]).equals(bytes(b[k])), k);
  assert.ok(!bytes(a.x).equals(bytes(c.x)), 'other seed differs');
  assert.deepEqual(a.shape, [20, 48, 48, 1]);
  assert.equal(a.x.length, 20 * 48 * 48);
  assert.equal(a.relevance.length, 20 * 48 * 48);
  assert.deepEqual(a.classNames, ['no-pneumothorax', 'pneumothorax']);
  assert.equal(count(a.y), 10);
  assert.equal(count(generateChestXrays({ n: 10, size: 16, seed: 1, lesionRate: 0.3 }).y), 3);
  assert.equal(count(generateChestXrays({ n: 5, size: 16, seed: 1, lesionRate: 0 }).y), 0);
  assert.ok(a.x.every(Number.isFinite), 'finite');
  assert.equal(a.confounderMask, undefined);
});

test('CXR: twins differ exactly on the lesion mask, which lies inside the lung', () => {
  for (const hard of [false, true]) {
    const n = 30, size = 64, P = size * size;
    const neg = generateChestXrays({ n, size, seed: 9, labels: new Array(n).fill(0), hard });
    const pos = generateChestXrays({ n, size, seed: 9, labels: new Array(n).fill(1), hard });
    assert.equal(count(neg.relevance), 0, 'negatives have an empty mask');
    assert.ok(bytes(neg.lungMask).equals(bytes(pos.lungMask)));
    for (let i = 0; i < n; i++) {
      let area = 0;
      for (let p = i * P; p < (i + 1) * P; p++) {
        const differs = pos.x[p] !== neg.x[p];
        assert.equal(differs, pos.relevance[p] === 1, `image ${i} pixel ${p - i * P}`);
        if (pos.relevance[p]) { area++; assert.equal(pos.lungMask[p], 1, 'lesion inside the lung'); }
      }
      assert.ok(area >= (hard ? 6 : 15) && area < 0.1 * P, `lesion area ${area}`);
    }
  }
});

test('CXR: the lesion is darker and textureless; a mean-of-region rule separates the classes', () => {
  const n = 40, size = 64, P = size * size;
  const neg = generateChestXrays({ n, size, seed: 21, labels: new Array(n).fill(0) });
  const pos = generateChestXrays({ n, size, seed: 21, labels: new Array(n).fill(1) });
  let varPos = 0, varNeg = 0;
  for (let i = 0; i < n; i++) {
    // Air pixels of the lesion (the pleural line is the brighter part).
    const air: number[] = [];
    for (let p = i * P; p < (i + 1) * P; p++) if (pos.relevance[p] && pos.x[p] < neg.x[p]) air.push(p);
    const mean = (xs: Float32Array, ps: number[]) => ps.reduce((s, p) => s + xs[p], 0) / ps.length;
    const variance = (xs: Float32Array, ps: number[]) => { const m = mean(xs, ps); return ps.reduce((s, p) => s + (xs[p] - m) ** 2, 0) / ps.length; };
    assert.ok(air.length > 0.5 * count(pos.relevance.subarray(i * P, (i + 1) * P)), `image ${i}: ${air.length} air pixels`);
    assert.ok(mean(pos.x, air) < mean(neg.x, air) - 0.05, `image ${i} not darker`);
    varPos += variance(pos.x, air);
    varNeg += variance(neg.x, air);
    // Rule: region mean minus mean of the other lung pixels; negative only with a lesion.
    const rest: number[] = [];
    for (let p = i * P; p < (i + 1) * P; p++) if (pos.lungMask[p] && !pos.relevance[p]) rest.push(p);
    assert.ok(mean(pos.x, air) - mean(pos.x, rest) < -0.04, `positive ${i}`);
    assert.ok(mean(neg.x, air) - mean(neg.x, rest) > -0.04, `negative ${i}`);
  }
  assert.ok(varNeg > 1.15 * varPos, `texture variance with lesion ${varPos / n}, without ${varNeg / n}`);
});

test('CXR: outside the lesion the images carry no class signal', () => {
  const n = 200, size = 32, P = size * size;
  const d = generateChestXrays({ n, size, seed: 5 });
  const stats = [0, 1].map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    let s = 0, c = 0;
    for (let p = i * P; p < (i + 1) * P; p++) if (d.lungMask[p] && !d.relevance[p]) { s += d.x[p]; c++; }
    stats[d.y[i]].push(s / c);
  }
  const m = stats.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
  const se = stats.map((xs, k) => Math.sqrt(xs.reduce((a, b) => a + (b - m[k]) ** 2, 0) / xs.length / xs.length));
  assert.ok(Math.abs(m[0] - m[1]) < 4 * Math.hypot(se[0], se[1]), `means ${m}`);
});

test('CXR: confounders follow the requested correlation and have their own mask', () => {
  const size = 32, P = size * size;
  for (const kind of ['chest-tube', 'text-marker'] as const) {
    const full = generateChestXrays({ n: 40, size: 64, seed: 2, confounder: { kind, correlation: 1 } });
    assert.deepEqual([...full.confounderPresent!], [...full.y], 'correlation 1: present iff lesion');
    for (let i = 0; i < 40; i++) {
      const cm = full.confounderMask!.subarray(i * 4096, (i + 1) * 4096), rel = full.relevance.subarray(i * 4096, (i + 1) * 4096);
      assert.equal(count(cm) > 0, full.y[i] === 1);
      for (let p = 0; p < 4096; p++) assert.ok(!(cm[p] && rel[p]), 'confounder and lesion masks are disjoint');
    }
    const n = 1000;
    const d = generateChestXrays({ n, size, seed: 8, confounder: { kind, correlation: 0.6 } });
    const c = d.confounderPresent!;
    let n11 = 0;
    for (let i = 0; i < n; i++) n11 += c[i] & d.y[i];
    const pc = count(c) / n, py = count(d.y) / n;
    const phi = (n11 / n - pc * py) / Math.sqrt(pc * (1 - pc) * py * (1 - py));
    assert.ok(Math.abs(phi - 0.6) < 0.08, `${kind} phi ${phi}`);
    assert.equal(count(d.confounderMask!.subarray(0, P)) > 0, c[0] === 1);
  }
  // A marker pixel holds the marker intensity (before gain, bias and noise).
  const m = generateChestXrays({ n: 4, size: 64, seed: 3, labels: [1, 1, 1, 1], confounder: { kind: 'text-marker', correlation: 1 } });
  const mask = m.confounderMask!.subarray(0, 4096);
  const vals = [...m.x.subarray(0, 4096)].filter((_, p) => mask[p]);
  assert.ok(vals.reduce((a, b) => a + b, 0) / vals.length > 0.75, 'marker is bright');
});

test('CXR generator rejects bad options with InvalidInputError', () => {
  assert.throws(() => generateChestXrays({ n: 0, size: 64, seed: 1 }), InvalidInputError);
  assert.throws(() => generateChestXrays({ n: 2, size: 8, seed: 1 }), /size/);
  assert.throws(() => generateChestXrays({ n: 2, size: 64, seed: 1, lesionRate: 1.5 }), /lesionRate/);
  assert.throws(() => generateChestXrays({ n: 2, size: 64, seed: 1, labels: [0, 2] }), /labels/);
  // @ts-expect-error an unknown confounder kind
  assert.throws(() => generateChestXrays({ n: 2, size: 64, seed: 1, confounder: { kind: 'ruler', correlation: 0 } }), /confounder.kind/);
  assert.throws(() => generateChestXrays({ n: 2, size: 64, seed: 1, confounder: { kind: 'text-marker', correlation: NaN } }), /correlation/);
});

test('CXR generation speed: 200 images at 64 px', () => {
  const t = performance.now();
  generateChestXrays({ n: 200, size: 64, seed: 1 });
  const ms = performance.now() - t;
  console.log(`# 200 chest X-rays at 64 px in ${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000, `${ms} ms`);
});
