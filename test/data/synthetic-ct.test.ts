import test from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors.js';
import { CARDIAC_LABELS, generateCardiacCt, siteSubset } from '../../src/data/synthetic/index.js';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const LV = 1, RV = 2, MYO = 3, LA = 4, AO = 5, RA = 6;

test('CT: deterministic from the seed; slice and volume shapes', () => {
  const a = generateCardiacCt({ n: 3, size: 32, seed: 1 });
  const b = generateCardiacCt({ n: 3, size: 32, seed: 1 });
  assert.ok(bytes(a.x).equals(bytes(b.x)) && bytes(a.labels).equals(bytes(b.labels)), 'same seed, same bytes');
  assert.ok(!bytes(a.x).equals(bytes(generateCardiacCt({ n: 3, size: 32, seed: 2 }).x)), 'other seed differs');
  assert.deepEqual(a.shape, [3, 32, 32, 1]);
  assert.deepEqual(a.labelShape, [3, 32, 32]);
  assert.equal(a.x.length, 3 * 32 * 32);
  assert.deepEqual(a.labelNames, ['background', 'left-ventricle', 'right-ventricle', 'myocardium', 'left-atrium', 'aorta', 'right-atrium']);
  const v = generateCardiacCt({ n: 2, size: 24, depth: 20, seed: 1 });
  assert.deepEqual(v.shape, [2, 20, 24, 24, 1]);
  assert.deepEqual(v.labelShape, [2, 20, 24, 24]);
  assert.equal(v.labels.length, 2 * 20 * 24 * 24);
  assert.equal(v.findings[0].mask.length, v.labels.length);
  // Every structure appears in each volume.
  for (let i = 0; i < 2; i++) {
    const seen = new Set(v.labels.subarray(i * 11520, (i + 1) * 11520));
    assert.equal(seen.size, CARDIAC_LABELS.length, `volume ${i} has ${[...seen]}`);
  }
});

test('CT: label HU means match the designed values; anatomy in place', () => {
  const n = 12, size = 64, P = size * size;
  const d = generateCardiacCt({ n, size, seed: 4, findingRates: { 'pericardial-effusion': 0, calcification: 0 } });
  const sum = new Float64Array(7), cnt = new Float64Array(7);
  for (let p = 0; p < d.labels.length; p++) { sum[d.labels[p]] += d.x[p]; cnt[d.labels[p]]++; }
  const mean = (k: number) => sum[k] / cnt[k];
  for (const [k, lo, hi] of [[LV, 280, 320], [LA, 280, 320], [AO, 280, 320], [RV, 200, 240], [RA, 200, 240], [MYO, 45, 60]]) {
    assert.ok(cnt[k] > 0 && mean(k) > lo && mean(k) < hi, `${CARDIAC_LABELS[k]} mean ${mean(k)}`);
  }
  // Every slice cuts the ventricles and the myocardium; centroids sit where they should.
  for (let i = 0; i < n; i++) {
    const c = Array.from({ length: 7 }, () => ({ r: 0, c: 0, n: 0 }));
    for (let p = 0; p < P; p++) { const l = d.labels[i * P + p]; c[l].r += Math.floor(p / size); c[l].c += p % size; c[l].n++; }
    for (const k of [LV, RV, MYO]) assert.ok(c[k].n > 20, `slice ${i} ${CARDIAC_LABELS[k]} ${c[k].n} px`);
    const at = (k: number) => [c[k].r / c[k].n, c[k].c / c[k].n];
    assert.ok(at(RV)[1] < at(LV)[1], `slice ${i}: RV lies to the patient's right (image left) of the LV`);
    if (c[LA].n) assert.ok(at(LA)[0] > at(RV)[0], `slice ${i}: LA posterior to RV`);
  }
  // Without contrast the blood pools are ~40 HU.
  const plain = generateCardiacCt({ n: 4, size: 48, seed: 4, contrast: false, noiseHU: 0, findingRates: { 'pericardial-effusion': 0, calcification: 0 } });
  for (let p = 0; p < plain.labels.length; p++) if (plain.labels[p] === LV) assert.ok(plain.x[p] >= 35 && plain.x[p] <= 45, 'unenhanced LV');
});

test('CT: findings have exact masks (twins with and without a finding differ exactly there)', () => {
  const n = 6, size = 48;
  const on = generateCardiacCt({ n, size, seed: 7, findingRates: { 'pericardial-effusion': 1, calcification: 1 } });
  const off = generateCardiacCt({ n, size, seed: 7, findingRates: { 'pericardial-effusion': 0, calcification: 0 } });
  assert.deepEqual([...on.findings[0].present], [1, 1, 1, 1, 1, 1]);
  assert.equal(off.findings[1].mask.reduce((a, b) => a + b, 0), 0);
  let eff = 0, effSum = 0, calc = 0, calcSum = 0;
  for (let p = 0; p < on.x.length; p++) {
    const m = on.findings[0].mask[p] || on.findings[1].mask[p];
    assert.equal(on.x[p] !== off.x[p], m === 1, `voxel ${p}`);
    assert.equal(on.labels[p] !== off.labels[p], false, 'findings leave the label map alone');
    if (on.findings[1].mask[p]) { calc++; calcSum += on.x[p]; } else if (on.findings[0].mask[p]) { eff++; effSum += on.x[p]; assert.equal(on.labels[p], 0); }
  }
  assert.ok(eff > 100 && effSum / eff > -10 && effSum / eff < 35, `effusion ${eff} voxels, mean ${effSum / eff}`);
  assert.ok(calc > 0 && calcSum / calc > 550, `calcification ${calc} voxels, mean ${calcSum / calc}`);
  const some = generateCardiacCt({ n: 200, size: 16, seed: 3 });
  const rate = some.findings[0].present.reduce((a, b) => a + b, 0) / 200;
  assert.ok(rate > 0.2 && rate < 0.4, `default effusion rate ${rate}`);
});

test('siteSubset keeps the named structures, with their global indices', () => {
  const labels = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 1, 3]);
  assert.deepEqual([...siteSubset(labels, ['left-ventricle', 'myocardium'])], [0, 1, 0, 3, 0, 0, 0, 1, 3]);
  assert.deepEqual([...siteSubset(labels, [2, 'aorta'])], [0, 0, 2, 0, 0, 5, 0, 0, 0]);
  assert.deepEqual([...siteSubset(labels, [4], CARDIAC_LABELS, 255)], [0, 255, 255, 255, 4, 255, 255, 255, 255]);
  assert.throws(() => siteSubset(labels, ['spleen']), InvalidInputError);
  assert.throws(() => siteSubset(labels, [9]), /keep/);
});

test('CT generator rejects bad options; generation speed', () => {
  assert.throws(() => generateCardiacCt({ n: 1, size: 8, seed: 1 }), /size/);
  assert.throws(() => generateCardiacCt({ n: 1, size: 32, depth: 0, seed: 1 }), /depth/);
  assert.throws(() => generateCardiacCt({ n: 1, size: 32, seed: 1, noiseHU: -1 }), InvalidInputError);
  assert.throws(() => generateCardiacCt({ n: 1, size: 32, seed: 1, findingRates: { calcification: 2 } }), /calcification/);
  const t = performance.now();
  generateCardiacCt({ n: 100, size: 64, seed: 1 });
  const ms = performance.now() - t;
  console.log(`# 100 CT slices at 64 px in ${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000, `${ms} ms`);
});
